// Day totals: one pass over the day's records, summing on integers.
#include "core/day_totals.h"

#include <utility>

namespace storeagent::core {
namespace {

using google::protobuf::RepeatedPtrField;

// A sale or return's basket, whichever `txn` is; null otherwise.
struct DayBasket {
  const RepeatedPtrField<v1::TransactionLine>* lines = nullptr;
  const RepeatedPtrField<v1::Tender>* tenders = nullptr;
  const v1::Totals* totals = nullptr;
  int sign = 0;  // +1 sale, -1 return
};

DayBasket BasketOf(const v1::Transaction& txn) {
  if (txn.has_sale()) {
    return {&txn.sale().lines(), &txn.sale().tenders(), &txn.sale().totals(),
            1};
  }
  if (txn.has_return_()) {
    return {&txn.return_().lines(), &txn.return_().tenders(),
            &txn.return_().totals(), -1};
  }
  return {};
}

std::string_view OperatorOf(const v1::Transaction& txn) {
  switch (txn.kind_case()) {
    case v1::Transaction::kSale:
      return txn.sale().operator_id();
    case v1::Transaction::kReturn:
      return txn.return_().operator_id();
    case v1::Transaction::kPostVoid:
      return txn.post_void().operator_id();
    case v1::Transaction::kNoSale:
      return txn.no_sale().operator_id();
    case v1::Transaction::kDailyClose:
      return txn.daily_close().operator_id();
    case v1::Transaction::KIND_NOT_SET:
      break;
  }
  return {};
}

v1::Money M(int64_t minor, const std::string& currency) {
  v1::Money m;
  m.set_minor_units(minor);
  m.set_currency(currency);
  return m;
}

}  // namespace

std::string_view TransactionDay(const v1::Transaction& txn) {
  switch (txn.kind_case()) {
    case v1::Transaction::kSale:
      return txn.sale().business_day();
    case v1::Transaction::kReturn:
      return txn.return_().business_day();
    case v1::Transaction::kPostVoid:
      return txn.post_void().business_day();
    case v1::Transaction::kNoSale:
      return txn.no_sale().business_day();
    case v1::Transaction::kDailyClose:
      return txn.daily_close().business_day();
    case v1::Transaction::KIND_NOT_SET:
      break;
  }
  return {};
}

DayTotalsBuilder::DayTotalsBuilder(std::string business_day,
                                   std::string terminal_id)
    : day_(std::move(business_day)), terminal_(std::move(terminal_id)) {}

DayTotalsBuilder DayTotalsBuilder::Perpetual(const v1::DayTotals& so_far) {
  DayTotalsBuilder b("", "");
  b.scope_only_ = true;
  b.currency_ = so_far.sales_amount().currency();
  Figures& f = b.all_;
  f.sale_count = so_far.sale_count();
  f.sales_amount = so_far.sales_amount().minor_units();
  f.return_count = so_far.return_count();
  f.returns_amount = so_far.returns_amount().minor_units();
  f.void_count = so_far.void_count();
  f.voids_amount = so_far.voids_amount().minor_units();
  f.no_sale_count = so_far.no_sale_count();
  f.discount_count = so_far.discount_count();
  f.discounts_amount = so_far.discounts_amount().minor_units();
  for (const v1::TenderTotal& t : so_far.tenders()) {
    f.tenders[t.kind()] = {t.net_amount().minor_units(), t.count()};
  }
  for (const v1::TaxTotal& t : so_far.taxes()) {
    f.taxes[t.rate_bp()] = {t.taxable().minor_units(), t.tax().minor_units()};
  }
  return b;
}

void DayTotalsBuilder::Add(const v1::JournalRecord& record,
                           const v1::JournalRecord* voided) {
  if (!record.has_transaction()) return;
  const v1::Transaction& txn = record.transaction();
  if (txn.has_daily_close() || txn.kind_case() == v1::Transaction::KIND_NOT_SET)
    return;
  const std::string& terminal = record.client_key().terminal_id();
  if (!terminal_.empty() && terminal != terminal_) return;
  if (currency_.empty()) {
    const v1::Transaction* priced = &txn;
    if (txn.has_post_void() && voided != nullptr) {
      priced = &voided->transaction();
    }
    const DayBasket b = BasketOf(*priced);
    if (b.totals != nullptr) currency_ = b.totals->total().currency();
  }
  AddTo(all_, txn, voided);
  if (scope_only_) return;
  AddTo(by_terminal_[terminal], txn, voided);
  AddTo(by_operator_[std::string(OperatorOf(txn))], txn, voided);
}

void DayTotalsBuilder::AddTo(Figures& f, const v1::Transaction& txn,
                             const v1::JournalRecord* voided) {
  if (txn.has_no_sale()) {
    ++f.no_sale_count;
    return;
  }
  // `scale` +1 adds the basket's money, -1 (a void) takes it back out.
  auto money = [&f](const DayBasket& b, int scale, bool count_tenders) {
    const int64_t s = b.sign * scale;
    for (const v1::Tender& t : *b.tenders) {
      auto& [net, count] = f.tenders[t.kind()];
      net += s * t.amount().minor_units();
      if (count_tenders) ++count;
    }
    const int64_t change = b.totals->change_given().minor_units();
    if (change != 0) f.tenders[v1::Tender::KIND_CASH].first -= s * change;
    for (const v1::TransactionLine& line : *b.lines) {
      if (!line.has_tax()) continue;
      int64_t base = line.extended_amount().minor_units();
      for (const v1::Discount& d : line.discounts()) {
        base -= d.amount().minor_units();
      }
      const int64_t tax = line.tax().amount().minor_units();
      if (b.totals->tax_included()) base -= tax;
      auto& [taxable, taxed] = f.taxes[line.tax().rate_bp()];
      taxable += s * base;
      taxed += s * tax;
    }
  };
  if (txn.has_post_void()) {
    ++f.void_count;
    if (voided == nullptr || !voided->has_transaction()) return;
    const DayBasket b = BasketOf(voided->transaction());
    if (b.totals == nullptr) return;
    f.voids_amount += b.sign * b.totals->total().minor_units();
    money(b, -1, /*count_tenders=*/false);
    return;
  }
  const DayBasket b = BasketOf(txn);
  if (b.totals == nullptr) return;
  const int64_t total = b.totals->total().minor_units();
  if (b.sign > 0) {
    ++f.sale_count;
    f.sales_amount += total;
    for (const v1::TransactionLine& line : *b.lines) {
      for (const v1::Discount& d : line.discounts()) {
        ++f.discount_count;
        f.discounts_amount += d.amount().minor_units();
      }
    }
  } else {
    ++f.return_count;
    f.returns_amount += total;
  }
  money(b, 1, /*count_tenders=*/true);
}

v1::DayTotals DayTotalsBuilder::ToProto(const Figures& f,
                                        const std::string& terminal,
                                        const std::string& op) const {
  v1::DayTotals t;
  t.set_business_day(day_);
  t.set_terminal_id(terminal);
  t.set_operator_id(op);
  t.set_sale_count(f.sale_count);
  *t.mutable_sales_amount() = M(f.sales_amount, currency_);
  t.set_return_count(f.return_count);
  *t.mutable_returns_amount() = M(f.returns_amount, currency_);
  t.set_void_count(f.void_count);
  *t.mutable_voids_amount() = M(f.voids_amount, currency_);
  t.set_no_sale_count(f.no_sale_count);
  t.set_discount_count(f.discount_count);
  *t.mutable_discounts_amount() = M(f.discounts_amount, currency_);
  t.set_transaction_count(f.sale_count + f.return_count);
  for (const auto& [kind, v] : f.tenders) {
    v1::TenderTotal* tt = t.add_tenders();
    tt->set_kind(static_cast<v1::Tender::Kind>(kind));
    *tt->mutable_net_amount() = M(v.first, currency_);
    tt->set_count(v.second);
  }
  for (const auto& [rate, v] : f.taxes) {
    v1::TaxTotal* tx = t.add_taxes();
    tx->set_rate_bp(rate);
    *tx->mutable_taxable() = M(v.first, currency_);
    *tx->mutable_tax() = M(v.second, currency_);
  }
  return t;
}

v1::DayTotals DayTotalsBuilder::Totals() const {
  return ToProto(all_, terminal_, "");
}

std::vector<v1::DayTotals> DayTotalsBuilder::ByTerminal() const {
  std::vector<v1::DayTotals> out;
  for (const auto& [terminal, f] : by_terminal_) {
    out.push_back(ToProto(f, terminal, ""));
  }
  return out;
}

std::vector<v1::DayTotals> DayTotalsBuilder::ByOperator() const {
  std::vector<v1::DayTotals> out;
  for (const auto& [op, f] : by_operator_) {
    out.push_back(ToProto(f, terminal_, op));
  }
  return out;
}

std::string TenderKindName(v1::Tender::Kind kind) {
  const std::string& name = v1::Tender::Kind_Name(kind);
  constexpr std::string_view kPrefix = "KIND_";
  if (name.rfind(kPrefix, 0) == 0) return name.substr(kPrefix.size());
  return name.empty() ? std::to_string(static_cast<int>(kind)) : name;
}

std::vector<v1::CloseDifference> CompareClose(const v1::DailyClose& pos,
                                              const v1::DayTotals& agent) {
  std::vector<v1::CloseDifference> out;
  auto differ = [&out](std::string figure, int64_t p, int64_t a) {
    if (p == a) return;
    v1::CloseDifference d;
    d.set_figure(std::move(figure));
    d.set_pos(p);
    d.set_agent(a);
    out.push_back(std::move(d));
  };
  std::map<int, std::pair<int64_t, int64_t>> tenders;  // kind: pos, agent
  for (const v1::TenderTotal& t : pos.tenders()) {
    tenders[t.kind()].first += t.net_amount().minor_units();
  }
  for (const v1::TenderTotal& t : agent.tenders()) {
    tenders[t.kind()].second += t.net_amount().minor_units();
  }
  for (const auto& [kind, v] : tenders) {
    differ("tender:" + TenderKindName(static_cast<v1::Tender::Kind>(kind)),
           v.first, v.second);
  }
  struct TaxPair {
    int64_t pos_taxable = 0, pos_tax = 0, agent_taxable = 0, agent_tax = 0;
  };
  std::map<int, TaxPair> taxes;
  for (const v1::TaxTotal& t : pos.taxes()) {
    taxes[t.rate_bp()].pos_taxable += t.taxable().minor_units();
    taxes[t.rate_bp()].pos_tax += t.tax().minor_units();
  }
  for (const v1::TaxTotal& t : agent.taxes()) {
    taxes[t.rate_bp()].agent_taxable += t.taxable().minor_units();
    taxes[t.rate_bp()].agent_tax += t.tax().minor_units();
  }
  for (const auto& [rate, v] : taxes) {
    const std::string name = "tax:" + std::to_string(rate);
    differ(name + ".taxable", v.pos_taxable, v.agent_taxable);
    differ(name + ".tax", v.pos_tax, v.agent_tax);
  }
  differ("transaction_count", pos.transaction_count(),
         agent.transaction_count());
  return out;
}

}  // namespace storeagent::core
