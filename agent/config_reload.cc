#include "agent/config_reload.h"

namespace storeagent::agent {

bool IsReloadableKey(std::string_view key) {
  if (key == "log.level" || key == "log.format" || key == "http.users" ||
      key == "http.tls_cert_file" || key == "http.tls_key_file") {
    return true;
  }
  constexpr std::string_view kSync = "sync.";
  constexpr std::string_view kFile = "_file";
  return key.substr(0, kSync.size()) == kSync && key.size() > kFile.size() &&
         key.substr(key.size() - kFile.size()) == kFile;
}

}  // namespace storeagent::agent
