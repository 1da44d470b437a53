#include "platform/listen_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace storeagent::platform {
namespace {

// "HOST:PORT" split at the last colon, brackets of "[V6]" removed; false
// when there is no colon or no host.
bool SplitHostPort(const std::string& addr, std::string* host,
                   std::string* port) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  *host = addr.substr(0, colon);
  *port = addr.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return true;
}

}  // namespace

Result<ListenAddress> ParseListenAddress(const std::string& listen,
                                         std::string_view listen_key) {
  std::string host;
  std::string port_text;
  if (!SplitHostPort(listen, &host, &port_text)) {
    return InvalidArgument(std::string(listen_key) +
                           ": must be ADDRESS:PORT, got '" + listen + "'");
  }
  int port = -1;
  if (!port_text.empty() && port_text.size() <= 5 &&
      port_text.find_first_not_of("0123456789") == std::string::npos) {
    port = std::stoi(port_text);
  }
  if (port < 0 || port > 65535) {
    return InvalidArgument(std::string(listen_key) +
                           ": port must be 0..65535, got '" + port_text + "'");
  }
  in6_addr scratch{};
  if (::inet_pton(AF_INET, host.c_str(), &scratch) != 1 &&
      ::inet_pton(AF_INET6, host.c_str(), &scratch) != 1) {
    return InvalidArgument(std::string(listen_key) + ": '" + host +
                           "' is not an IP address");
  }
  return ListenAddress{host, static_cast<uint16_t>(port)};
}

bool IsLoopbackListen(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos || colon + 1 == addr.size()) return false;
  for (size_t i = colon + 1; i < addr.size(); ++i) {
    if (addr[i] < '0' || addr[i] > '9') return false;
  }
  const std::string host = addr.substr(0, colon);
  if (host == "[::1]" || host == "localhost") return true;
  int parts = 0;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string::npos) dot = host.size();
    const std::string part = host.substr(start, dot - start);
    if (part.empty() || part.size() > 3) return false;
    for (char ch : part) {
      if (ch < '0' || ch > '9') return false;
    }
    if (std::stoi(part) > 255) return false;
    if (parts == 0 && part != "127") return false;
    ++parts;
    start = dot + 1;
  }
  return parts == 4;
}

std::string ExplainBindFailure(const std::string& addr) {
  std::string host;
  std::string port;
  if (!SplitHostPort(addr, &host, &port)) return "not HOST:PORT";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int gai = ::getaddrinfo(host.empty() ? nullptr : host.c_str(),
                                port.c_str(), &hints, &found);
  if (gai != 0) return std::string(::gai_strerror(gai));
  std::string why;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    const int rc = ::bind(fd, a->ai_addr, a->ai_addrlen);
    const int err = errno;
    ::close(fd);
    if (rc != 0) {
      why = std::strerror(err);
      break;
    }
  }
  ::freeaddrinfo(found);
  return why;
}

}  // namespace storeagent::platform
