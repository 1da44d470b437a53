// CentralConfig: storecentrald's settings, read from one TOML file.
//
// Every key is documented in docs/configuration.md ("Central") with its
// default. Unknown tables and keys are an error naming the key, as in the
// agent's config. The sync port needs TLS (mutual: the store id comes from
// the client certificate) unless tls.insecure = true is set explicitly, for
// local tests only.
#ifndef STOREAGENT_CENTRAL_SERVER_CENTRAL_CONFIG_H_
#define STOREAGENT_CENTRAL_SERVER_CENTRAL_CONFIG_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"
#include "platform/toml_key.h"

namespace storeagent::central {

struct CentralConfig {
  // [store] where central keeps its state: "sqlite:/path" or a
  // "postgresql://" URL.
  std::string store_url = "sqlite:/var/lib/storecentral/central.db";

  // [sync] the agents' port and the limits sent to them in Welcome.
  std::string sync_listen = "[::]:7443";
  uint32_t max_batch_events = 500;      // 1..10000
  uint32_t max_batch_bytes = 1048576;   // 4096..16777216
  uint32_t window = 4;                  // 1..64 unacked batches
  uint32_t digest_buckets = 64;         // 1..4096
  uint32_t min_keepalive_s = 20;        // 1..3600
  int worker_threads = 4;               // 1..64 store workers
  int poll_interval_s = 5;              // 1..3600, PostgreSQL only
  uint32_t central_batch_events = 256;  // 1..10000 per CentralBatch
  // A stream that has sent no Hello this long after it opened is ended
  // (DEADLINE_EXCEEDED): an agent sends it at once.
  uint32_t hello_timeout_s = 30;  // 1..3600

  // [admin] head office's CentralAdminService API.
  std::string admin_listen = "127.0.0.1:7444";
  bool admin_tls = false;  // required when admin.listen is not loopback

  // [feed] the change feed (StreamEvents, docs/feed.md): how often a
  // following stream looks for events committed by another replica.
  uint32_t feed_poll_ms = 250;  // 10..60000

  // [metrics] Prometheus /metrics, plain HTTP; "" = off.
  std::string metrics_listen;

  // [report] head office's KPI report page (report_http.h); "" = off.
  std::string report_listen;
  // HTTPS with the [tls] files, every request with an admin client
  // certificate; required when report.listen is not loopback.
  bool report_tls = false;

  // [tls]
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  bool insecure = false;
  // PEM contents, read at load.
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;

  // [log]
  std::string log_level = "info";
  std::string log_format = "text";

  // [retention] removing events older than max_age_days: refused while
  // true until the export to the head-office feed exists (issue #11).
  bool retention_delete_events = false;
  uint32_t retention_max_age_days = 400;  // 1..36500

  // [kpi] keep head office's KPI aggregates as events arrive
  // (docs/kpis.md); off: ingest skips them and reports miss what arrives.
  bool kpi_enabled = true;

  bool operator==(const CentralConfig&) const = default;
};

// Every key the file may hold, in the order the parser reads them, each
// with its default (platform::TomlKey): the parser's own schema, which
// installer/config/central.toml and docs/configuration.md follow.
std::span<const platform::TomlKey> CentralConfigKeys();

// Parses and checks TOML text (the file's contents; `origin`, its path,
// names it in errors) and reads the TLS files it names. The error names the
// file, the key and what is wrong. Given `keys_read`, appends each key the
// parser read ("table.key", first read first): on success, the keys of
// CentralConfigKeys() in their order.
Result<CentralConfig> ParseCentralConfig(
    std::string_view toml, const std::string& origin,
    std::vector<std::string>* keys_read = nullptr);

// With TLS on: tls::CheckOwnTlsFiles on tls.cert_file, tls.key_file and
// tls.ca_file (readable PEM, the certificate valid at `now_us`, the key its
// own, EKU serverAuth, the CA a certificate). An error naming the key, the
// file and what is wrong;
// OK with tls.insecure. For --check-config and every start, so a bad
// renewal fails the unit's ExecStartPre instead of every handshake.
Status CheckTlsFiles(const CentralConfig& c, int64_t now_us);

// True for "127.a.b.c:PORT", "[::1]:PORT" and "localhost:PORT", PORT having
// 1..5 digits (platform::IsLoopbackListen, with central's port rule).
bool IsLoopbackListen(const std::string& addr);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_CENTRAL_CONFIG_H_
