// What a SIGHUP changed in a daemon's configuration file: the keys that
// differ between two TOML texts, and which of them the daemon applies
// while running (the rest wait for a restart). storeagentd and
// storecentrald each name their reloadable keys.
#ifndef STOREAGENT_PLATFORM_CONFIG_DIFF_H_
#define STOREAGENT_PLATFORM_CONFIG_DIFF_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"

namespace storeagent::platform {

// Dotted keys whose values differ between the two TOML texts, sorted; a
// key present in only one counts; an array of tables ([[http.users]])
// compares as a whole. INVALID_ARGUMENT if either does not parse.
Result<std::vector<std::string>> ChangedConfigKeys(std::string_view before,
                                                   std::string_view after);

struct ReloadPlan {
  std::vector<std::string> apply;         // reloadable keys changed
  std::vector<std::string> need_restart;  // the other keys changed
};

// `since_last_reload`: keys changed since the text last applied;
// `since_start`: since the text the daemon started with (a key needing a
// restart stays listed until the daemon restarts).
ReloadPlan PlanReload(const std::vector<std::string>& since_last_reload,
                      const std::vector<std::string>& since_start,
                      const std::function<bool(std::string_view)>& reloadable);

// A SIGHUP's plan from the three texts: the one the daemon started with,
// the one it last applied, and the file's text now. INVALID_ARGUMENT if one
// does not parse.
Result<ReloadPlan> PlanReloadOfTexts(
    std::string_view start_text, std::string_view last_text,
    std::string_view text,
    const std::function<bool(std::string_view)>& reloadable);

// "a,b,c", or "none".
std::string JoinKeys(const std::vector<std::string>& keys);

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_CONFIG_DIFF_H_
