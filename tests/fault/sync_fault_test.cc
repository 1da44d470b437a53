// The sync stream under faults: a proxy of our own between agent and
// central drops, delays, duplicates, cuts and stalls the TLS connection at
// random (seeded), and both daemons are killed with SIGKILL, repeatedly.
// Afterwards central holds the store's journal exactly once, the agent never
// had an event acknowledged that central had not committed, every central
// event reached the store once, and the stock digests are equal.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "tests/integration/sync/sync_env.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/sanitized_counts.h"

namespace storeagent::testing {
namespace {

using std::chrono::seconds;

uint64_t Seed() {
  const char* s = std::getenv("STOREAGENT_FAULT_SEED");
  return s != nullptr ? std::strtoull(s, nullptr, 10) : 20261122;
}

// Fast reconnects and the shortest stall watchdog, so a thousand faults fit
// in a few minutes (the defaults are 1 s x 1.6 up to 120 s and 60 s).
constexpr char kFastSync[] =
    "backoff_initial_ms = 50\nbackoff_max_ms = 500\nstall_timeout_s = 5\n"
    "max_batch_events = 20\n";

bool Converged(SyncEnv& env) {
  const uint64_t head = env.AgentHead();
  const v1::GetStoreSyncStateResponse s = env.CentralState();
  return head > 0 && s.store_seq_held() == head && s.last_digest() == "match" &&
         s.last_digest_store_seq() == head;
}

// Samples the agent's acknowledged watermark, then central's: central's
// only grows, so an agent ack above it means an ack before a commit.
class AckWatch {
 public:
  explicit AckWatch(SyncEnv& env) : env_(env) {
    thread_ = std::thread([this] {
      while (!stop_) {
        const uint64_t acked = env_.AgentAckedSeq();
        const v1::GetStoreSyncStateResponse s = env_.CentralState();
        if (!s.store_id().empty() && acked > s.store_seq_held()) {
          ++violations_;
        }
        ++samples_;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
      }
    });
  }
  ~AckWatch() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t violations() const { return violations_; }
  uint64_t samples() const { return samples_; }

 private:
  SyncEnv& env_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> violations_{0};
  std::atomic<uint64_t> samples_{0};
  std::thread thread_;
};

TEST(SyncFaultTest, AThousandNetworkFaultsChangeNothing) {
  SyncEnv::Options o;
  o.agent_sync_toml = kFastSync;
  SyncEnv env(o);
  ASSERT_TRUE(env.Init()) << env.error();
  FaultProxyConfig pc;
  pc.upstream_port = static_cast<uint16_t>(env.central().sync_port());
  pc.seed = Seed();
  pc.drop_probability = 0.006;
  pc.delay_probability = 0.3;
  pc.duplicate_probability = 0.004;
  pc.cut_probability = 0.006;
  pc.stall_probability = 0.002;
  pc.delay_ms_max = 20;
  pc.stall_ms = 8000;  // beyond the agent's 5 s stall watchdog
  pc.max_faults = 1200;
  pc.chunk_bytes = 1024;
  pc.lifetime_ms = 900'000;
  FaultProxy proxy(pc);
  ASSERT_TRUE(proxy.Start().ok());
  env.SetAgentTarget("127.0.0.1:" + std::to_string(proxy.port()));
  ASSERT_TRUE(env.central().Start());
  ASSERT_TRUE(env.agent().Start());
  AckWatch watch(env);

  // Traffic both ways until the proxy has injected 1,000 faults (bounded).
  int sales = 0;
  int receipts = 0;
  for (int round = 0; round < 2000 && proxy.faults_injected().total() < 1000;
       ++round) {
    sales += env.RecordSales(40, 4, "r" + std::to_string(round));
    if (round % 4 == 0) {
      ++receipts;
      ASSERT_GT(
          env.PushReceipt("asn-" + std::to_string(round), "SKU-00000", 100),
          0u);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const FaultCounts faults = proxy.faults_injected();
  // The link mostly delays and sometimes breaks: events must still flow
  // while it does, not only once it heals.
  EXPECT_GT(env.CentralState().store_seq_held(), 0u) << "seed " << pc.seed;
  EXPECT_GE(faults.total(), 1000u) << "seed " << pc.seed;
  for (size_t k = 0; k < kFaultKindCount; ++k) {
    EXPECT_GT(faults.by_kind[k], 0u)
        << FaultKindName(static_cast<FaultKind>(k)) << ", seed " << pc.seed;
  }
  // Heal the link: nothing more is injected once max_faults is reached;
  // stop at once if the loop ended before.
  proxy.Pause();
  proxy.Resume();
  ASSERT_TRUE(WaitFor(
      [&] {
        return Converged(env) && env.CentralState().central_seq_acked() ==
                                     static_cast<uint64_t>(receipts);
      },
      seconds(180)))
      << "seed " << pc.seed << "; held " << env.CentralState().store_seq_held()
      << " of " << env.AgentHead() << "; logs " << env.agent().log_path();
  watch.Stop();
  EXPECT_EQ(watch.violations(), 0u) << "seed " << pc.seed;
  EXPECT_GT(watch.samples(), 10u);
  EXPECT_EQ(env.CentralState().quarantined(), 0);
  EXPECT_EQ(env.CentralState().central_seq_acked(),
            static_cast<uint64_t>(receipts));
  // Every receipt applied once, every acknowledged sale once (1 unit of
  // SKU-00000 per sale).
  EXPECT_EQ(env.AgentOnHand("SKU-00000"), 100 * receipts - sales);
}

TEST(SyncFaultTest, KillNineOfEitherSideRepeatedlyChangesNothing) {
  SyncEnv::Options o;
  o.agent_sync_toml = kFastSync;
  SyncEnv env(o);
  ASSERT_TRUE(env.Init()) << env.error();
  ASSERT_TRUE(env.central().Start());
  ASSERT_TRUE(env.agent().Start());
  std::mt19937_64 rng(Seed());
  int sales = 0;
  int receipts = 0;
  // 12 kills, 6 under a sanitizer (tests/support/sanitized_counts.h).
  const int kills = CountFor(12, 6);
  for (int cycle = 0; cycle < kills; ++cycle) {
    // Load in the background while one side dies.
    std::atomic<int> acked{0};
    std::thread load(
        [&] { acked = env.RecordSales(150, 4, "c" + std::to_string(cycle)); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 400));
    const bool kill_central = rng() % 2 == 0;
    if (kill_central) {
      env.central().Kill9();
      ASSERT_TRUE(env.central().Start()) << env.central().log_path();
    } else {
      env.agent().Kill9();
      ASSERT_TRUE(env.agent().Start()) << env.agent().log_path();
    }
    load.join();
    sales += acked.load();
    if (env.PushReceipt("asn-" + std::to_string(cycle), "SKU-00000", 100) > 0) {
      ++receipts;
    }
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        return Converged(env) && env.CentralState().central_seq_acked() ==
                                     static_cast<uint64_t>(receipts);
      },
      seconds(180)))
      << "held " << env.CentralState().store_seq_held() << " of "
      << env.AgentHead() << ", central acked "
      << env.CentralState().central_seq_acked() << " of " << receipts;
  EXPECT_EQ(env.CentralState().central_seq_acked(),
            static_cast<uint64_t>(receipts));
  // Sales acknowledged to the tills are in the journal; a sale whose answer
  // was lost to the kill may be in it too, so the figure is bounded.
  const int64_t on_hand = env.AgentOnHand("SKU-00000");
  EXPECT_LE(on_hand, 100 * receipts - sales);
  EXPECT_GE(on_hand, 100 * receipts - kills * 150);
}

}  // namespace
}  // namespace storeagent::testing
