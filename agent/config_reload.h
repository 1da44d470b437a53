// What a SIGHUP may change in a running storeagentd.
//
// The configuration file is compared key by key with the one running (an
// array of tables such as [[http.users]] compares as a whole). Keys in the
// reloadable set are applied at once: log.level, log.format, http.users,
// and the TLS files of [sync] (keys of [sync] ending in "_file"; the sync
// client re-reads them on every reload, so a certificate replaced in place
// is picked up too). Any other key that differs is reported as needing a
// restart and keeps its running value.
#ifndef STOREAGENT_AGENT_CONFIG_RELOAD_H_
#define STOREAGENT_AGENT_CONFIG_RELOAD_H_

#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"

namespace storeagent::agent {

// Dotted keys whose values differ between the two TOML texts, sorted; a
// key present in only one counts. INVALID_ARGUMENT if either does not
// parse.
Result<std::vector<std::string>> ChangedConfigKeys(std::string_view before,
                                                   std::string_view after);

// True for the keys a reload applies.
bool IsReloadableKey(std::string_view key);

struct ReloadPlan {
  std::vector<std::string> apply;         // reloadable keys changed
  std::vector<std::string> need_restart;  // the other keys changed
};

// `since_last_reload`: keys changed since the text last applied;
// `since_start`: since the text the agent started with (a key needing a
// restart stays listed until the agent restarts).
ReloadPlan PlanReload(const std::vector<std::string>& since_last_reload,
                      const std::vector<std::string>& since_start);

// "a,b,c", or "none".
std::string JoinKeys(const std::vector<std::string>& keys);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_CONFIG_RELOAD_H_
