// Escrow accounting: what central may still promise from a store's escrow.
#include "central/server/escrow_book.h"

#include <gtest/gtest.h>

namespace storeagent::central {
namespace {

v1::HoldPlaced Hold(const std::string& order, const std::string& sku,
                    int64_t q) {
  v1::HoldPlaced h;
  h.set_order_ref(order);
  v1::HoldLine* l = h.add_lines();
  l->set_sku(sku);
  l->set_quantity(q);
  return h;
}

v1::CentralEvent EscrowEvent(uint64_t seq, const v1::HoldPlaced& h) {
  v1::CentralEvent e;
  e.set_central_seq(seq);
  *e.mutable_escrow_hold()->mutable_hold() = h;
  return e;
}

TEST(EscrowBookTest, FitsUpToTheEscrowAndNotOneMore) {
  const std::map<std::string, int64_t> escrow = {{"A", 5}};
  EXPECT_TRUE(CheckEscrow(escrow, {}, Hold("o1", "A", 5)).fits);
  EscrowCheck over = CheckEscrow(escrow, {}, Hold("o1", "A", 6));
  EXPECT_FALSE(over.fits);
  ASSERT_EQ(over.shortfall.size(), 1u);
  EXPECT_EQ(over.shortfall[0].available(), 5);
  EXPECT_NE(over.reason.find("sku A"), std::string::npos) << over.reason;
  EXPECT_FALSE(CheckEscrow(escrow, {}, Hold("o1", "B", 1)).fits);
}

TEST(EscrowBookTest, UnseenHoldsAreSubtracted) {
  const std::map<std::string, int64_t> escrow = {{"A", 5}};
  std::map<std::string, v1::HoldPlaced> unseen = {{"o1", Hold("o1", "A", 4)}};
  EXPECT_TRUE(CheckEscrow(escrow, unseen, Hold("o2", "A", 1)).fits);
  EscrowCheck c = CheckEscrow(escrow, unseen, Hold("o2", "A", 2));
  EXPECT_FALSE(c.fits);
  ASSERT_EQ(c.shortfall.size(), 1u);
  EXPECT_EQ(c.shortfall[0].available(), 1);
}

TEST(EscrowBookTest, HoldsTheStoreJournaledOrCancelledAreNotUnseen) {
  core::StockReplay replay;
  v1::JournalRecord placed;
  placed.set_seq(1);
  *placed.mutable_stock()->mutable_hold_placed() = Hold("o1", "A", 1);
  placed.mutable_stock()->mutable_hold_placed()->set_from_escrow(true);
  ASSERT_TRUE(replay.Apply(placed).ok());
  v1::CentralEvent cancel;
  cancel.set_central_seq(3);
  cancel.mutable_hold_cancel()->set_order_ref("o2");
  const std::vector<v1::CentralEvent> events = {
      EscrowEvent(1, Hold("o1", "A", 1)), EscrowEvent(2, Hold("o2", "A", 2)),
      cancel, EscrowEvent(4, Hold("o3", "A", 3))};
  std::map<std::string, v1::HoldPlaced> unseen =
      UnseenEscrowHolds(events, replay);
  ASSERT_EQ(unseen.size(), 1u);
  EXPECT_EQ(unseen.begin()->first, "o3");
}

v1::JournalRecord EscrowChanged(
    uint64_t seq, std::vector<std::pair<std::string, int64_t>> l) {
  v1::JournalRecord r;
  r.set_seq(seq);
  for (const auto& [sku, q] : l) {
    v1::EscrowLine* e =
        r.mutable_stock()->mutable_escrow_changed()->add_lines();
    e->set_sku(sku);
    e->set_quantity(q);
  }
  return r;
}

// Escrow 5; central grants 5 offline; the store journals the HoldPlaced
// (seq 2) and central's replica has it, but not yet the EscrowChanged the
// store announces after it: the hold still counts, nothing is free.
TEST(EscrowBookTest, JournaledHoldCountsUntilTheEscrowIsAnnouncedAfterIt) {
  core::StockReplay replay;
  ASSERT_TRUE(replay.Apply(EscrowChanged(1, {{"A", 5}, {"B", 5}})).ok());
  v1::HoldPlaced h = Hold("o1", "A", 5);
  *h.add_lines() = Hold("o1", "B", 2).lines(0);
  h.set_from_escrow(true);
  v1::JournalRecord placed;
  placed.set_seq(2);
  *placed.mutable_stock()->mutable_hold_placed() = h;
  ASSERT_TRUE(replay.Apply(placed).ok());
  const std::vector<v1::CentralEvent> events = {EscrowEvent(1, h)};
  // Journaled, so not unseen (a retry is the store's now), but pending.
  EXPECT_TRUE(UnseenEscrowHolds(events, replay).empty());
  std::map<std::string, v1::HoldPlaced> pending =
      PendingEscrowHolds(events, replay);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending.at("o1").lines_size(), 2);
  EscrowCheck again = CheckEscrow(replay.escrow(), pending, Hold("o2", "A", 5));
  EXPECT_FALSE(again.fits);
  ASSERT_EQ(again.shortfall.size(), 1u);
  EXPECT_EQ(again.shortfall[0].available(), 0);
  EXPECT_TRUE(CheckEscrow(replay.escrow(), pending, Hold("o2", "B", 3)).fits);
  EXPECT_FALSE(CheckEscrow(replay.escrow(), pending, Hold("o2", "B", 4)).fits);

  // The store announces A (now 0) after the hold: A's line stops counting,
  // B's still counts.
  ASSERT_TRUE(replay.Apply(EscrowChanged(3, {{"A", 0}})).ok());
  pending = PendingEscrowHolds(events, replay);
  ASSERT_EQ(pending.size(), 1u);
  ASSERT_EQ(pending.at("o1").lines_size(), 1);
  EXPECT_EQ(pending.at("o1").lines(0).sku(), "B");
  EXPECT_FALSE(CheckEscrow(replay.escrow(), pending, Hold("o2", "A", 1)).fits);
  EXPECT_FALSE(CheckEscrow(replay.escrow(), pending, Hold("o2", "B", 4)).fits);

  // Then B, and the store restocks A's escrow: only the new figures count.
  ASSERT_TRUE(replay.Apply(EscrowChanged(4, {{"A", 5}, {"B", 3}})).ok());
  pending = PendingEscrowHolds(events, replay);
  EXPECT_TRUE(pending.empty());
  EXPECT_TRUE(CheckEscrow(replay.escrow(), pending, Hold("o2", "A", 5)).fits);
  EXPECT_TRUE(CheckEscrow(replay.escrow(), pending, Hold("o2", "B", 3)).fits);
}

TEST(EscrowBookTest, PendingHoldsLeaveOutCancelledOnes) {
  core::StockReplay replay;
  v1::CentralEvent cancel;
  cancel.set_central_seq(2);
  cancel.mutable_hold_cancel()->set_order_ref("o1");
  const std::vector<v1::CentralEvent> events = {
      EscrowEvent(1, Hold("o1", "A", 1)), cancel,
      EscrowEvent(3, Hold("o2", "A", 2))};
  std::map<std::string, v1::HoldPlaced> pending =
      PendingEscrowHolds(events, replay);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending.begin()->first, "o2");
}

TEST(EscrowBookTest, KeysAreStableAndDistinct) {
  EXPECT_EQ(EscrowHoldKey("o1"), EscrowHoldKey("o1"));
  EXPECT_NE(EscrowHoldKey("o1"), EscrowHoldKey("o2"));
  EXPECT_NE(EscrowHoldKey("o1"), HoldCancelKey("o1"));
  EXPECT_EQ(EscrowHoldKey(std::string(64, 'x'))[0], '#');
  EXPECT_LE(HoldCancelKey(std::string(64, 'x')).size(), 64u);
}

}  // namespace
}  // namespace storeagent::central
