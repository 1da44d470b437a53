#include "tests/unit/central_store/kpi_history.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>

#include "core/journal_chain.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
const std::vector<std::string> kStores = {"s1", "s2", "s3", "s4", "s5"};
// s4 is offline on these days: its events and acks arrive on day 12.
constexpr int kOfflineFirst = 10;
constexpr int kOfflineLast = 11;
const char kOfflineStore[] = "s4";

struct Timed {
  int64_t at_us;
  v1::JournalRecord record;
};

struct SaleRef {
  std::string store_id;
  v1::ClientKey key;
  std::string receipt;
  int64_t at_us;
  std::string business_day;
};

struct HoldRef {
  std::string order_ref;
  int64_t collected_at_us;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  History Run() {
    History h;
    h.regions = {{"s1", "north"},
                 {"s2", "north"},
                 {"s3", "south"},
                 {"s4", "south"},
                 {"s5", ""}};
    for (int day = 0; day < kHistoryDays; ++day) {
      const int64_t start = kHistoryStartUs + day * kDay;
      for (size_t k = 0; k < kStores.size(); ++k) Day(k, day, start);
      for (size_t k = 0; k < kStores.size(); ++k) Returns(k, day, start);
      for (size_t k = 0; k < kStores.size(); ++k) Central(h, k, start);
    }
    Drift(h, "s3", kHistoryStartUs + 5 * kDay + 15 * kHour, 3);
    Drift(h, "s1", kHistoryStartUs + 20 * kDay + 9 * kHour, 2);
    for (const std::string& s : kStores) Chain(h, s);
    std::stable_sort(h.actions.begin(), h.actions.end(),
                     [](const HistoryAction& a, const HistoryAction& b) {
                       return a.at_us < b.at_us;
                     });
    return h;
  }

 private:
  int64_t Rand(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  bool Chance(int percent) { return Rand(1, 100) <= percent; }

  v1::ClientKey Key(size_t k) {
    v1::ClientKey key;
    key.set_terminal_id("t" + std::to_string(k + 1));
    key.set_client_txn_id(kStores[k] + "-" + std::to_string(++txn_[k]));
    return key;
  }

  v1::JournalRecord Record(size_t k) {
    v1::JournalRecord r;
    *r.mutable_client_key() = Key(k);
    return r;
  }

  static v1::LoyaltyMember Pseudonym(int64_t n) {
    v1::LoyaltyMember m;
    std::string p(32, 'm');
    p[0] = static_cast<char>('a' + n % 26);
    m.set_pseudonym(p);
    return m;
  }

  void Add(size_t k, int64_t at, v1::JournalRecord r) {
    events_[kStores[k]].push_back({at, std::move(r)});
  }

  void Sale(size_t k, int64_t at, v1::SalesChannel channel,
            const std::string& order_ref) {
    v1::JournalRecord r = Record(k);
    v1::Transaction t = test::SampleSale(static_cast<int>(Rand(1, 5)));
    v1::Sale* s = t.mutable_sale();
    const int n = txn_[k];
    // Receipt numbers restart every day (as tills do): the same number
    // names a sale of every day; the business day tells them apart.
    const int64_t day = (at - kHistoryStartUs) / kDay;
    s->set_receipt_number("R" + std::to_string(k + 1) + "-" +
                          std::to_string(today_sales_[k].size() + 1));
    char business_day[16];  // day 0 is the 1st (kHistoryDays <= 28)
    std::snprintf(business_day, sizeof business_day, "2026-02-%02d",
                  static_cast<int>(day % 28) + 1);
    s->set_business_day(business_day);
    s->set_channel(channel);
    s->set_order_ref(order_ref);
    if (Chance(40)) *s->mutable_member() = Pseudonym(n);
    Check(k, static_cast<int>(day), s);
    *r.mutable_transaction() = t;
    sales_.push_back({kStores[k], r.client_key(), s->receipt_number(), at,
                      s->business_day()});
    today_sales_[k].push_back(sales_.back());
    Add(k, at, std::move(r));
  }

  // The agent's price check (docs/pricing.md): stores get a price book
  // from day 3 on (s5 never has one, s2 only from day 15, so some of its
  // weeks have no checked sale), and then about one line in eight is
  // charged other than the book, with a reason or none. A PRNG of its own,
  // so the rest of the history is what it was without it.
  void Check(size_t k, int day, v1::Sale* s) {
    if (k == 4 || day < 3 || (k == 1 && day < 15)) return;
    s->set_price_book_central_seq(static_cast<uint64_t>(day));
    for (v1::TransactionLine& l : *s->mutable_lines()) {
      if (std::uniform_int_distribution<int>(1, 8)(price_rng_) != 1) continue;
      v1::PriceDeviation* d = l.mutable_price_deviation();
      d->set_kind(static_cast<v1::PriceDeviationKind>(
          std::uniform_int_distribution<int>(1, 5)(price_rng_)));
      d->set_reason(static_cast<v1::PriceReason>(
          std::uniform_int_distribution<int>(0, 4)(price_rng_)));
      d->set_expected_unit_price(l.unit_price().minor_units() + 10);
      d->set_expected_net(l.extended_amount().minor_units() + 10);
      d->set_charged_unit_price(l.unit_price().minor_units());
      d->set_charged_net(l.extended_amount().minor_units());
      d->set_difference(-10);
      d->set_price_list_id("fleet");
      d->set_price_list_version(static_cast<uint64_t>(day));
      l.set_price_reason(d->reason());
    }
  }

  void Hold(size_t k, int day, int i, int64_t at) {
    const std::string ref = "H" + std::to_string(k + 1) + "-" +
                            std::to_string(day) + "-" + std::to_string(i);
    v1::JournalRecord placed = Record(k);
    v1::HoldPlaced* p = placed.mutable_stock()->mutable_hold_placed();
    p->set_order_ref(ref);
    p->set_channel("online");
    v1::HoldLine* l = p->add_lines();
    l->set_sku("SKU-00001");
    l->set_quantity(1);
    p->set_expires_at_us(at + 2 * kDay);
    Add(k, at, std::move(placed));
    int64_t t = at + Rand(1, 240) * kMinute;
    const int outcome = static_cast<int>(Rand(1, 100));
    if (outcome > 10 && Chance(85)) {  // picked, unless it expires
      v1::JournalRecord r = Record(k);
      r.mutable_stock()->mutable_hold_picked()->set_order_ref(ref);
      r.mutable_stock()->mutable_hold_picked()->set_operator_id("op-1");
      Add(k, t, std::move(r));
      t += Rand(1, 120) * kMinute;
    }
    v1::JournalRecord r = Record(k);
    v1::StockEvent* e = r.mutable_stock();
    if (outcome <= 10) {
      e->mutable_hold_expired()->set_order_ref(ref);
    } else if (outcome <= 65) {
      e->mutable_hold_collected()->set_order_ref(ref);
      e->mutable_hold_collected()->set_operator_id("op-1");
      holds_.push_back({ref, t});
      if (Chance(50)) {
        Sale(k, t + kSecond, v1::SALES_CHANNEL_CLICK_AND_COLLECT, ref);
      }
    } else if (outcome <= 80) {
      e->mutable_hold_short_picked()->set_order_ref(ref);
      e->mutable_hold_short_picked()->set_operator_id("op-1");
    } else {
      e->mutable_hold_cancelled()->set_order_ref(ref);
      e->mutable_hold_cancelled()->set_reason("customer");
      e->mutable_hold_cancelled()->set_operator_id(outcome <= 90 ? "op-2"
                                                                 : "central");
    }
    Add(k, t, std::move(r));
  }

  void Day(size_t k, int day, int64_t start) {
    today_sales_[k].clear();
    int64_t t = start + 8 * kHour + Rand(0, 30) * kMinute;
    const int sales = static_cast<int>(Rand(6, 10));
    for (int i = 0; i < sales; ++i) {
      t += Rand(2, 40) * kMinute + Rand(0, 999) * 1000;
      const auto ch = static_cast<v1::SalesChannel>(Rand(0, 4));
      const bool online = ch == v1::SALES_CHANNEL_CLICK_AND_COLLECT ||
                          ch == v1::SALES_CHANNEL_SHIP_FROM_STORE ||
                          ch == v1::SALES_CHANNEL_ENDLESS_AISLE;
      Sale(k, t, ch,
           online
               ? "O" + std::to_string(k + 1) + "-" + std::to_string(txn_[k] + 1)
               : "");
    }
    for (int i = 0; i < 2; ++i) Hold(k, day, i, start + 9 * kHour + i * kHour);
    if (Chance(50)) {
      v1::JournalRecord r = Record(k);
      v1::MemberEnrolled* e = r.mutable_loyalty()->mutable_enrolled();
      *e->mutable_member() = Pseudonym(day);
      e->mutable_consent()->set_loyalty_program(true);
      e->mutable_consent()->set_given_at_us(start);
      e->set_sealed_contact(std::string(60, 's'));
      Add(k, start + 12 * kHour, std::move(r));
    }
    if (Chance(30) && !today_sales_[k].empty()) {  // a post-void
      const SaleRef& s = today_sales_[k][static_cast<size_t>(
          Rand(0, static_cast<int64_t>(today_sales_[k].size()) - 1))];
      v1::JournalRecord r = Record(k);
      v1::Transaction v = test::SamplePostVoid();
      *v.mutable_post_void()->mutable_original() = s.key;
      *r.mutable_transaction() = v;
      Add(k, s.at_us + 5 * kMinute, std::move(r));
    }
    v1::JournalRecord close = Record(k);
    v1::Transaction c = test::SampleDailyClose();
    if ((k == 1 && day == 15) || (k == 4 && day == 3)) {
      v1::CloseDifference* d = c.mutable_daily_close()->add_differences();
      d->set_figure("tender:CASH");
      d->set_pos(123450);
      d->set_agent(120000);
    }
    *close.mutable_transaction() = c;
    Add(k, start + 22 * kHour, std::move(close));
  }

  // Returns of the day, once every store's sales of the day exist.
  void Returns(size_t k, int day, int64_t start) {
    if (day < 1) return;
    const int n = static_cast<int>(Rand(1, 3));
    for (int i = 0; i < n; ++i) {
      const int64_t at = start + 20 * kHour + i * 7 * kMinute;
      v1::JournalRecord r = Record(k);
      v1::Transaction t = test::SampleReturn();
      v1::OriginalTransaction* o = t.mutable_return_()->mutable_original();
      o->Clear();
      int kind = static_cast<int>(Rand(0, 6));
      // On s4's offline days, s1 returns goods bought at s4 that day.
      if (k == 0 && day >= kOfflineFirst && day <= kOfflineLast && i == 0) {
        kind = 7;
      }
      const SaleRef* s = nullptr;
      if (kind <= 1) s = PickSale(kStores[k], at);
      if (kind == 2 || kind == 3) {
        s = PickSale(kStores[(k + 1 + static_cast<size_t>(Rand(0, 3))) % 5],
                     at);
      }
      if (kind == 7) s = PickSale(kOfflineStore, at, start);
      if (s != nullptr) {
        if (s->store_id != kStores[k] || Chance(50))
          o->set_store_id(s->store_id);
        if (kind == 1 || kind == 3) {
          o->set_reference(s->receipt);
          // A receipt number alone names the latest such sale before the
          // return (docs/kpis.md); another store's may reach central late,
          // so those name the day too, and every other own-store one.
          if (s->store_id != kStores[k] || i % 2 == 1) {
            o->set_business_day(s->business_day);
          }
        } else {
          *o->mutable_client_key() = s->key;
        }
        o->set_channel("store");
        if (Chance(50)) o->set_sold_at_us(s->at_us);
      } else if (kind == 4 && !holds_.empty()) {
        const HoldRef& hr = holds_[static_cast<size_t>(
            Rand(0, static_cast<int64_t>(holds_.size()) - 1))];
        o->set_reference(hr.order_ref);
        o->set_channel("online");
      } else if (kind == 5) {  // never reaches central; the POS knows when
        o->set_store_id("s9");
        o->set_reference("R9-" + std::to_string(day));
        o->set_channel("store");
        o->set_sold_at_us(at - Rand(1, 20) * kDay);
      } else {  // never reaches central, no time either
        o->set_store_id("s9");
        o->set_reference("R9-x" + std::to_string(day));
      }
      *r.mutable_transaction() = t;
      const v1::ClientKey key = r.client_key();
      Add(k, at, std::move(r));
      if (Chance(10)) {  // voided return
        v1::JournalRecord v = Record(k);
        v1::Transaction pv = test::SamplePostVoid();
        *pv.mutable_post_void()->mutable_original() = key;
        *v.mutable_transaction() = pv;
        Add(k, at + kMinute, std::move(v));
      }
    }
  }

  // A sale of `store` sold before `before` (and at or after `since`).
  const SaleRef* PickSale(const std::string& store, int64_t before,
                          int64_t since = 0) {
    std::vector<const SaleRef*> c;
    for (const SaleRef& s : sales_) {
      if (s.store_id == store && s.at_us < before && s.at_us >= since) {
        c.push_back(&s);
      }
    }
    if (c.empty()) return nullptr;
    return c[static_cast<size_t>(Rand(0, static_cast<int64_t>(c.size()) - 1))];
  }

  bool Offline(const std::string& store, int64_t at) const {
    const int day = static_cast<int>((at - kHistoryStartUs) / kDay);
    return store == kOfflineStore && day >= kOfflineFirst &&
           day <= kOfflineLast;
  }
  static int64_t BackOnline() {
    return kHistoryStartUs + (kOfflineLast + 1) * kDay + 7 * kHour;
  }

  void Central(History& h, size_t k, int64_t start) {
    const std::string& s = kStores[k];
    const int64_t a1 = start + 13 * kHour + Rand(0, 59) * kMinute;
    const int64_t a2 = a1 + Rand(1, 30) * kMinute;
    for (const int64_t at : {a1, a2}) {
      HistoryAction a;
      a.kind = HistoryAction::kAppend;
      a.at_us = at;
      a.store_id = s;
      a.central_seq = ++central_seq_[k];
      h.actions.push_back(a);
      h.central.push_back({s, a.central_seq, at, 0});
    }
    std::vector<std::pair<int64_t, uint64_t>> acks;
    if (Chance(50)) {  // one ack covers both
      acks.push_back({a2 + Rand(200, 600'000) * 1000, central_seq_[k]});
    } else {
      acks.push_back({a1 + Rand(200, 60'000) * 1000, central_seq_[k] - 1});
      acks.push_back({std::max(a2, acks[0].first) + Rand(200, 600'000) * 1000,
                      central_seq_[k]});
    }
    for (auto& [at, seq] : acks) {
      if (Offline(s, a1)) at = BackOnline() + static_cast<int64_t>(seq);
      HistoryAction a;
      a.kind = HistoryAction::kAck;
      a.at_us = at;
      a.store_id = s;
      a.central_seq = seq;
      h.actions.push_back(a);
      for (HistoryCentralEvent& c : h.central) {
        if (c.store_id == s && c.central_seq <= seq && c.acked_at_us == 0) {
          c.acked_at_us = at;
        }
      }
    }
  }

  void Drift(History& h, const std::string& store, int64_t at, int n) {
    HistoryAction a;
    a.kind = HistoryAction::kDrift;
    a.at_us = at;
    for (int i = 0; i < n; ++i) {
      v1::Drift d;
      d.set_store_id(store);
      d.set_sku("SKU-0000" + std::to_string(i));
      d.set_found_at_us(at);
      a.drift.push_back(d);
      h.drift.push_back(d);
    }
    h.actions.push_back(std::move(a));
  }

  // The store's events in time order as a chain, in batches: each batch
  // within an hour of its first event, committed a little after its last
  // (s4's offline days: when it is back).
  void Chain(History& h, const std::string& store) {
    std::vector<Timed>& ev = events_[store];
    std::stable_sort(ev.begin(), ev.end(), [](const Timed& a, const Timed& b) {
      return a.at_us < b.at_us;
    });
    uint64_t seq = 0;
    std::string hash = core::GenesisHash();
    HistoryAction batch;
    int64_t prev_at = 0;  // a store's batches commit in order
    auto flush = [&] {
      if (batch.entries.empty()) return;
      const int64_t last = batch.entries.back().record().recorded_at_us();
      batch.at_us =
          Offline(store, last)
              ? BackOnline()
              : std::max(prev_at + 1, last + Rand(100, 60'000) * 1000);
      prev_at = batch.at_us;
      for (v1::JournalEntry& e : batch.entries) {
        h.events.push_back({store, e, batch.at_us});
      }
      h.actions.push_back(std::move(batch));
      batch = HistoryAction{};
    };
    for (Timed& t : ev) {
      if (!batch.entries.empty() &&
          t.at_us - batch.entries.front().record().recorded_at_us() > kHour) {
        flush();
      }
      batch.kind = HistoryAction::kIngest;
      batch.store_id = store;
      t.record.set_seq(++seq);
      t.record.set_recorded_at_us(t.at_us);
      v1::JournalEntry e;
      *e.mutable_record() = t.record;
      e.set_prev_hash(hash);
      hash = core::ChainHash(hash, core::CanonicalBytes(t.record));
      e.set_hash(hash);
      batch.entries.push_back(std::move(e));
    }
    flush();
  }

  std::mt19937 rng_;
  std::mt19937 price_rng_{20261214};
  std::map<std::string, std::vector<Timed>> events_;
  std::map<size_t, int> txn_;
  std::map<size_t, uint64_t> central_seq_;
  std::vector<SaleRef> sales_;
  std::map<size_t, std::vector<SaleRef>> today_sales_;
  std::vector<HoldRef> holds_;
};

}  // namespace

History GenerateHistory(uint32_t seed) { return Generator(seed).Run(); }

bool Replay(const History& h, central::CentralStore& store) {
  bool regions_set = false;
  int n = 0;
  for (const HistoryAction& a : h.actions) {
    ++n;
    switch (a.kind) {
      case HistoryAction::kIngest: {
        Result<central::IngestResult> r =
            store.IngestBatch(a.store_id, a.entries, a.at_us);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        if (!r.ok()) return false;
        EXPECT_TRUE(r->quarantined.empty())
            << a.store_id << ": " << r->quarantined[0].reason();
        if (!r->quarantined.empty()) return false;
        break;
      }
      case HistoryAction::kAppend: {
        v1::CentralEvent e;
        v1::StockMovement* m = e.mutable_movement();
        m->set_reason(v1::StockMovement::REASON_RECEIPT);
        v1::StockDelta* d = m->add_lines();
        d->set_sku("SKU-00001");
        d->set_quantity(5);
        Result<central::PushResult> r = store.AppendCentralEvent(
            a.store_id, "k-" + std::to_string(n), e, a.at_us);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        if (!r.ok()) return false;
        EXPECT_EQ(r->central_seq, a.central_seq);
        break;
      }
      case HistoryAction::kAck: {
        Status s = store.AckCentralAt(a.store_id, a.central_seq, a.at_us);
        EXPECT_TRUE(s.ok()) << s.ToString();
        if (!s.ok()) return false;
        break;
      }
      case HistoryAction::kDrift: {
        Status s = store.RecordDrift(a.drift);
        EXPECT_TRUE(s.ok()) << s.ToString();
        if (!s.ok()) return false;
        break;
      }
    }
    if (!regions_set && h.actions.size() / 2 == static_cast<size_t>(n)) {
      // Halfway, every store exists: regions do not depend on timing.
      for (const auto& [s, region] : h.regions) {
        // No price book here: nothing is queued, the time is not used.
        Result<bool> r = store.SetStoreRegion(s, region, /*now_us=*/0);
        EXPECT_TRUE(r.ok()) << r.status().ToString();
        if (!r.ok()) return false;
      }
      regions_set = true;
    }
  }
  return true;
}

}  // namespace storeagent::testing
