#include "agent/config_reload.h"

#include <algorithm>

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

void PlanHttpsSwitch(bool page_on, bool page_https, bool next_https,
                     platform::ReloadPlan* plan) {
  if (!page_on || page_https == next_https) return;
  for (const char* key : {"http.tls_cert_file", "http.tls_key_file"}) {
    std::erase(plan->apply, key);
    if (std::find(plan->need_restart.begin(), plan->need_restart.end(), key) ==
        plan->need_restart.end()) {
      plan->need_restart.push_back(key);
    }
  }
  std::sort(plan->need_restart.begin(), plan->need_restart.end());
}

}  // namespace storeagent::agent
