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
#include "agent/config_reload.h"
#include "agent/watchdog.h"
#include "platform/cli.h"
#include "platform/clock.h"
#include "platform/fs.h"
#include "platform/log.h"
#include "platform/malloc_tuning.h"
#include "platform/sd_notify.h"
#include "platform/signals.h"
#include "proto/grpc_log.h"

namespace sa = storeagent;

namespace {

// Tells systemd (Type=notify) something; outside systemd this does nothing.
// A failure is logged, never fatal: the agent records without systemd too.
void NotifyOrLog(const std::string& state) {
  sa::Status s = sa::platform::Notify(state);
  if (!s.ok()) {
    sa::Log(sa::LogLevel::kWarn, "agent.notify_failed",
            {{"error", s.ToString()}});
  }
}

// The configuration file's text, as read for a start or a reload.
sa::Result<std::string> ReadConfigText(const std::string& path) {
  return sa::fs::ReadFile(path, 1 << 20);
}

// SIGHUP: re-reads the file and applies what can change while running.
// A bad file changes nothing; the error line names the key. `last_text`
// is the text last applied, `start_text` the one the agent started with.
void Reload(const std::string& path, const std::string& start_text,
            std::string& last_text, sa::agent::AgentServer& server) {
  namespace ag = sa::agent;
  sa::Result<std::string> text = ReadConfigText(path);
  sa::Result<ag::AgentConfig> next =
      text.ok() ? ag::ParseAgentConfig(*text, path)
                : sa::Result<ag::AgentConfig>(text.status());
  if (!next.ok()) {
    sa::Log(sa::LogLevel::kError, "agent.reload_failed",
            {{"error", next.status().message()},
             {"detail", "the running configuration stays in force"}});
    return;
  }
  sa::Result<sa::platform::ReloadPlan> planned =
      sa::platform::PlanReloadOfTexts(start_text, last_text, *text,
                                      ag::IsReloadableKey);
  if (!planned.ok()) {
    sa::Log(sa::LogLevel::kError, "agent.reload_failed",
            {{"error", planned.status().message()}});
    return;
  }
  sa::platform::ReloadPlan& plan = *planned;
  ag::PlanHttpsSwitch(server.http_port() != 0, server.staff_page_https(),
                      !next->http_tls_cert_file.empty(), &plan);
  sa::ConfigureLog(next->log_level, next->log_format);
  sa::Status sync = server.ApplyReload(*next, plan.apply);
  last_text = std::move(text).value();
  sa::Log(sync.ok() ? sa::LogLevel::kInfo : sa::LogLevel::kError,
          "agent.reloaded",
          {{"applied", sa::platform::JoinKeys(plan.apply)},
           {"restart_needed", sa::platform::JoinKeys(plan.need_restart)},
           {"sync_tls", !server.has_sync_reload_hook() ? "no sync client"
                        : sync.ok()                    ? "ok"
                                                       : sync.message()}});
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread: freed memory stays for reuse (platform/malloc_tuning.h).
  sa::platform::TuneMalloc();
  // gRPC's own lines in the product's log format (proto/grpc_log.h).
  sa::rpc::RouteGrpcLogs();
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
               "Check the configuration file and the files it names (TLS "
               "certificates: validity now, key match, the store's name), "
               "print what is wrong, exit 0 when it is good, 2 when not. A "
               "start does not stop for a certificate gone bad: it turns "
               "that feature off and says so");
  sa::platform::AddVersionFlag(app);
  if (std::optional<int> code =
          sa::platform::ParseCommandLine(app, argc, argv)) {
    return *code;
  }

  sa::Result<std::string> start_text = ReadConfigText(config_path);
  sa::Result<sa::agent::AgentConfig> config =
      start_text.ok() ? sa::agent::ParseAgentConfig(*start_text, config_path)
                      : sa::Result<sa::agent::AgentConfig>(start_text.status());
  if (config.ok() && check_only) {
    // The files that can go bad under an unchanged configuration: a check
    // fails on them; a start only turns the feature off (AgentServer).
    if (sa::Status files =
            sa::agent::CheckStartFiles(*config, sa::SystemClock().NowMicros());
        !files.ok()) {
      config = sa::Result<sa::agent::AgentConfig>(
          sa::Status(files.code(), config_path + ": " + files.message()));
    }
  }
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
  sa::ConfigureLog(config->log_level, config->log_format);

  sa::Result<std::unique_ptr<sa::agent::AgentServer>> server =
      sa::agent::AgentServer::Start(*config, sa::SystemClock());
  if (!server.ok()) {
    sa::Log(sa::LogLevel::kError, "agent.start_failed",
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
        (*server)->database(), *timeout, (*server)->scheduler(),
        sa::platform::Notify);
    sa::Log(sa::LogLevel::kInfo, "agent.watchdog_started",
            {{"timeout_ms", std::to_string(timeout->count() / 1000)}});
  }
  std::string last_text = *start_text;
  for (;;) {
    sa::platform::DaemonSignal sig = sa::platform::WaitForDaemonSignal();
    if (sig == sa::platform::DaemonSignal::kStop) break;
    NotifyOrLog("RELOADING=1");
    Reload(config_path, *start_text, last_text, **server);
    NotifyOrLog("READY=1");
  }
  // Before STOPPING=1 (no ping may follow it) and before the database
  // closes.
  if (watchdog) watchdog->Stop();
  NotifyOrLog("STOPPING=1");
  sa::Log(sa::LogLevel::kInfo, "agent.stopping");
  (*server)->Shutdown();
  return 0;
}
