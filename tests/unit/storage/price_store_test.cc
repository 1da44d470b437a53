// The agent's stored price book (storage/price_store.h): the version rule on
// central's price events, the book's version in meta, the region, and the
// book read back for pricing; through SyncStore::ApplyCentralBatch, the way
// the sync stream applies them.
#include "storage/price_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/sync_store.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/price_samples.h"
#include "tests/unit/storage/storage_test_util.h"

namespace storeagent::storage {
namespace {

using test::MakeList;
using test::PercentOff;
using test::RegionScope;

class PriceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = testing::OpenDb(dir_.File("agent.db"), clock_);
    ASSERT_NE(db_, nullptr);
  }

  // Applies one batch holding `events` (central_seq numbered on from the
  // last batch) at `now_us`.
  Result<CentralApplied> ApplyBatch(std::vector<v1::CentralEvent> events,
                                    int64_t now_us = 1000) {
    v1::CentralBatch b;
    for (v1::CentralEvent& e : events) {
      e.set_central_seq(++seq_);
      *b.add_events() = std::move(e);
    }
    CentralApplied out;
    Status s = db_->writer().Run([&](WriteContext& ctx) -> Status {
      Result<CentralApplied> r =
          SyncStore::ApplyCentralBatch(ctx, db_->journal(), b, nullptr, now_us);
      if (!r.ok()) return r.status();
      out = std::move(r).value();
      return Status::Ok();
    });
    if (!s.ok()) {
      seq_ -= static_cast<uint64_t>(b.events_size());
      return s;
    }
    return out;
  }

  static v1::CentralEvent ListEvent(const v1::PriceList& list) {
    v1::CentralEvent e;
    *e.mutable_price_list() = list;
    return e;
  }
  static v1::CentralEvent PromotionEvent(const v1::Promotion& p) {
    v1::CentralEvent e;
    *e.mutable_promotion() = p;
    return e;
  }

  StoredPriceBook Load() {
    StoredPriceBook out;
    EXPECT_TRUE(db_->writer()
                    .Run([&](WriteContext& ctx) -> Status {
                      Result<StoredPriceBook> r = PriceStore::Load(ctx);
                      if (!r.ok()) return r.status();
                      out = std::move(r).value();
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  // The shelf price of `sku` now for store s1 in `region`, -1 when none.
  static int64_t ShelfPrice(const StoredPriceBook& b, const std::string& sku) {
    std::optional<core::PriceInForce> p =
        b.book.PriceAt(core::StoreContext{"s1", b.region, "EUR"}, sku, 5000);
    return p ? p->unit_price : -1;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<AgentDatabase> db_;
  uint64_t seq_ = 0;
};

TEST_F(PriceStoreTest, AnEmptyStoreHasNoBook) {
  const StoredPriceBook b = Load();
  EXPECT_EQ(b.central_seq, 0u);
  EXPECT_EQ(b.applied_at_us, 0);
  EXPECT_EQ(b.book.price_list_count(), 0u);
  EXPECT_EQ(b.region, "");
}

TEST_F(PriceStoreTest, AppliesVersionsByTheRuleAndKeepsTheBooksVersion) {
  Result<CentralApplied> a =
      ApplyBatch({ListEvent(MakeList("L", 1, {{"A", 100}}))}, 1111);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->price_book_changed);
  EXPECT_TRUE(a->notes.empty());
  StoredPriceBook b = Load();
  EXPECT_EQ(ShelfPrice(b, "A"), 100);
  EXPECT_EQ(b.central_seq, 1u);
  EXPECT_EQ(b.applied_at_us, 1111);

  // A later version replaces the list whole.
  ASSERT_TRUE(
      ApplyBatch({ListEvent(MakeList("L", 2, {{"B", 200}}))}, 2222).ok());
  b = Load();
  EXPECT_EQ(ShelfPrice(b, "A"), -1);
  EXPECT_EQ(ShelfPrice(b, "B"), 200);

  // An earlier one is ignored with a note; the same one again changes
  // nothing; the same version with other content is not applied.
  a = ApplyBatch({ListEvent(MakeList("L", 1, {{"A", 100}})),
                  ListEvent(MakeList("L", 2, {{"B", 200}})),
                  ListEvent(MakeList("L", 2, {{"B", 999}}))},
                 3333);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->applied, 3);
  ASSERT_EQ(a->notes.size(), 2u);
  EXPECT_NE(a->notes[0].find("older than the version 2 held"),
            std::string::npos)
      << a->notes[0];
  EXPECT_NE(a->notes[1].find("already held with other content"),
            std::string::npos)
      << a->notes[1];
  b = Load();
  EXPECT_EQ(ShelfPrice(b, "B"), 200);
  EXPECT_EQ(b.book.FindPriceList("L")->version(), 2u);
  // The book's version is the last price event heard, taken or not.
  EXPECT_EQ(b.central_seq, 5u);
  EXPECT_EQ(b.applied_at_us, 3333);
}

TEST_F(PriceStoreTest, PromotionsAndTheRegionComeBackWithTheBook) {
  ASSERT_TRUE(ApplyBatch({ListEvent(MakeList("fleet", 1, {{"A", 100}})),
                          ListEvent(MakeList("north", 1, {{"A", 90}},
                                             RegionScope("north"))),
                          PromotionEvent(PercentOff("P", {"A"}, 1000))})
                  .ok());
  StoredPriceBook b = Load();
  EXPECT_EQ(b.book.promotion_count(), 1u);
  EXPECT_EQ(ShelfPrice(b, "A"), 100);  // no region: the fleet's list

  Result<bool> changed = false;
  ASSERT_TRUE(db_->writer()
                  .Run([&](WriteContext& ctx) {
                    changed = PriceStore::WriteRegion(ctx, "north");
                    return changed.status();
                  })
                  .ok());
  EXPECT_TRUE(*changed);
  b = Load();
  EXPECT_EQ(b.region, "north");
  EXPECT_EQ(ShelfPrice(b, "A"), 90);  // the region's list is more specific
  ASSERT_TRUE(db_->writer()
                  .Run([&](WriteContext& ctx) {
                    changed = PriceStore::WriteRegion(ctx, "north");
                    return changed.status();
                  })
                  .ok());
  EXPECT_FALSE(*changed);
  ASSERT_TRUE(db_->writer()
                  .Run([&](WriteContext& ctx) {
                    changed = PriceStore::WriteRegion(ctx, "");
                    return changed.status();
                  })
                  .ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(Load().region, "");
}

TEST_F(PriceStoreTest, ARefusedListFailsItsBatchAndChangesNothing) {
  ASSERT_TRUE(ApplyBatch({ListEvent(MakeList("L", 1, {{"A", 100}}))}).ok());
  v1::PriceList bad = MakeList("M", 1, {{"A", 100}});
  bad.mutable_entries(0)->mutable_unit_price()->set_minor_units(-5);
  Result<CentralApplied> a =
      ApplyBatch({ListEvent(MakeList("L", 2, {{"A", 300}})), ListEvent(bad)});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("events[1]"), std::string::npos)
      << a.status().ToString();
  EXPECT_NE(a.status().message().find("unit_price"), std::string::npos)
      << a.status().ToString();
  const StoredPriceBook b = Load();
  EXPECT_EQ(ShelfPrice(b, "A"), 100);  // the batch's first event rolled back
  EXPECT_EQ(b.central_seq, 1u);
}

TEST_F(PriceStoreTest, OtherCentralEventsLeaveTheBookAlone) {
  v1::CentralEvent e;
  e.mutable_hold_cancel()->set_order_ref("WEB-1");
  Result<CentralApplied> a = ApplyBatch({e});
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_FALSE(a->price_book_changed);
  EXPECT_EQ(Load().central_seq, 0u);
}

}  // namespace
}  // namespace storeagent::storage
