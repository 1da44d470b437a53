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

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_CONFIG_RELOAD_H_
