#include "central/server/central_config.h"

#include "core/stock_digest.h"
#include "platform/fs.h"
#include "platform/listen_address.h"
#include "platform/tls.h"
#include "platform/toml_reader.h"

namespace storeagent::central {
namespace {

// Every key the file may hold, in the order ParseCentralConfig reads them,
// with its default: the parser's schema (unknown keys are refused by name)
// and what installer/config/central.toml and docs/configuration.md show
// (tests/unit/installer/shipped_config_test compares them, and checks that
// the parser reads exactly these keys, in this order).
constexpr platform::TomlKey kCentralKeys[] = {
    {"store.url", "\"sqlite:/var/lib/storecentral/central.db\""},
    {"sync.listen", "\"[::]:7443\""},
    {"sync.max_batch_events", "500"},
    {"sync.max_batch_bytes", "1048576"},
    {"sync.window", "4"},
    {"sync.digest_buckets", "64"},
    {"sync.min_keepalive_s", "20"},
    {"sync.worker_threads", "4"},
    {"sync.poll_interval_s", "5"},
    {"sync.central_batch_events", "256"},
    {"sync.hello_timeout_s", "30"},
    {"admin.listen", "\"127.0.0.1:7444\""},
    {"admin.tls", "false"},
    {"feed.poll_ms", "250"},
    {"metrics.listen", "\"\""},
    {"report.listen", "\"\""},
    {"report.tls", "false"},
    {"tls.ca_file", ""},  // required unless tls.insecure
    {"tls.cert_file", ""},
    {"tls.key_file", ""},
    {"tls.insecure", "false"},
    {"log.level", "\"info\""},
    {"log.format", "\"text\""},
    {"retention.delete_events", "false"},  // refused: see Load
    {"retention.max_age_days", "400"},
    {"kpi.enabled", "true"},
};

const platform::TomlSchema& KnownKeys() {
  static const platform::TomlSchema kKeys = platform::SchemaOf(kCentralKeys);
  return kKeys;
}

using platform::TomlReader;

bool HasPort(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
    return false;
  }
  for (size_t i = colon + 1; i < addr.size(); ++i) {
    if (addr[i] < '0' || addr[i] > '9') return false;
  }
  return addr.size() - colon - 1 <= 5;
}

Status ReadPem(const TomlReader& r, const std::string& key,
               const std::string& path, std::string* out) {
  if (path.empty()) return r.Error(key, "required unless tls.insecure = true");
  Result<std::string> pem = fs::ReadFile(path);
  if (!pem.ok()) return r.Error(key, pem.status().message());
  if (pem->find("-----BEGIN ") == std::string::npos) {
    return r.Error(key, path + " is not a PEM file");
  }
  *out = *std::move(pem);
  return Status::Ok();
}

}  // namespace

std::span<const platform::TomlKey> CentralConfigKeys() { return kCentralKeys; }

bool IsLoopbackListen(const std::string& addr) {
  return HasPort(addr) && platform::IsLoopbackListen(addr);
}

Result<CentralConfig> ParseCentralConfig(std::string_view text,
                                         const std::string& origin,
                                         std::vector<std::string>* keys_read) {
  Result<TomlReader> parsed = TomlReader::Parse(text, origin, keys_read);
  if (!parsed.ok()) return parsed.status();
  const TomlReader& r = *parsed;
  STOREAGENT_RETURN_IF_ERROR(r.CheckKnown(KnownKeys()));
  CentralConfig c;

  STOREAGENT_RETURN_IF_ERROR(r.String("store.url", &c.store_url));
  if (c.store_url.rfind("sqlite:", 0) == 0) {
    if (c.store_url.size() <= 7 || c.store_url[7] != '/') {
      return r.Error("store.url", "sqlite: needs an absolute path");
    }
  } else if (c.store_url.rfind("postgresql://", 0) != 0 &&
             c.store_url.rfind("postgres://", 0) != 0) {
    return r.Error(
        "store.url",
        "must start with sqlite:/ or postgresql://, got '" + c.store_url + "'");
  }

  STOREAGENT_RETURN_IF_ERROR(r.String("sync.listen", &c.sync_listen));
  if (!HasPort(c.sync_listen)) {
    return r.Error("sync.listen",
                   "must be HOST:PORT, got '" + c.sync_listen + "'");
  }
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.max_batch_events", 1, 10000, &c.max_batch_events));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.max_batch_bytes", 4096, 16777216, &c.max_batch_bytes));
  STOREAGENT_RETURN_IF_ERROR(r.Int("sync.window", 1, 64, &c.window));
  STOREAGENT_RETURN_IF_ERROR(r.Int("sync.digest_buckets", 1,
                                   core::kMaxDigestBuckets, &c.digest_buckets));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.min_keepalive_s", 1, 3600, &c.min_keepalive_s));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.worker_threads", 1, 64, &c.worker_threads));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.poll_interval_s", 1, 3600, &c.poll_interval_s));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.central_batch_events", 1, 10000, &c.central_batch_events));
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("sync.hello_timeout_s", 1, 3600, &c.hello_timeout_s));

  STOREAGENT_RETURN_IF_ERROR(r.String("admin.listen", &c.admin_listen));
  if (!HasPort(c.admin_listen)) {
    return r.Error("admin.listen",
                   "must be HOST:PORT, got '" + c.admin_listen + "'");
  }
  STOREAGENT_RETURN_IF_ERROR(r.Bool("admin.tls", &c.admin_tls));
  STOREAGENT_RETURN_IF_ERROR(r.Int("feed.poll_ms", 10, 60000, &c.feed_poll_ms));

  STOREAGENT_RETURN_IF_ERROR(r.String("metrics.listen", &c.metrics_listen));
  if (!c.metrics_listen.empty()) {
    Result<platform::ListenAddress> ep =
        platform::ParseListenAddress(c.metrics_listen, "metrics.listen");
    if (!ep.ok()) {
      // The message starts with the key; the reader adds it again.
      const std::string& m = ep.status().message();
      return r.Error("metrics.listen", m.substr(m.find(": ") + 2));
    }
  }

  STOREAGENT_RETURN_IF_ERROR(r.String("report.listen", &c.report_listen));
  if (!c.report_listen.empty()) {
    Result<platform::ListenAddress> ep =
        platform::ParseListenAddress(c.report_listen, "report.listen");
    if (!ep.ok()) {
      const std::string& m = ep.status().message();
      return r.Error("report.listen", m.substr(m.find(": ") + 2));
    }
  }
  STOREAGENT_RETURN_IF_ERROR(r.Bool("report.tls", &c.report_tls));

  STOREAGENT_RETURN_IF_ERROR(r.String("tls.ca_file", &c.ca_file));
  STOREAGENT_RETURN_IF_ERROR(r.String("tls.cert_file", &c.cert_file));
  STOREAGENT_RETURN_IF_ERROR(r.String("tls.key_file", &c.key_file));
  STOREAGENT_RETURN_IF_ERROR(r.Bool("tls.insecure", &c.insecure));
  if (c.insecure) {
    if (!c.ca_file.empty() || !c.cert_file.empty() || !c.key_file.empty()) {
      return r.Error("tls.insecure",
                     "true turns TLS off; remove tls.ca_file, tls.cert_file "
                     "and tls.key_file or set it to false");
    }
    if (c.admin_tls) {
      return r.Error("admin.tls", "needs TLS files (tls.insecure is true)");
    }
    if (c.report_tls) {
      return r.Error("report.tls", "needs TLS files (tls.insecure is true)");
    }
  } else {
    STOREAGENT_RETURN_IF_ERROR(ReadPem(r, "tls.ca_file", c.ca_file, &c.ca_pem));
    STOREAGENT_RETURN_IF_ERROR(
        ReadPem(r, "tls.cert_file", c.cert_file, &c.cert_pem));
    STOREAGENT_RETURN_IF_ERROR(
        ReadPem(r, "tls.key_file", c.key_file, &c.key_pem));
  }
  if (!c.admin_tls && !IsLoopbackListen(c.admin_listen)) {
    return r.Error("admin.listen",
                   "'" + c.admin_listen +
                       "' is not loopback: set admin.tls = true (client "
                       "certificates from tls.ca_file) or listen on "
                       "127.0.0.1 / [::1]");
  }

  // The report page: plain HTTP on loopback only, as the admin API.
  if (!c.report_listen.empty() && !c.report_tls &&
      !IsLoopbackListen(c.report_listen)) {
    return r.Error("report.listen",
                   "'" + c.report_listen +
                       "' is not loopback: set report.tls = true (admin "
                       "client certificates from tls.ca_file) or listen on "
                       "127.0.0.1 / [::1]");
  }

  STOREAGENT_RETURN_IF_ERROR(
      r.OneOf("log.level", {"debug", "info", "warn", "error"}, &c.log_level));
  STOREAGENT_RETURN_IF_ERROR(
      r.OneOf("log.format", {"text", "json"}, &c.log_format));

  // Removing old events is planned, not built (docs/central.md,
  // "Retention"): the key exists so the shipped file can document it.
  STOREAGENT_RETURN_IF_ERROR(
      r.Bool("retention.delete_events", &c.retention_delete_events));
  if (c.retention_delete_events) {
    return r.Error("retention.delete_events",
                   "not available yet: an event may only be removed once "
                   "every consumer of the change feed has read it, and "
                   "central does not know its consumers' cursors; leave it "
                   "false (docs/central.md, \"Retention\")");
  }
  STOREAGENT_RETURN_IF_ERROR(
      r.Int("retention.max_age_days", 1, 36500, &c.retention_max_age_days));
  STOREAGENT_RETURN_IF_ERROR(r.Bool("kpi.enabled", &c.kpi_enabled));
  return c;
}

Status CheckTlsFiles(const CentralConfig& c, int64_t now_us) {
  if (c.insecure) return Status::Ok();
  tls::OwnTlsFiles files;
  files.ca_key = "tls.ca_file";
  files.ca_file = c.ca_file;
  files.cert_key = "tls.cert_file";
  files.cert_file = c.cert_file;
  files.key_key = "tls.key_file";
  files.key_file = c.key_file;
  files.role = tls::TlsRole::kServer;  // the sync and admin listeners
  return tls::CheckOwnTlsFiles(files, now_us);
}

}  // namespace storeagent::central
