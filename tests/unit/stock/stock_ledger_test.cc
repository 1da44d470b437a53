// The materialised stock figures through a real database: events recorded
// with agent::Recorder and agent::StockOps, figures read back with
// GetAvailability.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <string>
#include <vector>

#include "tests/unit/core/sample_events.h"
#include "tests/unit/stock/stock_test_env.h"

namespace storeagent::stocktest {
namespace {

#define ASSERT_OK(expr)                                           \
  do {                                                            \
    const auto& _r = (expr);                                      \
    ASSERT_TRUE(_r.ok()) << #expr ": " << _r.status().ToString(); \
  } while (0)

constexpr auto kReceipt = v1::StockMovement::REASON_RECEIPT;

class StockLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(env_.db(), nullptr); }

  int64_t InAnHour() { return env_.clock().NowMicros() + 3600 * kSecond; }

  // Receipts of `quantity` for each SKU of `txn`'s lines.
  void ReceiveLinesOf(const v1::Transaction& txn, int64_t quantity) {
    std::vector<Line> lines;
    for (const v1::TransactionLine& l : txn.sale().lines()) {
      lines.push_back({l.sku(), quantity});
    }
    ASSERT_OK(env_.Movement(kReceipt, lines));
  }

  StockTestEnv env_;
};

TEST_F(StockLedgerTest, ReceiptsRaiseOnHand) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}, {"B", 4}}));
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 5}}));
  const v1::SkuAvailability a = env_.Figures("A");
  EXPECT_EQ(a.sku(), "A");
  EXPECT_EQ(a.on_hand(), 15);
  EXPECT_EQ(a.held(), 0);
  EXPECT_EQ(a.unavailable(), 0);
  EXPECT_EQ(a.available(), 15);
  EXPECT_FALSE(a.negative());
  EXPECT_FALSE(a.in_catalog());
  EXPECT_EQ(env_.Figures("B").on_hand(), 4);
  // A SKU never seen has zeros.
  const v1::SkuAvailability z = env_.Figures("NEVER-SEEN");
  EXPECT_EQ(z.sku(), "NEVER-SEEN");
  EXPECT_EQ(z.on_hand(), 0);
  EXPECT_EQ(z.available(), 0);
}

TEST_F(StockLedgerTest, OtherMovementsMoveOnHandBySign) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 20}}));
  ASSERT_OK(env_.Movement(v1::StockMovement::REASON_TRANSFER_OUT, {{"A", -6}}));
  ASSERT_OK(env_.Movement(v1::StockMovement::REASON_TRANSFER_IN, {{"A", 2}}));
  ASSERT_OK(env_.Movement(v1::StockMovement::REASON_SHRINK, {{"A", -1}}));
  ASSERT_OK(env_.Movement(v1::StockMovement::REASON_CORRECTION, {{"A", -3}}));
  EXPECT_EQ(env_.Figures("A").on_hand(), 12);
}

TEST_F(StockLedgerTest, FiveLineSaleLowersEachSku) {
  const v1::Transaction sale = test::SampleSale(5);
  ReceiveLinesOf(sale, 10000);
  ASSERT_OK(env_.Record(sale, test::SampleClientKey("txn-0001")));
  ASSERT_EQ(sale.sale().lines_size(), 5);
  for (const v1::TransactionLine& l : sale.sale().lines()) {
    const v1::SkuAvailability f = env_.Figures(l.sku());
    EXPECT_EQ(f.on_hand(), 10000 - l.quantity()) << l.sku();
    EXPECT_EQ(f.available(), 10000 - l.quantity()) << l.sku();
  }
}

TEST_F(StockLedgerTest, ReturnWithRestockRaisesWithoutRestockDoesNot) {
  const v1::Transaction ret = test::SampleReturn();
  ASSERT_OK(env_.Movement(kReceipt, {{ret.return_().lines(0).sku(), 7},
                                     {ret.return_().lines(1).sku(), 7}}));
  ASSERT_TRUE(ret.return_().lines(0).restock());
  ASSERT_FALSE(ret.return_().lines(1).restock());
  ASSERT_OK(env_.Record(ret));
  EXPECT_EQ(env_.Figures(ret.return_().lines(0).sku()).on_hand(),
            7 + ret.return_().lines(0).quantity());
  EXPECT_EQ(env_.Figures(ret.return_().lines(1).sku()).on_hand(), 7);
}

TEST_F(StockLedgerTest, PostVoidRestoresAndASecondVoidChangesNothing) {
  const v1::Transaction sale = test::SampleSale(5);
  ReceiveLinesOf(sale, 100);
  ASSERT_OK(env_.Record(sale, test::SampleClientKey("txn-0001")));
  const v1::ClientKey void_key = env_.NextKey("void");
  const Result<v1::RecordTransactionResponse> v =
      env_.Record(test::SamplePostVoid(), void_key);
  ASSERT_OK(v);
  for (const v1::TransactionLine& l : sale.sale().lines()) {
    EXPECT_EQ(env_.Figures(l.sku()).on_hand(), 100) << l.sku();
  }
  // A retry of the same void is the same event, not a second reversal.
  const Result<v1::RecordTransactionResponse> retry =
      env_.Record(test::SamplePostVoid(), void_key);
  ASSERT_OK(retry);
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->seq(), v->seq());

  const uint64_t head = env_.HeadSeq();
  const Result<v1::RecordTransactionResponse> again =
      env_.Record(test::SamplePostVoid());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition)
      << again.status().ToString();
  EXPECT_NE(again.status().message().find("txn-0001"), std::string::npos)
      << again.status().message();
  EXPECT_EQ(env_.HeadSeq(), head);
  for (const v1::TransactionLine& l : sale.sale().lines()) {
    EXPECT_EQ(env_.Figures(l.sku()).on_hand(), 100) << l.sku();
  }
}

TEST_F(StockLedgerTest, PostVoidOfAReturnTakesTheRestockBack) {
  const v1::Transaction ret = test::SampleReturn();
  const std::string restocked = ret.return_().lines(0).sku();
  ASSERT_OK(env_.Movement(kReceipt, {{restocked, 10}}));
  const v1::ClientKey key = env_.NextKey("ret");
  ASSERT_OK(env_.Record(ret, key));
  ASSERT_EQ(env_.Figures(restocked).on_hand(),
            10 + ret.return_().lines(0).quantity());
  ASSERT_OK(env_.Record(PostVoidOf(key)));
  EXPECT_EQ(env_.Figures(restocked).on_hand(), 10);
  EXPECT_EQ(env_.Figures(ret.return_().lines(1).sku()).on_hand(), 0);
}

TEST_F(StockLedgerTest, SaleOfUnstockedSkuSucceedsAndIsFlaggedNegative) {
  const Result<v1::RecordTransactionResponse> r =
      env_.Record(SaleOf({{"NEW-1", 2}}));
  ASSERT_OK(r);
  const v1::SkuAvailability f = env_.Figures("NEW-1");
  EXPECT_EQ(f.on_hand(), -2);
  EXPECT_TRUE(f.negative());
  EXPECT_EQ(f.available(), 0);
  ASSERT_OK(env_.Movement(kReceipt, {{"NEW-1", 2}}));
  EXPECT_FALSE(env_.Figures("NEW-1").negative());
}

TEST_F(StockLedgerTest, CountSetsOnHandAndLaterDeltasAddToIt) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}, {"B", 3}}));
  ASSERT_OK(env_.Record(SaleOf({{"A", 3}})));
  ASSERT_EQ(env_.Figures("A").on_hand(), 7);
  ASSERT_OK(env_.Count({{"A", 42}, {"B", 0}}));
  EXPECT_EQ(env_.Figures("A").on_hand(), 42);
  EXPECT_EQ(env_.Figures("B").on_hand(), 0);
  ASSERT_OK(env_.Record(SaleOf({{"A", 2}})));
  EXPECT_EQ(env_.Figures("A").on_hand(), 40);
}

TEST_F(StockLedgerTest, CountKeepsHeldAndUnavailable) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}}));
  ASSERT_OK(env_.Movement(v1::StockMovement::REASON_QUALITY_HOLD, {{"A", 2}}));
  const Result<v1::PlaceHoldResponse> h =
      env_.PlaceHold(HoldOf("ORD-1", {{"A", 5}}, InAnHour()));
  ASSERT_OK(h);
  ASSERT_TRUE(h->granted());
  ASSERT_OK(env_.Count({{"A", 50}}));
  const v1::SkuAvailability f = env_.Figures("A");
  EXPECT_EQ(f.on_hand(), 50);
  EXPECT_EQ(f.held(), 5);
  EXPECT_EQ(f.unavailable(), 2);
  EXPECT_EQ(f.available(), 43);
}

TEST_F(StockLedgerTest, QualityHoldLowersAvailableNotOnHand) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}}));
  ASSERT_OK(env_.Movement(v1::StockMovement::REASON_QUALITY_HOLD, {{"A", 3}}));
  v1::SkuAvailability f = env_.Figures("A");
  EXPECT_EQ(f.on_hand(), 10);
  EXPECT_EQ(f.unavailable(), 3);
  EXPECT_EQ(f.available(), 7);
  ASSERT_OK(env_.Movement(v1::StockMovement::REASON_QUALITY_HOLD, {{"A", -3}}));
  f = env_.Figures("A");
  EXPECT_EQ(f.on_hand(), 10);
  EXPECT_EQ(f.unavailable(), 0);
  EXPECT_EQ(f.available(), 10);
}

v1::Product ProductOf(const std::string& sku, int64_t safety_stock) {
  v1::Product p;
  p.set_sku(sku);
  p.set_name("Product " + sku);
  p.set_unit("each");
  p.set_safety_stock(safety_stock);
  return p;
}

TEST_F(StockLedgerTest, SafetyStockFromTheCatalogLowersAvailable) {
  const Result<v1::ImportCatalogResponse> c =
      env_.ImportCatalog({ProductOf("A", 4), ProductOf("B", 0)});
  ASSERT_OK(c);
  EXPECT_EQ(c->products(), 2);
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}, {"C", 10}}));
  const v1::SkuAvailability a = env_.Figures("A");
  EXPECT_EQ(a.on_hand(), 10);
  EXPECT_EQ(a.safety_stock(), 4);
  EXPECT_EQ(a.available(), 6);
  EXPECT_TRUE(a.in_catalog());
  EXPECT_TRUE(env_.Figures("B").in_catalog());
  EXPECT_FALSE(env_.Figures("C").in_catalog());
  EXPECT_EQ(env_.Figures("C").available(), 10);

  // A hold may not take the safety stock.
  Result<v1::PlaceHoldResponse> too_many =
      env_.PlaceHold(HoldOf("ORD-7", {{"A", 7}}, InAnHour()));
  ASSERT_OK(too_many);
  EXPECT_FALSE(too_many->granted());
  Result<v1::PlaceHoldResponse> fits =
      env_.PlaceHold(HoldOf("ORD-6", {{"A", 6}}, InAnHour()));
  ASSERT_OK(fits);
  EXPECT_TRUE(fits->granted());
  EXPECT_EQ(env_.Figures("A").available(), 0);
}

TEST_F(StockLedgerTest, PlaceHoldIsAllOrNothing) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}, {"B", 2}}));
  const uint64_t head = env_.HeadSeq();
  const Result<v1::PlaceHoldResponse> r =
      env_.PlaceHold(HoldOf("ORD-1", {{"A", 5}, {"B", 3}}, InAnHour()));
  ASSERT_OK(r);
  EXPECT_FALSE(r->granted());
  EXPECT_FALSE(r->replayed());
  ASSERT_EQ(r->shortfall_size(), 1);
  EXPECT_EQ(r->shortfall(0).sku(), "B");
  EXPECT_EQ(r->shortfall(0).on_hand(), 2);
  EXPECT_EQ(r->shortfall(0).held(), 0);
  EXPECT_EQ(r->shortfall(0).available(), 2);
  EXPECT_EQ(r->as_of().seq(), head);
  // Nothing was held or written.
  EXPECT_EQ(env_.HeadSeq(), head);
  EXPECT_EQ(env_.Figures("A").held(), 0);
  EXPECT_EQ(env_.Figures("A").available(), 10);
  EXPECT_EQ(env_.Figures("B").held(), 0);
  EXPECT_FALSE(env_.LedgerHold("ORD-1").has_value());

  // The lines that fit are granted as one hold.
  const Result<v1::PlaceHoldResponse> ok =
      env_.PlaceHold(HoldOf("ORD-1", {{"A", 5}, {"B", 2}}, InAnHour()));
  ASSERT_OK(ok);
  EXPECT_TRUE(ok->granted());
  EXPECT_EQ(ok->shortfall_size(), 0);
  EXPECT_EQ(ok->hold().state(), v1::HOLD_STATE_HELD);
  EXPECT_EQ(ok->hold().placed_seq(), head + 1);
  EXPECT_EQ(env_.Figures("A").held(), 5);
  EXPECT_EQ(env_.Figures("A").available(), 5);
  EXPECT_EQ(env_.Figures("B").available(), 0);
}

TEST_F(StockLedgerTest, PlaceHoldRetryReplaysAndOtherLinesAreRefused) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}, {"B", 10}}));
  const v1::HoldPlaced hold = HoldOf("ORD-1", {{"A", 5}}, InAnHour());
  const v1::ClientKey key = env_.NextKey("web");
  const Result<v1::PlaceHoldResponse> first = env_.PlaceHold(hold, key);
  ASSERT_OK(first);
  ASSERT_TRUE(first->granted());
  EXPECT_FALSE(first->replayed());
  const uint64_t head = env_.HeadSeq();

  // Same request again (a client retry), and the same order from another
  // client key.
  for (const v1::ClientKey& k : {key, env_.NextKey("web")}) {
    const Result<v1::PlaceHoldResponse> again = env_.PlaceHold(hold, k);
    ASSERT_OK(again);
    EXPECT_TRUE(again->granted());
    EXPECT_TRUE(again->replayed());
    EXPECT_EQ(again->hold().SerializeAsString(),
              first->hold().SerializeAsString());
    EXPECT_EQ(env_.HeadSeq(), head);
  }
  // A retry whose client recomputed the expiry: the first hold, unchanged.
  const Result<v1::PlaceHoldResponse> later = env_.PlaceHold(
      HoldOf("ORD-1", {{"A", 5}}, hold.expires_at_us() + kSecond));
  ASSERT_OK(later);
  EXPECT_TRUE(later->granted());
  EXPECT_TRUE(later->replayed());
  EXPECT_EQ(later->hold().expires_at_us(), hold.expires_at_us());
  EXPECT_EQ(env_.HeadSeq(), head);
  // The same order with other lines.
  for (const v1::HoldPlaced& other :
       {HoldOf("ORD-1", {{"A", 6}}, hold.expires_at_us()),
        HoldOf("ORD-1", {{"A", 5}, {"B", 1}}, hold.expires_at_us()),
        HoldOf("ORD-1", {{"B", 5}}, hold.expires_at_us())}) {
    const Result<v1::PlaceHoldResponse> r = env_.PlaceHold(other);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists)
        << r.status().ToString();
  }
  EXPECT_EQ(env_.HeadSeq(), head);
  EXPECT_EQ(env_.Figures("A").held(), 5);
  EXPECT_EQ(env_.Figures("B").held(), 0);
}

TEST_F(StockLedgerTest, PickThenCollectHandsTheGoodsOver) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}}));
  ASSERT_OK(env_.PlaceHold(HoldOf("ORD-1", {{"A", 3}}, InAnHour())));
  const Result<v1::GetHoldResponse> p = env_.Pick("ORD-1");
  ASSERT_OK(p);
  EXPECT_EQ(p->hold().state(), v1::HOLD_STATE_PICKED);
  EXPECT_EQ(p->hold().updated_seq(), env_.HeadSeq());
  v1::SkuAvailability f = env_.Figures("A");
  EXPECT_EQ(f.on_hand(), 10);
  EXPECT_EQ(f.held(), 3);
  EXPECT_EQ(f.available(), 7);
  const Result<v1::GetHoldResponse> c = env_.Collect("ORD-1");
  ASSERT_OK(c);
  EXPECT_EQ(c->hold().state(), v1::HOLD_STATE_COLLECTED);
  f = env_.Figures("A");
  EXPECT_EQ(f.on_hand(), 7);
  EXPECT_EQ(f.held(), 0);
  EXPECT_EQ(f.available(), 7);
}

TEST_F(StockLedgerTest, CancelReleasesTheHold) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}}));
  ASSERT_OK(env_.PlaceHold(HoldOf("ORD-1", {{"A", 4}}, InAnHour())));
  ASSERT_OK(env_.PlaceHold(HoldOf("ORD-2", {{"A", 2}}, InAnHour())));
  ASSERT_OK(env_.Pick("ORD-2"));
  ASSERT_EQ(env_.Figures("A").held(), 6);
  for (const char* ref : {"ORD-1", "ORD-2"}) {
    const Result<v1::GetHoldResponse> c = env_.Cancel(ref);
    ASSERT_OK(c);
    EXPECT_EQ(c->hold().state(), v1::HOLD_STATE_CANCELLED);
  }
  const v1::SkuAvailability f = env_.Figures("A");
  EXPECT_EQ(f.on_hand(), 10);
  EXPECT_EQ(f.held(), 0);
  EXPECT_EQ(f.available(), 10);
}

TEST_F(StockLedgerTest, ShortPickReleasesAndCorrectsTheMissingUnits) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}, {"B", 5}}));
  ASSERT_OK(env_.PlaceHold(HoldOf("ORD-1", {{"A", 4}, {"B", 2}}, InAnHour())));
  const Result<v1::GetHoldResponse> s = env_.ShortPick("ORD-1", {{"A", 1}});
  ASSERT_OK(s);
  EXPECT_EQ(s->hold().state(), v1::HOLD_STATE_CANCELLED);
  const v1::SkuAvailability a = env_.Figures("A");
  EXPECT_EQ(a.on_hand(), 7);  // 3 of 4 were not there
  EXPECT_EQ(a.held(), 0);
  EXPECT_EQ(a.available(), 7);
  const v1::SkuAvailability b = env_.Figures("B");
  EXPECT_EQ(b.on_hand(), 3);  // none of 2 found
  EXPECT_EQ(b.held(), 0);
}

TEST_F(StockLedgerTest, TransitionsTheStateForbidsChangeNothing) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}}));
  ASSERT_OK(env_.PlaceHold(HoldOf("ORD-1", {{"A", 4}}, InAnHour())));
  uint64_t head = env_.HeadSeq();
  // Collect a HELD hold.
  Result<v1::GetHoldResponse> r = env_.Collect("ORD-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition)
      << r.status().ToString();
  EXPECT_EQ(env_.HeadSeq(), head);
  EXPECT_EQ(env_.StateOf("ORD-1"), v1::HOLD_STATE_HELD);
  EXPECT_EQ(env_.Figures("A").held(), 4);
  EXPECT_EQ(env_.Figures("A").on_hand(), 10);

  ASSERT_OK(env_.Cancel("ORD-1"));
  head = env_.HeadSeq();
  for (auto action :
       {&StockTestEnv::Pick, &StockTestEnv::Collect, &StockTestEnv::Cancel}) {
    r = (env_.*action)("ORD-1");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition)
        << r.status().ToString();
  }
  r = env_.ShortPick("ORD-1", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(env_.HeadSeq(), head);
  EXPECT_EQ(env_.Figures("A").held(), 0);
  EXPECT_EQ(env_.Figures("A").on_hand(), 10);

  r = env_.Pick("NO-SUCH-ORDER");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env_.HeadSeq(), head);
}

TEST_F(StockLedgerTest, WriteRepliesCarryTheJournalHeadAsAsOf) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}}));
  const Result<v1::PlaceHoldResponse> h =
      env_.PlaceHold(HoldOf("ORD-1", {{"A", 2}}, InAnHour()));
  ASSERT_OK(h);
  EXPECT_EQ(h->as_of().seq(), env_.HeadSeq());
  EXPECT_EQ(h->as_of().at_us(), env_.clock().NowMicros());
  EXPECT_EQ(h->hold().placed_seq(), env_.HeadSeq());
  const Result<v1::PlaceHoldResponse> refused =
      env_.PlaceHold(HoldOf("ORD-2", {{"A", 100}}, InAnHour()));
  ASSERT_OK(refused);
  EXPECT_FALSE(refused->granted());
  EXPECT_EQ(refused->as_of().seq(), env_.HeadSeq());
  const Result<v1::GetHoldResponse> p = env_.Pick("ORD-1");
  ASSERT_OK(p);
  EXPECT_EQ(p->as_of().seq(), env_.HeadSeq());
  EXPECT_EQ(p->hold().updated_seq(), env_.HeadSeq());
}

// The first read a reader thread serves (a fresh database has two, so two
// reads in a row may each be a first one).
TEST_F(StockLedgerTest, AvailabilityCarriesTheJournalHeadAsAsOf) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}}));
  const Result<v1::RecordTransactionResponse> sale =
      env_.Record(SaleOf({{"A", 1}}));
  ASSERT_OK(sale);
  const Result<v1::GetAvailabilityResponse> av = env_.Availability({"A", "B"});
  ASSERT_OK(av);
  EXPECT_EQ(av->as_of().seq(), sale->seq());
  EXPECT_EQ(av->as_of().seq(), env_.HeadSeq());
  EXPECT_EQ(av->as_of().at_us(), env_.clock().NowMicros());
  ASSERT_EQ(av->items_size(), 2);
  EXPECT_EQ(av->items(0).sku(), "A");
  EXPECT_EQ(av->items(0).on_hand(), 9);
  EXPECT_EQ(av->items(1).sku(), "B");
  EXPECT_EQ(av->items(1).on_hand(), 0);
}

// Every read sees every acknowledged write: a reader's cached statements
// must not keep its first snapshot open.
TEST_F(StockLedgerTest, ReadsSeeEveryAcknowledgedWrite) {
  for (int i = 1; i <= 10; ++i) {
    ASSERT_OK(env_.Movement(kReceipt, {{"A", 1}}));
    const Result<v1::GetAvailabilityResponse> av = env_.Availability({"A"});
    ASSERT_OK(av);
    EXPECT_EQ(av->items(0).on_hand(), i);
    EXPECT_EQ(av->as_of().seq(), env_.HeadSeq());
    const Result<v1::GetHoldResponse> h = env_.GetHold("NO-SUCH-ORDER");
    EXPECT_EQ(h.status().code(), StatusCode::kNotFound);
  }
  ASSERT_OK(env_.PlaceHold(HoldOf("ORD-1", {{"A", 1}}, InAnHour())));
  for (int i = 0; i < 4; ++i) {  // whichever reader answers
    const Result<v1::GetHoldResponse> h = env_.GetHold("ORD-1");
    EXPECT_TRUE(h.ok()) << h.status().ToString();
  }
}

// The gRPC lookup reads on the caller's thread when a read connection is
// idle, and answers what the read pool's lookup answers.
TEST_F(StockLedgerTest, LookupOnTheCallersThreadAgreesWithThePool) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 10}, {"B", 3}}));
  ASSERT_OK(env_.Record(SaleOf({{"A", 4}})));
  ASSERT_OK(env_.PlaceHold(HoldOf("ORD-1", {{"B", 2}}, InAnHour())));
  const uint64_t lent = env_.db()->readers().leases_lent();
  const Result<v1::GetAvailabilityResponse> here =
      env_.Availability({"B", "A", "Z"});
  ASSERT_OK(here);
  EXPECT_EQ(env_.db()->readers().leases_lent(), lent + 1);
  const Result<v1::GetAvailabilityResponse> pool =
      env_.AvailabilityOnPool({"B", "A", "Z"});
  ASSERT_OK(pool);
  EXPECT_EQ(here->SerializeAsString(), pool->SerializeAsString());
  ASSERT_EQ(here->items_size(), 3);
  EXPECT_EQ(here->items(0).held(), 2);
  EXPECT_EQ(here->items(1).on_hand(), 6);
  EXPECT_FALSE(here->items(2).in_catalog());
  EXPECT_EQ(here->as_of().seq(), env_.HeadSeq());
}

// With every read connection lent, the lookup goes to the read pool and
// answers once a connection comes back.
TEST_F(StockLedgerTest, LookupWaitsForTheReadPoolWhenEveryConnectionIsLent) {
  ASSERT_OK(env_.Movement(kReceipt, {{"A", 5}}));
  storage::ReadPool& readers = env_.db()->readers();
  std::vector<storage::ReadPool::Lease> lent;
  for (;;) {
    storage::ReadPool::Lease l = readers.TryLease();
    if (!l) break;
    lent.push_back(std::move(l));
  }
  ASSERT_FALSE(lent.empty());
  const uint64_t refused = readers.leases_refused();
  google::protobuf::RepeatedPtrField<std::string> skus;
  skus.Add("A");
  v1::GetAvailabilityResponse reply;
  std::promise<Status> answered;
  std::future<Status> answer = answered.get_future();
  env_.ops().GetAvailabilityInto(
      skus, &reply, [&](const Status& s) { answered.set_value(s); });
  EXPECT_EQ(readers.leases_refused(), refused + 1);
  EXPECT_EQ(answer.wait_for(std::chrono::milliseconds(50)),
            std::future_status::timeout);
  lent.pop_back();
  const Status got = answer.get();
  ASSERT_TRUE(got.ok()) << got.ToString();
  ASSERT_EQ(reply.items_size(), 1);
  EXPECT_EQ(reply.items(0).on_hand(), 5);
  EXPECT_EQ(reply.as_of().seq(), env_.HeadSeq());
}

// Bad input is refused before any read, naming the field.
TEST_F(StockLedgerTest, LookupRefusesABadSkuListNamingTheField) {
  google::protobuf::RepeatedPtrField<std::string> skus;
  skus.Add("A");
  skus.Add("");
  v1::GetAvailabilityResponse reply;
  Status got;
  env_.ops().GetAvailabilityInto(skus, &reply,
                                 [&](const Status& s) { got = s; });
  EXPECT_EQ(got.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(got.message().find("skus[1]"), std::string::npos) << got.message();
  EXPECT_EQ(reply.items_size(), 0);
}

}  // namespace
}  // namespace storeagent::stocktest
