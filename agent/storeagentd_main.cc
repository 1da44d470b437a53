// storeagentd: the store POS and inventory edge agent.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "agent/agent_server.h"
#include "agent/config.h"
#include "agent/log.h"
#include "agent/watchdog.h"
#include "platform/sd_notify.h"
#include "platform/signals.h"

namespace sa = storeagent;

namespace {

// Tells systemd (Type=notify) something; outside systemd this does nothing.
// A failure is logged, never fatal: the agent records without systemd too.
void NotifyOrLog(const std::string& state) {
  sa::Status s = sa::platform::Notify(state);
  if (!s.ok()) {
    sa::agent::Log(sa::agent::LogLevel::kWarn, "agent.notify_failed",
                   {{"error", s.ToString()}});
  }
}

}  // namespace

int main(int argc, char** argv) {
  sa::platform::BlockDaemonSignals();

  CLI::App app(
      "storeagentd - records a store's transactions and loyalty signals "
      "durably, offline for days, and serves them to the POS over gRPC.\n\n"
      "Listens on the Unix socket pos.socket (and pos.tcp_listen, loopback "
      "only, when set). SIGTERM or SIGINT stops it cleanly: calls in flight "
      "are committed and answered first. Under systemd (Type=notify) it "
      "sends READY=1 once it listens and, with WatchdogSec=, pings the "
      "watchdog while its database threads answer (docs/operations.md). See "
      "docs/configuration.md for every key.",
      "storeagentd");
  std::string config_path = "/etc/storeagent/agent.toml";
  bool check_only = false;
  app.add_option("-c,--config", config_path, "TOML configuration file")
      ->capture_default_str();
  app.add_flag("--check-config", check_only,
               "Check the configuration file (and the key files it names), "
               "print what is wrong, exit 0 when it is good, 2 when not");
  CLI11_PARSE(app, argc, argv);

  sa::Result<sa::agent::AgentConfig> config =
      sa::agent::LoadAgentConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "storeagentd: config: %s\n",
                 config.status().message().c_str());
    return 2;
  }
  if (check_only) {
    std::printf("%s: ok (store %s, database %s)\n", config_path.c_str(),
                config->store_id.c_str(), config->DatabasePath().c_str());
    return 0;
  }
  sa::agent::ConfigureLog(config->log_level, config->log_format);

  sa::Result<std::unique_ptr<sa::agent::AgentServer>> server =
      sa::agent::AgentServer::Start(*config, sa::SystemClock());
  if (!server.ok()) {
    sa::agent::Log(sa::agent::LogLevel::kError, "agent.start_failed",
                   {{"error", server.status().ToString()}});
    return 1;
  }
  // The database is open and every listener listens: ready for the POS.
  NotifyOrLog("READY=1\nSTATUS=recording, journal head seq " +
              std::to_string((*server)->database().journal().head().seq) +
              "\nMAINPID=" + std::to_string(::getpid()));
  std::unique_ptr<sa::agent::Watchdog> watchdog;
  if (std::optional<std::chrono::microseconds> timeout =
          sa::platform::WatchdogInterval()) {
    watchdog = std::make_unique<sa::agent::Watchdog>(
        (*server)->database(), *timeout, sa::SystemClock(),
        sa::platform::Notify);
    sa::agent::Log(sa::agent::LogLevel::kInfo, "agent.watchdog_started",
                   {{"timeout_ms", std::to_string(timeout->count() / 1000)}});
  }
  for (;;) {
    sa::platform::DaemonSignal sig = sa::platform::WaitForDaemonSignal();
    if (sig == sa::platform::DaemonSignal::kStop) break;
    sa::agent::Log(sa::agent::LogLevel::kWarn, "agent.reload_ignored",
                   {{"reason",
                     "SIGHUP reload is not supported yet; restart "
                     "the service to apply configuration changes"}});
  }
  NotifyOrLog("STOPPING=1");
  sa::agent::Log(sa::agent::LogLevel::kInfo, "agent.stopping");
  if (watchdog) watchdog->Stop();  // before the database closes
  (*server)->Shutdown();
  return 0;
}
