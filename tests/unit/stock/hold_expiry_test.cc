// Holds lapse at their expires_at, on the agent's (fake) clock: through
// ExpireDueHolds, across a restart of the database, and inside PlaceHold.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "agent/hold_expiry_timer.h"
#include "core/event_validation.h"
#include "core/stock_validation.h"
#include "platform/scheduler.h"
#include "tests/unit/stock/stock_test_env.h"

namespace storeagent::stocktest {
namespace {

#define ASSERT_OK(expr)                                           \
  do {                                                            \
    const auto& _r = (expr);                                      \
    ASSERT_TRUE(_r.ok()) << #expr ": " << _r.status().ToString(); \
  } while (0)

class HoldExpiryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(env_.db(), nullptr);
    t0_ = env_.clock().NowMicros();
    ASSERT_OK(env_.Movement(v1::StockMovement::REASON_RECEIPT, {{"A", 5}}));
  }

  // Places `ref` for `units` of A, expiring `seconds` after t0.
  void Place(const std::string& ref, int64_t units, int64_t seconds) {
    const Result<v1::PlaceHoldResponse> r =
        env_.PlaceHold(HoldOf(ref, {{"A", units}}, t0_ + seconds * kSecond));
    ASSERT_OK(r);
    ASSERT_TRUE(r->granted());
  }

  v1::HoldState StateOf(const std::string& ref) { return env_.StateOf(ref); }

  // The HoldExpired events of the journal, by order_ref.
  std::vector<std::string> ExpiredInJournal() {
    std::vector<std::string> out;
    Result<std::vector<v1::JournalRecord>> j = env_.Journal();
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    if (!j.ok()) return out;
    for (const v1::JournalRecord& r : *j) {
      if (r.has_stock() && r.stock().has_hold_expired()) {
        out.push_back(r.stock().hold_expired().order_ref());
      }
    }
    return out;
  }

  StockTestEnv env_;
  int64_t t0_ = 0;
};

TEST_F(HoldExpiryTest, ExpiresAtExpiresAtAndNotBefore) {
  Place("ORD-1", 3, 60);
  env_.clock().Set(t0_ + 59 * kSecond);
  Result<int> n = env_.ExpireDueHolds();
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_HELD);
  EXPECT_EQ(env_.Figures("A").held(), 3);
  EXPECT_TRUE(ExpiredInJournal().empty());

  env_.clock().Set(t0_ + 60 * kSecond);
  n = env_.ExpireDueHolds();
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_EXPIRED);
  const v1::SkuAvailability f = env_.Figures("A");
  EXPECT_EQ(f.held(), 0);
  EXPECT_EQ(f.on_hand(), 5);
  EXPECT_EQ(f.available(), 5);
  EXPECT_EQ(ExpiredInJournal(), std::vector<std::string>{"ORD-1"});

  // A hold expires once.
  env_.clock().Advance(3600 * kSecond);
  n = env_.ExpireDueHolds();
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(ExpiredInJournal().size(), 1u);
}

TEST_F(HoldExpiryTest, PickedHoldsExpireFinishedOnesDoNot) {
  Place("ORD-PICKED", 1, 60);
  Place("ORD-CANCELLED", 1, 60);
  Place("ORD-COLLECTED", 1, 60);
  Place("ORD-LATER", 1, 120);
  ASSERT_OK(env_.Pick("ORD-PICKED"));
  ASSERT_OK(env_.Cancel("ORD-CANCELLED"));
  ASSERT_OK(env_.Pick("ORD-COLLECTED"));
  ASSERT_OK(env_.Collect("ORD-COLLECTED"));
  env_.clock().Set(t0_ + 90 * kSecond);
  const Result<int> n = env_.ExpireDueHolds();
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(StateOf("ORD-PICKED"), v1::HOLD_STATE_EXPIRED);
  EXPECT_EQ(StateOf("ORD-CANCELLED"), v1::HOLD_STATE_CANCELLED);
  EXPECT_EQ(StateOf("ORD-COLLECTED"), v1::HOLD_STATE_COLLECTED);
  EXPECT_EQ(StateOf("ORD-LATER"), v1::HOLD_STATE_HELD);
  const v1::SkuAvailability f = env_.Figures("A");
  EXPECT_EQ(f.on_hand(), 4);  // one collected
  EXPECT_EQ(f.held(), 1);     // ORD-LATER
  EXPECT_EQ(ExpiredInJournal(), std::vector<std::string>{"ORD-PICKED"});
}

TEST_F(HoldExpiryTest, ExpiredHoldCannotBeCollected) {
  Place("ORD-1", 2, 60);
  ASSERT_OK(env_.Pick("ORD-1"));
  env_.clock().Set(t0_ + 61 * kSecond);
  ASSERT_OK(env_.ExpireDueHolds());
  const Result<v1::GetHoldResponse> c = env_.Collect("ORD-1");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(env_.Figures("A").on_hand(), 5);
  EXPECT_EQ(env_.Figures("A").held(), 0);
}

// What the agent's timer does at start-up after the agent was down while a
// hold lapsed.
TEST_F(HoldExpiryTest, ExpiresAcrossARestart) {
  Place("ORD-1", 4, 60);
  env_.Close();
  env_.clock().Set(t0_ + 600 * kSecond);
  ASSERT_TRUE(env_.Open());
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_HELD);
  EXPECT_EQ(env_.Figures("A").held(), 4);
  const Result<int> n = env_.ExpireDueHolds();
  ASSERT_OK(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_EXPIRED);
  EXPECT_EQ(env_.Figures("A").held(), 0);
  EXPECT_EQ(env_.Figures("A").available(), 5);
  EXPECT_EQ(ExpiredInJournal(), std::vector<std::string>{"ORD-1"});

  // And the expiry itself survives the next restart.
  env_.Close();
  ASSERT_TRUE(env_.Open());
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_EXPIRED);
  EXPECT_EQ(env_.Figures("A").held(), 0);
}

TEST_F(HoldExpiryTest, PlaceHoldExpiresDueHoldsFirst) {
  Place("ORD-1", 5, 60);
  // Not yet due: the next order does not fit.
  env_.clock().Set(t0_ + 59 * kSecond);
  Result<v1::PlaceHoldResponse> r =
      env_.PlaceHold(HoldOf("ORD-2", {{"A", 5}}, t0_ + 3600 * kSecond));
  ASSERT_OK(r);
  EXPECT_FALSE(r->granted());
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_HELD);

  // Due: its units go to the next order without waiting for the timer.
  env_.clock().Set(t0_ + 60 * kSecond);
  r = env_.PlaceHold(HoldOf("ORD-2", {{"A", 5}}, t0_ + 3600 * kSecond));
  ASSERT_OK(r);
  EXPECT_TRUE(r->granted());
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_EXPIRED);
  EXPECT_EQ(StateOf("ORD-2"), v1::HOLD_STATE_HELD);
  const v1::SkuAvailability f = env_.Figures("A");
  EXPECT_EQ(f.held(), 5);
  EXPECT_EQ(f.available(), 0);

  // In the journal the expiry comes before the placement it made room for.
  Result<std::vector<v1::JournalRecord>> j = env_.Journal();
  ASSERT_OK(j);
  ASSERT_GE(j->size(), 2u);
  const v1::JournalRecord& last = j->back();
  const v1::JournalRecord& before = (*j)[j->size() - 2];
  ASSERT_TRUE(before.has_stock() && before.stock().has_hold_expired());
  EXPECT_EQ(before.stock().hold_expired().order_ref(), "ORD-1");
  ASSERT_TRUE(last.has_stock() && last.stock().has_hold_placed());
  EXPECT_EQ(last.stock().hold_placed().order_ref(), "ORD-2");
  EXPECT_EQ(r->as_of().seq(), last.seq());

  // The timer finds nothing left to do.
  const Result<int> n = env_.ExpireDueHolds();
  ASSERT_OK(n);
  EXPECT_EQ(*n, 0);
}

// The HoldExpired record the agent writes itself carries a client key like
// every record; the POS API looks events up by it (GetEvent) and refuses a
// key that is not 1..64 characters of [A-Za-z0-9._:-].
TEST_F(HoldExpiryTest, ExpiryRecordHasAValidClientKey) {
  Place("ORD-1", 1, 60);
  env_.clock().Set(t0_ + 60 * kSecond);
  ASSERT_OK(env_.ExpireDueHolds());
  Result<std::vector<v1::JournalRecord>> j = env_.Journal();
  ASSERT_OK(j);
  ASSERT_TRUE(j->back().stock().has_hold_expired());
  const Status s = core::ValidateClientKey(j->back().client_key(), "key");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// The HoldExpired record's client key is valid for any valid order_ref
// (64 characters with '/' and '#'), so GetEvent and central accept it.
TEST_F(HoldExpiryTest, ExpiryOfAnyValidOrderRefHasAValidClientKey) {
  const std::string ref = "web/2026#" + std::string(64 - 9, '7');
  ASSERT_TRUE(core::ValidateOrderRef(ref, "order_ref").ok());
  Place(ref, 1, 60);
  env_.clock().Set(t0_ + 60 * kSecond);
  ASSERT_OK(env_.ExpireDueHolds());
  Result<std::vector<v1::JournalRecord>> j = env_.Journal();
  ASSERT_OK(j);
  ASSERT_TRUE(j->back().stock().has_hold_expired());
  const Status s = core::ValidateClientKey(j->back().client_key(), "key");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// No caller can take the client key of a future expiry: the agent's own
// events use a reserved terminal, so expiry and later holds keep working.
TEST_F(HoldExpiryTest, ClientKeyCollisionCannotBlockExpiry) {
  v1::ClientKey key;
  key.set_terminal_id("agent");
  key.set_client_txn_id("expire-ORD-1");
  ASSERT_OK(env_.Record(SaleOf({{"B", 1}}), key));
  Place("ORD-1", 5, 60);
  env_.clock().Set(t0_ + 61 * kSecond);
  const Result<int> n = env_.ExpireDueHolds();
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  const Result<v1::PlaceHoldResponse> r =
      env_.PlaceHold(HoldOf("ORD-2", {{"A", 5}}, t0_ + 3600 * kSecond));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->granted());
}

}  // namespace
}  // namespace storeagent::stocktest

namespace storeagent::stocktest {
namespace {

// The agent's reserved terminal prefix is refused from callers, naming the
// field, and nothing is recorded.
TEST(ReservedTerminal, CallersCannotUseTheAgentsPrefix) {
  v1::ClientKey key;
  key.set_terminal_id("storeagent:holds");
  key.set_client_txn_id("expire-anything");
  Status s = core::ValidateCallerClientKey(key, "client_key");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("client_key.terminal_id"), std::string::npos)
      << s.message();
  key.set_terminal_id("storeagent-till-1");  // not the prefix
  EXPECT_TRUE(core::ValidateCallerClientKey(key, "client_key").ok());
}

// The writer has completed every command submitted before this call (the
// timer's check among them: commands complete in order).
void WriterBarrier(StockTestEnv& env) {
  ASSERT_TRUE(env.db()
                  ->writer()
                  .Run([](storage::WriteContext&) { return Status::Ok(); })
                  .ok());
}

// The timer on simulated time: a check at once, then one per interval, and
// the hold's expires_at (on the agent's clock) decides what lapses.
TEST_F(HoldExpiryTest, TheTimerChecksAtStartAndEveryIntervalOnItsOwn) {
  Place("ORD-1", 3, 60);
  SimScheduler sched;
  agent::HoldExpiryTimer timer(env_.ops(), sched, 30 * kSecond);
  sched.RunDue();  // the check at start
  WriterBarrier(env_);
  EXPECT_EQ(timer.checks_done(), 1u);
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_HELD);

  env_.clock().Set(t0_ + 61 * kSecond);  // the hold has lapsed ...
  sched.Advance(30 * kSecond - 1);       // ... but no check is due yet
  WriterBarrier(env_);
  EXPECT_EQ(timer.checks_done(), 1u);
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_HELD);
  sched.Advance(1);
  WriterBarrier(env_);
  EXPECT_EQ(timer.checks_done(), 2u);
  EXPECT_EQ(StateOf("ORD-1"), v1::HOLD_STATE_EXPIRED);
  EXPECT_EQ(ExpiredInJournal(), std::vector<std::string>{"ORD-1"});

  timer.Stop();
  sched.Advance(3600 * kSecond);
  WriterBarrier(env_);
  EXPECT_EQ(timer.checks_done(), 2u) << "checked after Stop()";
  EXPECT_EQ(sched.pending(), 0u);
}

// Stop() waits for a check in flight (its callback touches the timer), and
// a tick while one is in flight does not start a second one.
TEST_F(HoldExpiryTest, TheTimerWaitsForACheckInFlightAndNeverDoublesIt) {
  SimScheduler sched;
  auto timer =
      std::make_unique<agent::HoldExpiryTimer>(env_.ops(), sched, 10 * kSecond);
  std::promise<void> started, release;
  std::shared_future<void> released = release.get_future().share();
  env_.db()->writer().Submit(
      [&started, released](storage::WriteContext&) {
        started.set_value();
        released.wait();
        return Status::Ok();
      },
      [](const Status&) {});
  started.get_future().wait();
  sched.RunDue();                // a check queued behind the stuck writer
  sched.Advance(100 * kSecond);  // ten ticks: all skipped
  std::atomic<bool> stop_returned{false};
  std::thread stopper([&] {
    timer->Stop();
    stop_returned = true;
  });
  // Stop() cannot return while the check is in the writer's queue, and the
  // writer is held until the release below.
  EXPECT_FALSE(stop_returned.load());
  release.set_value();
  stopper.join();
  EXPECT_EQ(timer->checks_done(), 1u);
  timer.reset();
}

}  // namespace
}  // namespace storeagent::stocktest
