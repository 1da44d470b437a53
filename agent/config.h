// AgentConfig: storeagentd's settings, read from one TOML file.
//
// Every key is documented in docs/configuration.md with its default. Unknown
// keys are an error, not ignored, and every error names the key. Secrets may
// come from the environment instead of the file (STOREAGENT_LOYALTY_KEY).
#ifndef STOREAGENT_AGENT_CONFIG_H_
#define STOREAGENT_AGENT_CONFIG_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/limits.h"
#include "platform/status.h"
#include "platform/toml_key.h"

namespace storeagent::agent {

// A staff user of the HTTP page and API.
struct StaffUser {
  std::string name;          // 1..64, for logs
  std::string role;          // "staff" or "manager"
  std::string token_sha256;  // raw 32 bytes: SHA-256 of the bearer token

  bool operator==(const StaffUser&) const = default;
};

struct AgentConfig {
  // [store]
  std::string store_id;  // required: 1..64 of [A-Za-z0-9._-]
  // The store's currency, an active ISO 4217 code, or "": the price check
  // of a sale (docs/pricing.md) then takes the sale's own currency, and a
  // sale in another currency is never a `currency` deviation.
  std::string currency;

  // [storage]
  std::string data_dir = "/var/lib/storeagent";
  int read_threads = 2;  // 1..16
  int max_batch = 1024;  // commands per commit, 1..65536
  // Disk reserve: below this much free space new events are refused.
  int64_t min_free_mib = 256;  // 0..1048576; 0 = off

  // [pos]
  std::string pos_socket = "/run/storeagent/pos.sock";
  uint32_t pos_socket_mode = 0660;
  std::string pos_tcp_listen;  // "" = off; loopback only
  int max_message_bytes = static_cast<int>(core::kMaxRequestBytes);

  // [loyalty]
  std::string loyalty_key_file;         // hex, >= 32 bytes; env overrides
  std::string loyalty_key;              // raw bytes, resolved at load
  std::string contact_public_key_file;  // PEM X25519 of head office
  std::string contact_public_key;       // raw 32 bytes, resolved at load

  // [http] the staff page and JSON API; "" = off. Loopback or the store LAN.
  std::string http_listen;
  std::vector<StaffUser> http_users;  // [[http.users]]
  // HTTPS for the staff page: PEM certificate (chain, leaf first) and its
  // unencrypted key. Both or neither; required unless http.listen is
  // loopback. Re-read on SIGHUP.
  std::string http_tls_cert_file;
  std::string http_tls_key_file;

  // [holds]
  int hold_expiry_interval_s = 10;  // how often due holds are expired, 1..3600

  // [sync] the stream to central (docs/sync-protocol.md); off unless
  // sync.central is set.
  std::string sync_central;         // host:port
  std::string sync_ca_file;         // PEM: central's CA, the only trusted root
  std::string sync_cert_file;       // PEM: this store's client certificate
  std::string sync_key_file;        // PEM: its private key
  std::string sync_server_name;     // expected name in central's certificate
  bool sync_insecure = false;       // plaintext, loopback tests only
  int sync_max_batch_events = 500;  // 1..10000
  int sync_max_batch_bytes = 1 << 20;  // 4096..8 MiB
  int sync_window = 4;                 // unacked batches, 1..64
  int sync_digest_interval_s = 300;    // 10..86400
  // A caught-up digest at most this often (ms), 100..3600000.
  int sync_digest_min_gap_ms = 10000;
  int sync_stall_timeout_s = 60;  // 5..3600
  // Reconnect backoff: first delay and cap (x1.6 per attempt, +-20 %).
  int sync_backoff_initial_ms = 1000;  // 50..60000
  int sync_backoff_max_ms = 120000;    // initial..3600000
  int64_t sync_escrow_units = 2;       // per SKU, 0..1000000; 0 = off
  int64_t sync_escrow_low_water = 0;   // 0..1000000000
  // Each entry sent up also carries its record parsed, for a 0.3 central;
  // false once every central is 0.4 (docs/sync-protocol.md).
  bool sync_send_parsed_records = true;

  bool sync_enabled() const { return !sync_central.empty(); }
  // [metrics] Prometheus /metrics: always on the staff HTTP port (no
  // token); also on its own address when set. "" = only there.
  std::string metrics_listen;

  // [retention] journal pruning (storage/journal_prune.h).
  int replay_window_days = 30;  // 0..3650; 0 = never prune
  int prune_batch = 500;        // rows per writer command, 1..100000
  int prune_interval_s = 600;   // 10..86400 between pruning runs
  int prune_duty_percent = 10;  // 1..100: batches' share of a run's time

  // [checkpoint] signed checkpoints (docs/security.md "Signed checkpoints").
  // The store's Ed25519 key, PEM PKCS#8, 0600; created at first start when
  // missing. "": <data_dir>/signing.key.
  std::string checkpoint_key_file;
  int checkpoint_every_events = 1000;  // 0..1000000; 0 = closes and timer
  int checkpoint_every_minutes = 15;   // 0..1440; 0 = no timer

  // [log]
  std::string log_level = "info";   // debug|info|warn|error
  std::string log_format = "text";  // text|json

  std::string DatabasePath() const { return data_dir + "/agent.db"; }
  std::string SigningKeyPath() const {
    return checkpoint_key_file.empty() ? data_dir + "/signing.key"
                                       : checkpoint_key_file;
  }

  bool operator==(const AgentConfig&) const = default;
};

// Every key the file may hold, in the order the parser reads them, each
// with its default (platform::TomlKey): the parser's own schema, which
// installer/config/agent.toml and docs/configuration.md follow.
std::span<const platform::TomlKey> AgentConfigKeys();

// Parses and checks `path`. With `load_secrets`, also reads the key files
// it names (storeagentctl needs only paths and skips them). The error names
// the file, the key and what is wrong.
Result<AgentConfig> LoadAgentConfig(const std::string& path,
                                    bool load_secrets = true);

// The same from TOML text, for tests. `origin` names it in errors. Given
// `keys_read`, appends each key the parser read ("table.key", first read
// first): on success, the keys of AgentConfigKeys() in their order.
Result<AgentConfig> ParseAgentConfig(
    std::string_view toml, const std::string& origin, bool load_secrets = true,
    std::vector<std::string>* keys_read = nullptr);

// The checks of files that can go bad while the configuration stays the
// same (a certificate expires, a file is replaced). `storeagentd
// --check-config` fails on them (exit 2); a start does not: it logs the
// problem and turns off only the feature (sync stopped, or the staff page
// off) until a SIGHUP brings good files (docs/operations.md "When a
// certificate goes bad"). Each error names the key, the file and the
// problem.
//
// With [sync] over TLS: the files sync.ca_file, sync.cert_file and
// sync.key_file as a handshake will need them (tls::CheckOwnTlsFiles):
// readable PEM, the certificate valid at `now_us`, the key its own, EKU
// clientAuth, and the certificate naming store.id. OK when sync is off or
// sync.insecure.
Status CheckSyncTls(const AgentConfig& c, int64_t now_us);
// With http.listen set: plain HTTP only on a loopback address, and with
// http.tls_cert_file the pair as the page would serve it (LoadHttpsPair:
// readable PEM, valid at `now_us`, the key the certificate's).
Status CheckStaffHttps(const AgentConfig& c, int64_t now_us);
// CheckSyncTls, then CheckStaffHttps: what --check-config adds to parsing.
Status CheckStartFiles(const AgentConfig& c, int64_t now_us);
// The same check of three given files (SyncClient::ReloadTls checks the
// new ones with it before it swaps them in).
Status CheckSyncTlsFiles(const std::string& ca_file,
                         const std::string& cert_file,
                         const std::string& key_file,
                         const std::string& store_id, int64_t now_us);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_CONFIG_H_
