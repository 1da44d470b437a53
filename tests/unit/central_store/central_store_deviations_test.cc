// Price deviations at central (docs/central.md, "Price deviations"), on
// both backends, through the normal ingest: a sale the agent checked
// counts its lines as checked and those with a price_deviation as
// deviating, each deviating line is listed (newest first, filtered by
// store, SKU and time, limited) with what the store recorded; a sale that
// was not checked counts nothing, a resent batch nothing twice, a
// quarantined sale nothing; with the KPI aggregation off the list and the
// counts are kept all the same.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "central/store/central_store.h"
#include "core/journal_chain.h"
#include "tests/unit/central_store/central_store_fixture.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {
// Its own namespace: the suite's files are compiled as one unit.
namespace deviations_test {

constexpr int64_t kSecond = 1'000'000;
// 2026-11-02T00:00:00Z (a Monday); the tests' sales are hours after it.
constexpr int64_t kT0 = 1'793'577'600'000'000;
constexpr int64_t kHour = 3600 * kSecond;

v1::PriceDeviation Dev(v1::PriceDeviationKind kind, v1::PriceReason reason,
                       int64_t expected, int64_t charged) {
  v1::PriceDeviation d;
  d.set_kind(kind);
  d.set_reason(reason);
  d.set_expected_unit_price(expected);
  d.set_expected_net(expected);
  d.set_charged_unit_price(charged);
  d.set_charged_net(charged);
  d.set_difference(charged - expected);
  d.set_price_list_id("fleet-1");
  d.set_price_list_version(3);
  return d;
}

// A sale of `lines` lines with client key `txn` and receipt `receipt`;
// `book` 0: not checked, else checked against that book with `deviations`
// (line index -> its record) on its lines.
v1::JournalRecord Sale(const std::string& txn, int lines, uint64_t book,
                       const std::map<int, v1::PriceDeviation>& deviations,
                       const std::string& receipt = "R-1") {
  v1::JournalRecord r;
  *r.mutable_client_key() = test::SampleClientKey(txn);
  *r.mutable_transaction() = test::SampleSale(lines);
  v1::Sale* s = r.mutable_transaction()->mutable_sale();
  s->set_receipt_number(receipt);
  s->set_price_book_central_seq(book);
  for (const auto& [i, d] : deviations) {
    s->mutable_lines(i)->set_price_reason(d.reason());
    *s->mutable_lines(i)->mutable_price_deviation() = d;
  }
  return r;
}

// A store's chain with the times given (ChainBuilder numbers the seconds).
class TimedChain {
 public:
  v1::JournalEntry Next(v1::JournalRecord record, int64_t at_us) {
    record.set_seq(++seq_);
    record.set_recorded_at_us(at_us);
    v1::JournalEntry e;
    *e.mutable_record() = record;
    e.set_prev_hash(hash_);
    hash_ = core::ChainHash(hash_, core::CanonicalBytes(record));
    e.set_hash(hash_);
    return e;
  }

 private:
  uint64_t seq_ = 0;
  std::string hash_ = core::GenesisHash();
};

// "store seq/line" of each entry, in the order listed.
std::vector<std::string> Keys(const central::PriceDeviationList& l) {
  std::vector<std::string> out;
  for (const v1::PriceDeviationEntry& e : l.entries) {
    out.push_back(e.store_id() + " " + std::to_string(e.seq()) + "/" +
                  std::to_string(e.line()));
  }
  return out;
}
using Names = std::vector<std::string>;

class Deviations {
 public:
  explicit Deviations(central::CentralStore& store) : store_(store) {}

  void Ingest(const std::string& store, std::vector<v1::JournalEntry> batch,
              size_t quarantined = 0) {
    Result<central::IngestResult> r = store_.IngestBatch(store, batch, kNow);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->quarantined.size(), quarantined)
        << (r->quarantined.empty() ? "" : r->quarantined[0].reason());
  }

  central::PriceDeviationList List(central::PriceDeviationQuery q = {}) {
    Result<central::PriceDeviationList> l = store_.ListPriceDeviations(q);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? *std::move(l) : central::PriceDeviationList{};
  }
  central::PriceDeviationList Store(const std::string& store) {
    central::PriceDeviationQuery q;
    q.store_id = store;
    return List(q);
  }

 private:
  central::CentralStore& store_;
};

TEST_P(CentralStoreTest, PriceDeviationsAreListedNewestFirstWithTheirCounts) {
  Deviations d(*store_);
  const v1::PriceDeviation override_ =
      Dev(v1::PRICE_DEVIATION_KIND_UNIT_PRICE, v1::PRICE_REASON_MANUAL_OVERRIDE,
          299, 250);
  const v1::PriceDeviation unknown = Dev(v1::PRICE_DEVIATION_KIND_NOT_IN_BOOK,
                                         v1::PRICE_REASON_UNKNOWN_SKU, 0, 199);
  const v1::PriceDeviation missed = Dev(v1::PRICE_DEVIATION_KIND_NET_AMOUNT,
                                        v1::PRICE_REASON_UNSPECIFIED, 180, 199);
  TimedChain s1, s2;
  v1::JournalRecord a = Sale("a", 3, 7, {{1, override_}}, "R-a");
  a.mutable_transaction()->mutable_sale()->set_operator_id("op-9");
  d.Ingest("s1", {s1.Next(a, kT0 + 1 * kHour),
                  s1.Next(Sale("b", 2, 0, {}), kT0 + 2 * kHour),  // not checked
                  s1.Next(Sale("c", 2, 7, {{0, unknown}, {1, missed}}, "R-c"),
                          kT0 + 3 * kHour),
                  s1.Next(NoSale("n"), kT0 + 4 * kHour)});
  d.Ingest("s2", {s2.Next(Sale("d", 1, 2, {{0, override_}}, "R-d"),
                          kT0 + 150 * kSecond * 60)});

  central::PriceDeviationList all = d.List();
  EXPECT_EQ(Keys(all), (Names{"s1 3/0", "s1 3/1", "s2 1/0", "s1 1/1"}));
  EXPECT_EQ(all.lines_checked, 3 + 2 + 1);
  EXPECT_EQ(all.lines_deviating, 4);
  ASSERT_EQ(all.entries.size(), 4u);
  // Each row as the store recorded it.
  const v1::PriceDeviationEntry& e = all.entries[3];
  EXPECT_EQ(e.recorded_at_us(), kT0 + kHour);
  EXPECT_EQ(e.client_key().terminal_id(), "till-01");
  EXPECT_EQ(e.client_key().client_txn_id(), "a");
  EXPECT_EQ(e.receipt_number(), "R-a");
  EXPECT_EQ(e.operator_id(), "op-9");
  EXPECT_EQ(e.sku(), a.transaction().sale().lines(1).sku());
  EXPECT_EQ(e.deviation().SerializeAsString(), override_.SerializeAsString())
      << e.deviation().DebugString();
  EXPECT_EQ(all.entries[0].deviation().SerializeAsString(),
            unknown.SerializeAsString());
  EXPECT_EQ(all.entries[1].deviation().SerializeAsString(),
            missed.SerializeAsString());
  EXPECT_EQ(all.entries[1].deviation().reason(), v1::PRICE_REASON_UNSPECIFIED);

  // The counts follow the store filter only.
  central::PriceDeviationList one = d.Store("s1");
  EXPECT_EQ(Keys(one), (Names{"s1 3/0", "s1 3/1", "s1 1/1"}));
  EXPECT_EQ(one.lines_checked, 5);
  EXPECT_EQ(one.lines_deviating, 3);
  central::PriceDeviationList none = d.Store("s9");  // unknown: nothing
  EXPECT_TRUE(none.entries.empty());
  EXPECT_EQ(none.lines_checked, 0);
  EXPECT_EQ(none.lines_deviating, 0);
}

TEST_P(CentralStoreTest, PriceDeviationsFilterBySkuTimeAndLimit) {
  Deviations d(*store_);
  const v1::PriceDeviation x = Dev(v1::PRICE_DEVIATION_KIND_UNIT_PRICE,
                                   v1::PRICE_REASON_PRICE_MATCH, 500, 450);
  TimedChain s1, s2;
  // Lines 0 and 1 are SKU-00000 and SKU-00001 (test::SampleSale).
  d.Ingest("s1", {s1.Next(Sale("a", 2, 1, {{0, x}, {1, x}}), kT0 + 10),
                  s1.Next(Sale("b", 2, 1, {{1, x}}), kT0 + 20),
                  s1.Next(Sale("c", 2, 1, {{0, x}}), kT0 + 30)});
  d.Ingest("s2", {s2.Next(Sale("a", 2, 1, {{1, x}}), kT0 + 20)});
  central::PriceDeviationQuery q;
  q.sku = "SKU-00001";
  EXPECT_EQ(Keys(d.List(q)), (Names{"s1 2/1", "s2 1/1", "s1 1/1"}));
  q.store_id = "s2";
  EXPECT_EQ(Keys(d.List(q)), (Names{"s2 1/1"}));
  q = {};
  q.since_us = kT0 + 20;  // inclusive
  q.until_us = kT0 + 30;  // exclusive
  EXPECT_EQ(Keys(d.List(q)), (Names{"s1 2/1", "s2 1/1"}));
  q.until_us = 0;  // open
  EXPECT_EQ(Keys(d.List(q)), (Names{"s1 3/0", "s1 2/1", "s2 1/1"}));
  q.store_id = "s1";
  q.sku = "SKU-00000";
  EXPECT_EQ(Keys(d.List(q)), (Names{"s1 3/0"}));
  // The counts ignore the SKU and time filters.
  const central::PriceDeviationList l = d.List(q);
  EXPECT_EQ(l.lines_checked, 6);
  EXPECT_EQ(l.lines_deviating, 4);
  q = {};
  q.limit = 2;
  EXPECT_EQ(Keys(d.List(q)), (Names{"s1 3/0", "s1 2/1"}));
  q.limit = 0;  // every row (the RPC applies its own default)
  EXPECT_EQ(d.List(q).entries.size(), 5u);
}

TEST_P(CentralStoreTest, PriceDeviationsAResentBatchCountsNothingTwice) {
  Deviations d(*store_);
  const v1::PriceDeviation x = Dev(v1::PRICE_DEVIATION_KIND_UNIT_PRICE,
                                   v1::PRICE_REASON_MANUAL_OVERRIDE, 100, 90);
  TimedChain s1;
  const std::vector<v1::JournalEntry> first = {
      s1.Next(Sale("a", 2, 1, {{0, x}}), kT0 + 1),
      s1.Next(Sale("b", 3, 1, {}), kT0 + 2)};
  d.Ingest("s1", first);
  d.Ingest("s1", first);  // resent whole
  std::vector<v1::JournalEntry> overlap = first;
  overlap.push_back(s1.Next(Sale("c", 1, 1, {{0, x}}), kT0 + 3));
  d.Ingest("s1", overlap);  // resent with one new sale
  d.Ingest("s1", overlap);
  const central::PriceDeviationList l = d.List();
  EXPECT_EQ(Keys(l), (Names{"s1 3/0", "s1 1/0"}));
  EXPECT_EQ(l.lines_checked, 2 + 3 + 1);
  EXPECT_EQ(l.lines_deviating, 2);
}

TEST_P(CentralStoreTest, PriceDeviationsASaleNotCheckedCountsNothing) {
  Deviations d(*store_);
  TimedChain s1;
  d.Ingest("s1", {s1.Next(Sale("a", 4, 0, {}), kT0 + 1),
                  s1.Next(Sale("b", 1, 0, {}), kT0 + 2)});
  const central::PriceDeviationList l = d.List();
  EXPECT_TRUE(l.entries.empty());
  EXPECT_EQ(l.lines_checked, 0);
  EXPECT_EQ(l.lines_deviating, 0);
  // The sales themselves count as sales (the KPI side is unchanged).
  Result<std::vector<central::KpiCounterSum>> sums = store_->ReadKpiCounters(
      {"s1", ""}, "2026-W45", "2026-W45", /*by_store=*/false);
  ASSERT_TRUE(sums.ok()) << sums.status().ToString();
  std::map<std::string, int64_t> by_name;
  for (const central::KpiCounterSum& s : *sums) by_name[s.name] = s.value;
  EXPECT_EQ(by_name["sales.count"], 2);
  EXPECT_EQ(by_name.count("price_lines.checked"), 0u);
}

TEST_P(CentralStoreTest, PriceDeviationsAQuarantinedSaleCountsNothing) {
  Deviations d(*store_);
  v1::PriceDeviation bad = Dev(v1::PRICE_DEVIATION_KIND_UNIT_PRICE,
                               v1::PRICE_REASON_MANUAL_OVERRIDE, 100, 90);
  bad.set_kind(static_cast<v1::PriceDeviationKind>(99));  // unknown
  TimedChain s1;
  d.Ingest("s1", {s1.Next(Sale("a", 2, 1, {{0, bad}}), kT0 + 1)},
           /*quarantined=*/1);
  const central::PriceDeviationList l = d.List();
  EXPECT_TRUE(l.entries.empty());
  EXPECT_EQ(l.lines_checked, 0);
}

TEST_P(CentralStoreTest, PriceDeviationsAreKeptWithTheKpiAggregationOff) {
  store_->SetKpiAggregation(false);
  Deviations d(*store_);
  const v1::PriceDeviation x = Dev(v1::PRICE_DEVIATION_KIND_CURRENCY,
                                   v1::PRICE_REASON_UNSPECIFIED, 0, 100);
  TimedChain s1;
  d.Ingest("s1", {s1.Next(Sale("a", 2, 1, {{1, x}}), kT0 + 1),
                  s1.Next(Sale("b", 2, 0, {}), kT0 + 2)});
  const central::PriceDeviationList l = d.List();
  EXPECT_EQ(Keys(l), (Names{"s1 1/1"}));
  EXPECT_EQ(l.lines_checked, 2);
  EXPECT_EQ(l.lines_deviating, 1);
  // Only the deviation counters were written.
  Result<std::vector<central::KpiCounterSum>> sums = store_->ReadKpiCounters(
      {"s1", ""}, "2026-W45", "2026-W45", /*by_store=*/false);
  ASSERT_TRUE(sums.ok()) << sums.status().ToString();
  std::map<std::string, int64_t> by_name;
  for (const central::KpiCounterSum& s : *sums) by_name[s.name] = s.value;
  EXPECT_EQ(by_name,
            (std::map<std::string, int64_t>{{"price_lines.checked", 2},
                                            {"price_lines.deviating", 1}}));
}

TEST_P(CentralStoreTest, PriceDeviationsTextThatCouldTripAQueryIsKept) {
  Deviations d(*store_);
  v1::PriceDeviation x = Dev(v1::PRICE_DEVIATION_KIND_UNIT_PRICE,
                             v1::PRICE_REASON_DAMAGED_GOODS, 100, 50);
  x.set_price_list_id("l'1,\"{x}\"");
  TimedChain s1;
  v1::JournalRecord r = Sale("a", 1, 1, {{0, x}}, "R \"1\",\\{NULL} 'x'");
  r.mutable_transaction()->mutable_sale()->mutable_lines(0)->set_sku("NULL");
  d.Ingest("s1", {s1.Next(r, kT0 + 1)});
  central::PriceDeviationQuery q;
  q.sku = "NULL";
  const central::PriceDeviationList l = d.List(q);
  ASSERT_EQ(l.entries.size(), 1u);
  EXPECT_EQ(l.entries[0].receipt_number(), "R \"1\",\\{NULL} 'x'");
  EXPECT_EQ(l.entries[0].deviation().price_list_id(), "l'1,\"{x}\"");
  EXPECT_EQ(l.entries[0].deviation().reason(), v1::PRICE_REASON_DAMAGED_GOODS);
}

}  // namespace deviations_test
}  // namespace
}  // namespace storeagent::testing
