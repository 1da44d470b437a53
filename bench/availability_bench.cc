// bench_availability: how fast the agent answers availability questions
// while the tills keep selling, each figure next to a baseline measured in
// the same run. `bench/run availability [--quick]` builds and runs it.
//
//   bench_availability [--quick]
//
// The agent runs in-process (agent::AgentServer on a temp data dir and a
// Unix socket, as bench_record does), so the CPU figures cover client and
// server together. The store: a 100,000-product catalog built in memory and
// imported through the real ImportCatalog client stream in chunks of 1,000
// (timed), then every SKU stocked by RECEIPT movements of 500 lines.
// Then, with one more client recording 5-line sales paced at 200/s
// throughout, 8 clients (one connection each, one call in flight each):
//   - ask GetAvailability of one random SKU per call, closed loop;
//   - call the no-op Ping, closed loop: the transport ceiling;
//   - ask GetAvailability of 500 distinct random SKUs per call;
//   - ask one random SKU at 1,000 lookups/s paced (latency from the
//     scheduled send, 4 in flight per client so a late answer delays no
//     send), then Ping at the same pace: the transport's own latency.
// The sales' p99 while the single-SKU lookups run is set against the sales'
// p99 with no lookups at all. All of it in alternating rounds of one second,
// so a slow spell of a shared machine hits a figure and its baseline alike.
// --quick: fewer rounds and a shorter paced phase; the same store.
// Then central's FindAvailability against its no-op (central_find.h).
//
// Prints `NAME VALUE UNIT` lines on stdout (bench/report.h): the issue's
// figures first, then the detail; exits 1 when a phase failed, any call was
// refused or any reply was wrong.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_server.h"
#include "bench/availability_call_slots.h"
#include "bench/availability_catalog.h"
#include "bench/availability_floor.h"
#include "bench/central_find.h"
#include "bench/load_driver.h"
#include "bench/pos_call_slots.h"
#include "bench/report.h"
#include "core/limits.h"
#include "platform/clock.h"
#include "platform/log.h"
#include "platform/malloc_tuning.h"
#include "tests/support/temp_dir.h"

namespace storeagent::bench {
namespace {

// The load: 8 lookup clients, one till recording 200 sales/s.
constexpr int kLookupClients = 8;
constexpr int kCatalogProducts = 100'000;
constexpr int kBatchSkus = core::kMaxSkusPerAvailabilityCall;  // 500
constexpr int64_t kSalesPerSecond = 200;
// Up to 8 sales in flight: a late answer delays no send, so the till keeps
// its pace even when answers take 40 ms.
constexpr int kSalesDepth = 8;
constexpr int64_t kPacedLookupsPerSecond = 1000;
constexpr int kPacedDepth = 4;  // per client
constexpr int64_t kRoundUs = 1'000'000;

struct Settings {
  int rounds = 10;  // of kRoundUs per figure
  int64_t warmup_us = 500'000;
  int64_t paced_us = 10'000'000;
  // Stocked and asked for. Stocking takes about a second per 100,000, so
  // --quick keeps the whole catalog too.
  int lookup_skus = kCatalogProducts;

  static Settings Quick() {
    Settings s;
    s.rounds = 3;
    s.warmup_us = 300'000;
    s.paced_us = 3'000'000;
    return s;
  }
};

double LoadAverage1m() {
  double load[1] = {0};
  return ::getloadavg(load, 1) == 1 ? load[0] : -1;
}

int64_t NowUs() { return SystemClock().MonotonicMicros(); }

// Every call of `r` must have been answered OK.
void CheckCalls(const std::string& phase, const LoadResult& r) {
  if (r.failed > 0 || r.ok == 0) {
    Error(phase, std::to_string(r.failed) + " of " +
                     std::to_string(r.ok + r.failed) +
                     " calls failed, first: " + r.first_error);
  }
}

// The server the loads run against, and what they send.
struct Store {
  std::string target;  // "unix:/path"
  v1::RecordTransactionRequest sale;
  std::vector<std::string> lookup_skus;
  ReplyCheck check;
};

LoadResult Pings(const Store& store, const LoadSpec& spec) {
  return RunLoad(
      spec, [&] { return OwnChannel(store.target); }, PingSlots());
}

LoadResult Lookups(Store& store, const LoadSpec& spec, int per_call) {
  AvailabilityStubs stubs(store.target);  // for this run's connections
  return RunLoad(
      spec, stubs.Channels(),
      AvailabilitySlots(stubs, store.lookup_skus, per_call, store.check));
}

// The till: kSalesPerSecond 5-line sales for `duration_us`.
LoadResult Sales(const Store& store, int64_t duration_us) {
  LoadSpec spec{.threads = 1,
                .depth = kSalesDepth,
                .duration_us = duration_us,
                .pace_per_s = kSalesPerSecond};
  LoadResult r = RunLoad(
      spec, [&] { return OwnChannel(store.target); }, RecordSlots(store.sale));
  CheckCalls("sales", r);
  return r;
}

// Runs `load` (a LoadResult()) as `phase` with the till selling alongside
// for as long; adds the sales' result to `sales`.
template <typename Load>
LoadResult WithSales(const std::string& phase, const Store& store,
                     int64_t duration_us, LoadResult& sales, Load load) {
  Progress(phase + ", 200 sales/s alongside");
  LoadResult till;
  std::thread seller([&] { till = Sales(store, duration_us); });
  LoadResult r = load();
  seller.join();
  CheckCalls(phase, r);
  sales.Add(till);
  return r;
}

std::unique_ptr<agent::AgentServer> StartAgent(const testing::TempDir& dir) {
  agent::AgentConfig config;
  config.store_id = "store-0001";
  config.data_dir = dir.File("data");
  config.pos_socket = dir.File("pos.sock");
  Result<std::unique_ptr<agent::AgentServer>> server =
      agent::AgentServer::Start(config, SystemClock());
  if (!server.ok()) {
    Error("start agent", server.status().ToString());
    return nullptr;
  }
  return std::move(server).value();
}

struct SetupTimes {
  double import_s = 0;
  double stock_s = 0;
};

// Imports the catalog (timed), stocks the lookup SKUs and fills `store`.
bool SetUpStore(const Settings& s, const std::string& socket, Store& store,
                SetupTimes& times) {
  store.target = "unix:" + socket;
  Progress("building the catalog in memory");
  const std::vector<v1::Product> products = BuildCatalog(kCatalogProducts);
  const std::vector<v1::ImportCatalogRequest> chunks = CatalogChunks(products);
  std::shared_ptr<grpc::Channel> channel = OwnChannel(store.target);
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(10));
  std::unique_ptr<v1::AvailabilityService::Stub> stub =
      v1::AvailabilityService::NewStub(channel);

  Progress("importing " + std::to_string(kCatalogProducts) + " products");
  int64_t t0 = NowUs();
  Status st = ImportCatalog(*stub, chunks);
  times.import_s = static_cast<double>(NowUs() - t0) / 1e6;
  if (!st.ok()) {
    Error("import catalog", st.ToString());
    return false;
  }

  Progress("receiving stock for " + std::to_string(s.lookup_skus) + " SKUs");
  t0 = NowUs();
  st = ReceiveStock(*stub, products, s.lookup_skus);
  times.stock_s = static_cast<double>(NowUs() - t0) / 1e6;
  if (st.ok()) st = CheckStock(*stub, products, s.lookup_skus);
  if (!st.ok()) {
    Error("receive stock", st.ToString());
    return false;
  }

  store.sale = CatalogSale(products);
  for (int i = 0; i < s.lookup_skus; ++i) {
    store.lookup_skus.push_back(products[static_cast<size_t>(i)].sku());
  }
  return true;
}

struct Results {
  LoadResult noop, lookup, batched, paced, paced_noop;
  LoadResult sales_alone, sales_with_lookups, sales_with_noop,
      sales_with_batched, sales_with_paced, sales_with_paced_noop;
};

void Measure(const Settings& s, Store& store, Results& out) {
  LoadSpec closed{.threads = kLookupClients, .depth = 1};
  closed.duration_us = s.warmup_us;
  LoadResult ignored;
  WithSales("warm-up ping", store, s.warmup_us, ignored,
            [&] { return Pings(store, closed); });
  WithSales("warm-up lookups", store, s.warmup_us, ignored,
            [&] { return Lookups(store, closed, 1); });
  WithSales("warm-up batched lookups", store, s.warmup_us, ignored,
            [&] { return Lookups(store, closed, kBatchSkus); });

  closed.duration_us = kRoundUs;
  for (int i = 0; i < s.rounds; ++i) {
    const std::string round = "round " + std::to_string(i + 1) + "/" +
                              std::to_string(s.rounds) + ": ";
    out.noop.Add(WithSales(round + "noop ping", store, kRoundUs,
                           out.sales_with_noop,
                           [&] { return Pings(store, closed); }));
    out.lookup.Add(WithSales(round + "1-SKU lookups", store, kRoundUs,
                             out.sales_with_lookups,
                             [&] { return Lookups(store, closed, 1); }));
    Progress(round + "sales alone");
    out.sales_alone.Add(Sales(store, kRoundUs));
    out.batched.Add(WithSales(
        round + "500-SKU lookups", store, kRoundUs, out.sales_with_batched,
        [&] { return Lookups(store, closed, kBatchSkus); }));
  }

  const LoadSpec paced{.threads = kLookupClients,
                       .depth = kPacedDepth,
                       .duration_us = s.paced_us,
                       .pace_per_s = kPacedLookupsPerSecond};
  out.paced =
      WithSales("1-SKU lookups paced at 1000/s", store, s.paced_us,
                out.sales_with_paced, [&] { return Lookups(store, paced, 1); });
  // The transport's own latency at the same pace: the floor under
  // lookup_p99_ms_paced.
  out.paced_noop =
      WithSales("noop pings paced at 1000/s", store, s.paced_us,
                out.sales_with_paced_noop, [&] { return Pings(store, paced); });
}

void Report(const Settings& s, const SetupTimes& t, const Results& r,
            const SqlFloor& floor, double load_start) {
  const double lookups = r.lookup.CallsPerSecond();
  const double noop = r.noop.CallsPerSecond();
  Figure("lookup_per_s", lookups, 0, "lookups/s");
  Figure("noop_rpc_calls_per_s", noop, 0, "calls/s");
  Figure("lookup_ratio_to_noop", Ratio(lookups, noop), 2, "x");
  Figure("lookup_p99_ms_paced", r.paced.PercentileMs(99), 2, "ms");
  Figure("batched_skus_per_s", r.batched.CallsPerSecond() * kBatchSkus, 0,
         "skus/s");
  Figure("sales_p99_ratio_with_lookups",
         Ratio(r.sales_with_lookups.PercentileMs(99),
               r.sales_alone.PercentileMs(99)),
         2, "x");
  Figure("catalog_import_100k_s", t.import_s, 2, "s");

  Figure("lookup_p50_ms", r.lookup.PercentileMs(50), 2, "ms");
  Figure("lookup_p99_ms", r.lookup.PercentileMs(99), 2, "ms");
  Figure("noop_p50_ms", r.noop.PercentileMs(50), 2, "ms");
  Figure("noop_p99_ms", r.noop.PercentileMs(99), 2, "ms");
  Figure("lookup_p50_ms_paced", r.paced.PercentileMs(50), 2, "ms");
  Figure("noop_p50_ms_paced", r.paced_noop.PercentileMs(50), 2, "ms");
  Figure("noop_p99_ms_paced", r.paced_noop.PercentileMs(99), 2, "ms");
  Figure("paced_lookups_per_s", r.paced.CallsPerSecond(), 0, "lookups/s");
  Figure("batched_calls_per_s", r.batched.CallsPerSecond(), 0, "calls/s");
  Figure("batched_p50_ms", r.batched.PercentileMs(50), 2, "ms");
  Figure("batched_p99_ms", r.batched.PercentileMs(99), 2, "ms");
  Figure("sales_p50_ms_alone", r.sales_alone.PercentileMs(50), 2, "ms");
  Figure("sales_p99_ms_alone", r.sales_alone.PercentileMs(99), 2, "ms");
  Figure("sales_p50_ms_with_lookups", r.sales_with_lookups.PercentileMs(50), 2,
         "ms");
  Figure("sales_p99_ms_with_lookups", r.sales_with_lookups.PercentileMs(99), 2,
         "ms");
  Figure("sales_p99_ms_with_noop", r.sales_with_noop.PercentileMs(99), 2, "ms");
  Figure("sales_p99_ms_with_batched", r.sales_with_batched.PercentileMs(99), 2,
         "ms");
  Figure("sales_p99_ms_with_paced_lookups", r.sales_with_paced.PercentileMs(99),
         2, "ms");
  Figure("sales_per_s_with_lookups", r.sales_with_lookups.CallsPerSecond(), 0,
         "sales/s");
  // Client and server share this process: CPU per call covers both, and
  // the till's sales alongside.
  Figure("lookup_cpu_us_per_call", r.lookup.CpuMicrosPerCall(), 0, "us");
  Figure("noop_cpu_us_per_call", r.noop.CpuMicrosPerCall(), 0, "us");
  Figure("batched_cpu_us_per_sku", r.batched.CpuMicrosPerCall() / kBatchSkus, 2,
         "us");
  // The database's part of a batched lookup, one thread, no transport (the
  // agent stopped: no commits, every page cached): what the two cores could
  // read at best, set against batched_skus_per_s.
  Figure("batched_sql_skus_per_s_one_thread", floor.skus_per_s, 0, "skus/s");
  Figure("batched_sql_cpu_us_per_sku", floor.cpu_us_per_sku, 2, "us");
  Figure("lookup_cores_busy", r.lookup.CoresBusy(), 2, "cores");
  Figure("noop_cores_busy", r.noop.CoresBusy(), 2, "cores");
  Figure("stock_receipts_s", t.stock_s, 2, "s");
  Figure("lookup_catalog_skus", s.lookup_skus, 0, "skus");
  Figure("cpu_count", std::thread::hardware_concurrency(), 0, "cpus");
  // The machine may be shared: how busy it was, as a reader's caveat.
  Figure("load_avg_1m_start", load_start, 2, "runnable");
  Figure("load_avg_1m_end", LoadAverage1m(), 2, "runnable");
}

void AvailabilityFigures(const Settings& s) {
  const double load_start = LoadAverage1m();
  testing::TempDir dir;
  std::unique_ptr<agent::AgentServer> server = StartAgent(dir);
  if (server == nullptr) return;
  Store store;
  SetupTimes times;
  Results results;
  const bool ready = SetUpStore(s, dir.File("pos.sock"), store, times);
  if (ready) Measure(s, store, results);
  server->Shutdown();
  if (store.check.bad() > 0) {
    Error("lookups", std::to_string(store.check.bad()) +
                         " wrong replies, first: " + store.check.first());
  }
  if (!ready) return;
  Progress("500-SKU reads straight from the database, one thread");
  const SqlFloor floor =
      MeasureSqlFloor(dir.File("data") + "/agent.db", store.lookup_skus,
                      kBatchSkus, s.rounds * kRoundUs / 3);
  Report(s, times, results, floor, load_start);
}

}  // namespace
}  // namespace storeagent::bench

int main(int argc, char** argv) {
  // As the daemons do: the servers run in this process.
  storeagent::platform::TuneMalloc();
  namespace sb = storeagent::bench;
  sb::Settings settings;
  sb::CentralFindSettings central_find;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      settings = sb::Settings::Quick();
      central_find = sb::CentralFindSettings::Quick();
    } else {
      std::fprintf(stderr,
                   "usage: %s [--quick]\n"
                   "  --quick  3 rounds per figure and a 3 s paced phase, "
                   "under a minute\n",
                   argv[0]);
      return 2;
    }
  }
  storeagent::ConfigureLog("warn", "text");
  sb::Progress("start");
  sb::AvailabilityFigures(settings);
  // Central's FindAvailability for the online channel (central_find.h).
  sb::CentralFindFigures(central_find);
  return sb::Failed() ? 1 : 0;
}
