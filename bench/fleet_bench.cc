// bench_fleet: one storecentrald on PostgreSQL 15 under a 2,000-store fleet
// (issue #10, "2,000 stores on one head office").
//
// 2,000 real agents do not fit one box, so the stores are simulated: one
// load-generator process (bench/fleet_sim.h) opens one sync stream per
// store, speaking the real protocol (Hello, Welcome, EventBatch of chained
// journal entries with 5-line sales, BatchAck), each over its own mutual-TLS
// connection with its own client certificate (tests/support/test_certs.h: one
// CA, EC P-256, made in-process once per run). storecentrald runs alone as its
// own process, on a fresh schema of the PostgreSQL database
// scripts/start-postgres serves (or STOREAGENT_TEST_PG_URL), with its
// defaults (sync.worker_threads and so PostgreSQL connections 4, window 4,
// batches of 500; --central-workers N sets the first; --no-kpi turns its
// KPI aggregation off, to show what that costs) and /metrics on loopback.
//
//   fleet_stores_connected       streams open at once after every store
//                                dialled (full: 2,000; --quick: 200)
//   fleet_offered_events_per_s   a peak day's sales (full: 2,500 events/s
//   fleet_achieved_events_per_s  over all stores; --quick: 250/s), paced
//                                round-robin over the stores (each sale is
//                                sent when recorded, as the agent's commit
//                                wake-up does), over a fixed window after a
//                                warm-up (full: 60 s; --quick: 15 s); offered
//                                = recorded in the window, achieved =
//                                acknowledged by central in the window
//   fleet_replica_lag_p99_s      recorded_at at the store until central's
//                                FindAvailability answer shows the store's
//                                replica at that seq (the answer's arrival),
//                                p99, for the events of the window at 20
//                                sampled stores, one request for all 20 at a
//                                time, 250 ms apart (so it may read up to
//                                ~0.25 s high); the answers' own times and
//                                the ack-based p50/p99 over every store
//                                follow as a comment
//   central_rss_mib              storecentrald's RSS at the end of the window
//   fleet_reconnect_drain_s      every stream is cancelled and its channel
//                                dropped, each store records 500 sales
//                                offline (--quick: 100), then all dial again
//                                at once: time until central acknowledged
//                                every event (new connections, TLS handshakes
//                                and Hellos included); checked against
//                                GetStoreSyncState for every store after
//   pg_raw_insert_rows_per_s     the same number of rows inserted into
//                                store_events of another fresh schema made
//                                by central's own schema code, by a plain
//                                libpqxx client: 4 connections (central's
//                                pool), one multi-row INSERT and one commit
//                                per store batch
//   fleet_pg_ratio_to_raw        the drain's events/s over that
//
// The first stdout line is a comment saying how the fleet is simulated. A
// figure that misses the issue's target is followed by a `# target ...`
// line; other comment lines say what central, PostgreSQL and the generator
// did (CPU, pool waits) to tell which one limited a figure.
#include <dirent.h>
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_env.h"
#include "bench/fleet_pg.h"
#include "bench/fleet_sim.h"
#include "bench/metrics_scrape.h"
#include "bench/percentile.h"
#include "bench/report.h"
#include "central/server/central_config.h"
#include "core/journal_chain.h"
#include "platform/clock.h"
#include "platform/malloc_tuning.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/support/agent_process.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"
#include "tests/support/text_file.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

int64_t WallMicros() { return SystemClock().NowMicros(); }

void Sleep(double seconds) {
  std::this_thread::sleep_for(
      std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)));
}

void Comment(const std::string& text) {
  std::printf("# %s\n", text.c_str());
  std::fflush(stdout);
}

std::string Fixed(double v, int decimals) {
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
  return buf.data();
}

// Raises the soft open-file limit to the hard one (children inherit it:
// storecentrald is spawned after this). Returns the new soft limit.
rlim_t RaiseFileLimit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 0;
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

// ------------------------------------------------------------ CPU time

// CPU seconds of every process named `comm` (PostgreSQL's backends: the
// cluster is shared, so other sessions' queries count too).
double CpuSecondsOfAll(const std::string& comm) {
  double sum = 0;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return 0;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream c(std::string("/proc/") + e->d_name + "/comm");
    std::string name;
    if (std::getline(c, name) && name == comm) {
      const double s = CpuSecondsOf(e->d_name);
      if (s > 0) sum += s;
    }
  }
  ::closedir(d);
  return sum;
}

struct CpuMark {
  SteadyClock::time_point at = SteadyClock::now();
  double central = 0;
  double self = 0;
  double postgres = 0;
};

CpuMark MarkCpu(pid_t central) {
  CpuMark m;
  m.central = CpuSecondsOf(std::to_string(central));
  m.self = CpuSecondsOf("self");
  m.postgres = CpuSecondsOfAll("postgres");
  return m;
}

// "central 87 % of a core, generator 21 %, postgres 40 % over 15.0 s".
std::string CpuSince(const CpuMark& from, pid_t central) {
  const CpuMark to = MarkCpu(central);
  const double s = std::chrono::duration<double>(to.at - from.at).count();
  if (s <= 0) return "";
  auto pct = [&](double a, double b) { return Fixed(100 * (b - a) / s, 0); };
  return "CPU over " + Fixed(s, 1) + " s: storecentrald " +
         pct(from.central, to.central) + " % of a core, load generator " +
         pct(from.self, to.self) + " %, postgres (all backends) " +
         pct(from.postgres, to.postgres) + " %; " +
         std::to_string(std::thread::hardware_concurrency()) + " cores";
}

// The high-water mark of a process's RSS (VmHWM), MiB; -1 if unknown.
double PeakResidentMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024;
  }
  return -1;
}

// ------------------------------------------------------------ metrics

struct PoolMark {
  double waits = 0;
  double wait_s = 0;
  double commits = 0;
  double commit_s = 0;
};

PoolMark MarkPool(int port) {
  const std::string m = ScrapeMetrics(port);
  return {MetricSample(m, "storecentral_pg_pool_waits_total"),
          MetricSample(m, "storecentral_pg_pool_wait_seconds_total"),
          MetricSample(m, "storecentral_batch_commit_seconds_count"),
          MetricSample(m, "storecentral_batch_commit_seconds_sum")};
}

// `connections`: central's PostgreSQL pool, one per sync.worker_threads.
std::string PoolSince(const PoolMark& from, int port, double seconds,
                      int connections) {
  const PoolMark to = MarkPool(port);
  const double commits = to.commits - from.commits;
  return "central: " + Fixed(commits / seconds, 0) +
         " batch commits/s, mean IngestBatch " +
         Fixed(commits > 0 ? 1000 * (to.commit_s - from.commit_s) / commits : 0,
               1) +
         " ms; PostgreSQL pool (" + std::to_string(connections) +
         " connections) found all lent " + Fixed(to.waits - from.waits, 0) +
         " times, waiting " + Fixed(to.wait_s - from.wait_s, 1) + " s in all";
}

// ------------------------------------------------------------ lag poller

// Polls FindAvailability for `sample` stores every `interval_s` and, for
// each seq that became visible, records (time of the answer - recorded_at)
// when recorded_at lies in [from_us, to_us).
class LagPoller {
 public:
  LagPoller(const testing::CentralProcess& central, const SimFleet& fleet,
            std::vector<int> sample, double interval_s)
      : stub_(central.NewAdminStub()),
        fleet_(fleet),
        sample_(std::move(sample)),
        visible_(sample_.size(), 0),
        interval_s_(interval_s) {}
  ~LagPoller() { Stop(); }

  void Start(int64_t from_us, int64_t to_us) {
    from_us_ = from_us;
    to_us_ = to_us;
    Poll();  // what is visible before the window is not timed
    lags_.clear();
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        Sleep(interval_s_);
        Poll();
      }
    });
  }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  // After Stop().
  std::vector<int64_t>& lags() { return lags_; }
  int errors() const { return errors_; }
  int polls() const { return polls_; }
  double mean_poll_s() const { return polls_ > 0 ? poll_s_ / polls_ : 0; }
  double max_poll_s() const { return max_poll_s_; }
  // True when every sampled store's replica shows all it recorded.
  bool CaughtUp() const {
    for (size_t i = 0; i < sample_.size(); ++i) {
      if (visible_[i] < fleet_.Head(sample_[i])) return false;
    }
    return true;
  }

 private:
  void Poll() {
    v1::FindAvailabilityRequest req;
    req.add_skus(test::SampleSale(1).sale().lines(0).sku());
    for (int s : sample_) req.add_store_ids(fleet_.id(s));
    v1::FindAvailabilityResponse reply;
    grpc::ClientContext ctx;
    // Long: at peak an answer waits behind the queued ingests, and one
    // that gives up shows nothing.
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(60));
    const SteadyClock::time_point t0 = SteadyClock::now();
    if (!stub_->FindAvailability(&ctx, req, &reply).ok() ||
        reply.stores_size() != static_cast<int>(sample_.size())) {
      ++errors_;
      return;
    }
    const int64_t now = WallMicros();
    const double took = SecondsSince(t0);
    ++polls_;
    poll_s_ += took;
    max_poll_s_ = std::max(max_poll_s_, took);
    for (size_t i = 0; i < sample_.size(); ++i) {
      const uint64_t seq = reply.stores(static_cast<int>(i)).store_seq();
      for (uint64_t q = visible_[i] + 1; q <= seq; ++q) {
        const int64_t at = fleet_.RecordedAt(sample_[i], q);
        if (at >= from_us_ && at < to_us_) lags_.push_back(now - at);
      }
      visible_[i] = std::max(visible_[i], seq);
    }
  }

  std::unique_ptr<v1::CentralAdminService::Stub> stub_;
  const SimFleet& fleet_;
  std::vector<int> sample_;
  std::vector<uint64_t> visible_;
  double interval_s_;
  int64_t from_us_ = 0;
  int64_t to_us_ = 0;
  std::vector<int64_t> lags_;
  int errors_ = 0;
  int polls_ = 0;
  double poll_s_ = 0;
  double max_poll_s_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// ------------------------------------------------------------ the run

struct Plan {
  int stores = 2000;
  double rate = 2500;  // events/s over the fleet
  double warmup_s = 10;
  double window_s = 60;
  int offline = 500;  // events per store while disconnected
  double connect_timeout_s = 180;
  double drain_timeout_s = 900;
  // central's sync.worker_threads (and so its PostgreSQL connections);
  // 0 = its default.
  int central_workers = 0;
  bool kpi = true;  // central's kpi.enabled
};

struct Figures {
  double connected = 0;
  double offered = 0;
  double achieved = 0;
  double lag_p99_s = -1;
  double rss_mib = -1;
  double drain_s = -1;
  double drain_events_per_s = 0;
  double raw_rows_per_s = 0;
};

// Records events round-robin over the stores (a fixed shuffled order) at
// `rate` per second until stopped; counts what it recorded.
class Pacer {
 public:
  Pacer(SimFleet& fleet, double rate) : fleet_(fleet), rate_(rate) {
    order_.resize(static_cast<size_t>(fleet.size()));
    for (size_t i = 0; i < order_.size(); ++i) order_[i] = static_cast<int>(i);
    std::mt19937 rng(10);
    std::shuffle(order_.begin(), order_.end(), rng);
    thread_ = std::thread([this] { Run(); });
  }
  ~Pacer() { Stop(); }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  uint64_t recorded() const { return recorded_.load(); }

 private:
  void Run() {
    const SteadyClock::time_point t0 = SteadyClock::now();
    uint64_t i = 0;
    while (!stop_.load()) {
      const auto due = static_cast<uint64_t>(SecondsSince(t0) * rate_);
      for (; i < due && !stop_.load(); ++i) {
        fleet_.Record(order_[i % order_.size()], WallMicros());
        ++recorded_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  SimFleet& fleet_;
  double rate_;
  std::vector<int> order_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> recorded_{0};
  std::thread thread_;
};

// Waits until `done()` or `timeout_s`, reopening streams that ended; true
// when done.
template <typename Done>
bool WaitFor(SimFleet& fleet, double timeout_s, Done done, int* reopened) {
  const SteadyClock::time_point t0 = SteadyClock::now();
  while (!done()) {
    if (SecondsSince(t0) > timeout_s) return false;
    *reopened += fleet.Maintain();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

Figures Run(const Plan& plan, const std::string& pg_url) {
  Figures out;
  const std::string tag = std::to_string(::getpid());
  const std::string schema = "fleet_bench_" + tag;
  const std::string raw_schema = "fleet_raw_" + tag;
  std::string error;
  if (!PgExec(pg_url,
              "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " +
                  schema,
              &error)) {
    Error("postgres", error);
    return out;
  }

  testing::TempDir dir;
  Progress("certificates: a CA, central and " + std::to_string(plan.stores) +
           " stores");
  // EC P-256 in-process (tests/support/test_certs.h), the profiles
  // installer/dev-ca uses: 2,000 stores take about a second, where dev-ca's
  // openssl processes would take minutes.
  const testing::TestCa ca("storeagent bench fleet CA");
  const int64_t now_s = testing::NowSeconds();
  testing::CertSpec spec;
  spec.not_before_s = now_s - 86400;
  spec.not_after_s = now_s + 365 * 86400;
  std::vector<std::string> ids;
  std::vector<testing::CertAndKey> certs;
  const SteadyClock::time_point cert_t0 = SteadyClock::now();
  for (int s = 0; s < plan.stores; ++s) {
    char id[32];
    std::snprintf(id, sizeof id, "fleet-%04d", s);
    ids.emplace_back(id);
    spec.cn = id;
    spec.san = std::string("URI:storeagent:store:") + id;
    spec.eku = "clientAuth";
    certs.push_back(ca.Issue(spec));
    if (certs.back().cert_pem.empty()) {
      Error("certificates", std::string("could not issue ") + id);
      return out;
    }
  }
  spec.cn = "storecentrald";
  spec.san = "DNS:localhost,IP:127.0.0.1";
  spec.eku = "serverAuth";
  const testing::CertAndKey server = ca.Issue(spec);
  if (server.cert_pem.empty()) {
    Error("certificates", "could not issue central's certificate");
    return out;
  }
  testing::WriteText(dir.File("ca.pem"), ca.cert_pem());
  testing::WriteText(dir.File("central.pem"), server.cert_pem);
  testing::WriteText(dir.File("central.key"), server.key_pem);
  Progress("certificates took " + Fixed(SecondsSince(cert_t0), 2) + " s");

  testing::CentralOptions copts;
  copts.store_url = WithSearchPath(pg_url, schema);
  copts.tls_dir = dir.path();
  if (plan.central_workers > 0) {
    copts.sync_toml =
        "worker_threads = " + std::to_string(plan.central_workers) + "\n";
  }
  const int metrics_port = testing::FreeLoopbackPort();
  copts.extra_toml =
      "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port) +
      "\"\n";
  if (!plan.kpi) copts.extra_toml += "[kpi]\nenabled = false\n";
  testing::CentralProcess central(dir.path(), copts);
  if (!central.Start(60000)) {
    Error("central",
          "storecentrald did not start (log: " + central.log_path() + ")");
    return out;
  }

  // ---- connect
  SimFleet fleet(central.sync_address(), ca.cert_pem(), ids, certs);
  certs.clear();
  Progress("connecting " + std::to_string(plan.stores) + " stores");
  const SteadyClock::time_point connect_t0 = SteadyClock::now();
  fleet.ConnectAll();
  int reopened = 0;
  WaitFor(
      fleet, plan.connect_timeout_s,
      [&] { return fleet.open_streams() >= plan.stores; }, &reopened);
  const double connect_s = SecondsSince(connect_t0);
  const double central_seen = MetricSample(ScrapeMetrics(metrics_port),
                                           "storecentral_stores_connected");
  Progress(std::to_string(fleet.open_streams()) + " streams open after " +
           Fixed(connect_s, 1) + " s; central counts " +
           Fixed(central_seen, 0));
  if (fleet.open_streams() < plan.stores) {
    Error("connect", std::to_string(fleet.open_streams()) + " of " +
                         std::to_string(plan.stores) +
                         " streams open; last: " + fleet.last_failure());
  }

  // ---- peak
  std::vector<int> sample;
  const int sampled = std::min(20, plan.stores);
  for (int i = 0; i < sampled; ++i) sample.push_back(i * plan.stores / sampled);
  LagPoller poller(central, fleet, sample, 0.25);
  Progress("peak: " + Fixed(plan.rate, 0) + " events/s, warm-up " +
           Fixed(plan.warmup_s, 0) + " s, window " + Fixed(plan.window_s, 0) +
           " s");
  auto pacer = std::make_unique<Pacer>(fleet, plan.rate);
  WaitFor(
      fleet, plan.warmup_s, [] { return false; }, &reopened);
  const int64_t from_us = WallMicros();
  const int64_t to_us = from_us + static_cast<int64_t>(plan.window_s * 1e6);
  fleet.CollectAckLag(from_us, to_us);
  poller.Start(from_us, to_us);
  const uint64_t offered0 = pacer->recorded();
  const uint64_t acked0 = fleet.total_acked();
  const CpuMark cpu0 = MarkCpu(central.pid());
  const PoolMark pool0 = MarkPool(metrics_port);
  int min_open = fleet.open_streams();
  const SteadyClock::time_point window_t0 = SteadyClock::now();
  while (SecondsSince(window_t0) < plan.window_s) {
    reopened += fleet.Maintain();
    min_open = std::min(min_open, fleet.open_streams());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double window_s = SecondsSince(window_t0);
  out.offered = static_cast<double>(pacer->recorded() - offered0) / window_s;
  out.achieved = static_cast<double>(fleet.total_acked() - acked0) / window_s;
  out.rss_mib = testing::ResidentMiB(central.pid());
  out.connected = std::min(min_open, fleet.open_streams());
  const std::string peak_cpu = CpuSince(cpu0, central.pid());
  const int connections = plan.central_workers > 0
                              ? plan.central_workers
                              : central::CentralConfig{}.worker_threads;
  const std::string peak_pool =
      PoolSince(pool0, metrics_port, window_s, connections);
  Progress("peak window ended; stopping the pacer");
  pacer->Stop();
  Progress("peak done: offered " + Fixed(out.offered, 0) + "/s, acked " +
           Fixed(out.achieved, 0) + "/s; waiting for the backlog");
  if (!WaitFor(
          fleet, 300, [&] { return fleet.AllAcked(); }, &reopened)) {
    Error("peak", "central did not acknowledge every peak event in 300 s (" +
                      std::to_string(fleet.total_acked()) + " of " +
                      std::to_string(fleet.total_recorded()) + ")");
  }
  const SteadyClock::time_point visible_t0 = SteadyClock::now();
  while (!poller.CaughtUp() && SecondsSince(visible_t0) < 30) Sleep(0.05);
  poller.Stop();
  std::vector<int64_t> ack_lags = fleet.TakeAckLags();
  const size_t ack_n = ack_lags.size();
  const double ack_p99_s = PercentileMs(ack_lags, 99) / 1000;
  const double ack_p50_s = PercentileMs(ack_lags, 50) / 1000;
  std::vector<int64_t>& lags = poller.lags();
  const size_t lag_n = lags.size();
  if (lag_n > 0) out.lag_p99_s = PercentileMs(lags, 99) / 1000;
  const double lag_p50_s = PercentileMs(lags, 50) / 1000;

  // ---- reconnect drain
  Progress("disconnecting every store");
  const int failed_before_drain = fleet.streams_failed();
  if (!fleet.DisconnectAll(60)) {
    Error("drain", "streams still running 60 s after cancelling them");
  }
  const SteadyClock::time_point gone_t0 = SteadyClock::now();
  while (MetricSample(ScrapeMetrics(metrics_port),
                      "storecentral_stores_connected") > 0 &&
         SecondsSince(gone_t0) < 30) {
    Sleep(0.1);
  }
  Progress("recording " + std::to_string(plan.offline) +
           " events per store offline");
  {
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
      writers.emplace_back([&, w] {
        for (int s = w; s < plan.stores; s += 2) {
          for (int e = 0; e < plan.offline; ++e) fleet.Record(s, WallMicros());
        }
      });
    }
    for (std::thread& t : writers) t.join();
  }
  const uint64_t drain_events =
      static_cast<uint64_t>(plan.stores) * static_cast<uint64_t>(plan.offline);
  Progress("reconnecting every store at once");
  const CpuMark cpu1 = MarkCpu(central.pid());
  const PoolMark pool1 = MarkPool(metrics_port);
  const SteadyClock::time_point drain_t0 = SteadyClock::now();
  fleet.ConnectAll();
  const bool drained = WaitFor(
      fleet, plan.drain_timeout_s, [&] { return fleet.AllAcked(); }, &reopened);
  out.drain_s = SecondsSince(drain_t0);
  const std::string drain_cpu = CpuSince(cpu1, central.pid());
  const std::string drain_pool =
      PoolSince(pool1, metrics_port, out.drain_s, connections);
  if (!drained) {
    Error("drain", "central acknowledged " +
                       std::to_string(fleet.total_acked()) + " of " +
                       std::to_string(fleet.total_recorded()) + " events in " +
                       Fixed(plan.drain_timeout_s, 0) + " s");
    out.drain_s = -1;
  } else {
    out.drain_events_per_s = static_cast<double>(drain_events) / out.drain_s;
  }
  // Central's own view: every store's watermark.
  {
    auto admin = central.NewAdminStub();
    int behind = 0;
    for (int s = 0; s < plan.stores; ++s) {
      v1::GetStoreSyncStateRequest req;
      req.set_store_id(fleet.id(s));
      v1::GetStoreSyncStateResponse state;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
      if (!admin->GetStoreSyncState(&ctx, req, &state).ok() ||
          state.store_seq_held() != fleet.Head(s)) {
        ++behind;
      }
    }
    if (behind > 0) {
      Error("drain", std::to_string(behind) +
                         " stores' store_seq_held differs from their head");
    }
  }
  const int failed = fleet.streams_failed();
  const double central_hwm = PeakResidentMiB(central.pid());
  fleet.DisconnectAll(60);
  central.Terminate();

  // ---- raw PostgreSQL baseline
  Progress("raw libpqxx inserts: " + std::to_string(drain_events) + " rows");
  if (!CreateCentralSchema(pg_url, raw_schema, &error)) {
    Error("raw", error);
  } else {
    v1::JournalRecord record;
    record.set_seq(1);
    record.set_recorded_at_us(WallMicros());
    record.mutable_client_key()->set_terminal_id("till-01");
    record.mutable_client_key()->set_client_txn_id("fleet-0000-1");
    *record.mutable_transaction() = test::SampleSale(5);
    const RawInsert raw = RawInsertStoreEvents(
        WithSearchPath(pg_url, raw_schema), plan.stores, plan.offline,
        std::min(plan.offline, 500), 4, core::CanonicalBytes(record));
    if (!raw.ok) Error("raw", raw.error);
    out.raw_rows_per_s = raw.rows_per_s;
  }
  for (const std::string& s : {schema, raw_schema}) {
    if (!PgExec(pg_url, "DROP SCHEMA IF EXISTS " + s + " CASCADE", &error)) {
      Error("postgres", "drop " + s + ": " + error);
    }
  }

  // ---- notes (comments; the figures follow in main)
  Comment("connect: " + std::to_string(plan.stores) + " TLS connections and " +
          "streams dialled at once, all open after " + Fixed(connect_s, 1) +
          " s (central's storecentral_stores_connected: " +
          Fixed(central_seen, 0) + ")");
  Comment("peak " + peak_cpu);
  Comment("peak " + peak_pool);
  Comment("lag: FindAvailability p50 " + Fixed(lag_p50_s, 3) + " s over " +
          std::to_string(lag_n) + " events of " + std::to_string(sampled) +
          " sampled stores, " + std::to_string(poller.polls()) +
          " answers (mean " + Fixed(poller.mean_poll_s(), 3) + " s, max " +
          Fixed(poller.max_poll_s(), 3) + " s), " +
          std::to_string(poller.errors()) +
          " polls failed (60 s deadline); ack-based p50 " +
          Fixed(ack_p50_s, 3) + " s, p99 " + Fixed(ack_p99_s, 3) +
          " s over all " + std::to_string(ack_n) + " events of the window");
  Comment("drain: " + std::to_string(drain_events) + " events (" +
          std::to_string(plan.offline) + " per store), " +
          Fixed(out.drain_events_per_s, 0) + " events/s; " + drain_cpu);
  Comment("drain " + drain_pool);
  Comment("storecentrald's RSS high-water mark over the run (VmHWM): " +
          Fixed(central_hwm, 0) +
          " MiB (central_rss_mib is at the end of the peak window)" +
          (central_hwm > 1024 ? "; over the 1 GiB target" : ""));
  Comment("streams that ended unasked: " + std::to_string(failed_before_drain) +
          " before the drain, " + std::to_string(failed - failed_before_drain) +
          " during it; reopened " + std::to_string(reopened) +
          (failed > 0 ? "; last: " + fleet.last_failure() : ""));
  return out;
}

}  // namespace
}  // namespace storeagent::bench

int main(int argc, char** argv) {
  // As the daemons do: the servers run in this process.
  storeagent::platform::TuneMalloc();
  using namespace storeagent::bench;  // NOLINT
  bool quick = false;
  Plan plan;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--central-workers") == 0 && i + 1 < argc) {
      plan.central_workers = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--no-kpi") == 0) {
      plan.kpi = false;
    } else {
      std::fprintf(
          stderr,
          "usage: bench_fleet [--quick] [--central-workers N] [--no-kpi]\n");
      return 2;
    }
  }
  if (quick) {
    plan.stores = 200;
    plan.rate = 250;
    plan.warmup_s = 5;
    plan.window_s = 15;
    plan.offline = 100;
    plan.connect_timeout_s = 60;
    plan.drain_timeout_s = 120;
  }
  const rlim_t files = RaiseFileLimit();
  std::printf(
      "# 2,000 real agents do not fit one box: %d stores are simulated by %d "
      "load-generator streams in one process (gRPC callback API), each store "
      "with its own client certificate and so its own channel and mutual-TLS "
      "connection (%d TCP connections to central, one stream each); "
      "storecentrald runs alone as its own process on PostgreSQL 15, on the "
      "same %u-core box%s\n",
      plan.stores, plan.stores, plan.stores,
      std::thread::hardware_concurrency(),
      quick ? " (--quick: a tenth of the fleet and of the load)" : "");
  if (!plan.kpi) {
    std::printf(
        "# --no-kpi: central's KPI aggregation is off (a comparison run; "
        "central's default keeps it on)\n");
  }
  std::fflush(stdout);
  if (files < static_cast<rlim_t>(plan.stores) * 2 + 512) {
    Error("rlimit", "RLIMIT_NOFILE is " + std::to_string(files) +
                        "; the run needs about " +
                        std::to_string(plan.stores * 2 + 512));
  }
  Figures f;
  const std::string pg_url = PostgresUrl();
  if (pg_url.empty()) {
    Error("postgres", "scripts/start-postgres failed");
  } else {
    f = Run(plan, pg_url);
  }
  Figure("fleet_stores_connected", f.connected, 0, "streams");
  if (f.connected < plan.stores) {
    Comment("target " + std::to_string(plan.stores) +
            " stores connected at once (issue: 2,000): missed");
  }
  Figure("fleet_offered_events_per_s", f.offered, 0, "events/s");
  Figure("fleet_achieved_events_per_s", f.achieved, 0, "events/s");
  if (f.achieved < 0.95 * plan.rate) {
    Comment("target " + Fixed(plan.rate, 0) +
            " events/s achieved (95 %): missed");
  }
  Figure("fleet_replica_lag_p99_s", f.lag_p99_s, 3, "s");
  if (f.lag_p99_s < 0 || f.lag_p99_s > 5) {
    Comment("target replica lag p99 <= 5 s at " + Fixed(plan.rate, 0) +
            " events/s: missed");
  }
  Figure("central_rss_mib", f.rss_mib, 0, "MiB");
  if (f.rss_mib < 0 || f.rss_mib > 1024) {
    Comment("target central RSS <= 1 GiB: missed");
  }
  Figure("fleet_reconnect_drain_s", f.drain_s, 2, "s");
  if (f.drain_s < 0 || f.drain_s > 120) {
    Comment("target reconnect drain <= 120 s: missed");
  }
  Figure("pg_raw_insert_rows_per_s", f.raw_rows_per_s, 0, "rows/s");
  const double ratio = Ratio(f.drain_events_per_s, f.raw_rows_per_s);
  Figure("fleet_pg_ratio_to_raw", ratio, 2, "x");
  if (ratio < 0.5) Comment("target fleet_pg_ratio_to_raw >= 0.5: missed");
  return Failed() ? 1 : 0;
}
