// Holds placed at the same moment against the same stock: exactly as many
// are granted as there are units, never more.
#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/stock/stock_test_env.h"

namespace storeagent::stocktest {
namespace {

constexpr int kThreads = 16;
constexpr int kUnits = 10;
constexpr int kRounds = 20;
constexpr int64_t kHour = 3600LL * 1'000'000;

struct Outcome {
  bool answered = false;
  bool ok = false;
  bool granted = false;
  std::string error;
  v1::PlaceHoldResponse reply;
};

// One round on a fresh database: kThreads clients released together each
// ask for 1 unit of a SKU with kUnits available.
void RunRound(int round) {
  SCOPED_TRACE("round " + std::to_string(round));
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  const Result<v1::RecordTransactionResponse> receipt =
      env.Movement(v1::StockMovement::REASON_RECEIPT, {{"SKU-R", kUnits}});
  ASSERT_TRUE(receipt.ok()) << receipt.status().ToString();
  const int64_t expires = env.clock().NowMicros() + kHour;

  std::vector<Outcome> outcomes(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const v1::HoldPlaced hold =
          HoldOf("ORD-" + std::to_string(i), {{"SKU-R", 1}}, expires);
      const v1::ClientKey key = env.NextKey("web");
      start.arrive_and_wait();
      Result<v1::PlaceHoldResponse> r = env.PlaceHold(hold, key);
      Outcome& o = outcomes[static_cast<size_t>(i)];
      o.answered = true;
      o.ok = r.ok();
      if (r.ok()) {
        o.granted = r->granted();
        o.reply = *r;
      } else {
        o.error = r.status().ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();

  int granted = 0;
  int refused = 0;
  for (int i = 0; i < kThreads; ++i) {
    const Outcome& o = outcomes[static_cast<size_t>(i)];
    ASSERT_TRUE(o.answered) << i;
    ASSERT_TRUE(o.ok) << "client " << i << ": " << o.error;
    if (o.granted) {
      ++granted;
      EXPECT_EQ(o.reply.hold().state(), v1::HOLD_STATE_HELD) << i;
      EXPECT_EQ(o.reply.shortfall_size(), 0) << i;
    } else {
      ++refused;
      ASSERT_EQ(o.reply.shortfall_size(), 1) << i;
      EXPECT_EQ(o.reply.shortfall(0).sku(), "SKU-R");
      EXPECT_EQ(o.reply.shortfall(0).available(), 0) << i;
      EXPECT_EQ(o.reply.shortfall(0).held(), kUnits) << i;
    }
  }
  EXPECT_EQ(granted, kUnits);
  EXPECT_EQ(refused, kThreads - kUnits);

  const v1::SkuAvailability f = env.Figures("SKU-R");
  EXPECT_EQ(f.on_hand(), kUnits);
  EXPECT_EQ(f.held(), kUnits);
  EXPECT_EQ(f.available(), 0);

  // The journal agrees: one HoldPlaced per granted hold, nothing else.
  Result<std::vector<v1::JournalRecord>> journal = env.Journal();
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  int placed = 0;
  for (const v1::JournalRecord& r : *journal) {
    if (r.has_stock() && r.stock().has_hold_placed()) ++placed;
  }
  EXPECT_EQ(placed, kUnits);
  EXPECT_EQ(journal->size(), static_cast<size_t>(1 + kUnits));
}

TEST(HoldRaceTest, SimultaneousHoldsNeverOversell) {
  for (int round = 0; round < kRounds; ++round) {
    RunRound(round);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace storeagent::stocktest
