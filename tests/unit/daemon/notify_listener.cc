#include "tests/unit/daemon/notify_listener.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <utility>

namespace storeagent::testing {

NotifyListener::NotifyListener(std::string address)
    : address_(std::move(address)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (address_.empty() || address_.size() >= sizeof(addr.sun_path)) return;
  std::memcpy(addr.sun_path, address_.data(), address_.size());
  socklen_t len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  if (address_[0] == '@') {
    addr.sun_path[0] = '\0';
  } else {
    ::unlink(address_.c_str());
    len += 1;
  }
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ >= 0 &&
      ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

NotifyListener::~NotifyListener() {
  if (fd_ >= 0) ::close(fd_);
  if (!address_.empty() && address_[0] == '/') ::unlink(address_.c_str());
}

std::optional<std::string> NotifyListener::Receive(int timeout_ms) {
  if (fd_ < 0) return std::nullopt;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
  char buf[4096];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace storeagent::testing
