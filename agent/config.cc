#include "agent/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <utility>

#include "agent/http/https_files.h"
#include "core/currency.h"
#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/fs.h"
#include "platform/listen_address.h"
#include "platform/seal.h"
#include "platform/tls.h"
#include "platform/toml_reader.h"

namespace storeagent::agent {
namespace {

// Every key the file may hold, in the order ParseAgentConfig reads them,
// with its default: the parser's schema (unknown keys are refused by name)
// and what installer/config/agent.toml and docs/configuration.md show
// (tests/unit/installer/shipped_config_test compares them, and checks that
// the parser reads exactly these keys, in this order). A default here
// is the value the key has when absent; the test parses each one
// explicitly and checks that nothing changes.
constexpr platform::TomlKey kAgentKeys[] = {
    {"store.id", ""},  // required
    {"store.currency", "\"\""},
    {"storage.data_dir", "\"/var/lib/storeagent\""},
    {"storage.read_threads", "2"},
    {"storage.max_batch", "1024"},
    {"storage.min_free_mib", "256"},
    {"pos.socket", "\"/run/storeagent/pos.sock\""},
    {"pos.socket_mode", "\"0660\""},
    {"pos.tcp_listen", "\"\""},
    {"pos.max_message_bytes", "1048576"},  // core::kMaxRequestBytes
    {"loyalty.key_file", "\"\""},
    {"loyalty.contact_public_key_file", "\"\""},
    {"http.listen", "\"\""},
    {"http.tls_cert_file", "\"\""},
    {"http.tls_key_file", "\"\""},
    {"http.users", ""},  // [[http.users]], none: a table array, so last
    {"holds.expiry_interval_s", "10"},
    {"sync.central", ""},  // required when [sync] is present
    {"sync.ca_file", ""},
    {"sync.cert_file", ""},
    {"sync.key_file", ""},
    {"sync.server_name", ""},  // the host of sync.central
    {"sync.insecure", "false"},
    {"sync.max_batch_events", "500"},
    {"sync.max_batch_bytes", "1048576"},
    {"sync.window", "4"},
    {"sync.digest_interval_s", "300"},
    {"sync.digest_min_gap_ms", "10000"},
    {"sync.stall_timeout_s", "60"},
    {"sync.backoff_initial_ms", "1000"},
    {"sync.backoff_max_ms", "120000"},
    {"sync.escrow_units", "2"},
    {"sync.escrow_low_water", "0"},
    {"sync.send_parsed_records", "true"},
    {"metrics.listen", "\"\""},
    {"retention.replay_window_days", "30"},
    {"retention.prune_batch", "500"},
    {"retention.prune_interval_s", "600"},
    {"retention.prune_duty_percent", "10"},
    {"checkpoint.key_file", "\"\""},  // "": <data_dir>/signing.key
    {"checkpoint.every_events", "1000"},
    {"checkpoint.every_minutes", "15"},
    {"log.level", "\"info\""},
    {"log.format", "\"text\""},
};

const platform::TomlSchema& KnownKeys() {
  static const platform::TomlSchema kKeys = platform::SchemaOf(kAgentKeys);
  return kKeys;
}

using platform::TomlReader;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// [[http.users]] name = "...", role = "staff"|"manager", token_sha256 = hex.
Status ReadUsers(const TomlReader& r, std::vector<StaffUser>* out) {
  const toml::node* n = r.Node("http.users");
  if (n == nullptr) return Status::Ok();
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return r.Error("http.users", "must be [[http.users]]");
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string at = "http.users[" + std::to_string(i) + "]";
    const toml::table* t = (*arr)[i].as_table();
    if (t == nullptr) return r.Error(at, "must be a table");
    StaffUser u;
    std::string hex;
    for (const auto& [key, val] : *t) {
      const std::string k(key.str());
      std::string* target = k == "name"           ? &u.name
                            : k == "role"         ? &u.role
                            : k == "token_sha256" ? &hex
                                                  : nullptr;
      if (target == nullptr) return r.Error(at + "." + k, "unknown key");
      if (!val.is_string()) return r.Error(at + "." + k, "must be a string");
      *target = val.as_string()->get();
    }
    if (u.name.empty() || u.name.size() > 64) {
      return r.Error(at + ".name", "required, 1..64 characters");
    }
    if (u.role != "staff" && u.role != "manager") {
      return r.Error(at + ".role", "must be staff or manager");
    }
    Result<std::string> digest = crypto::FromHex(hex);
    if (!digest.ok() || digest->size() != 32) {
      return r.Error(at + ".token_sha256",
                     "must be 64 hex digits: sha256 of the token "
                     "(printf %s TOKEN | sha256sum)");
    }
    u.token_sha256 = std::move(digest).value();
    out->push_back(std::move(u));
  }
  return Status::Ok();
}

Status ReadSync(const TomlReader& r, AgentConfig* c) {
  if (r.root().get("sync") == nullptr) return Status::Ok();
  STOREAGENT_RETURN_IF_ERROR(r.String("sync.central", &c->sync_central));
  if (c->sync_central.empty()) {
    return r.Error("sync.central", "required when [sync] is present");
  }
  const size_t colon = c->sync_central.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      colon + 1 == c->sync_central.size()) {
    return r.Error("sync.central", "must be HOST:PORT");
  }
  STOREAGENT_RETURN_IF_ERROR(r.String("sync.ca_file", &c->sync_ca_file));
  STOREAGENT_RETURN_IF_ERROR(r.String("sync.cert_file", &c->sync_cert_file));
  STOREAGENT_RETURN_IF_ERROR(r.String("sync.key_file", &c->sync_key_file));
  STOREAGENT_RETURN_IF_ERROR(
      r.String("sync.server_name", &c->sync_server_name));
  STOREAGENT_RETURN_IF_ERROR(r.Bool("sync.insecure", &c->sync_insecure));
  if (c->sync_insecure) {
    if (!platform::IsLoopbackListen(c->sync_central)) {
      return r.Error("sync.insecure",
                     "plaintext is for local tests only: sync.central must "
                     "then be a loopback address (127.0.0.1:PORT)");
    }
  } else {
    for (const auto& [key, value] : {std::pair<const char*, const std::string*>{
                                         "sync.ca_file", &c->sync_ca_file},
                                     {"sync.cert_file", &c->sync_cert_file},
                                     {"sync.key_file", &c->sync_key_file}}) {
      if (value->empty()) {
        return r.Error(key, "required (mutual TLS) unless sync.insecure");
      }
    }
  }
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.max_batch_events", 1, 10000, &c->sync_max_batch_events));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.max_batch_bytes", 4096, 8 << 20, &c->sync_max_batch_bytes));
  STOREAGENT_RETURN_IF_ERROR(r.Int("sync.window", 1, 64, &c->sync_window));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.digest_interval_s", 10, 86400, &c->sync_digest_interval_s));
  STOREAGENT_RETURN_IF_ERROR(r.Int("sync.digest_min_gap_ms", 100, 3600000,
                                   &c->sync_digest_min_gap_ms));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.stall_timeout_s", 5, 3600, &c->sync_stall_timeout_s));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.backoff_initial_ms", 50, 60000, &c->sync_backoff_initial_ms));
  STOREAGENT_RETURN_IF_ERROR(r.Int("sync.backoff_max_ms",
                                   c->sync_backoff_initial_ms, 3600000,
                                   &c->sync_backoff_max_ms));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.escrow_units", 0, 1000000, &c->sync_escrow_units));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.escrow_low_water", 0, 1000000000, &c->sync_escrow_low_water));
  STOREAGENT_RETURN_IF_ERROR(
      r.Bool("sync.send_parsed_records", &c->sync_send_parsed_records));
  return Status::Ok();
}

// http.tls_cert_file / http.tls_key_file: both or neither. Whether the
// pair is usable, and plain HTTP only on loopback, are CheckStaffHttps's:
// a certificate that expires must not stop a till from starting.
Status ReadHttpTls(const TomlReader& r, AgentConfig* c) {
  STOREAGENT_RETURN_IF_ERROR(
      r.String("http.tls_cert_file", &c->http_tls_cert_file));
  STOREAGENT_RETURN_IF_ERROR(
      r.String("http.tls_key_file", &c->http_tls_key_file));
  if (c->http_tls_cert_file.empty() != c->http_tls_key_file.empty()) {
    return r.Error(c->http_tls_cert_file.empty() ? "http.tls_cert_file"
                                                 : "http.tls_key_file",
                   "required with the other (a certificate and its key)");
  }
  return Status::Ok();
}

Status LoadSecrets(const TomlReader& r, AgentConfig* c) {
  // The loyalty key: environment first, then the key file.
  std::string hex;
  std::string source = "loyalty.key_file";
  if (const char* env = std::getenv("STOREAGENT_LOYALTY_KEY");
      env != nullptr && *env != '\0') {
    hex = env;
    source = "STOREAGENT_LOYALTY_KEY (environment, overrides loyalty.key_file)";
  } else if (!c->loyalty_key_file.empty()) {
    Result<std::string> text = fs::ReadFile(c->loyalty_key_file, 4096);
    if (!text.ok()) {
      return r.Error("loyalty.key_file", text.status().message());
    }
    hex = *text;
    while (!hex.empty() &&
           (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' ')) {
      hex.pop_back();
    }
  }
  if (!hex.empty()) {
    Result<std::string> key = crypto::FromHex(hex);
    if (!key.ok()) {
      return r.Error(source, "key is not hex (" + key.status().message() + ")");
    }
    if (key->size() < 32) {
      return r.Error(source, "key must be at least 32 bytes (64 hex digits)");
    }
    c->loyalty_key = std::move(key).value();
  }
  if (!c->contact_public_key_file.empty()) {
    Result<std::string> pem = fs::ReadFile(c->contact_public_key_file, 16384);
    if (!pem.ok()) {
      return r.Error("loyalty.contact_public_key_file", pem.status().message());
    }
    Result<std::string> pub = crypto::X25519PublicKeyFromPem(*pem);
    if (!pub.ok()) {
      return r.Error("loyalty.contact_public_key_file", pub.status().message());
    }
    c->contact_public_key = std::move(pub).value();
  }
  return Status::Ok();
}

}  // namespace

std::span<const platform::TomlKey> AgentConfigKeys() { return kAgentKeys; }

Result<AgentConfig> ParseAgentConfig(std::string_view text,
                                     const std::string& origin,
                                     bool load_secrets,
                                     std::vector<std::string>* keys_read) {
  Result<TomlReader> parsed = TomlReader::Parse(text, origin, keys_read);
  if (!parsed.ok()) return parsed.status();
  const TomlReader& r = *parsed;
  STOREAGENT_RETURN_IF_ERROR(r.CheckKnown(KnownKeys()));

  AgentConfig c;
  STOREAGENT_RETURN_IF_ERROR(r.String("store.id", &c.store_id));
  if (c.store_id.empty()) return r.Error("store.id", "required");
  if (c.store_id.size() > 64)
    return r.Error("store.id", "at most 64 characters");
  for (char ch : c.store_id) {
    if (!IsIdChar(ch)) {
      return r.Error("store.id", "only letters, digits, '.', '_' and '-'");
    }
  }
  STOREAGENT_RETURN_IF_ERROR(r.String("store.currency", &c.currency));
  if (!c.currency.empty() && !core::IsActiveIso4217(c.currency)) {
    return r.Error("store.currency",
                   "not an active ISO 4217 code (e.g. \"EUR\"), or \"\"");
  }

  STOREAGENT_RETURN_IF_ERROR(r.String("storage.data_dir", &c.data_dir));
  if (c.data_dir.empty() || c.data_dir[0] != '/') {
    return r.Error("storage.data_dir", "must be an absolute path");
  }
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("storage.read_threads", 1, 16, &c.read_threads));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("storage.max_batch", 1, 65536, &c.max_batch));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("storage.min_free_mib", 0, 1 << 20, &c.min_free_mib));

  STOREAGENT_RETURN_IF_ERROR(r.String("pos.socket", &c.pos_socket));
  if (!c.pos_socket.empty() && c.pos_socket[0] != '/') {
    return r.Error("pos.socket", "must be an absolute path or empty (off)");
  }
  if (c.pos_socket.size() > 100) {
    return r.Error("pos.socket", "at most 100 characters (a Unix socket path)");
  }
  std::string mode;
  STOREAGENT_RETURN_IF_ERROR(r.String("pos.socket_mode", &mode));
  if (!mode.empty()) {
    char* end = nullptr;
    unsigned long m = std::strtoul(mode.c_str(), &end, 8);
    if (*end != '\0' || m > 0777) {
      return r.Error("pos.socket_mode", "must be an octal mode like \"0660\"");
    }
    c.pos_socket_mode = static_cast<uint32_t>(m);
  }
  STOREAGENT_RETURN_IF_ERROR(r.String("pos.tcp_listen", &c.pos_tcp_listen));
  if (!c.pos_tcp_listen.empty() &&
      !platform::IsLoopbackListen(c.pos_tcp_listen)) {
    return r.Error("pos.tcp_listen",
                   "must be a loopback address (127.0.0.1:PORT or [::1]:PORT)");
  }
  if (c.pos_socket.empty() && c.pos_tcp_listen.empty()) {
    return r.Error("pos.socket", "pos.socket or pos.tcp_listen is required");
  }
  STOREAGENT_RETURN_IF_ERROR(r.Int("pos.max_message_bytes", 4096,
                                   static_cast<int64_t>(core::kMaxRequestBytes),
                                   &c.max_message_bytes));

  STOREAGENT_RETURN_IF_ERROR(r.String("loyalty.key_file", &c.loyalty_key_file));
  STOREAGENT_RETURN_IF_ERROR(
      r.String("loyalty.contact_public_key_file", &c.contact_public_key_file));

  STOREAGENT_RETURN_IF_ERROR(r.String("http.listen", &c.http_listen));
  if (!c.http_listen.empty() && c.http_listen.find(':') == std::string::npos) {
    return r.Error("http.listen", "must be ADDRESS:PORT, e.g. 127.0.0.1:8080");
  }
  STOREAGENT_RETURN_IF_ERROR(ReadHttpTls(r, &c));
  // Last of [http]: in the file, keys after [[http.users]] are a user's.
  STOREAGENT_RETURN_IF_ERROR(ReadUsers(r, &c.http_users));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("holds.expiry_interval_s", 1, 3600, &c.hold_expiry_interval_s));

  STOREAGENT_RETURN_IF_ERROR(ReadSync(r, &c));
  STOREAGENT_RETURN_IF_ERROR(r.String("metrics.listen", &c.metrics_listen));
  if (!c.metrics_listen.empty() &&
      c.metrics_listen.find(':') == std::string::npos) {
    return r.Error("metrics.listen",
                   "must be ADDRESS:PORT, e.g. 127.0.0.1:9471");
  }
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("retention.replay_window_days", 0, 3650, &c.replay_window_days));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("retention.prune_batch", 1, 100000, &c.prune_batch));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("retention.prune_interval_s", 10, 86400, &c.prune_interval_s));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("retention.prune_duty_percent", 1, 100, &c.prune_duty_percent));

  STOREAGENT_RETURN_IF_ERROR(
      r.String("checkpoint.key_file", &c.checkpoint_key_file));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("checkpoint.every_events", 0, 1000000, &c.checkpoint_every_events));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("checkpoint.every_minutes", 0, 1440, &c.checkpoint_every_minutes));

  STOREAGENT_RETURN_IF_ERROR(
      r.OneOf("log.level", {"debug", "info", "warn", "error"}, &c.log_level));
  STOREAGENT_RETURN_IF_ERROR(
      r.OneOf("log.format", {"text", "json"}, &c.log_format));

  if (load_secrets) STOREAGENT_RETURN_IF_ERROR(LoadSecrets(r, &c));
  return c;
}

Status CheckSyncTls(const AgentConfig& c, int64_t now_us) {
  if (!c.sync_enabled() || c.sync_insecure) return Status::Ok();
  return CheckSyncTlsFiles(c.sync_ca_file, c.sync_cert_file, c.sync_key_file,
                           c.store_id, now_us);
}

Status CheckStaffHttps(const AgentConfig& c, int64_t now_us) {
  if (c.http_listen.empty()) return Status::Ok();
  if (c.http_tls_cert_file.empty()) {
    if (platform::IsLoopbackListen(c.http_listen)) return Status::Ok();
    return FailedPrecondition(
        "http.listen: " + c.http_listen +
        " is not a loopback address: off loopback the staff page is served "
        "over HTTPS only; set http.tls_cert_file and http.tls_key_file");
  }
  // Parse, key match, validity now: errors name the key and the file.
  Result<HttpsPair> pair =
      LoadHttpsPair(c.http_tls_cert_file, c.http_tls_key_file, now_us);
  return pair.ok() ? Status::Ok() : pair.status();
}

Status CheckStartFiles(const AgentConfig& c, int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(CheckSyncTls(c, now_us));
  return CheckStaffHttps(c, now_us);
}

Status CheckSyncTlsFiles(const std::string& ca_file,
                         const std::string& cert_file,
                         const std::string& key_file,
                         const std::string& store_id, int64_t now_us) {
  tls::OwnTlsFiles files;
  files.ca_key = "sync.ca_file";
  files.ca_file = ca_file;
  files.cert_key = "sync.cert_file";
  files.cert_file = cert_file;
  files.key_key = "sync.key_file";
  files.key_file = key_file;
  files.role = tls::TlsRole::kClient;
  files.store_id = store_id;
  return tls::CheckOwnTlsFiles(files, now_us);
}

Result<AgentConfig> LoadAgentConfig(const std::string& path,
                                    bool load_secrets) {
  Result<std::string> text = fs::ReadFile(path, 1 << 20);
  if (!text.ok()) return text.status();
  return ParseAgentConfig(*text, path, load_secrets);
}

}  // namespace storeagent::agent
