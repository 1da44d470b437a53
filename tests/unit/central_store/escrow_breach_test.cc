// Conformance: escrow breaches name the escrow-granted orders they leave
// uncovered, and only those (docs/central.md, "Breaches and orders at
// risk"). Runs on every backend with the rest of the suite.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "tests/unit/central_store/central_store_fixture.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

using central::IngestResult;
using central::StoreRow;

// Records as the agent journals them.
class Records {
 public:
  v1::JournalRecord Escrow(const std::string& sku, int64_t qty, bool breach) {
    v1::JournalRecord r;
    r.mutable_client_key()->set_terminal_id("agent.escrow");
    r.mutable_client_key()->set_client_txn_id("escrow-" + Next());
    v1::EscrowChanged* e = r.mutable_stock()->mutable_escrow_changed();
    v1::EscrowLine* l = e->add_lines();
    l->set_sku(sku);
    l->set_quantity(qty);
    e->set_breach(breach);
    return r;
  }
  v1::JournalRecord Placed(const std::string& order, const std::string& sku,
                           int64_t qty) {
    v1::JournalRecord r = Keyed();
    v1::HoldPlaced* h = r.mutable_stock()->mutable_hold_placed();
    h->set_order_ref(order);
    h->set_from_escrow(true);
    h->set_expires_at_us(1);
    v1::HoldLine* l = h->add_lines();
    l->set_sku(sku);
    l->set_quantity(qty);
    return r;
  }
  v1::JournalRecord Collected(const std::string& order) {
    v1::JournalRecord r = Keyed();
    r.mutable_stock()->mutable_hold_collected()->set_order_ref(order);
    return r;
  }
  v1::JournalRecord Expired(const std::string& order) {
    v1::JournalRecord r = Keyed();
    r.mutable_stock()->mutable_hold_expired()->set_order_ref(order);
    return r;
  }

 private:
  std::string Next() { return std::to_string(++n_); }
  v1::JournalRecord Keyed() {
    v1::JournalRecord r;
    *r.mutable_client_key() = test::SampleClientKey("rec-" + Next());
    return r;
  }
  int n_ = 0;
};

// Central's grant of an escrow hold (what PlaceHold records).
v1::CentralEvent Grant(const std::string& order,
                       const std::vector<std::pair<std::string, int64_t>>& l) {
  v1::CentralEvent e;
  v1::HoldPlaced* h = e.mutable_escrow_hold()->mutable_hold();
  h->set_order_ref(order);
  h->set_channel("online");
  h->set_expires_at_us(kNow + 3'600'000'000);
  h->set_from_escrow(true);
  for (const auto& [sku, qty] : l) {
    v1::HoldLine* line = h->add_lines();
    line->set_sku(sku);
    line->set_quantity(qty);
  }
  return e;
}

v1::CentralEvent Cancel(const std::string& order) {
  v1::CentralEvent e;
  e.mutable_hold_cancel()->set_order_ref(order);
  e.mutable_hold_cancel()->set_reason("re-routed");
  return e;
}

// One store's story, told to the store under test.
class Scenario {
 public:
  explicit Scenario(central::CentralStore& store) : store_(&store) {}

  // Ingests `records` as the store's next entries; returns the seq of the
  // first.
  uint64_t Ingest(const std::vector<v1::JournalRecord>& records,
                  int64_t* breaches = nullptr) {
    std::vector<v1::JournalEntry> batch;
    for (const v1::JournalRecord& r : records) batch.push_back(chain_.Next(r));
    Result<IngestResult> r = store_->IngestBatch("s1", batch, kNow);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return 0;
    for (const v1::Quarantined& q : r->quarantined) {
      ADD_FAILURE() << "seq " << q.seq() << " quarantined: " << q.reason();
    }
    if (breaches != nullptr) *breaches = r->escrow_breaches;
    return batch.front().record().seq();
  }
  void Append(const std::string& key, v1::CentralEvent e) {
    Result<central::PushResult> p =
        store_->AppendCentralEvent("s1", key, std::move(e), kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
  }
  std::vector<v1::EscrowBreachEntry> Breaches() {
    Result<v1::ListQuarantineResponse> q = store_->ListQuarantine("s1", 100);
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    if (!q.ok()) return {};
    return {q->breaches().begin(), q->breaches().end()};
  }
  std::vector<v1::AtRiskOrder> AtRisk(bool unresolved_only = false,
                                      const std::string& store = "s1") {
    Result<std::vector<v1::AtRiskOrder>> o =
        store_->ListAtRiskOrders(store, unresolved_only, 100);
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    return o.ok() ? *o : std::vector<v1::AtRiskOrder>{};
  }
  std::vector<std::string> Orders(const std::vector<v1::AtRiskOrder>& v) {
    std::vector<std::string> out;
    for (const v1::AtRiskOrder& o : v) out.push_back(o.order_ref());
    return out;
  }
  std::vector<std::string> Refs(const v1::EscrowBreachEntry& e) {
    return {e.order_refs().begin(), e.order_refs().end()};
  }
  const v1::AtRiskOrder* Find(const std::vector<v1::AtRiskOrder>& v,
                              const std::string& order) {
    for (const v1::AtRiskOrder& o : v) {
      if (o.order_ref() == order) return &o;
    }
    ADD_FAILURE() << order << " is not listed";
    return nullptr;
  }
  // The answer points into the list: a temporary list would leave it
  // dangling.
  const v1::AtRiskOrder* Find(std::vector<v1::AtRiskOrder>&&,
                              const std::string&) = delete;
  int64_t Counted() {
    Result<std::optional<StoreRow>> r = store_->GetStore("s1");
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? (*r)->escrow_breaches : -1;
  }

  Records rec_;

 private:
  central::CentralStore* store_;
  ChainBuilder chain_;
};

// The 45 breach rows an hour: the agent flags every sale that takes
// a SKU's available below its escrow, with no escrow hold anywhere.
TEST_P(CentralStoreTest,
       EscrowBreachNormalSellingWithNoEscrowHoldRecordsNoBreach) {
  Scenario t(*store_);
  int64_t breaches = -1;
  t.Ingest({t.rec_.Escrow("sku-a", 2, false), NoSale("sale-1"),
            t.rec_.Escrow("sku-a", 1, true), NoSale("sale-2"),
            t.rec_.Escrow("sku-a", 0, true)},
           &breaches);
  EXPECT_EQ(breaches, 0);
  EXPECT_EQ(t.Counted(), 0);
  EXPECT_TRUE(t.Breaches().empty());
  EXPECT_TRUE(t.AtRisk().empty());
  // The escrow itself still follows the store's announcements: a grant now
  // of the SKU has nothing to take, and a breach on it uncovers it.
  t.Append("g1", Grant("web-1", {{"sku-a", 1}}));
  t.Ingest({t.rec_.Escrow("sku-a", 0, true)}, &breaches);
  EXPECT_EQ(breaches, 1);
}

// A hold the store journaled (and re-announced after) is no longer
// central's promise: the store holds it; a later breach does not name it.
TEST_P(CentralStoreTest, EscrowBreachAGrantTheStoreAlreadyPlacedIsNotNamed) {
  Scenario t(*store_);
  t.Ingest({t.rec_.Escrow("sku-a", 2, false)});
  t.Append("g1", Grant("web-1", {{"sku-a", 2}}));
  int64_t breaches = -1;
  t.Ingest(
      {t.rec_.Placed("web-1", "sku-a", 2), t.rec_.Escrow("sku-a", 2, false),
       NoSale("sale"), t.rec_.Escrow("sku-a", 1, true)},
      &breaches);
  EXPECT_EQ(breaches, 0);
  EXPECT_TRUE(t.Breaches().empty());
  EXPECT_TRUE(t.AtRisk().empty());
}

// Escrow holds placed while the store is offline, then the store sells
// below its escrow: the breach names exactly the grants that no longer
// fit, the latest granted first.
TEST_P(CentralStoreTest, EscrowBreachBreachNamesExactlyTheUncoveredOrders) {
  Scenario t(*store_);
  t.Ingest(
      {t.rec_.Escrow("sku-a", 5, false), t.rec_.Escrow("sku-b", 3, false)});
  t.Append("g1", Grant("web-1", {{"sku-a", 2}}));
  t.Append("g2", Grant("web-2", {{"sku-a", 2}, {"sku-b", 1}}));
  t.Append("g3", Grant("web-3", {{"sku-a", 1}}));
  t.Append("g4", Grant("web-4", {{"sku-b", 2}}));
  int64_t breaches = -1;
  const uint64_t sale =
      t.Ingest({NoSale("sale"), t.rec_.Escrow("sku-a", 2, true)}, &breaches);
  const uint64_t breach_seq = sale + 1;
  EXPECT_EQ(breaches, 1);
  EXPECT_EQ(t.Counted(), 1);

  std::vector<v1::EscrowBreachEntry> b = t.Breaches();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].seq(), breach_seq);
  EXPECT_EQ(b[0].sku(), "sku-a");
  EXPECT_EQ(b[0].escrow(), 5);
  EXPECT_EQ(b[0].available(), 2);
  // web-1 (2) keeps the 2 left; web-2 does not fit, so it and web-3 after
  // it are uncovered. sku-b's grants are untouched.
  EXPECT_EQ(t.Refs(b[0]), (std::vector<std::string>{"web-3", "web-2"}));
  EXPECT_EQ(b[0].at_risk(), 3);

  std::vector<v1::AtRiskOrder> risk = t.AtRisk();
  EXPECT_EQ(t.Orders(risk), (std::vector<std::string>{"web-2", "web-3"}));
  for (const v1::AtRiskOrder& o : risk) {
    EXPECT_EQ(o.store_id(), "s1");
    EXPECT_EQ(o.breach_seq(), breach_seq);
    EXPECT_EQ(o.since_us(), kNow);
    EXPECT_EQ(o.resolution(), "");
    EXPECT_EQ(std::vector<std::string>(o.skus().begin(), o.skus().end()),
              std::vector<std::string>{"sku-a"});
  }
  EXPECT_EQ(t.Orders(t.AtRisk(/*unresolved_only=*/true)),
            (std::vector<std::string>{"web-2", "web-3"}));
  // Fleet-wide lists the same; another store has none.
  EXPECT_EQ(t.Orders(t.AtRisk(false, "")), t.Orders(risk));
  EXPECT_TRUE(t.AtRisk(false, "s2").empty());

  // A second breach of sku-b: web-2's line of it (granted first) still
  // fits the 1 left, web-4 does not.
  t.Ingest({t.rec_.Escrow("sku-b", 1, true)}, &breaches);
  EXPECT_EQ(breaches, 1);
  b = t.Breaches();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].sku(), "sku-b");
  EXPECT_EQ(t.Refs(b[0]), std::vector<std::string>{"web-4"});
  EXPECT_EQ(b[0].at_risk(), 2);
  const std::vector<v1::AtRiskOrder> after = t.AtRisk();
  const v1::AtRiskOrder* web2 = t.Find(after, "web-2");
  ASSERT_NE(web2, nullptr);
  EXPECT_EQ(web2->skus_size(), 1);
}

// An at-risk order ends when the store covers it again, hands it over,
// lets it lapse, or head office cancels it.
TEST_P(CentralStoreTest, EscrowBreachAtRiskOrdersEndWithTheirResolution) {
  Scenario t(*store_);
  t.Ingest({t.rec_.Escrow("sku-a", 5, false)});
  t.Append("g1", Grant("web-1", {{"sku-a", 2}}));
  t.Append("g2", Grant("web-2", {{"sku-a", 2}}));
  t.Append("g3", Grant("web-3", {{"sku-a", 1}}));
  const uint64_t breach = t.Ingest({t.rec_.Escrow("sku-a", 1, true)});
  EXPECT_EQ(t.Orders(t.AtRisk()),
            (std::vector<std::string>{"web-1", "web-2", "web-3"}));

  // A delivery: the store announces 3 again. web-1 fits, web-2 still not.
  const uint64_t receipt = t.Ingest({t.rec_.Escrow("sku-a", 3, false)});
  // The store places web-2 with units to spare (its escrow after is 1 > 0).
  const uint64_t placed = t.Ingest(
      {t.rec_.Placed("web-2", "sku-a", 2), t.rec_.Escrow("sku-a", 1, false)});
  // Head office re-routes web-3.
  t.Append("c3", Cancel("web-3"));
  // Collecting a covered order changes nothing.
  t.Ingest({t.rec_.Collected("web-2")});

  std::vector<v1::AtRiskOrder> risk = t.AtRisk();
  ASSERT_EQ(risk.size(), 3u);
  const v1::AtRiskOrder* o1 = t.Find(risk, "web-1");
  const v1::AtRiskOrder* o2 = t.Find(risk, "web-2");
  const v1::AtRiskOrder* o3 = t.Find(risk, "web-3");
  ASSERT_TRUE(o1 != nullptr && o2 != nullptr && o3 != nullptr);
  EXPECT_EQ(o1->breach_seq(), breach);
  EXPECT_EQ(o1->resolution(), "covered");
  EXPECT_EQ(o1->resolved_seq(), receipt);
  EXPECT_EQ(o1->resolved_at_us(), kNow);
  EXPECT_EQ(o2->resolution(), "covered");
  EXPECT_EQ(o2->resolved_seq(), placed + 1);
  EXPECT_EQ(o3->resolution(), "cancelled");
  EXPECT_EQ(o3->resolved_seq(), 0u);
  EXPECT_TRUE(t.AtRisk(/*unresolved_only=*/true).empty());
}

TEST_P(CentralStoreTest,
       EscrowBreachAPlacedOrderWithoutStockStaysAtRiskUntilItEnds) {
  Scenario t(*store_);
  t.Ingest({t.rec_.Escrow("sku-a", 2, false)});
  t.Append("g1", Grant("web-1", {{"sku-a", 2}}));
  t.Ingest({t.rec_.Escrow("sku-a", 0, true)});
  // The grant comes down; the store has nothing left (escrow 0 after).
  t.Ingest(
      {t.rec_.Placed("web-1", "sku-a", 2), t.rec_.Escrow("sku-a", 0, false)});
  std::vector<v1::AtRiskOrder> risk = t.AtRisk(/*unresolved_only=*/true);
  EXPECT_EQ(t.Orders(risk), std::vector<std::string>{"web-1"});
  const uint64_t expired = t.Ingest({t.rec_.Expired("web-1")});
  risk = t.AtRisk();
  ASSERT_EQ(risk.size(), 1u);
  EXPECT_EQ(risk[0].resolution(), "expired");
  EXPECT_EQ(risk[0].resolved_seq(), expired);
  // A later breach of the SKU names nothing: the store holds web-1 itself.
  int64_t breaches = -1;
  t.Ingest({t.rec_.Escrow("sku-a", 0, true)}, &breaches);
  EXPECT_EQ(breaches, 0);
}

TEST_P(CentralStoreTest, EscrowBreachACoveredOrderIsMarkedAgainByANewBreach) {
  Scenario t(*store_);
  t.Ingest({t.rec_.Escrow("sku-a", 2, false)});
  t.Append("g1", Grant("web-1", {{"sku-a", 2}}));
  t.Ingest({t.rec_.Escrow("sku-a", 1, true)});
  t.Ingest({t.rec_.Escrow("sku-a", 2, false)});
  ASSERT_EQ(t.AtRisk().size(), 1u);
  EXPECT_EQ(t.AtRisk()[0].resolution(), "covered");
  const uint64_t again = t.Ingest({t.rec_.Escrow("sku-a", 0, true)});
  std::vector<v1::AtRiskOrder> risk = t.AtRisk();
  ASSERT_EQ(risk.size(), 1u);
  EXPECT_EQ(risk[0].resolution(), "");
  EXPECT_EQ(risk[0].breach_seq(), again);
  EXPECT_EQ(risk[0].resolved_seq(), 0u);
}

TEST_P(CentralStoreTest, EscrowBreachListAtRiskOrdersChecksItsArguments) {
  Result<std::vector<v1::AtRiskOrder>> bad =
      store_->ListAtRiskOrders("bad store", false, 10);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("store_id"), std::string::npos);
}

}  // namespace
}  // namespace storeagent::testing
