// storecentrald: head office's central sync service, the other end of the
// agents' Sync streams, and head office's CentralAdminService API.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "central/server/central_config.h"
#include "central/server/central_server.h"
#include "platform/cli.h"
#include "platform/clock.h"
#include "platform/config_diff.h"
#include "platform/fs.h"
#include "platform/log.h"
#include "platform/malloc_tuning.h"
#include "platform/sd_notify.h"
#include "platform/signals.h"
#include "proto/grpc_log.h"

namespace sa = storeagent;
namespace sc = storeagent::central;

namespace {

// The keys a SIGHUP applies to a running central. Everything else (the
// listeners, the store, the TLS files: gRPC's server credentials are fixed
// once a port listens) is reported as needing a restart.
bool IsCentralReloadableKey(std::string_view key) {
  return key == "log.level" || key == "log.format";
}

// SIGHUP: re-reads the file and applies what can change while running. A
// bad file changes nothing; the error names the file and the key.
void Reload(const std::string& path, const std::string& start_text,
            std::string& last_text) {
  sa::Result<std::string> text = sa::fs::ReadFile(path);
  sa::Result<sc::CentralConfig> next =
      text.ok() ? sc::ParseCentralConfig(*text, path)
                : sa::Result<sc::CentralConfig>(sa::InvalidArgument(
                      path + ": " + text.status().message()));
  if (!next.ok()) {
    sa::Log(sa::LogLevel::kError, "central.reload_failed",
            {{"error", next.status().message()},
             {"detail", "the running configuration stays in force"}});
    return;
  }
  sa::Result<sa::platform::ReloadPlan> plan = sa::platform::PlanReloadOfTexts(
      start_text, last_text, *text, IsCentralReloadableKey);
  if (!plan.ok()) {
    sa::Log(sa::LogLevel::kError, "central.reload_failed",
            {{"error", plan.status().message()}});
    return;
  }
  sa::ConfigureLog(next->log_level, next->log_format);
  last_text = std::move(text).value();
  sa::Log(sa::LogLevel::kInfo, "central.reloaded",
          {{"applied", sa::platform::JoinKeys(plan->apply)},
           {"restart_needed", sa::platform::JoinKeys(plan->need_restart)},
           {"log_level", next->log_level}});
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread: freed memory stays for reuse (platform/malloc_tuning.h).
  sa::platform::TuneMalloc();
  // gRPC's own lines in the product's log format (proto/grpc_log.h).
  sa::rpc::RouteGrpcLogs();
  sa::platform::BlockDaemonSignals();
  CLI::App app(
      "storecentrald - head office's central sync service. Stores' agents "
      "dial in on sync.listen (gRPC over mutual TLS; the store id comes from "
      "the client certificate) and stream their journals up; central sends "
      "head office's events down, forwards click-and-collect holds, and "
      "compares stock digests. Head office's systems use the "
      "CentralAdminService "
      "API on admin.listen (loopback by default); Prometheus scrapes "
      "/metrics on metrics.listen when set; people read the KPI report "
      "page on report.listen when set. SIGTERM or SIGINT stops it "
      "cleanly; SIGHUP re-reads the file and applies log.level and "
      "log.format (other changes wait for a restart, and the log says "
      "which). Under systemd (Type=notify) it sends READY=1 once it listens "
      "and, with WatchdogSec=, pings the watchdog while its worker pool and "
      "database answer. See docs/central.md and docs/configuration.md.",
      "storecentrald");
  std::string config_path = "/etc/storecentral/central.toml";
  std::string check_path;
  CLI::Option* check =
      app.add_option("--check-config", check_path,
                     "Check the configuration file (--config, or the FILE "
                     "given here) and the TLS files it names, print what is "
                     "wrong, exit 0 when it is good, 2 when not")
          ->expected(0, 1)
          ->type_name("[FILE]");
  app.add_option("-c,--config", config_path, "TOML configuration file")
      ->capture_default_str();
  sa::platform::AddVersionFlag(app);
  if (std::optional<int> code =
          sa::platform::ParseCommandLine(app, argc, argv)) {
    return *code;
  }

  const bool check_only = check->count() > 0;
  const std::string path = check_path.empty() ? config_path : check_path;
  sa::Result<std::string> start_text = sa::fs::ReadFile(path);
  sa::Result<sc::CentralConfig> config =
      start_text.ok() ? sc::ParseCentralConfig(*start_text, path)
                      : sa::Result<sc::CentralConfig>(sa::InvalidArgument(
                            path + ": " + start_text.status().message()));
  if (config.ok()) {
    // The TLS files as a store's handshake will see them.
    if (sa::Status tls =
            sc::CheckTlsFiles(*config, sa::SystemClock().NowMicros());
        !tls.ok()) {
      config = sa::Result<sc::CentralConfig>(
          sa::Status(tls.code(), path + ": " + tls.message()));
    }
  }
  if (!config.ok()) {
    std::fprintf(stderr, "storecentrald: config: %s\n",
                 config.status().message().c_str());
    return 2;
  }
  if (check_only) {
    std::printf("%s: ok (store %s, sync %s%s, admin %s)\n", path.c_str(),
                config->store_url.c_str(), config->sync_listen.c_str(),
                config->insecure ? " without TLS" : " mutual TLS",
                config->admin_listen.c_str());
    return 0;
  }
  sa::ConfigureLog(config->log_level, config->log_format);
  sa::Result<std::unique_ptr<sc::CentralServer>> server =
      sc::CentralServer::Start(*config, sa::SystemClock());
  if (!server.ok()) {
    sa::Log(sa::LogLevel::kError, "central.start_failed",
            {{"error", server.status().ToString()}});
    return 1;
  }
  // Under systemd (Type=notify): both listeners listen. Outside it: nothing.
  if (sa::Status s = sa::platform::Notify("READY=1"); !s.ok()) {
    sa::Log(sa::LogLevel::kWarn, "central.notify_failed",
            {{"error", s.ToString()}});
  }
  if (std::optional<std::chrono::microseconds> wd =
          sa::platform::WatchdogInterval()) {
    (*server)->StartWatchdog(*wd, [](std::string_view state) {
      return sa::platform::Notify(state);
    });
  }
  std::string last_text = *start_text;
  for (;;) {
    if (sa::platform::WaitForDaemonSignal() ==
        sa::platform::DaemonSignal::kStop) {
      break;
    }
    // systemd's reload protocol (Type=notify): `systemctl reload` returns
    // once READY=1 follows.
    (void)sa::platform::Notify("RELOADING=1");
    Reload(path, *start_text, last_text);
    (void)sa::platform::Notify("READY=1");
  }
  // No WATCHDOG=1 may follow STOPPING=1.
  (*server)->StopWatchdog();
  (void)sa::platform::Notify("STOPPING=1");
  sa::Log(sa::LogLevel::kInfo, "central.stopping");
  (*server)->Shutdown();
  return 0;
}
