// The storeagentctl command groups. Each Add*Commands registers its
// subcommands (with their --help) on `app`; when one is chosen on the command
// line, parsing stores what it runs in `action`. `t` holds the global
// options and must outlive `app`.
#ifndef STOREAGENT_AGENT_CTL_COMMANDS_H_
#define STOREAGENT_AGENT_CTL_COMMANDS_H_

#include <CLI/CLI.hpp>

#include "agent/ctl/ctl_common.h"

namespace storeagent::ctl {

// status; journal verify | tail.
void AddJournalCommands(CLI::App& app, Target& t, Action& action);
// catalog import.
void AddCatalogCommands(CLI::App& app, Target& t, Action& action);
// stock show | adjust | count | rebuild --verify.
void AddStockCommands(CLI::App& app, Target& t, Action& action);
// backup FILE; restore FILE.
void AddBackupCommands(CLI::App& app, Target& t, Action& action);
// holds list | show | pick | collect | cancel | short-pick.
void AddHoldCommands(CLI::App& app, Target& t, Action& action);

// prices SKU... [--at US] [--member CARD].
void AddPriceCommands(CLI::App& app, Target& t, Action& action);

// report x | z [--day D] [--terminal T] [--format table|json].
void AddReportCommands(CLI::App& app, Target& t, Action& action);

// sync status [--json].
void AddSyncCommands(CLI::App& app, Target& t, Action& action);
// The sync lines `status` prints (or why they are unknown).
void PrintSyncStatusLines(Target& t);

}  // namespace storeagent::ctl

#endif  // STOREAGENT_AGENT_CTL_COMMANDS_H_
