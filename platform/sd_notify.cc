#include "platform/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "platform/fs.h"

namespace storeagent::platform {
namespace {

// A positive decimal integer, the whole of `text`.
std::optional<uint64_t> ParsePositive(const char* text) {
  if (text == nullptr || *text == '\0') return std::nullopt;
  const char* end = text + std::strlen(text);
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text, end, v);
  if (ec != std::errc() || ptr != end || v == 0) return std::nullopt;
  return v;
}

}  // namespace

Status Notify(std::string_view state) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (env == nullptr || *env == '\0') return Status::Ok();
  const std::string name(env);
  if (name[0] != '/' && name[0] != '@') {
    return InvalidArgument("NOTIFY_SOCKET: " + name +
                           ": must be an absolute path or @abstract name");
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (name.size() > sizeof(addr.sun_path) - 1) {
    return InvalidArgument("NOTIFY_SOCKET: " + name + ": longer than " +
                           std::to_string(sizeof(addr.sun_path) - 1) +
                           " bytes");
  }
  std::memcpy(addr.sun_path, name.data(), name.size());
  socklen_t len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
  if (name[0] == '@') {
    addr.sun_path[0] = '\0';  // abstract: no terminating NUL counted
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  }

  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fs::ErrnoStatus(errno, "socket", name);
  ssize_t sent;
  do {
    sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&addr), len);
  } while (sent < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (sent < 0) return fs::ErrnoStatus(err, "sendto", name);
  return Status::Ok();
}

std::optional<std::chrono::microseconds> WatchdogInterval() {
  std::optional<uint64_t> usec = ParsePositive(std::getenv("WATCHDOG_USEC"));
  if (!usec) return std::nullopt;
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && *pid) {
    std::optional<uint64_t> p = ParsePositive(pid);
    if (!p || *p != static_cast<uint64_t>(::getpid())) return std::nullopt;
  }
  if (*usec > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return std::chrono::microseconds(static_cast<int64_t>(*usec));
}

}  // namespace storeagent::platform
