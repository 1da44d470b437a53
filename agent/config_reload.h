// What a SIGHUP may change in a running storeagentd.
//
// The configuration file is compared key by key with the one running (an
// array of tables such as [[http.users]] compares as a whole). Keys in the
// reloadable set are applied at once: log.level, log.format, http.users,
// http.tls_cert_file and http.tls_key_file (the staff page's HTTPS pair,
// re-read on every reload like the sync files), and the TLS files of [sync]
// (keys of [sync] ending in "_file"; the sync client re-reads them on every
// reload, so a certificate replaced in place is picked up too). Any other key
// that differs is reported as needing a restart and keeps its running value.
#ifndef STOREAGENT_AGENT_CONFIG_RELOAD_H_
#define STOREAGENT_AGENT_CONFIG_RELOAD_H_

#include <string>
#include <string_view>
#include <vector>

#include "platform/config_diff.h"

namespace storeagent::agent {

// True for the keys a reload applies.
bool IsReloadableKey(std::string_view key);

// http.tls_cert_file going to or from "" would switch a running staff page
// between HTTP and HTTPS, which takes a restart: while the page runs with
// `page_https` and `next` asks for the other, both http.tls_* keys are
// listed in plan->need_restart and not in plan->apply (at every reload
// until the restart). A page that is off (`page_on` false) starts at the
// reload with `next`'s files, so for it they stay applied.
void PlanHttpsSwitch(bool page_on, bool page_https, bool next_https,
                     platform::ReloadPlan* plan);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_CONFIG_RELOAD_H_
