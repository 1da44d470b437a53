// core/stock_rule: the effects of each kind of event on hand-made records,
// the on-hand formula over counts and late deltas, and Available().
#include "core/stock_rule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "tests/unit/stock/stock_test_env.h"

namespace storeagent::stocktest {
namespace {

using Figures = std::tuple<int64_t, int64_t, int64_t>;  // on_hand, held, unav.

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Sums the effects per SKU, so a test does not depend on how the rule
// splits them into entries.
std::map<std::string, Figures> BySku(const core::StockEffects& fx) {
  std::map<std::string, Figures> out;
  for (const core::SkuEffect& d : fx.deltas) {
    Figures& f = out[d.sku];
    std::get<0>(f) += d.on_hand;
    std::get<1>(f) += d.held;
    std::get<2>(f) += d.unavailable;
  }
  return out;
}

v1::JournalRecord TxnRecord(uint64_t seq, const v1::Transaction& txn) {
  v1::JournalRecord r;
  r.set_seq(seq);
  r.mutable_client_key()->set_terminal_id("till-01");
  r.mutable_client_key()->set_client_txn_id("txn-" + std::to_string(seq));
  *r.mutable_transaction() = txn;
  return r;
}

v1::JournalRecord StockRecord(uint64_t seq, const v1::StockEvent& e) {
  v1::JournalRecord r;
  r.set_seq(seq);
  r.mutable_client_key()->set_terminal_id("agent");
  r.mutable_client_key()->set_client_txn_id("s-" + std::to_string(seq));
  *r.mutable_stock() = e;
  return r;
}

core::StockEffects EffectsOk(const v1::JournalRecord& r,
                             const core::StockContext& ctx = {}) {
  Result<core::StockEffects> fx = core::StockEffectsOf(r, ctx);
  EXPECT_TRUE(fx.ok()) << fx.status().ToString();
  return fx.ok() ? *fx : core::StockEffects();
}

TEST(StockRuleTest, SaleLinesTakeTheirQuantityOut) {
  const core::StockEffects fx =
      EffectsOk(TxnRecord(7, SaleOf({{"A", 3}, {"B", 1}, {"C", 1000000}})));
  EXPECT_TRUE(fx.counts.empty());
  EXPECT_FALSE(fx.hold_state.has_value());
  const std::map<std::string, Figures> want = {
      {"A", {-3, 0, 0}}, {"B", {-1, 0, 0}}, {"C", {-1000000, 0, 0}}};
  EXPECT_EQ(BySku(fx), want);
}

TEST(StockRuleTest, ReturnPutsBackOnlyRestockedLines) {
  const core::StockEffects fx = EffectsOk(TxnRecord(
      8, ReturnOf({{"A", 2, /*restock=*/true}, {"B", 5, /*restock=*/false}})));
  std::map<std::string, Figures> got = BySku(fx);
  EXPECT_EQ(got["A"], Figures(2, 0, 0));
  EXPECT_EQ(got["B"], Figures(0, 0, 0));  // absent or zero: no change
}

TEST(StockRuleTest, PostVoidReversesTheVoidedSale) {
  const v1::JournalRecord sale = TxnRecord(3, SaleOf({{"A", 3}, {"B", 1}}));
  core::StockContext ctx;
  ctx.voided = &sale;
  const core::StockEffects fx =
      EffectsOk(TxnRecord(9, PostVoidOf(sale.client_key())), ctx);
  const std::map<std::string, Figures> want = {{"A", {3, 0, 0}},
                                               {"B", {1, 0, 0}}};
  EXPECT_EQ(BySku(fx), want);
}

TEST(StockRuleTest, PostVoidReversesTheVoidedReturn) {
  const v1::JournalRecord ret =
      TxnRecord(4, ReturnOf({{"A", 2, true}, {"B", 5, false}}));
  core::StockContext ctx;
  ctx.voided = &ret;
  std::map<std::string, Figures> got =
      BySku(EffectsOk(TxnRecord(10, PostVoidOf(ret.client_key())), ctx));
  EXPECT_EQ(got["A"], Figures(-2, 0, 0));
  EXPECT_EQ(got["B"], Figures(0, 0, 0));
}

TEST(StockRuleTest, PostVoidWithoutTheVoidedTransactionIsRefused) {
  v1::ClientKey k;
  k.set_terminal_id("till-01");
  k.set_client_txn_id("txn-1");
  Result<core::StockEffects> fx =
      core::StockEffectsOf(TxnRecord(5, PostVoidOf(k)), {});
  ASSERT_FALSE(fx.ok());
  EXPECT_EQ(fx.status().code(), StatusCode::kFailedPrecondition);
}

TEST(StockRuleTest, EventsWithoutStockEffectHaveNone) {
  v1::Transaction no_sale;
  no_sale.mutable_no_sale()->set_reason("change");
  const core::StockEffects fx = EffectsOk(TxnRecord(2, no_sale));
  EXPECT_TRUE(fx.deltas.empty());
  EXPECT_TRUE(fx.counts.empty());
  EXPECT_FALSE(fx.hold_state.has_value());
}

TEST(StockRuleTest, MovementsChangeOnHandByReason) {
  struct Case {
    v1::StockMovement::Reason reason;
    int64_t quantity;
  };
  for (const Case& c : std::vector<Case>{
           {v1::StockMovement::REASON_RECEIPT, 12},
           {v1::StockMovement::REASON_TRANSFER_OUT, -4},
           {v1::StockMovement::REASON_TRANSFER_IN, 6},
           {v1::StockMovement::REASON_SHRINK, -1},
           {v1::StockMovement::REASON_CORRECTION, -3},
           {v1::StockMovement::REASON_CORRECTION, 2},
       }) {
    SCOPED_TRACE(v1::StockMovement::Reason_Name(c.reason));
    v1::StockEvent e;
    *e.mutable_movement() = MovementOf(c.reason, {{"A", c.quantity}});
    const std::map<std::string, Figures> want = {{"A", {c.quantity, 0, 0}}};
    EXPECT_EQ(BySku(EffectsOk(StockRecord(11, e))), want);
  }
}

TEST(StockRuleTest, QualityHoldChangesUnavailableNotOnHand) {
  v1::StockEvent e;
  *e.mutable_movement() =
      MovementOf(v1::StockMovement::REASON_QUALITY_HOLD, {{"A", 4}, {"B", -2}});
  const std::map<std::string, Figures> want = {{"A", {0, 0, 4}},
                                               {"B", {0, 0, -2}}};
  EXPECT_EQ(BySku(EffectsOk(StockRecord(12, e))), want);
}

TEST(StockRuleTest, CountResetsAtItsOwnSeqAndTheCentralWatermark) {
  v1::StockEvent e;
  *e.mutable_count() = CountOf({{"A", 17}, {"B", 0}});
  e.mutable_count()->set_central_seq(40);
  const core::StockEffects fx = EffectsOk(StockRecord(33, e));
  EXPECT_TRUE(fx.deltas.empty());
  ASSERT_EQ(fx.counts.size(), 2u);
  EXPECT_EQ(fx.counts[0].sku, "A");
  EXPECT_EQ(fx.counts[0].counted, 17);
  EXPECT_EQ(fx.counts[0].store_seq, 33u);
  EXPECT_EQ(fx.counts[0].central_seq, 40u);
  EXPECT_EQ(fx.counts[1].sku, "B");
  EXPECT_EQ(fx.counts[1].counted, 0);
  EXPECT_EQ(fx.counts[1].store_seq, 33u);
}

// ---- Holds
// -------------------------------------------------------------------

v1::Hold HoldIn(v1::HoldState state) {
  v1::Hold h;
  h.set_order_ref("ORD-1");
  h.set_channel("online");
  h.set_state(state);
  v1::HoldLine* a = h.add_lines();
  a->set_sku("A");
  a->set_quantity(5);
  v1::HoldLine* b = h.add_lines();
  b->set_sku("B");
  b->set_quantity(3);
  h.set_expires_at_us(1'700'000'060'000'000);
  h.set_placed_seq(20);
  return h;
}

v1::StockEvent Picked() {
  v1::StockEvent e;
  e.mutable_hold_picked()->set_order_ref("ORD-1");
  return e;
}
v1::StockEvent Collected() {
  v1::StockEvent e;
  e.mutable_hold_collected()->set_order_ref("ORD-1");
  return e;
}
v1::StockEvent Cancelled() {
  v1::StockEvent e;
  e.mutable_hold_cancelled()->set_order_ref("ORD-1");
  return e;
}
v1::StockEvent Expired() {
  v1::StockEvent e;
  e.mutable_hold_expired()->set_order_ref("ORD-1");
  return e;
}
v1::StockEvent ShortPicked(const std::vector<Line>& found) {
  v1::StockEvent e;
  e.mutable_hold_short_picked()->set_order_ref("ORD-1");
  for (const Line& l : found) {
    v1::HoldLine* f = e.mutable_hold_short_picked()->add_found();
    f->set_sku(l.sku);
    f->set_quantity(l.quantity);
  }
  return e;
}

Result<core::StockEffects> OnHold(const v1::StockEvent& e, v1::HoldState s) {
  const v1::Hold h = HoldIn(s);
  core::StockContext ctx;
  ctx.hold = &h;
  return core::StockEffectsOf(StockRecord(30, e), ctx);
}

TEST(StockRuleTest, PlacedHoldAddsHeld) {
  v1::StockEvent e;
  *e.mutable_hold_placed() =
      HoldOf("ORD-1", {{"A", 5}, {"B", 3}}, 1'700'000'060'000'000);
  const core::StockEffects fx = EffectsOk(StockRecord(20, e));
  EXPECT_EQ(fx.order_ref, "ORD-1");
  EXPECT_EQ(fx.hold_state, v1::HOLD_STATE_HELD);
  const std::map<std::string, Figures> want = {{"A", {0, 5, 0}},
                                               {"B", {0, 3, 0}}};
  EXPECT_EQ(BySku(fx), want);
}

TEST(StockRuleTest, PickChangesNoFigure) {
  Result<core::StockEffects> fx = OnHold(Picked(), v1::HOLD_STATE_HELD);
  ASSERT_TRUE(fx.ok()) << fx.status().ToString();
  EXPECT_EQ(fx->hold_state, v1::HOLD_STATE_PICKED);
  EXPECT_EQ(fx->order_ref, "ORD-1");
  for (const auto& [sku, f] : BySku(*fx)) {
    EXPECT_EQ(f, Figures(0, 0, 0)) << sku;
  }
}

TEST(StockRuleTest, CollectReleasesHeldAndHandsTheGoodsOver) {
  Result<core::StockEffects> fx = OnHold(Collected(), v1::HOLD_STATE_PICKED);
  ASSERT_TRUE(fx.ok()) << fx.status().ToString();
  EXPECT_EQ(fx->hold_state, v1::HOLD_STATE_COLLECTED);
  const std::map<std::string, Figures> want = {{"A", {-5, -5, 0}},
                                               {"B", {-3, -3, 0}}};
  EXPECT_EQ(BySku(*fx), want);
}

TEST(StockRuleTest, CancelAndExpireReleaseHeldOnly) {
  const std::map<std::string, Figures> want = {{"A", {0, -5, 0}},
                                               {"B", {0, -3, 0}}};
  for (v1::HoldState from : {v1::HOLD_STATE_HELD, v1::HOLD_STATE_PICKED}) {
    SCOPED_TRACE(core::HoldStateName(from));
    Result<core::StockEffects> c = OnHold(Cancelled(), from);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->hold_state, v1::HOLD_STATE_CANCELLED);
    EXPECT_EQ(BySku(*c), want);
    Result<core::StockEffects> x = OnHold(Expired(), from);
    ASSERT_TRUE(x.ok()) << x.status().ToString();
    EXPECT_EQ(x->hold_state, v1::HOLD_STATE_EXPIRED);
    EXPECT_EQ(BySku(*x), want);
  }
}

TEST(StockRuleTest, ShortPickReleasesHeldAndCorrectsTheMissingUnits) {
  // A: 2 of 5 found, B: not listed, so 0 of 3 found.
  for (v1::HoldState from : {v1::HOLD_STATE_HELD, v1::HOLD_STATE_PICKED}) {
    SCOPED_TRACE(core::HoldStateName(from));
    Result<core::StockEffects> fx = OnHold(ShortPicked({{"A", 2}}), from);
    ASSERT_TRUE(fx.ok()) << fx.status().ToString();
    EXPECT_EQ(fx->hold_state, v1::HOLD_STATE_CANCELLED);
    const std::map<std::string, Figures> want = {{"A", {-3, -5, 0}},
                                                 {"B", {-3, -3, 0}}};
    EXPECT_EQ(BySku(*fx), want);
  }
}

TEST(StockRuleTest, ShortPickFindingEverythingCorrectsNothing) {
  // More found than held counts as all found; an unheld SKU is ignored.
  Result<core::StockEffects> fx =
      OnHold(ShortPicked({{"A", 5}, {"B", 9}, {"Z", 4}}), v1::HOLD_STATE_HELD);
  ASSERT_TRUE(fx.ok()) << fx.status().ToString();
  std::map<std::string, Figures> got = BySku(*fx);
  EXPECT_EQ(got["A"], Figures(0, -5, 0));
  EXPECT_EQ(got["B"], Figures(0, -3, 0));
  EXPECT_EQ(got["Z"], Figures(0, 0, 0));
}

TEST(StockRuleTest, IllegalTransitionsAreRefused) {
  struct Case {
    const char* what;
    v1::StockEvent event;
    v1::HoldState from;
  };
  const std::vector<Case> cases = {
      {"collect a HELD hold", Collected(), v1::HOLD_STATE_HELD},
      {"pick a COLLECTED hold", Picked(), v1::HOLD_STATE_COLLECTED},
      {"cancel an EXPIRED hold", Cancelled(), v1::HOLD_STATE_EXPIRED},
      {"pick a PICKED hold", Picked(), v1::HOLD_STATE_PICKED},
      {"pick a CANCELLED hold", Picked(), v1::HOLD_STATE_CANCELLED},
      {"collect a COLLECTED hold", Collected(), v1::HOLD_STATE_COLLECTED},
      {"collect an EXPIRED hold", Collected(), v1::HOLD_STATE_EXPIRED},
      {"cancel a COLLECTED hold", Cancelled(), v1::HOLD_STATE_COLLECTED},
      {"cancel a CANCELLED hold", Cancelled(), v1::HOLD_STATE_CANCELLED},
      {"expire a COLLECTED hold", Expired(), v1::HOLD_STATE_COLLECTED},
      {"expire an EXPIRED hold", Expired(), v1::HOLD_STATE_EXPIRED},
      {"short-pick a CANCELLED hold", ShortPicked({}),
       v1::HOLD_STATE_CANCELLED},
      {"short-pick a COLLECTED hold", ShortPicked({}),
       v1::HOLD_STATE_COLLECTED},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Result<core::StockEffects> fx = OnHold(c.event, c.from);
    ASSERT_FALSE(fx.ok());
    EXPECT_EQ(fx.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(fx.status().message().find("ORD-1"), std::string::npos)
        << fx.status().message();
  }
}

TEST(StockRuleTest, HoldEventWithoutItsHoldIsRefused) {
  Result<core::StockEffects> fx =
      core::StockEffectsOf(StockRecord(30, Cancelled()), {});
  ASSERT_FALSE(fx.ok());
  EXPECT_EQ(fx.status().code(), StatusCode::kFailedPrecondition);
}

TEST(StockRuleTest, OpenStates) {
  EXPECT_TRUE(core::HoldIsOpen(v1::HOLD_STATE_HELD));
  EXPECT_TRUE(core::HoldIsOpen(v1::HOLD_STATE_PICKED));
  EXPECT_FALSE(core::HoldIsOpen(v1::HOLD_STATE_COLLECTED));
  EXPECT_FALSE(core::HoldIsOpen(v1::HOLD_STATE_CANCELLED));
  EXPECT_FALSE(core::HoldIsOpen(v1::HOLD_STATE_EXPIRED));
  EXPECT_FALSE(core::HoldIsOpen(v1::HOLD_STATE_UNSPECIFIED));
}

// ---- OnHandFromHistory
// --------------------------------------------------------

core::StockHistoryDelta Store(uint64_t seq, int64_t q) {
  return core::StockHistoryDelta{false, seq, q};
}
core::StockHistoryDelta Central(uint64_t seq, int64_t q) {
  return core::StockHistoryDelta{true, seq, q};
}

TEST(OnHandFromHistoryTest, WithoutACountEveryDeltaCounts) {
  EXPECT_EQ(core::OnHandFromHistory(std::nullopt, {}), 0);
  EXPECT_EQ(core::OnHandFromHistory(std::nullopt,
                                    {Store(1, 5), Central(1, 7), Store(9, -2)}),
            10);
}

TEST(OnHandFromHistoryTest, CountAtZeroWatermarkCountsEveryDelta) {
  const core::CountReset count{"A", 4, 0, 0};
  EXPECT_EQ(core::OnHandFromHistory(count, {Store(1, 5), Central(1, 7)}), 16);
}

// The count says 10 units after store seq 100 and central seq 50. Deltas
// arrive late on both sides of both watermarks.
TEST(OnHandFromHistoryTest, LateDeltasLandOnTheirSideOfTheWatermark) {
  const core::CountReset count{"A", 10, 100, 50};
  // Ignored: already in the count.
  EXPECT_EQ(core::OnHandFromHistory(count, {Store(99, -3)}), 10);
  EXPECT_EQ(core::OnHandFromHistory(count, {Store(100, -1)}), 10);
  EXPECT_EQ(core::OnHandFromHistory(count, {Central(49, 7)}), 10);
  EXPECT_EQ(core::OnHandFromHistory(count, {Central(50, 4)}), 10);
  // Added: after the count.
  EXPECT_EQ(core::OnHandFromHistory(count, {Store(101, -2)}), 8);
  EXPECT_EQ(core::OnHandFromHistory(count, {Central(51, 6)}), 16);
  // The two sides have separate numbering: store seq 60 is before S but
  // central seq 60 is after C; central seq 120 is after both.
  EXPECT_EQ(core::OnHandFromHistory(count, {Store(60, 5)}), 10);
  EXPECT_EQ(core::OnHandFromHistory(count, {Central(60, 5)}), 15);
  EXPECT_EQ(core::OnHandFromHistory(count, {Store(120, 5)}), 15);
}

TEST(OnHandFromHistoryTest, ArrivalOrderDoesNotMatter) {
  const core::CountReset count{"A", 10, 100, 50};
  std::vector<core::StockHistoryDelta> deltas = {
      Store(90, -3),  Store(100, -1), Store(101, -2), Store(150, 5),
      Central(40, 7), Central(50, 4), Central(51, 6), Central(80, -1)};
  const int64_t want = 10 - 2 + 5 + 6 - 1;
  // Every arrival order of the eight deltas (8! = 40320).
  std::sort(
      deltas.begin(), deltas.end(),
      [](const core::StockHistoryDelta& a, const core::StockHistoryDelta& b) {
        return std::tie(a.central, a.seq) < std::tie(b.central, b.seq);
      });
  int orders = 0;
  do {
    ASSERT_EQ(core::OnHandFromHistory(count, deltas), want)
        << "after " << orders << " orders";
    ++orders;
  } while (std::next_permutation(
      deltas.begin(), deltas.end(),
      [](const core::StockHistoryDelta& a, const core::StockHistoryDelta& b) {
        return std::tie(a.central, a.seq) < std::tie(b.central, b.seq);
      }));
  EXPECT_EQ(orders, 40320);
}

TEST(OnHandFromHistoryTest, ShuffledLongHistoryMatchesAnIndependentSum) {
  std::mt19937_64 rng(20260314);
  const core::CountReset count{"A", 500, 1000, 700};
  std::vector<core::StockHistoryDelta> deltas;
  int64_t want = count.counted;
  for (uint64_t seq = 1; seq <= 2000; ++seq) {
    const int64_t q = static_cast<int64_t>(rng() % 21) - 10;
    const bool central = (rng() & 1) != 0;
    deltas.push_back(core::StockHistoryDelta{central, seq, q});
    if (seq > (central ? count.central_seq : count.store_seq)) want += q;
  }
  for (int round = 0; round < 20; ++round) {
    std::shuffle(deltas.begin(), deltas.end(), rng);
    ASSERT_EQ(core::OnHandFromHistory(count, deltas), want) << round;
  }
}

// ---- Available
// -----------------------------------------------------------------

TEST(AvailableTest, SubtractsHeldUnavailableAndSafetyStock) {
  EXPECT_EQ(core::Available(10, 2, 1, 3), 4);
  EXPECT_EQ(core::Available(10, 0, 0, 0), 10);
  EXPECT_EQ(core::Available(6, 2, 1, 3), 0);
}

TEST(AvailableTest, ClampsAtZero) {
  EXPECT_EQ(core::Available(5, 2, 1, 3), 0);
  EXPECT_EQ(core::Available(0, 1, 0, 0), 0);
  EXPECT_EQ(core::Available(-7, 0, 0, 0), 0);
  EXPECT_EQ(core::Available(-1'000'000'000, 1'000'000, 5, 1'000'000'000), 0);
}

TEST(AvailableTest, ExtremeValuesNeverWrap) {
  EXPECT_EQ(core::Available(kMax, 0, 0, 0), kMax);
  EXPECT_EQ(core::Available(kMin, 0, 0, 0), 0);
  EXPECT_EQ(core::Available(kMin, kMax, kMax, kMax), 0);
  EXPECT_EQ(core::Available(kMax, kMax, kMax, kMax), 0);
  EXPECT_EQ(core::Available(kMax, kMax, 0, 0), 0);
  EXPECT_EQ(core::Available(kMax, 1, 1, 1), kMax - 3);
  EXPECT_EQ(core::Available(kMin, kMin, 0, 0), 0);
  EXPECT_EQ(core::Available(kMax, -1, 0, 0), kMax);  // true value > max
  EXPECT_EQ(core::Available(0, kMin, 0, 0), kMax);   // true value > max
}

// The exact answer, clamped to [0, max], computed in 128 bits.
__extension__ typedef __int128 Wide;
int64_t WideAvailable(int64_t on_hand, int64_t held, int64_t unavailable,
                      int64_t safety) {
  const Wide a = static_cast<Wide>(on_hand) - held - unavailable -
                 static_cast<Wide>(safety);
  if (a <= 0) return 0;
  return a > kMax ? kMax : static_cast<int64_t>(a);
}

constexpr std::array<int64_t, 9> kEdges = {
    kMin, kMin + 1, -1'000'000'000, -1, 0, 1, 1'000'000'000, kMax - 1, kMax};

// Held, unavailable and safety stock that are not negative (what the ledger
// keeps for any SKU that is not corrupt), with on_hand of either sign: the
// exact answer at every edge, never a wrapped-around figure.
TEST(AvailableTest, MatchesWideArithmeticWithNonNegativeSubtrahends) {
  for (int64_t on_hand : kEdges) {
    for (int64_t held : kEdges) {
      if (held < 0) continue;
      for (int64_t unavailable : kEdges) {
        if (unavailable < 0) continue;
        for (int64_t safety : kEdges) {
          if (safety < 0) continue;
          ASSERT_EQ(core::Available(on_hand, held, unavailable, safety),
                    WideAvailable(on_hand, held, unavailable, safety))
              << on_hand << " " << held << " " << unavailable << " " << safety;
        }
      }
    }
  }
}

TEST(AvailableTest, NeverNegativeAtAnyEdge) {
  for (int64_t on_hand : kEdges) {
    for (int64_t held : kEdges) {
      for (int64_t unavailable : kEdges) {
        for (int64_t safety : kEdges) {
          ASSERT_GE(core::Available(on_hand, held, unavailable, safety), 0)
              << on_hand << " " << held << " " << unavailable << " " << safety;
        }
      }
    }
  }
}

// Available agrees with wide arithmetic even at the extremes.
TEST(AvailableTest, MatchesWideArithmeticOverEveryExtreme) {
  for (int64_t on_hand : kEdges) {
    for (int64_t held : kEdges) {
      for (int64_t unavailable : kEdges) {
        for (int64_t safety : kEdges) {
          EXPECT_EQ(core::Available(on_hand, held, unavailable, safety),
                    WideAvailable(on_hand, held, unavailable, safety))
              << on_hand << " " << held << " " << unavailable << " " << safety;
        }
      }
    }
  }
}

}  // namespace
}  // namespace storeagent::stocktest
