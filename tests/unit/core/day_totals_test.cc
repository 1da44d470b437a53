// core::DayTotalsBuilder against an independent sum: a generated random day
// of sales, returns, post-voids and no-sales over 3 terminals and 4
// operators, whose expected figures the generator adds up from the numbers
// it chose (never by reading the messages back through the code under
// test). And core::CompareClose, figure by figure.
#include "core/day_totals.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/event_validation.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::core {
namespace {

using test::Eur;

constexpr char kDay[] = "2026-03-14";
constexpr char kDayBefore[] = "2026-03-13";
const char* const kTerminals[] = {"till-01", "till-02", "till-03"};
const char* const kOperators[] = {"op-1", "op-2", "op-3", "op-4"};

// What a scope (store, a terminal, an operator) should add up to.
struct Expected {
  int64_t sale_count = 0, sales_amount = 0, return_count = 0,
          returns_amount = 0, void_count = 0, voids_amount = 0,
          no_sale_count = 0, discount_count = 0, discounts_amount = 0;
  std::map<int, std::pair<int64_t, int64_t>> tenders;  // kind: net, count
  std::map<int, std::pair<int64_t, int64_t>> taxes;    // rate: taxable, tax
};

// The money a sale or return moved, as the generator chose it.
struct Effect {
  int sign = 0;  // +1 sale, -1 return
  int64_t total = 0;
  std::map<int, int64_t> tender_net;
  std::map<int, std::pair<int64_t, int64_t>> taxes;
};

class DayGenerator {
 public:
  explicit DayGenerator(uint32_t seed) : rng_(seed) {}

  int64_t Rand(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  // A valid sale (sign +1) or return (sign -1); its money in `effect`, its
  // discounts in `discounts` (count, amount).
  v1::Transaction Basket(int sign, const std::string& day,
                         const std::string& op, Effect* effect,
                         std::pair<int64_t, int64_t>* discounts) {
    v1::Transaction txn;
    auto* lines = sign > 0 ? txn.mutable_sale()->mutable_lines()
                           : txn.mutable_return_()->mutable_lines();
    const bool included = Rand(0, 1) == 1;
    int64_t subtotal = 0, tax_sum = 0;
    effect->sign = sign;
    *discounts = {0, 0};
    const int n = static_cast<int>(Rand(1, 4));
    for (int i = 0; i < n; ++i) {
      v1::TransactionLine* l = lines->Add();
      l->set_sku("SKU-" + std::to_string(Rand(1, 50)));
      l->set_unit(v1::UNIT_OF_MEASURE_EACH);
      const int64_t q = Rand(1, 5), p = Rand(100, 5000);
      l->set_quantity(q);
      *l->mutable_unit_price() = Eur(p);
      *l->mutable_extended_amount() = Eur(q * p);
      int64_t d = 0;
      if (Rand(0, 9) < 3) {
        d = Rand(1, q * p / 2);
        *l->add_discounts()->mutable_amount() = Eur(d);
        if (sign > 0) {
          ++discounts->first;
          discounts->second += d;
        }
      }
      const int64_t net = q * p - d;
      subtotal += net;
      const int rates[] = {-1, 0, 700, 2000};
      const int rate = rates[Rand(0, 3)];
      if (rate >= 0) {
        const int64_t t = net * rate / 10000;
        l->mutable_tax()->set_rate_bp(rate);
        *l->mutable_tax()->mutable_amount() = Eur(t);
        tax_sum += t;
        auto& [taxable, tax] = effect->taxes[rate];
        taxable += sign * (net - (included ? t : 0));
        tax += sign * t;
      }
      if (sign < 0 && Rand(0, 1) == 1) l->set_restock(true);
    }
    const int64_t total = subtotal + (included ? 0 : tax_sum);
    effect->total = total;
    v1::Totals totals;
    totals.set_tax_included(included);
    *totals.mutable_subtotal() = Eur(subtotal);
    *totals.mutable_tax() = Eur(tax_sum);
    *totals.mutable_total() = Eur(total);
    // Tenders: part by card (or gift card), the rest in cash with change.
    google::protobuf::RepeatedPtrField<v1::Tender> tenders;
    const int64_t other = Rand(0, 2) == 0 ? 0 : Rand(0, total);
    const int other_kind =
        Rand(0, 1) == 0 ? v1::Tender::KIND_CARD : v1::Tender::KIND_GIFT_CARD;
    if (other > 0) {
      v1::Tender* t = tenders.Add();
      t->set_kind(static_cast<v1::Tender::Kind>(other_kind));
      *t->mutable_amount() = Eur(other);
      effect->tender_net[other_kind] += sign * other;
    }
    if (total - other > 0 || other == 0) {
      const int64_t change = Rand(0, 3) == 0 ? Rand(1, 500) : 0;
      const int64_t cash = total - other + change;
      v1::Tender* t = tenders.Add();
      t->set_kind(v1::Tender::KIND_CASH);
      *t->mutable_amount() = Eur(cash);
      if (change > 0) *totals.mutable_change_given() = Eur(change);
      effect->tender_net[v1::Tender::KIND_CASH] += sign * (cash - change);
    }
    if (sign > 0) {
      v1::Sale* s = txn.mutable_sale();
      *s->mutable_tenders() = tenders;
      *s->mutable_totals() = totals;
      s->set_operator_id(op);
      s->set_business_day(day);
      s->set_channel(static_cast<v1::SalesChannel>(Rand(0, 4)));
    } else {
      v1::Return* r = txn.mutable_return_();
      *r->mutable_tenders() = tenders;
      *r->mutable_totals() = totals;
      r->set_operator_id(op);
      r->set_business_day(day);
      r->mutable_original()->set_reference("R-" + std::to_string(Rand(1, 99)));
    }
    return txn;
  }

 private:
  std::mt19937 rng_;
};

void AddEffect(Expected& e, const Effect& fx, int scale, bool count) {
  for (const auto& [kind, net] : fx.tender_net) {
    e.tenders[kind].first += scale * net;
    if (count) ++e.tenders[kind].second;
  }
  for (const auto& [rate, v] : fx.taxes) {
    e.taxes[rate].first += scale * v.first;
    e.taxes[rate].second += scale * v.second;
  }
}

// Every figure of `t` against `e`; figures with zero net and no count may
// be absent from either side.
void ExpectFigures(const v1::DayTotals& t, const Expected& e,
                   const std::string& scope) {
  SCOPED_TRACE(scope);
  EXPECT_EQ(t.business_day(), kDay);
  EXPECT_EQ(t.sale_count(), e.sale_count);
  EXPECT_EQ(t.sales_amount().minor_units(), e.sales_amount);
  EXPECT_EQ(t.return_count(), e.return_count);
  EXPECT_EQ(t.returns_amount().minor_units(), e.returns_amount);
  EXPECT_EQ(t.void_count(), e.void_count);
  EXPECT_EQ(t.voids_amount().minor_units(), e.voids_amount);
  EXPECT_EQ(t.no_sale_count(), e.no_sale_count);
  EXPECT_EQ(t.discount_count(), e.discount_count);
  EXPECT_EQ(t.discounts_amount().minor_units(), e.discounts_amount);
  EXPECT_EQ(t.transaction_count(), e.sale_count + e.return_count);
  std::map<int, std::pair<int64_t, int64_t>> tenders, taxes;
  for (const v1::TenderTotal& x : t.tenders()) {
    tenders[x.kind()] = {x.net_amount().minor_units(), x.count()};
    EXPECT_EQ(x.net_amount().currency(), "EUR");
  }
  for (const v1::TaxTotal& x : t.taxes()) {
    taxes[x.rate_bp()] = {x.taxable().minor_units(), x.tax().minor_units()};
  }
  auto expected_tenders = e.tenders;
  for (auto it = expected_tenders.begin(); it != expected_tenders.end();) {
    const bool empty = it->second == std::pair<int64_t, int64_t>{0, 0};
    it = empty && !tenders.count(it->first) ? expected_tenders.erase(it)
                                            : std::next(it);
  }
  EXPECT_EQ(tenders, expected_tenders);
  EXPECT_EQ(taxes.size(), e.taxes.size());
  for (const auto& [rate, v] : e.taxes) {
    EXPECT_EQ(taxes[rate], v) << "rate " << rate;
  }
}

v1::JournalRecord Record(const std::string& terminal, const std::string& txn_id,
                         v1::Transaction txn) {
  v1::JournalRecord r;
  r.mutable_client_key()->set_terminal_id(terminal);
  r.mutable_client_key()->set_client_txn_id(txn_id);
  *r.mutable_transaction() = std::move(txn);
  return r;
}

TEST(DayTotals, EqualAnIndependentSumOfARandomDay) {
  for (uint32_t seed : {1u, 7u, 2026u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    DayGenerator gen(seed);
    std::vector<v1::JournalRecord> day;              // the records of kDay
    std::map<std::string, v1::JournalRecord> by_id;  // every sale/return
    std::map<std::string, Effect> effects;
    std::vector<std::string> voidable;
    Expected store;
    std::map<std::string, Expected> per_terminal, per_operator;
    int next = 0;
    // The day before: sales and returns that kDay's voids may void.
    for (int i = 0; i < 20; ++i) {
      Effect fx;
      std::pair<int64_t, int64_t> disc;
      const int sign = gen.Rand(0, 3) == 0 ? -1 : 1;
      const std::string id = "t" + std::to_string(next++);
      by_id[id] = Record(kTerminals[gen.Rand(0, 2)], id,
                         gen.Basket(sign, kDayBefore, "op-1", &fx, &disc));
      effects[id] = fx;
      voidable.push_back(id);
    }
    for (int i = 0; i < 400; ++i) {
      const std::string terminal = kTerminals[gen.Rand(0, 2)];
      const std::string op = kOperators[gen.Rand(0, 3)];
      const std::string id = "t" + std::to_string(next++);
      Expected* scopes[] = {&store, &per_terminal[terminal], &per_operator[op]};
      const int64_t kind = gen.Rand(0, 19);
      if (kind < 12 || (kind < 17 && voidable.empty())) {  // sale or return
        Effect fx;
        std::pair<int64_t, int64_t> disc;
        const int sign = kind < 10 ? 1 : -1;
        v1::Transaction txn = gen.Basket(sign, kDay, op, &fx, &disc);
        ASSERT_TRUE(ValidateTransaction(txn).ok())
            << ValidateTransaction(txn).ToString();
        for (Expected* e : scopes) {
          if (sign > 0) {
            ++e->sale_count;
            e->sales_amount += fx.total;
            e->discount_count += disc.first;
            e->discounts_amount += disc.second;
          } else {
            ++e->return_count;
            e->returns_amount += fx.total;
          }
          AddEffect(*e, fx, 1, /*count=*/true);
        }
        by_id[id] = Record(terminal, id, txn);
        day.push_back(by_id[id]);
        effects[id] = fx;
        voidable.push_back(id);
      } else if (kind < 17) {  // a post-void of an earlier sale or return
        const size_t pick = static_cast<size_t>(
            gen.Rand(0, static_cast<int64_t>(voidable.size()) - 1));
        const std::string original = voidable[pick];
        voidable.erase(voidable.begin() + static_cast<long>(pick));
        v1::Transaction txn;
        v1::PostVoid* pv = txn.mutable_post_void();
        *pv->mutable_original() = by_id[original].client_key();
        pv->set_reason("voided");
        pv->set_operator_id(op);
        pv->set_business_day(kDay);
        const Effect& fx = effects[original];
        for (Expected* e : scopes) {
          ++e->void_count;
          e->voids_amount += fx.sign * fx.total;
          AddEffect(*e, fx, -1, /*count=*/false);
        }
        day.push_back(Record(terminal, id, txn));
      } else {  // a no-sale
        v1::Transaction txn;
        txn.mutable_no_sale()->set_reason("change");
        txn.mutable_no_sale()->set_operator_id(op);
        txn.mutable_no_sale()->set_business_day(kDay);
        for (Expected* e : scopes) ++e->no_sale_count;
        day.push_back(Record(terminal, id, txn));
      }
    }
    // A close on the day carries no figures of its own.
    day.push_back(Record("till-01", "close", test::SampleDailyClose()));

    auto voided_of =
        [&by_id](const v1::JournalRecord& r) -> const v1::JournalRecord* {
      if (!r.transaction().has_post_void()) return nullptr;
      return &by_id.at(r.transaction().post_void().original().client_txn_id());
    };
    DayTotalsBuilder all(kDay, "");
    for (const v1::JournalRecord& r : day) all.Add(r, voided_of(r));
    ExpectFigures(all.Totals(), store, "store");
    EXPECT_EQ(all.Totals().terminal_id(), "");
    ASSERT_EQ(all.ByTerminal().size(), per_terminal.size());
    for (const v1::DayTotals& t : all.ByTerminal()) {
      ExpectFigures(t, per_terminal[t.terminal_id()], t.terminal_id());
    }
    ASSERT_EQ(all.ByOperator().size(), per_operator.size());
    for (const v1::DayTotals& t : all.ByOperator()) {
      ExpectFigures(t, per_operator[t.operator_id()], t.operator_id());
    }
    for (const char* terminal : kTerminals) {
      DayTotalsBuilder one(kDay, terminal);
      for (const v1::JournalRecord& r : day) one.Add(r, voided_of(r));
      ExpectFigures(one.Totals(), per_terminal[terminal], terminal);
      EXPECT_EQ(one.Totals().terminal_id(), terminal);
    }
  }
}

TEST(DayTotals, AVoidOfAnOriginalNoLongerJournaledCountsWithoutAmount) {
  v1::Transaction txn = test::SamplePostVoid();
  DayTotalsBuilder b(kDay, "");
  b.Add(Record("till-01", "v1", txn), nullptr);
  const v1::DayTotals t = b.Totals();
  EXPECT_EQ(t.void_count(), 1);
  EXPECT_EQ(t.voids_amount().minor_units(), 0);
  EXPECT_EQ(t.tenders_size(), 0);
}

TEST(DayTotals, AVoidedReturnCountsNegativeAndPutsTheRefundBack) {
  v1::Transaction ret = test::SampleReturn();  // refunded to a card
  const int64_t total = ret.return_().totals().total().minor_units();
  const v1::JournalRecord original = Record("till-01", "r1", ret);
  DayTotalsBuilder b(kDay, "");
  b.Add(original, nullptr);
  b.Add(Record("till-02", "v1", test::SamplePostVoid()), &original);
  const v1::DayTotals t = b.Totals();
  EXPECT_EQ(t.return_count(), 1);
  EXPECT_EQ(t.returns_amount().minor_units(), total);
  EXPECT_EQ(t.void_count(), 1);
  EXPECT_EQ(t.voids_amount().minor_units(), -total);
  ASSERT_EQ(t.tenders_size(), 1);
  EXPECT_EQ(t.tenders(0).net_amount().minor_units(), 0);  // -total + total
  EXPECT_EQ(t.tenders(0).count(), 1);
  // The void is the other terminal's.
  ASSERT_EQ(b.ByTerminal().size(), 2u);
  EXPECT_EQ(b.ByTerminal()[1].terminal_id(), "till-02");
  EXPECT_EQ(b.ByTerminal()[1].voids_amount().minor_units(), -total);
}

TEST(CompareClose, OneDifferencePerDifferingFigure) {
  v1::DailyClose pos;
  v1::TenderTotal* cash = pos.add_tenders();
  cash->set_kind(v1::Tender::KIND_CASH);
  *cash->mutable_net_amount() = Eur(10000);
  v1::TenderTotal* card = pos.add_tenders();
  card->set_kind(v1::Tender::KIND_CARD);
  *card->mutable_net_amount() = Eur(500);
  v1::TaxTotal* tax = pos.add_taxes();
  tax->set_rate_bp(2000);
  *tax->mutable_taxable() = Eur(1000);
  *tax->mutable_tax() = Eur(200);
  pos.set_transaction_count(4);

  v1::DayTotals agent;
  v1::TenderTotal* acash = agent.add_tenders();
  acash->set_kind(v1::Tender::KIND_CASH);
  *acash->mutable_net_amount() = Eur(9500);
  v1::TenderTotal* acard = agent.add_tenders();
  acard->set_kind(v1::Tender::KIND_CARD);
  *acard->mutable_net_amount() = Eur(500);
  v1::TenderTotal* avoucher = agent.add_tenders();  // the POS has none
  avoucher->set_kind(v1::Tender::KIND_VOUCHER);
  *avoucher->mutable_net_amount() = Eur(300);
  v1::TaxTotal* atax = agent.add_taxes();
  atax->set_rate_bp(2000);
  *atax->mutable_taxable() = Eur(1000);
  *atax->mutable_tax() = Eur(199);
  agent.set_transaction_count(5);

  const std::vector<v1::CloseDifference> d = CompareClose(pos, agent);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].figure(), "tender:CASH");
  EXPECT_EQ(d[0].pos(), 10000);
  EXPECT_EQ(d[0].agent(), 9500);
  EXPECT_EQ(d[1].figure(), "tender:VOUCHER");
  EXPECT_EQ(d[1].pos(), 0);
  EXPECT_EQ(d[1].agent(), 300);
  EXPECT_EQ(d[2].figure(), "tax:2000.tax");
  EXPECT_EQ(d[2].pos(), 200);
  EXPECT_EQ(d[2].agent(), 199);
  EXPECT_EQ(d[3].figure(), "transaction_count");
  EXPECT_EQ(d[3].pos(), 4);
  EXPECT_EQ(d[3].agent(), 5);

  agent.mutable_tenders(0)->mutable_net_amount()->set_minor_units(10000);
  agent.mutable_tenders()->RemoveLast();
  agent.mutable_taxes(0)->mutable_tax()->set_minor_units(200);
  agent.set_transaction_count(4);
  EXPECT_TRUE(CompareClose(pos, agent).empty());
}

}  // namespace
}  // namespace storeagent::core
