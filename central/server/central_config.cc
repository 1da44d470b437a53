#include "central/server/central_config.h"

#include <toml++/toml.h>

#include <map>
#include <set>

#include "core/stock_digest.h"
#include "platform/fs.h"

namespace storeagent::central {
namespace {

const std::map<std::string, std::set<std::string>>& KnownKeys() {
  static const std::map<std::string, std::set<std::string>> kKeys = {
      {"store", {"url"}},
      {"sync",
       {"listen", "max_batch_events", "max_batch_bytes", "window",
        "digest_buckets", "min_keepalive_s", "worker_threads",
        "poll_interval_s", "central_batch_events"}},
      {"admin", {"listen", "tls"}},
      {"tls", {"ca_file", "cert_file", "key_file", "insecure"}},
      {"log", {"level", "format"}},
  };
  return kKeys;
}

class Reader {
 public:
  Reader(const toml::table& root, std::string origin)
      : root_(root), origin_(std::move(origin)) {}

  Status Error(const std::string& key, const std::string& what) const {
    return InvalidArgument(origin_ + ": " + key + ": " + what);
  }

  Status CheckKnown() const {
    for (const auto& [table, node] : root_) {
      const std::string t(table.str());
      auto known = KnownKeys().find(t);
      if (known == KnownKeys().end()) return Error(t, "unknown table");
      const toml::table* tbl = node.as_table();
      if (tbl == nullptr) return Error(t, "must be a table [" + t + "]");
      for (const auto& [key, v] : *tbl) {
        const std::string k(key.str());
        if (!known->second.count(k)) return Error(t + "." + k, "unknown key");
      }
    }
    return Status::Ok();
  }

  Status String(const std::string& dotted, std::string* out) const {
    const toml::node* n = root_.at_path(dotted).node();
    if (n == nullptr) return Status::Ok();
    if (!n->is_string()) return Error(dotted, "must be a string");
    *out = n->as_string()->get();
    return Status::Ok();
  }

  Status Bool(const std::string& dotted, bool* out) const {
    const toml::node* n = root_.at_path(dotted).node();
    if (n == nullptr) return Status::Ok();
    if (!n->is_boolean()) return Error(dotted, "must be true or false");
    *out = n->as_boolean()->get();
    return Status::Ok();
  }

  template <typename T>
  Status Int(const std::string& dotted, int64_t lo, int64_t hi, T* out) const {
    const toml::node* n = root_.at_path(dotted).node();
    if (n == nullptr) return Status::Ok();
    if (!n->is_integer()) return Error(dotted, "must be an integer");
    const int64_t v = n->as_integer()->get();
    if (v < lo || v > hi) {
      return Error(dotted, "must be " + std::to_string(lo) + ".." +
                               std::to_string(hi) + ", got " +
                               std::to_string(v));
    }
    *out = static_cast<T>(v);
    return Status::Ok();
  }

 private:
  const toml::table& root_;
  std::string origin_;
};

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

Status ReadPem(const Reader& r, const std::string& key, const std::string& path,
               std::string* out) {
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

bool IsLoopbackListen(const std::string& addr) {
  if (!HasPort(addr)) return false;
  const std::string host = addr.substr(0, addr.rfind(':'));
  if (host == "[::1]" || host == "localhost") return true;
  int parts = 0;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    if (dot == std::string::npos) dot = host.size();
    const std::string part = host.substr(start, dot - start);
    if (part.empty() || part.size() > 3) return false;
    for (char ch : part) {
      if (ch < '0' || ch > '9') return false;
    }
    if (std::stoi(part) > 255) return false;
    if (parts == 0 && part != "127") return false;
    ++parts;
    start = dot + 1;
  }
  return parts == 4;
}

Result<CentralConfig> ParseCentralConfig(std::string_view text,
                                         const std::string& origin) {
  // Debian's toml++ is built with exceptions; none leaves this function.
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(origin + ":" +
                           std::to_string(e.source().begin.line) + ": " +
                           std::string(e.description()));
  }
  Reader r(root, origin);
  STOREAGENT_RETURN_IF_ERROR(r.CheckKnown());
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

  STOREAGENT_RETURN_IF_ERROR(r.String("admin.listen", &c.admin_listen));
  if (!HasPort(c.admin_listen)) {
    return r.Error("admin.listen",
                   "must be HOST:PORT, got '" + c.admin_listen + "'");
  }
  STOREAGENT_RETURN_IF_ERROR(r.Bool("admin.tls", &c.admin_tls));

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

  STOREAGENT_RETURN_IF_ERROR(r.String("log.level", &c.log_level));
  if (c.log_level != "debug" && c.log_level != "info" &&
      c.log_level != "warn" && c.log_level != "error") {
    return r.Error("log.level", "must be debug, info, warn or error");
  }
  STOREAGENT_RETURN_IF_ERROR(r.String("log.format", &c.log_format));
  if (c.log_format != "text" && c.log_format != "json") {
    return r.Error("log.format", "must be text or json");
  }
  return c;
}

Result<CentralConfig> LoadCentralConfig(const std::string& path) {
  Result<std::string> text = fs::ReadFile(path);
  if (!text.ok()) {
    return InvalidArgument(path + ": " + text.status().message());
  }
  return ParseCentralConfig(*text, path);
}

}  // namespace storeagent::central
