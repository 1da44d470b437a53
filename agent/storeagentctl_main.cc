// storeagentctl: the operator's and store staff's command line for
// storeagentd. The command groups live in agent/ctl/; see
// docs/operations-cli.md.
#include <CLI/CLI.hpp>
#include <optional>

#include "agent/ctl/commands.h"
#include "agent/ctl/ctl_common.h"
#include "platform/cli.h"
#include "proto/grpc_log.h"

namespace ctl = storeagent::ctl;

int main(int argc, char** argv) {
  // gRPC's own lines in the product's log format (proto/grpc_log.h).
  storeagent::rpc::RouteGrpcLogs();
  CLI::App app(
      "storeagentctl - look into a running storeagentd, check its journal "
      "and stock, import the catalog, adjust stock and work holds.",
      "storeagentctl");
  ctl::Target t;
  app.add_option("-c,--config", t.config_path,
                 "agent configuration (for the socket and database paths)")
      ->capture_default_str();
  app.add_option("--socket", t.socket, "agent's POS Unix socket");
  app.add_option("--address", t.address,
                 "agent's loopback TCP address instead of the socket");
  app.add_option("--deadline-ms", t.deadline_ms, "per-call deadline")
      ->capture_default_str()
      ->check(CLI::Range(1, 3'600'000));
  app.require_subcommand(1);

  ctl::Action action;
  ctl::AddJournalCommands(app, t, action);
  ctl::AddCatalogCommands(app, t, action);
  ctl::AddStockCommands(app, t, action);
  ctl::AddPriceCommands(app, t, action);
  ctl::AddHoldCommands(app, t, action);
  ctl::AddSyncCommands(app, t, action);
  ctl::AddReportCommands(app, t, action);
  ctl::AddBackupCommands(app, t, action);

  storeagent::platform::AddVersionFlag(app);
  if (std::optional<int> code =
          storeagent::platform::ParseCommandLine(app, argc, argv)) {
    return *code;
  }
  // A configuration file named on the command line must be there: its
  // socket and database are what the user asked for, not the defaults.
  if (app.count("--config") > 0) {
    if (int code = ctl::LoadConfigOrFail(t); code != ctl::kExitOk) {
      return code;
    }
  }
  if (!action) return ctl::kExitError;
  return action();
}
