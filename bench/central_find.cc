#include "bench/central_find.h"

#include <memory>
#include <string>
#include <vector>

#include "bench/central_find_slots.h"
#include "bench/central_find_stores.h"
#include "bench/load_driver.h"
#include "bench/report.h"
#include "central/server/central_config.h"
#include "central/server/central_server.h"
#include "platform/clock.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace storeagent::bench {
namespace {

// The issue's load: 8 web front ends, each call 20 SKUs at 10 stores.
constexpr int kFindClients = 8;
constexpr FindAsk kFindAsk{.skus = 20, .stores = 10};
constexpr int kFindStores = 12;
constexpr int kCatalogSkus = 6'000;
constexpr int kSkusPerStore = 5'000;
constexpr int64_t kFindRoundUs = 1'000'000;

int64_t MonotonicUs() { return SystemClock().MonotonicMicros(); }

// A CA, central's server certificate (localhost, 127.0.0.1), one per store
// and the web's admin reader: the profiles installer/dev-ca issues.
struct FindPki {
  testing::TestCa ca{"storeagent bench central-find CA"};
  testing::CertAndKey central;
  testing::CertAndKey reader;
  std::vector<testing::CertAndKey> stores;

  bool Issue(const FindStock& stock) {
    const int64_t now_s = testing::NowSeconds();
    testing::CertSpec spec;
    spec.not_before_s = now_s - testing::kDay;
    spec.not_after_s = now_s + 30 * testing::kDay;
    spec.cn = "storecentrald";
    spec.san = "DNS:localhost,IP:127.0.0.1";
    spec.eku = "serverAuth";
    central = ca.Issue(spec);
    spec.cn = "web";
    spec.san = "URI:storeagent:admin:reader:web";
    spec.eku = "clientAuth";
    reader = ca.Issue(spec);
    bool ok = !central.cert_pem.empty() && !reader.cert_pem.empty();
    for (int s = 0; s < stock.stores(); ++s) {
      spec.cn = stock.StoreId(s);
      spec.san = "URI:storeagent:store:" + stock.StoreId(s);
      stores.push_back(ca.Issue(spec));
      ok = ok && !stores.back().cert_pem.empty();
    }
    return ok;
  }
};

std::unique_ptr<central::CentralServer> StartCentral(
    const testing::TempDir& dir, const FindPki& pki) {
  central::CentralConfig c;
  c.store_url = "sqlite:" + dir.File("central.db");
  c.sync_listen = "127.0.0.1:0";
  c.admin_listen = "127.0.0.1:0";
  c.admin_tls = true;
  c.ca_pem = pki.ca.cert_pem();
  c.cert_pem = pki.central.cert_pem;
  c.key_pem = pki.central.key_pem;
  c.log_level = "warn";
  Result<std::unique_ptr<central::CentralServer>> server =
      central::CentralServer::Start(c, SystemClock());
  if (!server.ok()) {
    Error("central-find: start central", server.status().ToString());
    return nullptr;
  }
  return std::move(server).value();
}

struct FindResults {
  LoadResult find, noop;
  double sync_s = 0;
  uint64_t entries = 0;
};

void MeasureFind(const CentralFindSettings& s, const std::string& target,
                 const FindPki& pki, const FindStock& stock,
                 const FindStores& stores, FindResults& out,
                 ReplyCheck& check) {
  std::vector<uint64_t> heads;
  for (int i = 0; i < stock.stores(); ++i) heads.push_back(stores.head(i));
  auto noop = [&](const LoadSpec& spec) {
    AdminStubs stubs(target, pki.ca.cert_pem(), pki.reader);
    return RunLoad(spec, stubs.Channels(), HealthSlots(stubs, check));
  };
  auto find = [&](const LoadSpec& spec) {
    AdminStubs stubs(target, pki.ca.cert_pem(), pki.reader);
    return RunLoad(spec, stubs.Channels(),
                   FindSlots(stubs, stock, heads, kFindAsk, check));
  };
  auto checked = [](const std::string& phase, LoadResult r) {
    if (r.failed > 0 || r.ok == 0) {
      Error(phase, std::to_string(r.failed) + " of " +
                       std::to_string(r.ok + r.failed) +
                       " calls failed, first: " + r.first_error);
    }
    return r;
  };
  LoadSpec closed{.threads = kFindClients, .depth = 1};
  closed.duration_us = s.warmup_us;
  Progress("central-find: warm-up");
  checked("central-find warm-up health", noop(closed));
  checked("central-find warm-up find", find(closed));
  closed.duration_us = kFindRoundUs;
  for (int i = 0; i < s.rounds; ++i) {
    const std::string round = "central-find round " + std::to_string(i + 1) +
                              "/" + std::to_string(s.rounds) + ": ";
    Progress(round + "health check (no-op)");
    out.noop.Add(checked(round + "health", noop(closed)));
    Progress(round + "FindAvailability 20 SKUs x 10 stores");
    out.find.Add(checked(round + "find", find(closed)));
  }
}

void ReportFind(const FindStock& stock, const FindResults& r) {
  const double find = r.find.CallsPerSecond();
  const double noop = r.noop.CallsPerSecond();
  Figure("central_find_availability_per_s", find, 0, "calls/s");
  Figure("central_noop_calls_per_s", noop, 0, "calls/s");
  Figure("central_find_ratio_to_noop", Ratio(find, noop), 2, "x");
  Figure("central_find_cpu_us_per_call", r.find.CpuMicrosPerCall(), 0, "us");
  Figure("central_noop_cpu_us_per_call", r.noop.CpuMicrosPerCall(), 0, "us");
  Figure("central_find_p50_ms", r.find.PercentileMs(50), 2, "ms");
  Figure("central_find_p99_ms", r.find.PercentileMs(99), 2, "ms");
  Figure("central_noop_p50_ms", r.noop.PercentileMs(50), 2, "ms");
  Figure("central_noop_p99_ms", r.noop.PercentileMs(99), 2, "ms");
  Figure("central_find_cores_busy", r.find.CoresBusy(), 2, "cores");
  Figure("central_noop_cores_busy", r.noop.CoresBusy(), 2, "cores");
  Figure("central_find_stores", stock.stores(), 0, "stores");
  Figure("central_find_skus_per_store", stock.skus_per_store(), 0, "skus");
  Figure("central_find_journal_entries", static_cast<double>(r.entries), 0,
         "entries");
  Figure("central_find_stores_sync_s", r.sync_s, 2, "s");
}

}  // namespace

void CentralFindFigures(const CentralFindSettings& settings) {
  const FindStock stock(kFindStores, kCatalogSkus, kSkusPerStore);
  FindPki pki;
  Progress("central-find: certificates for central, a reader and " +
           std::to_string(stock.stores()) + " stores");
  if (!pki.Issue(stock)) {
    Error("central-find: certificates", "could not issue them");
    return;
  }
  testing::TempDir dir;
  std::unique_ptr<central::CentralServer> server = StartCentral(dir, pki);
  if (server == nullptr) return;
  FindResults results;
  ReplyCheck check;
  bool ready = false;
  {
    FindStores stores;
    Progress("central-find: " + std::to_string(stock.stores()) +
             " stores sync " + std::to_string(stock.skus_per_store()) +
             " SKUs each");
    const int64_t t0 = MonotonicUs();
    Status synced =
        stores.SyncAll("127.0.0.1:" + std::to_string(server->sync_port()),
                       pki.ca.cert_pem(), pki.stores, stock);
    results.sync_s = static_cast<double>(MonotonicUs() - t0) / 1e6;
    results.entries = stores.entries();
    if (!synced.ok()) {
      Error("central-find: stores sync", synced.ToString());
    } else {
      MeasureFind(settings, "127.0.0.1:" + std::to_string(server->admin_port()),
                  pki, stock, stores, results, check);
      ready = true;
    }
    stores.Close();
  }
  server->Shutdown();
  if (check.bad() > 0) {
    Error("central-find", std::to_string(check.bad()) +
                              " wrong replies, first: " + check.first());
  }
  if (ready) ReportFind(stock, results);
}

}  // namespace storeagent::bench
