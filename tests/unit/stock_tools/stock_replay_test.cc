// core::StockReplay over hand-made journal sequences: every kind of event's
// effect on the figures and holds, and the records the rule refuses.
#include "core/stock_replay.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace storeagent::core {
namespace {

class StockReplayTest : public ::testing::Test {
 protected:
  // A record with the next seq and key (till-1, txn-<seq>).
  v1::JournalRecord Next() {
    v1::JournalRecord r;
    r.set_seq(++seq_);
    r.mutable_client_key()->set_terminal_id("till-1");
    r.mutable_client_key()->set_client_txn_id("txn-" + std::to_string(seq_));
    return r;
  }

  static void AddLine(
      google::protobuf::RepeatedPtrField<v1::TransactionLine>* lines,
      const std::string& sku, int64_t qty, bool restock = false) {
    v1::TransactionLine* l = lines->Add();
    l->set_sku(sku);
    l->set_quantity(qty);
    l->set_restock(restock);
  }

  Status Sale(const std::vector<std::pair<std::string, int64_t>>& lines) {
    v1::JournalRecord r = Next();
    for (const auto& [sku, q] : lines) {
      AddLine(r.mutable_transaction()->mutable_sale()->mutable_lines(), sku, q);
    }
    last_key_ = r.client_key();
    return replay_.Apply(r);
  }

  Status Return(const std::string& sku, int64_t qty, bool restock) {
    v1::JournalRecord r = Next();
    AddLine(r.mutable_transaction()->mutable_return_()->mutable_lines(), sku,
            qty, restock);
    last_key_ = r.client_key();
    return replay_.Apply(r);
  }

  Status PostVoid(const v1::ClientKey& original) {
    v1::JournalRecord r = Next();
    *r.mutable_transaction()->mutable_post_void()->mutable_original() =
        original;
    r.mutable_transaction()->mutable_post_void()->set_reason("mistake");
    return replay_.Apply(r);
  }

  Status Move(v1::StockMovement::Reason reason, const std::string& sku,
              int64_t qty) {
    v1::JournalRecord r = Next();
    v1::StockMovement* m = r.mutable_stock()->mutable_movement();
    m->set_reason(reason);
    v1::StockDelta* d = m->add_lines();
    d->set_sku(sku);
    d->set_quantity(qty);
    return replay_.Apply(r);
  }

  Status Receive(const std::string& sku, int64_t qty) {
    return Move(v1::StockMovement::REASON_RECEIPT, sku, qty);
  }

  Status Count(const std::string& sku, int64_t counted,
               uint64_t central_seq = 0) {
    v1::JournalRecord r = Next();
    v1::CountLine* l = r.mutable_stock()->mutable_count()->add_lines();
    l->set_sku(sku);
    l->set_counted(counted);
    r.mutable_stock()->mutable_count()->set_central_seq(central_seq);
    return replay_.Apply(r);
  }

  Status Place(const std::string& ref,
               const std::vector<std::pair<std::string, int64_t>>& lines) {
    v1::JournalRecord r = Next();
    v1::HoldPlaced* p = r.mutable_stock()->mutable_hold_placed();
    p->set_order_ref(ref);
    p->set_channel("online");
    p->set_expires_at_us(2'000'000'000'000'000);
    for (const auto& [sku, q] : lines) {
      v1::HoldLine* l = p->add_lines();
      l->set_sku(sku);
      l->set_quantity(q);
    }
    return replay_.Apply(r);
  }

  // One of pick, collect, cancel, expire.
  Status Hold(const std::string& ref, const std::string& action) {
    v1::JournalRecord r = Next();
    v1::StockEvent* e = r.mutable_stock();
    if (action == "pick") e->mutable_hold_picked()->set_order_ref(ref);
    if (action == "collect") e->mutable_hold_collected()->set_order_ref(ref);
    if (action == "cancel") e->mutable_hold_cancelled()->set_order_ref(ref);
    if (action == "expire") e->mutable_hold_expired()->set_order_ref(ref);
    return replay_.Apply(r);
  }

  Status ShortPick(const std::string& ref, const std::string& sku,
                   int64_t found) {
    v1::JournalRecord r = Next();
    v1::HoldShortPicked* s = r.mutable_stock()->mutable_hold_short_picked();
    s->set_order_ref(ref);
    v1::HoldLine* f = s->add_found();
    f->set_sku(sku);
    f->set_quantity(found);
    return replay_.Apply(r);
  }

  v1::HoldState StateOf(const std::string& ref) const {
    const v1::Hold* h = replay_.FindHold(ref);
    return h == nullptr ? v1::HOLD_STATE_UNSPECIFIED : h->state();
  }

  StockReplay replay_;
  uint64_t seq_ = 0;
  v1::ClientKey last_key_;
};

#define ASSERT_OK(expr)                     \
  do {                                      \
    const ::storeagent::Status _s = (expr); \
    ASSERT_TRUE(_s.ok()) << _s.ToString();  \
  } while (0)

TEST_F(StockReplayTest, StartsEmpty) {
  EXPECT_TRUE(replay_.figures().empty());
  EXPECT_TRUE(replay_.holds().empty());
  EXPECT_EQ(replay_.last_seq(), 0u);
  EXPECT_EQ(replay_.Figures("A").on_hand, 0);
  EXPECT_EQ(replay_.FindHold("O-1"), nullptr);
}

TEST_F(StockReplayTest, SaleTakesStockOut) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Sale({{"A", 3}, {"B", 2}}));
  EXPECT_EQ(replay_.Figures("A").on_hand, 7);
  EXPECT_EQ(replay_.Figures("B").on_hand, -2);  // negative is kept, not refused
  EXPECT_EQ(replay_.Figures("A").updated_seq, 2u);
  EXPECT_EQ(replay_.last_seq(), 2u);
  EXPECT_EQ(replay_.records_applied(), 2u);
}

TEST_F(StockReplayTest, ReturnRestocksOnlyWhenAsked) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Return("A", 2, /*restock=*/true));
  EXPECT_EQ(replay_.Figures("A").on_hand, 12);
  ASSERT_OK(Return("A", 5, /*restock=*/false));
  EXPECT_EQ(replay_.Figures("A").on_hand, 12);
}

TEST_F(StockReplayTest, PostVoidReversesTheOriginal) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Sale({{"A", 4}}));
  const v1::ClientKey sale = last_key_;
  ASSERT_OK(Return("A", 1, /*restock=*/true));
  const v1::ClientKey ret = last_key_;
  EXPECT_EQ(replay_.Figures("A").on_hand, 7);
  ASSERT_OK(PostVoid(sale));
  EXPECT_EQ(replay_.Figures("A").on_hand, 11);
  ASSERT_OK(PostVoid(ret));
  EXPECT_EQ(replay_.Figures("A").on_hand, 10);
}

TEST_F(StockReplayTest, PostVoidOfUnknownOrVoidedTransactionIsRefused) {
  ASSERT_OK(Sale({{"A", 1}}));
  const v1::ClientKey sale = last_key_;
  v1::ClientKey unknown;
  unknown.set_terminal_id("till-9");
  unknown.set_client_txn_id("nope");
  Status s = PostVoid(unknown);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  ASSERT_OK(PostVoid(sale));
  EXPECT_EQ(replay_.Figures("A").on_hand, 0);
  s = PostVoid(sale);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("already voided"), std::string::npos);
  EXPECT_EQ(replay_.Figures("A").on_hand, 0);  // not reversed twice
}

TEST_F(StockReplayTest, MovementsAndQualityHold) {
  ASSERT_OK(Receive("A", 20));
  ASSERT_OK(Move(v1::StockMovement::REASON_SHRINK, "A", -2));
  ASSERT_OK(Move(v1::StockMovement::REASON_TRANSFER_OUT, "A", -3));
  ASSERT_OK(Move(v1::StockMovement::REASON_TRANSFER_IN, "A", 1));
  ASSERT_OK(Move(v1::StockMovement::REASON_CORRECTION, "A", -1));
  ASSERT_OK(Move(v1::StockMovement::REASON_QUALITY_HOLD, "A", 4));
  const SkuFigures f = replay_.Figures("A");
  EXPECT_EQ(f.on_hand, 15);
  EXPECT_EQ(f.unavailable, 4);
  EXPECT_EQ(f.held, 0);
}

TEST_F(StockReplayTest, CountResetsOnHandAndLaterDeltasMoveIt) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Sale({{"A", 3}}));
  ASSERT_OK(Count("A", 5, /*central_seq=*/17));
  SkuFigures f = replay_.Figures("A");
  EXPECT_EQ(f.on_hand, 5);
  ASSERT_TRUE(f.count.has_value());
  EXPECT_EQ(f.count->counted, 5);
  EXPECT_EQ(f.count->store_seq, 3u);
  EXPECT_EQ(f.count->central_seq, 17u);
  ASSERT_OK(Sale({{"A", 1}}));
  EXPECT_EQ(replay_.Figures("A").on_hand, 4);
  // The same as the rule's formula over the history.
  EXPECT_EQ(OnHandFromHistory(*f.count,
                              {{false, 1, 10}, {false, 2, -3}, {false, 4, -1}}),
            4);
}

TEST_F(StockReplayTest, CountKeepsHeldAndUnavailable) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Place("O-1", {{"A", 2}}));
  ASSERT_OK(Move(v1::StockMovement::REASON_QUALITY_HOLD, "A", 1));
  ASSERT_OK(Count("A", 8));
  const SkuFigures f = replay_.Figures("A");
  EXPECT_EQ(f.on_hand, 8);
  EXPECT_EQ(f.held, 2);
  EXPECT_EQ(f.unavailable, 1);
}

TEST_F(StockReplayTest, HoldPlacePickCollect) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Receive("B", 5));
  ASSERT_OK(Place("O-1", {{"A", 2}, {"B", 1}}));
  EXPECT_EQ(replay_.Figures("A").held, 2);
  EXPECT_EQ(replay_.Figures("B").held, 1);
  EXPECT_EQ(replay_.Figures("A").on_hand, 10);
  const v1::Hold* h = replay_.FindHold("O-1");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->state(), v1::HOLD_STATE_HELD);
  EXPECT_EQ(h->placed_seq(), 3u);
  EXPECT_EQ(h->channel(), "online");
  EXPECT_EQ(h->lines_size(), 2);

  ASSERT_OK(Hold("O-1", "pick"));
  EXPECT_EQ(StateOf("O-1"), v1::HOLD_STATE_PICKED);
  EXPECT_EQ(replay_.Figures("A").held, 2);  // picked still counts as held

  ASSERT_OK(Hold("O-1", "collect"));
  EXPECT_EQ(StateOf("O-1"), v1::HOLD_STATE_COLLECTED);
  EXPECT_EQ(replay_.FindHold("O-1")->updated_seq(), 5u);
  EXPECT_EQ(replay_.FindHold("O-1")->placed_seq(), 3u);
  EXPECT_EQ(replay_.Figures("A").held, 0);
  EXPECT_EQ(replay_.Figures("A").on_hand, 8);  // handed over
  EXPECT_EQ(replay_.Figures("B").on_hand, 4);
}

TEST_F(StockReplayTest, CancelAndExpireReleaseWithoutMovingStock) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Place("O-1", {{"A", 2}}));
  ASSERT_OK(Place("O-2", {{"A", 3}}));
  EXPECT_EQ(replay_.Figures("A").held, 5);
  ASSERT_OK(Hold("O-1", "cancel"));
  EXPECT_EQ(StateOf("O-1"), v1::HOLD_STATE_CANCELLED);
  ASSERT_OK(Hold("O-2", "pick"));
  ASSERT_OK(Hold("O-2", "expire"));
  EXPECT_EQ(StateOf("O-2"), v1::HOLD_STATE_EXPIRED);
  EXPECT_EQ(replay_.Figures("A").held, 0);
  EXPECT_EQ(replay_.Figures("A").on_hand, 10);
}

TEST_F(StockReplayTest, ShortPickReleasesAndCorrectsTheMissingUnits) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Receive("B", 10));
  ASSERT_OK(Place("O-1", {{"A", 4}, {"B", 2}}));
  ASSERT_OK(ShortPick("O-1", "A", 1));  // B not listed: 0 found
  EXPECT_EQ(StateOf("O-1"), v1::HOLD_STATE_CANCELLED);
  EXPECT_EQ(replay_.Figures("A").held, 0);
  EXPECT_EQ(replay_.Figures("A").on_hand, 7);  // 3 were never there
  EXPECT_EQ(replay_.Figures("B").held, 0);
  EXPECT_EQ(replay_.Figures("B").on_hand, 8);
}

TEST_F(StockReplayTest, IllegalTransitionsAreRefusedAndChangeNothing) {
  ASSERT_OK(Receive("A", 10));
  ASSERT_OK(Place("O-1", {{"A", 2}}));
  // Collect before pick.
  Status s = Hold("O-1", "collect");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_NE(s.message().find("O-1"), std::string::npos) << s.message();
  EXPECT_EQ(StateOf("O-1"), v1::HOLD_STATE_HELD);
  EXPECT_EQ(replay_.Figures("A").on_hand, 10);
  EXPECT_EQ(replay_.Figures("A").held, 2);

  ASSERT_OK(Hold("O-1", "cancel"));
  const uint64_t last = replay_.last_seq();
  for (const char* action : {"pick", "collect", "cancel", "expire"}) {
    s = Hold("O-1", action);
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << action;
  }
  s = ShortPick("O-1", "A", 0);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_EQ(StateOf("O-1"), v1::HOLD_STATE_CANCELLED);
  EXPECT_EQ(replay_.Figures("A").held, 0);
  EXPECT_EQ(replay_.Figures("A").on_hand, 10);
  EXPECT_EQ(replay_.last_seq(), last);

  // Picking twice.
  ASSERT_OK(Place("O-2", {{"A", 1}}));
  ASSERT_OK(Hold("O-2", "pick"));
  EXPECT_EQ(Hold("O-2", "pick").code(), StatusCode::kFailedPrecondition);
}

TEST_F(StockReplayTest, UnknownHoldAndSecondPlacementAreRefused) {
  EXPECT_EQ(Hold("O-404", "pick").code(), StatusCode::kNotFound);
  ASSERT_OK(Place("O-1", {{"A", 1}}));
  const Status s = Place("O-1", {{"A", 5}});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_EQ(replay_.Figures("A").held, 1);
}

TEST_F(StockReplayTest, SeqMustIncrease) {
  ASSERT_OK(Receive("A", 1));
  v1::JournalRecord r;
  r.set_seq(1);
  r.mutable_transaction()->mutable_no_sale()->set_reason("again");
  EXPECT_EQ(replay_.Apply(r).code(), StatusCode::kFailedPrecondition);
  r.set_seq(5);  // gaps are fine; a no-sale only moves last_seq
  ASSERT_OK(replay_.Apply(r));
  EXPECT_EQ(replay_.last_seq(), 5u);
  EXPECT_EQ(replay_.Figures("A").on_hand, 1);
}

v1::CentralEvent CentralMove(
    uint64_t central_seq, const std::string& sku, int64_t qty,
    v1::StockMovement::Reason reason = v1::StockMovement::REASON_RECEIPT) {
  v1::CentralEvent e;
  e.set_central_seq(central_seq);
  e.mutable_movement()->set_reason(reason);
  v1::StockDelta* d = e.mutable_movement()->add_lines();
  d->set_sku(sku);
  d->set_quantity(qty);
  return e;
}

TEST_F(StockReplayTest, CentralDeltasAddUnlessACountCoversThem) {
  ASSERT_TRUE(replay_.ApplyCentral(CentralMove(1, "A", 10)).ok());
  ASSERT_TRUE(Sale({{"A", 2}}).ok());
  EXPECT_EQ(replay_.Figures("A").on_hand, 8);
  // A count after central seq 2: deltas up to 2 are in the counted figure.
  ASSERT_TRUE(Count("A", 20, /*central_seq=*/2).ok());
  ASSERT_TRUE(replay_.ApplyCentral(CentralMove(2, "A", 5)).ok());
  EXPECT_EQ(replay_.Figures("A").on_hand, 20);
  ASSERT_TRUE(replay_.ApplyCentral(CentralMove(3, "A", 5)).ok());
  EXPECT_EQ(replay_.Figures("A").on_hand, 25);
  ASSERT_TRUE(replay_
                  .ApplyCentral(CentralMove(
                      4, "A", 3, v1::StockMovement::REASON_QUALITY_HOLD))
                  .ok());
  EXPECT_EQ(replay_.Figures("A").unavailable, 3);
  EXPECT_EQ(replay_.last_central_seq(), 4u);
}

TEST_F(StockReplayTest, ALaterCountKeepsCentralDeltasItDoesNotCover) {
  // Central applied delta c=1 before it saw the store's count taken at
  // central watermark 0: the count must not swallow it.
  ASSERT_TRUE(replay_.ApplyCentral(CentralMove(1, "A", 10)).ok());
  ASSERT_TRUE(Count("A", 4, /*central_seq=*/0).ok());
  EXPECT_EQ(replay_.Figures("A").on_hand, 14);
  ASSERT_TRUE(Count("A", 4, /*central_seq=*/1).ok());
  EXPECT_EQ(replay_.Figures("A").on_hand, 4);
}

TEST_F(StockReplayTest, CentralSeqMustIncrease) {
  ASSERT_TRUE(replay_.ApplyCentral(CentralMove(2, "A", 1)).ok());
  EXPECT_EQ(replay_.ApplyCentral(CentralMove(2, "A", 1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(replay_.Figures("A").on_hand, 1);
}

TEST_F(StockReplayTest, EscrowFollowsEscrowChanged) {
  v1::JournalRecord r = Next();
  v1::EscrowChanged* e = r.mutable_stock()->mutable_escrow_changed();
  v1::EscrowLine* l = e->add_lines();
  l->set_sku("A");
  l->set_quantity(3);
  ASSERT_TRUE(replay_.Apply(r).ok());
  EXPECT_EQ(replay_.escrow().at("A"), 3);
  EXPECT_EQ(replay_.Figures("A").on_hand, 0);
  v1::JournalRecord revoke = Next();
  v1::EscrowLine* z =
      revoke.mutable_stock()->mutable_escrow_changed()->add_lines();
  z->set_sku("A");
  z->set_quantity(0);
  ASSERT_TRUE(replay_.Apply(revoke).ok());
  EXPECT_TRUE(replay_.escrow().empty());
}

TEST_F(StockReplayTest, EscrowSeqIsTheLastAnnouncementPerSku) {
  EXPECT_TRUE(replay_.escrow_seq().empty());
  v1::JournalRecord both = Next();
  for (const char* sku : {"A", "B"}) {
    v1::EscrowLine* l =
        both.mutable_stock()->mutable_escrow_changed()->add_lines();
    l->set_sku(sku);
    l->set_quantity(2);
  }
  ASSERT_TRUE(replay_.Apply(both).ok());
  v1::JournalRecord revoke_a = Next();
  v1::EscrowLine* z =
      revoke_a.mutable_stock()->mutable_escrow_changed()->add_lines();
  z->set_sku("A");
  z->set_quantity(0);
  ASSERT_TRUE(replay_.Apply(revoke_a).ok());
  // A revocation (quantity 0) is an announcement too.
  EXPECT_EQ(replay_.escrow_seq().at("A"), revoke_a.seq());
  EXPECT_EQ(replay_.escrow_seq().at("B"), both.seq());
  EXPECT_EQ(replay_.escrow_seq().size(), 2u);
}

}  // namespace
}  // namespace storeagent::core
