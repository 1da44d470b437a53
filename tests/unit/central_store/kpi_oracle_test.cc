// Head office's KPIs (docs/kpis.md) on every backend: a generated four-week
// history of five stores is replayed through the store API the sync stream
// uses (IngestBatch, AppendCentralEvent, AckCentralAt, RecordDrift), and
// the report (ComputeKpiReport) must equal an independent oracle computed
// from the raw history, for the fleet, each region and each store, every
// week and the span.
#include "tests/unit/central_store/kpi_oracle.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "central/server/kpi_report.h"
#include "tests/unit/central_store/central_store_fixture.h"
#include "tests/unit/central_store/kpi_history.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

constexpr char kLastWeek[] = "2026-W48";
constexpr int64_t kNowUs = 1'700'000'000'000'000;
const std::set<std::string> kWeeks = {"2026-W45", "2026-W46", "2026-W47",
                                      "2026-W48"};
const std::set<std::string> kAllStores = {"s1", "s2", "s3", "s4", "s5"};

void ExpectValue(const v1::KpiValue& got, const Expected& want,
                 const std::string& where) {
  EXPECT_EQ(got.present(), want.present) << where;
  EXPECT_EQ(got.numerator(), want.numerator) << where;
  EXPECT_EQ(got.denominator(), want.denominator) << where;
  if (want.present) {
    EXPECT_DOUBLE_EQ(got.value(), want.value) << where;
  }
}

// The report of `request` equals the oracle over `stores`.
void ExpectReport(central::CentralStore& store, const KpiOracle& oracle,
                  v1::GetKpiReportRequest request,
                  const std::set<std::string>& stores) {
  request.set_last_week(kLastWeek);
  request.set_by_store(true);
  v1::GetKpiReportResponse got;
  grpc::Status st = central::ComputeKpiReport(store, request, 0, &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const std::string scope = got.scope();
  ASSERT_EQ(got.weeks_size(), 4) << scope;
  ASSERT_EQ(static_cast<size_t>(got.kpis_size()), KpiOracle::KpiNames().size());
  for (int i = 0; i < got.kpis_size(); ++i) {
    const v1::Kpi& k = got.kpis(i);
    ASSERT_EQ(k.name(), KpiOracle::KpiNames()[static_cast<size_t>(i)]);
    ASSERT_EQ(k.weeks_size(), 4);
    for (const v1::KpiValue& w : k.weeks()) {
      ExpectValue(w, oracle.Value(k.name(), stores, {w.week()}),
                  scope + " " + k.name() + " " + w.week());
    }
    ExpectValue(k.span(), oracle.Value(k.name(), stores, kWeeks),
                scope + " " + k.name() + " span");
    const Expected last = oracle.Value(k.name(), stores, {"2026-W48"});
    const Expected prev = oracle.Value(k.name(), stores, {"2026-W47"});
    EXPECT_EQ(k.week_on_week_present(), last.present && prev.present) << scope;
    if (last.present && prev.present) {
      EXPECT_DOUBLE_EQ(k.week_on_week(), last.value - prev.value)
          << scope << " " << k.name();
    }
  }
  ASSERT_EQ(static_cast<size_t>(got.stores_size()), stores.size()) << scope;
  for (const v1::StoreKpis& s : got.stores()) {
    EXPECT_EQ(stores.count(s.store_id()), 1u) << scope;
    ASSERT_EQ(s.values_size(), got.kpis_size());
    for (int i = 0; i < s.values_size(); ++i) {
      ExpectValue(
          s.values(i), oracle.Value(got.kpis(i).name(), {s.store_id()}, kWeeks),
          scope + " by_store " + s.store_id() + " " + got.kpis(i).name());
    }
  }
}

TEST_P(CentralStoreTest, KpiReportEqualsAnIndependentOracle) {
  const History h = GenerateHistory(20261102);
  ASSERT_TRUE(Replay(h, *store_));
  const KpiOracle oracle(h);
  // The history exercises the late path: returns whose original reached
  // central after them (s4 offline for two days, batches committed late).
  EXPECT_GT(oracle.late_originals(), 0);

  // And the price check: checked sales with deviating lines, a store with
  // no price book, and weeks of a store without one (rate absent).
  const Expected rate =
      oracle.Value("price_deviation_rate", kAllStores, kWeeks);
  EXPECT_GT(rate.numerator, 0);
  EXPECT_LT(rate.numerator, rate.denominator);
  EXPECT_FALSE(oracle.Value("price_deviation_rate", {"s5"}, kWeeks).present);
  EXPECT_FALSE(
      oracle.Value("price_deviation_rate", {"s2"}, {"2026-W46"}).present);
  // The deviation list's counts are the same counters over all time (the
  // history is the report's four weeks), its rows one per deviating line.
  for (const std::string& s : {std::string(), std::string("s1")}) {
    central::PriceDeviationQuery q;
    q.store_id = s;
    Result<central::PriceDeviationList> l = store_->ListPriceDeviations(q);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    const Expected want =
        oracle.Value("price_deviation_rate",
                     s.empty() ? kAllStores : std::set<std::string>{s}, kWeeks);
    EXPECT_EQ(l->lines_checked, want.denominator) << s;
    EXPECT_EQ(l->lines_deviating, want.numerator) << s;
    EXPECT_EQ(static_cast<int64_t>(l->entries.size()), want.numerator) << s;
  }

  ExpectReport(*store_, oracle, {}, kAllStores);
  v1::GetKpiReportRequest north;
  north.set_region("north");
  ExpectReport(*store_, oracle, north, {"s1", "s2"});
  v1::GetKpiReportRequest south;
  south.set_region("south");
  ExpectReport(*store_, oracle, south, {"s3", "s4"});
  for (const std::string& s : kAllStores) {
    v1::GetKpiReportRequest one;
    one.set_store_id(s);
    ExpectReport(*store_, oracle, one, {s});
  }

  // Every return's original as the change feed will give it.
  int found = 0;
  for (const auto& [key, want] : oracle.originals()) {
    Result<std::optional<v1::ResolvedOriginal>> got =
        store_->ResolveOriginal(key.first, key.second);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << key.first << " " << key.second;
    const std::string at = key.first + " seq " + std::to_string(key.second);
    EXPECT_EQ((*got)->found(), want.found) << at;
    EXPECT_EQ((*got)->store_id(), want.store_id) << at;
    EXPECT_EQ((*got)->seq(), want.seq) << at;
    EXPECT_EQ((*got)->sold_at_us(), want.sold_at_us) << at;
    found += want.found ? 1 : 0;
  }
  EXPECT_GT(found, 0);
  EXPECT_LT(found, static_cast<int>(oracle.originals().size()));

  // The feed's pages carry the same, read a page at a time (small pages,
  // so returns fall at page edges too); no other entry carries one.
  size_t paged = 0;
  for (const std::string& s : kAllStores) {
    central::FeedPageQuery q;
    q.store_id = s;
    q.limit = 7;
    for (;;) {
      Result<std::vector<central::FeedRow>> page = store_->ReadFeedPage(q);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      if (page->empty()) break;
      for (const central::FeedRow& row : *page) {
        const std::string at = s + " seq " + std::to_string(row.number);
        auto want = oracle.originals().find({s, row.number});
        if (want == oracle.originals().end()) {
          EXPECT_FALSE(row.original.has_value()) << at;
          continue;
        }
        ++paged;
        ASSERT_TRUE(row.original.has_value()) << at;
        EXPECT_EQ(row.original->found(), want->second.found) << at;
        EXPECT_EQ(row.original->store_id(), want->second.store_id) << at;
        EXPECT_EQ(row.original->seq(), want->second.seq) << at;
        EXPECT_EQ(row.original->sold_at_us(), want->second.sold_at_us) << at;
      }
      q.after = page->back().number;
    }
  }
  EXPECT_EQ(paged, oracle.originals().size());
}

// Records for the lookup test below (KpiSale, KpiReturn: the fixture).
v1::JournalRecord KpiHold(const std::string& txn, const std::string& ref,
                          int step) {
  v1::JournalRecord r = NoSale(txn);
  r.clear_transaction();
  v1::StockEvent* e = r.mutable_stock();
  if (step == 0) {
    v1::HoldPlaced* p = e->mutable_hold_placed();
    p->set_order_ref(ref);
    p->set_channel("online");
    v1::HoldLine* l = p->add_lines();
    l->set_sku("SKU-00001");
    l->set_quantity(1);
    p->set_expires_at_us(1'000'000'000'000);
  } else if (step == 1) {
    e->mutable_hold_picked()->set_order_ref(ref);
    e->mutable_hold_picked()->set_operator_id("op-1");
  } else {
    e->mutable_hold_collected()->set_order_ref(ref);
    e->mutable_hold_collected()->set_operator_id("op-1");
  }
  return r;
}

v1::JournalRecord KpiVoid(const std::string& txn, const std::string& of) {
  v1::JournalRecord r = NoSale(txn);
  *r.mutable_transaction() = test::SamplePostVoid();
  *r.mutable_transaction()->mutable_post_void()->mutable_original() =
      test::SampleClientKey(of);
  return r;
}

// Every lookup of an earlier batch's rows (a return's original by key, by
// receipt, by order and by collected hold; a void's sale and return; a
// hold event's hold; a pending return resolved later), with references
// holding what an array literal or a query could trip on.
TEST_P(CentralStoreTest, KpiLookupsFindEarlierBatchesWhateverTheirText) {
  const std::string receipt = "R \"1\",\\{NULL} 'x'";
  const std::string order = "O,{\"y\"}\\";
  const std::string late = "NULL";
  ChainBuilder c1, c2;
  auto ingest = [&](const std::string& store,
                    std::vector<v1::JournalEntry> batch) {
    Result<central::IngestResult> r = store_->IngestBatch(store, batch, kNowUs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->quarantined.empty()) << r->quarantined[0].reason();
  };
  // s2's return of a sale s1 has not sent yet: pending.
  ingest("s2", {c2.Next(KpiReturn("r0", "s1", "", late, "store"))});
  ingest("s1", {c1.Next(KpiSale("a1", receipt, "")),
                c1.Next(KpiSale("b1", late, "")),  // resolves r0
                c1.Next(KpiSale("c1", "R-3", order)),
                c1.Next(KpiHold("h0", "H-1", 0))});
  const uint64_t a1 = 1, b1 = 2, c1_seq = 3;
  ingest("s2", {c2.Next(KpiReturn("r1", "s1", "", receipt, "store")),
                c2.Next(KpiReturn("r2", "s1", "b1", "", "store")),
                c2.Next(KpiReturn("r2b", "s1", "c1", "", "store")),
                c2.Next(KpiReturn("r2c", "s1", "a1", "", "store")),
                c2.Next(KpiReturn("r3", "", "", order, "online"))});
  ingest("s1", {c1.Next(KpiVoid("v1", "a1")), c1.Next(KpiHold("h1", "H-1", 1)),
                c1.Next(KpiHold("h2", "H-1", 2))});
  const int64_t collected_at = static_cast<int64_t>(c1.seq()) * 1'000'000;
  ingest("s2", {c2.Next(KpiReturn("r4", "", "", "H-1", "click_and_collect")),
                c2.Next(KpiVoid("v2", "r1"))});

  struct Want {
    uint64_t seq;
    std::string store;
    uint64_t orig_seq;
    int64_t sold_at_us;
  };
  for (const Want& w :
       {Want{1, "s1", b1, 2'000'000}, Want{2, "s1", a1, 1'000'000},
        Want{3, "s1", b1, 2'000'000}, Want{4, "s1", c1_seq, 3'000'000},
        Want{5, "s1", a1, 1'000'000}, Want{6, "s1", c1_seq, 3'000'000},
        Want{7, "s1", 0, collected_at}}) {
    Result<std::optional<v1::ResolvedOriginal>> got =
        store_->ResolveOriginal("s2", w.seq);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << "s2 seq " << w.seq;
    EXPECT_TRUE((*got)->found()) << "s2 seq " << w.seq;
    EXPECT_EQ((*got)->store_id(), w.store) << "s2 seq " << w.seq;
    EXPECT_EQ((*got)->seq(), w.orig_seq) << "s2 seq " << w.seq;
    EXPECT_EQ((*got)->sold_at_us(), w.sold_at_us) << "s2 seq " << w.seq;
  }
  Result<std::vector<central::KpiCounterSum>> sums =
      store_->ReadKpiCounters({}, "1970-W01", "1970-W01", true);
  ASSERT_TRUE(sums.ok()) << sums.status().ToString();
  std::map<std::string, int64_t> s1, s2;
  for (const central::KpiCounterSum& c : *sums) {
    if (c.store_id == "s1") s1[c.name] = c.value;
    if (c.store_id == "s2") s2[c.name] = c.value;
  }
  EXPECT_EQ(s1["sales.count"], 2);  // a1 voided from a later batch
  EXPECT_EQ(s1["orders.finished"], 1);
  EXPECT_EQ(s1["orders.complete"], 1);
  int64_t picks = 0, cycles = 0;
  for (const auto& [name, value] : s1) {
    if (name.rfind("pick_time:", 0) == 0) picks += value;
  }
  for (const auto& [name, value] : s2) {
    if (name.rfind("refund_cycle:", 0) == 0) cycles += value;
  }
  EXPECT_EQ(picks, 1);
  EXPECT_EQ(s2["returns.count"], 6);  // r1 voided from a later batch
  EXPECT_EQ(cycles, 6);
}

// Receipt numbers repeat (tills restart them daily): a return naming one
// finds that business day's sale when it gives the day, else the latest
// sale recorded at or before it, else the earliest after it; the same in
// the batch and in earlier batches (docs/kpis.md, "Original resolution").
TEST_P(CentralStoreTest, KpiReceiptNumberFindsTheLatestSaleBeforeTheReturn) {
  ChainBuilder c1, c2;
  auto ingest = [&](const std::string& store,
                    std::vector<v1::JournalEntry> batch) {
    Result<central::IngestResult> r = store_->IngestBatch(store, batch, kNowUs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->quarantined.empty()) << r->quarantined[0].reason();
  };
  auto sale = [](const std::string& txn, const std::string& day) {
    v1::JournalRecord r = KpiSale(txn, "7", "");
    r.mutable_transaction()->mutable_sale()->set_business_day(day);
    return r;
  };
  auto ret = [](const std::string& txn, const std::string& store,
                const std::string& day) {
    v1::JournalRecord r = KpiReturn(txn, store, "", "7", "store");
    r.mutable_transaction()
        ->mutable_return_()
        ->mutable_original()
        ->set_business_day(day);
    return r;
  };
  // s1 seq 1..3 (recorded at seq seconds), then 4..8.
  ingest("s1",
         {c1.Next(sale("a1", "2026-03-01")), c1.Next(sale("a2", "2026-03-02")),
          c1.Next(sale("a3", "2026-03-03"))});
  ingest("s1",
         {c1.Next(sale("b1", "2026-03-04")), c1.Next(sale("b1b", "2026-03-04")),
          c1.Next(ret("x1", "", "")),            // b1b: this batch's latest
          c1.Next(ret("x2", "", "2026-03-02")),  // a2: an earlier batch's
          c1.Next(sale("b2", "2026-03-05"))});   // after x1 and x2
  ingest("s2", c2.NoSales(2));
  ingest("s2",
         {c2.Next(ret("y1", "s1", "")),              // at 3 s: a3
          c2.Next(ret("y2", "s1", "2026-03-01")),    // a1
          c2.Next(ret("y3", "s1", "2026-03-05"))});  // b2, recorded after it
  struct Want {
    std::string store;
    uint64_t seq;
    uint64_t orig_seq;
  };
  for (const Want& w : {Want{"s1", 6, 5}, Want{"s1", 7, 2}, Want{"s2", 3, 3},
                        Want{"s2", 4, 1}, Want{"s2", 5, 8}}) {
    const std::string at = w.store + " seq " + std::to_string(w.seq);
    Result<std::optional<v1::ResolvedOriginal>> got =
        store_->ResolveOriginal(w.store, w.seq);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << at;
    EXPECT_TRUE((*got)->found()) << at;
    EXPECT_EQ((*got)->store_id(), "s1") << at;
    EXPECT_EQ((*got)->seq(), w.orig_seq) << at;
    EXPECT_EQ((*got)->sold_at_us(),
              static_cast<int64_t>(w.orig_seq) * 1'000'000)
        << at;
  }
}

// Store ids are ordered by their bytes on both backends (COLLATE "C"),
// not by PostgreSQL's locale ("S-a" < "S-B" and "s_1" < "s-1" in en_US):
// the stores' list (the report's by-store order), and which store's sale
// or collected hold an online return finds when several share the order.
TEST_P(CentralStoreTest, KpiStoreOrderIsByteOrderOnEveryBackend) {
  std::map<std::string, ChainBuilder> chains;
  auto ingest = [&](const std::string& store,
                    std::vector<v1::JournalRecord> records) {
    std::vector<v1::JournalEntry> batch;
    for (v1::JournalRecord& r : records) {
      batch.push_back(chains[store].Next(std::move(r)));
    }
    Result<central::IngestResult> r = store_->IngestBatch(store, batch, kNowUs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->quarantined.empty()) << r->quarantined[0].reason();
  };
  for (const std::string store : {"S-a", "s_1", "S-B", "s-1"}) {
    ingest(store, {KpiSale("a", "", "OX"), KpiHold("h0", "HX", 0),
                   KpiHold("h1", "HX", 1), KpiHold("h2", "HX", 2)});
  }
  Result<std::vector<central::StoreRegion>> stores = store_->ListStoreRegions();
  ASSERT_TRUE(stores.ok()) << stores.status().ToString();
  std::vector<std::string> ids;
  for (const central::StoreRegion& r : *stores) ids.push_back(r.store_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"S-B", "S-a", "s-1", "s_1"}));
  ingest("s_1", {KpiReturn("r1", "", "", "OX", "online"),
                 KpiReturn("r2", "", "", "HX", "click_and_collect")});
  for (uint64_t seq : {5, 6}) {
    Result<std::optional<v1::ResolvedOriginal>> got =
        store_->ResolveOriginal("s_1", seq);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << seq;
    EXPECT_TRUE((*got)->found()) << seq;
    EXPECT_EQ((*got)->store_id(), "S-B") << seq;
  }
}

// Two stores' batches change one return at once: s2 voids its return of
// s1's sale while s1's batch bringing that sale resolves it. Neither may
// overwrite the other (PostgreSQL: the returns a batch changes are locked),
// so every refund-cycle bucket of s2 comes back to 0 and no return is
// counted twice or resurrected. A bounded number of rounds, each racing.
TEST_P(CentralStoreTest, KpiConcurrentVoidAndResolutionOfAReturnLoseNothing) {
  std::vector<central::CentralStore*> stores = StoresForThreads(2);
  ASSERT_EQ(stores.size(), 2u);
  ChainBuilder c1, c2;
  auto ingest = [&](central::CentralStore* s, const std::string& store,
                    std::vector<v1::JournalEntry> batch) {
    Result<central::IngestResult> r = s->IngestBatch(store, batch, kNowUs);
    if (!r.ok()) return r.status().ToString();
    if (!r->quarantined.empty()) return r->quarantined[0].reason();
    return std::string();
  };
  // s2's returns are recorded 200 s and more after s1's sales, and say
  // they were sold later still (bucket 0): resolving moves the sample.
  ASSERT_EQ(ingest(store_.get(), "s2", c2.NoSales(200)), "");
  constexpr int kRounds = 40;
  for (int i = 0; i < kRounds; ++i) {
    const std::string n = std::to_string(i);
    v1::JournalRecord r = KpiReturn("r" + n, "s1", "a" + n, "", "store");
    r.mutable_transaction()
        ->mutable_return_()
        ->mutable_original()
        ->set_sold_at_us(1'000'000'000'000);
    ASSERT_EQ(ingest(store_.get(), "s2", {c2.Next(std::move(r))}), "");
    std::vector<v1::JournalEntry> sale = {c1.Next(KpiSale("a" + n, "", ""))};
    std::vector<v1::JournalEntry> void_of = {
        c2.Next(KpiVoid("v" + n, "r" + n))};
    std::string e1 = "not run", e2 = "not run";
    std::thread t1([&] { e1 = ingest(stores[0], "s1", sale); });
    std::thread t2([&] { e2 = ingest(stores[1], "s2", void_of); });
    t1.join();
    t2.join();
    ASSERT_EQ(e1, "") << "round " << i;
    ASSERT_EQ(e2, "") << "round " << i;
  }
  Result<std::vector<central::KpiCounterSum>> sums =
      store_->ReadKpiCounters({}, "1970-W01", "1970-W01", true);
  ASSERT_TRUE(sums.ok()) << sums.status().ToString();
  int64_t sales = 0, returns = 0;
  for (const central::KpiCounterSum& c : *sums) {
    if (c.store_id == "s1" && c.name == "sales.count") sales = c.value;
    if (c.store_id == "s2" && c.name == "returns.count") returns = c.value;
    if (c.store_id == "s2" && c.name.rfind("refund_cycle:", 0) == 0) {
      EXPECT_EQ(c.value, 0) << c.name;
    }
  }
  EXPECT_EQ(sales, kRounds);
  EXPECT_EQ(returns, 0);
}

// s2's return of s1's sale and s1's batch bringing that sale commit at the
// same time: the return must not stay pending (PostgreSQL: s2's batch reads
// s1's rows only once s1's running ingest has committed, and s1's next one
// waits for s2's). A bounded number of rounds, each racing.
TEST_P(CentralStoreTest, KpiReturnAndItsOriginalCommittedTogetherResolve) {
  std::vector<central::CentralStore*> stores = StoresForThreads(2);
  ASSERT_EQ(stores.size(), 2u);
  ChainBuilder c1, c2;
  auto ingest = [&](central::CentralStore* s, const std::string& store,
                    std::vector<v1::JournalEntry> batch) {
    Result<central::IngestResult> r = s->IngestBatch(store, batch, kNowUs);
    if (!r.ok()) return r.status().ToString();
    if (!r->quarantined.empty()) return r->quarantined[0].reason();
    return std::string();
  };
  // Both stores exist (their rows are what the ingests lock).
  ASSERT_EQ(ingest(store_.get(), "s1", c1.NoSales(1)), "");
  ASSERT_EQ(ingest(store_.get(), "s2", c2.NoSales(1)), "");
  constexpr int kRounds = 40;
  for (int i = 0; i < kRounds; ++i) {
    const std::string n = std::to_string(i);
    std::vector<v1::JournalEntry> sale = {c1.Next(KpiSale("a" + n, "", ""))};
    std::vector<v1::JournalEntry> ret = {
        c2.Next(KpiReturn("r" + n, "s1", "a" + n, "", "store"))};
    std::string e1 = "not run", e2 = "not run";
    std::thread t1([&] { e1 = ingest(stores[0], "s1", sale); });
    std::thread t2([&] { e2 = ingest(stores[1], "s2", ret); });
    t1.join();
    t2.join();
    ASSERT_EQ(e1, "") << "round " << i;
    ASSERT_EQ(e2, "") << "round " << i;
  }
  int pending = 0;
  for (int i = 0; i < kRounds; ++i) {
    const uint64_t seq = 2 + static_cast<uint64_t>(i);
    Result<std::optional<v1::ResolvedOriginal>> got =
        store_->ResolveOriginal("s2", seq);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(got->has_value()) << seq;
    if (!(*got)->found()) ++pending;
    if ((*got)->found()) {
      EXPECT_EQ((*got)->seq(), seq) << seq;  // s1's sale of the same round
    }
  }
  EXPECT_EQ(pending, 0);
}

// A till whose agent forgot a client key may send it again with another
// sale: central keeps both sales (the index is keyed by seq too), a return
// naming the key finds the later one, and a void takes the later one out.
TEST_P(CentralStoreTest, KpiAClientKeySentTwiceKeepsBothSales) {
  ChainBuilder c1;
  auto ingest = [&](std::vector<v1::JournalRecord> records) {
    std::vector<v1::JournalEntry> batch;
    for (v1::JournalRecord& r : records) batch.push_back(c1.Next(std::move(r)));
    Result<central::IngestResult> r = store_->IngestBatch("s1", batch, kNowUs);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->quarantined.empty()) << r->quarantined[0].reason();
  };
  // The later sale with key k has a member, the earlier none: which one a
  // void takes out shows in sales.member.
  v1::JournalRecord later = KpiSale("k", "R-2", "");
  later.mutable_transaction()->mutable_sale()->mutable_member()->set_pseudonym(
      std::string(32, 'm'));
  ingest({KpiSale("k", "R-1", "")});                    // seq 1
  ingest({std::move(later), KpiSale("m", "R-3", "")});  // 2, 3
  ingest({KpiReturn("r", "", "k", "", "store")});       // 4
  Result<std::optional<v1::ResolvedOriginal>> got =
      store_->ResolveOriginal("s1", 4);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_TRUE((*got)->found());
  EXPECT_EQ((*got)->seq(), 2u);
  // s1's counter `name`, week 1970-W01 (the chain's times).
  auto counter = [&](const std::string& name) {
    Result<std::vector<central::KpiCounterSum>> sums =
        store_->ReadKpiCounters({}, "1970-W01", "1970-W01", true);
    EXPECT_TRUE(sums.ok()) << sums.status().ToString();
    int64_t n = 0;
    if (!sums.ok()) return n;
    for (const central::KpiCounterSum& c : *sums) {
      if (c.store_id == "s1" && c.name == name) n += c.value;
    }
    return n;
  };
  EXPECT_EQ(counter("sales.count"), 3);
  EXPECT_EQ(counter("sales.member"), 1);
  ingest({KpiVoid("v", "k")});  // the later sale
  EXPECT_EQ(counter("sales.count"), 2);
  EXPECT_EQ(counter("sales.member"), 0);
  ingest({KpiVoid("v2", "k")});  // the later is voided already: nothing
  EXPECT_EQ(counter("sales.count"), 2);
  EXPECT_EQ(counter("sales.member"), 0);
}

TEST_P(CentralStoreTest, KpiAggregatesCountAResentBatchOnce) {
  const History h = GenerateHistory(7);
  ASSERT_TRUE(Replay(h, *store_));
  v1::GetKpiReportRequest r;
  r.set_last_week(kLastWeek);
  v1::GetKpiReportResponse before;
  ASSERT_TRUE(central::ComputeKpiReport(*store_, r, 0, &before).ok());
  // Every batch and ack again, as a reconnecting store resends them.
  for (const HistoryAction& a : h.actions) {
    if (a.kind == HistoryAction::kIngest) {
      ASSERT_TRUE(store_->IngestBatch(a.store_id, a.entries, a.at_us).ok());
    } else if (a.kind == HistoryAction::kAck) {
      ASSERT_TRUE(
          store_->AckCentralAt(a.store_id, a.central_seq, a.at_us).ok());
    }
  }
  v1::GetKpiReportResponse after;
  ASSERT_TRUE(central::ComputeKpiReport(*store_, r, 0, &after).ok());
  EXPECT_EQ(before.SerializeAsString(), after.SerializeAsString());
}

// Off, nothing is aggregated but the price lines checked and deviating:
// they are the deviation list's counts, kept either way (docs/central.md,
// "Price deviations").
TEST_P(CentralStoreTest, KpiAggregationOffKeepsNoAggregates) {
  store_->SetKpiAggregation(false);
  const History h = GenerateHistory(3);
  ASSERT_TRUE(Replay(h, *store_));
  Result<std::vector<central::KpiCounterSum>> rows =
      store_->ReadKpiCounters({}, "2026-W45", "2026-W48", true);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::set<std::string> names;
  for (const central::KpiCounterSum& c : *rows) names.insert(c.name);
  EXPECT_EQ(names, (std::set<std::string>{"price_lines.checked",
                                          "price_lines.deviating"}));
}

TEST_P(CentralStoreTest, SetStoreRegionChecksAndIsRetrySafe) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  Result<bool> bad = store_->SetStoreRegion("s1", "no spaces", kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("region:", 0), 0u);
  EXPECT_FALSE(store_->SetStoreRegion("s1", std::string(65, 'r'), kNow).ok());
  Result<bool> unknown = store_->SetStoreRegion("s2", "north", kNow);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  Result<bool> set = store_->SetStoreRegion("s1", std::string(64, 'r'), kNow);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_TRUE(*set);
  Result<bool> again = store_->SetStoreRegion("s1", std::string(64, 'r'), kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  Result<std::vector<central::StoreRegion>> regions =
      store_->ListStoreRegions();
  ASSERT_TRUE(regions.ok());
  ASSERT_EQ(regions->size(), 1u);
  EXPECT_EQ((*regions)[0].region, std::string(64, 'r'));
  ASSERT_TRUE(store_->SetStoreRegion("s1", "", kNow).ok());  // no region
  regions = store_->ListStoreRegions();
  ASSERT_TRUE(regions.ok());
  EXPECT_EQ((*regions)[0].region, "");
}

TEST_P(CentralStoreTest, KpiReportRefusesBadRequestsNamingTheField) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  auto code = [&](const v1::GetKpiReportRequest& r, std::string* message) {
    v1::GetKpiReportResponse out;
    grpc::Status st = central::ComputeKpiReport(*store_, r, 0, &out);
    *message = st.error_message();
    return st.error_code();
  };
  std::string m;
  v1::GetKpiReportRequest r;
  r.set_weeks(14);
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(m.rfind("weeks:", 0), 0u) << m;
  r.set_weeks(13);
  EXPECT_EQ(code(r, &m), grpc::StatusCode::OK) << m;
  r.set_last_week("2026-W54");
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(m.rfind("last_week:", 0), 0u) << m;
  r.set_last_week("2025-W53");  // 2025 has 52 ISO weeks
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  r.set_last_week("2026-W53");  // 2026 has 53
  EXPECT_EQ(code(r, &m), grpc::StatusCode::OK) << m;
  r.set_store_id("s1");
  r.set_region("north");
  EXPECT_EQ(code(r, &m), grpc::StatusCode::INVALID_ARGUMENT);
  r.clear_region();
  r.set_store_id("nope");
  EXPECT_EQ(code(r, &m), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(m.rfind("store_id:", 0), 0u) << m;
}

}  // namespace
}  // namespace storeagent::testing
