// storecentrald: head office's central sync service, the other end of the
// agents' Sync streams, and head office's CentralAdmin API.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "central/server/central_config.h"
#include "central/server/central_server.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "platform/sd_notify.h"
#include "platform/signals.h"

namespace sa = storeagent;
namespace sc = storeagent::central;

int main(int argc, char** argv) {
  sa::platform::BlockDaemonSignals();
  CLI::App app(
      "storecentrald - head office's central sync service. Stores' agents "
      "dial in on sync.listen (gRPC over mutual TLS; the store id comes from "
      "the client certificate) and stream their journals up; central sends "
      "head office's events down, forwards click-and-collect holds, and "
      "compares stock digests. Head office's systems use the CentralAdmin "
      "API on admin.listen (loopback by default). SIGTERM or SIGINT stops it "
      "cleanly. See docs/central.md and docs/configuration.md.",
      "storecentrald");
  std::string config_path = "/etc/storecentral/central.toml";
  std::string check_path;
  app.add_option("-c,--config", config_path, "TOML configuration file")
      ->capture_default_str();
  app.add_option("--check-config", check_path,
                 "Check this configuration file (and the TLS files it "
                 "names), print what is wrong, exit 0 when it is good, 2 "
                 "when not");
  CLI11_PARSE(app, argc, argv);

  const std::string path = check_path.empty() ? config_path : check_path;
  sa::Result<sc::CentralConfig> config = sc::LoadCentralConfig(path);
  if (!config.ok()) {
    std::fprintf(stderr, "storecentrald: config: %s\n",
                 config.status().message().c_str());
    return 2;
  }
  if (!check_path.empty()) {
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
  for (;;) {
    if (sa::platform::WaitForDaemonSignal() ==
        sa::platform::DaemonSignal::kStop) {
      break;
    }
    sa::Log(sa::LogLevel::kWarn, "central.reload_ignored",
            {{"reason", "SIGHUP reload is not supported; restart instead"}});
  }
  (void)sa::platform::Notify("STOPPING=1");
  sa::Log(sa::LogLevel::kInfo, "central.stopping");
  (*server)->Shutdown();
  return 0;
}
