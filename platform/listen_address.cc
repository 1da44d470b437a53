#include "platform/listen_address.h"

namespace storeagent::platform {

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

}  // namespace storeagent::platform
