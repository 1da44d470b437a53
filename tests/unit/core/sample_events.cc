// Builders of valid sample events; see sample_events.h.
#include "tests/unit/core/sample_events.h"

#include <google/protobuf/repeated_field.h>

#include <string>

namespace storeagent::test {
namespace {

constexpr std::int64_t kVatRateBp = 2000;  // 20 %, included in the prices
constexpr char kCardNumber[] = "6012345678";

std::string Padded(int i) {
  std::string digits = std::to_string(i);
  return std::string(digits.size() < 5 ? 5 - digits.size() : 0, '0') + digits;
}

// The VAT contained in a tax-inclusive amount, rounded down.
std::int64_t IncludedVat(std::int64_t gross) {
  return gross * kVatRateBp / (10000 + kVatRateBp);
}

void SetLine(v1::TransactionLine* line, int i) {
  line->set_sku("SKU-" + Padded(i));
  line->set_description("Sample item " + std::to_string(i));
  std::int64_t price = 199 + 100 * (i % 7);
  std::int64_t extended = 0;
  if (i % 5 == 4) {  // weighed goods, price per kg
    const std::int64_t grams = 250 + 7 * i;
    price = 1299;
    line->set_unit(v1::UNIT_OF_MEASURE_MILLI);
    line->set_quantity(grams);
    extended = (grams * price + 500) / 1000;
  } else {
    const std::int64_t quantity = 1 + i % 3;
    line->set_unit(v1::UNIT_OF_MEASURE_EACH);
    line->set_quantity(quantity);
    extended = quantity * price;
  }
  if (i == 0) line->set_gtin("4006381333931");
  *line->mutable_unit_price() = Eur(price);
  *line->mutable_extended_amount() = Eur(extended);
  std::int64_t net = extended;
  if (i == 1) {
    v1::Discount* d = line->add_discounts();
    *d->mutable_amount() = Eur(50);
    d->set_reason("PROMO-SPRING");
    net -= 50;
  }
  line->mutable_tax()->set_rate_bp(static_cast<std::int32_t>(kVatRateBp));
  *line->mutable_tax()->mutable_amount() = Eur(IncludedVat(net));
}

void SetCardTender(v1::Tender* t, std::int64_t amount) {
  t->set_kind(v1::Tender::KIND_CARD);
  *t->mutable_amount() = Eur(amount);
  t->set_token("tok_4f9a2c71e0");
  t->set_brand("VISA");
  t->set_last_four("1111");
  t->set_auth_code("A1B2C3");
}

void Recompute(
    const google::protobuf::RepeatedPtrField<v1::TransactionLine>& lines,
    google::protobuf::RepeatedPtrField<v1::Tender>* tenders,
    v1::Totals* totals) {
  std::int64_t subtotal = 0;
  std::int64_t tax = 0;
  for (const v1::TransactionLine& line : lines) {
    subtotal += line.extended_amount().minor_units();
    for (const v1::Discount& d : line.discounts()) {
      subtotal -= d.amount().minor_units();
    }
    tax += line.tax().amount().minor_units();
  }
  const std::int64_t total = subtotal + (totals->tax_included() ? 0 : tax);
  *totals->mutable_subtotal() = Eur(subtotal);
  *totals->mutable_tax() = Eur(tax);
  *totals->mutable_total() = Eur(total);
  totals->clear_change_given();
  tenders->Clear();
  SetCardTender(tenders->Add(), total);
}

v1::LoyaltyMember Member() {
  v1::LoyaltyMember m;
  m.set_card_number(kCardNumber);
  return m;
}

v1::Consent Consent() {
  v1::Consent c;
  c.set_loyalty_program(true);
  c.set_marketing(false);
  c.set_profiling(false);
  c.set_given_at_us(1773446400000000);  // 2026-03-14T00:00:00Z
  return c;
}

}  // namespace

v1::ClientKey SampleClientKey(const std::string& client_txn_id) {
  v1::ClientKey key;
  key.set_terminal_id("till-01");
  key.set_client_txn_id(client_txn_id);
  return key;
}

v1::Money Eur(std::int64_t minor_units) {
  v1::Money m;
  m.set_minor_units(minor_units);
  m.set_currency("EUR");
  return m;
}

v1::Transaction SampleSale(int lines) {
  v1::Transaction txn;
  v1::Sale* sale = txn.mutable_sale();
  for (int i = 0; i < lines; ++i) SetLine(sale->add_lines(), i);
  sale->mutable_totals()->set_tax_included(true);
  sale->set_operator_id("op-7");
  sale->set_receipt_number("R-2026-000123");
  sale->set_business_day("2026-03-14");
  RecomputeTotals(&txn);
  return txn;
}

v1::Transaction SampleCashSale(int lines) {
  v1::Transaction txn = SampleSale(lines);
  v1::Sale* sale = txn.mutable_sale();
  const std::int64_t total = sale->totals().total().minor_units();
  const std::int64_t cash = (total + 999) / 1000 * 1000;
  sale->clear_tenders();
  v1::Tender* t = sale->add_tenders();
  t->set_kind(v1::Tender::KIND_CASH);
  *t->mutable_amount() = Eur(cash);
  *sale->mutable_totals()->mutable_change_given() = Eur(cash - total);
  return txn;
}

v1::Transaction SampleReturn() {
  v1::Transaction txn;
  v1::Return* ret = txn.mutable_return_();
  SetLine(ret->add_lines(), 2);
  SetLine(ret->add_lines(), 3);
  ret->mutable_lines(0)->set_restock(true);
  ret->mutable_totals()->set_tax_included(true);
  v1::OriginalTransaction* original = ret->mutable_original();
  *original->mutable_client_key() = SampleClientKey("txn-0001");
  original->set_reference("R-2026-000123");
  original->set_channel("store");
  ret->set_reason("wrong size");
  ret->set_operator_id("op-7");
  ret->set_business_day("2026-03-15");
  RecomputeTotals(&txn);
  return txn;
}

v1::Transaction SamplePostVoid() {
  v1::Transaction txn;
  v1::PostVoid* pv = txn.mutable_post_void();
  *pv->mutable_original() = SampleClientKey("txn-0001");
  pv->set_reason("scanned twice");
  pv->set_operator_id("op-7");
  pv->set_business_day("2026-03-14");
  return txn;
}

v1::Transaction SampleNoSale() {
  v1::Transaction txn;
  v1::NoSale* ns = txn.mutable_no_sale();
  ns->set_reason("change for the safe");
  ns->set_operator_id("op-7");
  ns->set_business_day("2026-03-14");
  return txn;
}

v1::Transaction SampleDailyClose() {
  v1::Transaction txn;
  v1::DailyClose* dc = txn.mutable_daily_close();
  dc->set_business_day("2026-03-14");
  v1::TenderTotal* cash = dc->add_tenders();
  cash->set_kind(v1::Tender::KIND_CASH);
  *cash->mutable_net_amount() = Eur(123450);
  cash->set_count(42);
  v1::TenderTotal* card = dc->add_tenders();
  card->set_kind(v1::Tender::KIND_CARD);
  *card->mutable_net_amount() = Eur(987650);
  card->set_count(77);
  v1::TaxTotal* standard = dc->add_taxes();
  standard->set_rate_bp(2000);
  *standard->mutable_taxable() = Eur(800000);
  *standard->mutable_tax() = Eur(160000);
  v1::TaxTotal* reduced = dc->add_taxes();
  reduced->set_rate_bp(700);
  *reduced->mutable_taxable() = Eur(100000);
  *reduced->mutable_tax() = Eur(7000);
  dc->set_transaction_count(119);
  dc->set_operator_id("op-7");
  return txn;
}

void RecomputeTotals(v1::Transaction* txn) {
  if (txn->has_sale()) {
    v1::Sale* s = txn->mutable_sale();
    Recompute(s->lines(), s->mutable_tenders(), s->mutable_totals());
  } else if (txn->has_return_()) {
    v1::Return* r = txn->mutable_return_();
    Recompute(r->lines(), r->mutable_tenders(), r->mutable_totals());
  }
}

v1::LoyaltySignal SampleIdentified() {
  v1::LoyaltySignal sig;
  *sig.mutable_identified()->mutable_member() = Member();
  return sig;
}

v1::LoyaltySignal SampleEnrolment() {
  v1::LoyaltySignal sig;
  v1::MemberEnrolled* e = sig.mutable_enrolled();
  *e->mutable_member() = Member();
  *e->mutable_consent() = Consent();
  e->mutable_contact()->set_name("Ada Lovelace");
  e->mutable_contact()->set_email("ada@example.org");
  e->mutable_contact()->set_phone("+44 20 7946 0000");
  return sig;
}

v1::LoyaltySignal SamplePointsEarned(std::int64_t points) {
  v1::LoyaltySignal sig;
  v1::PointsEarned* p = sig.mutable_points_earned();
  *p->mutable_member() = Member();
  p->set_points(points);
  *p->mutable_transaction() = SampleClientKey("txn-0001");
  return sig;
}

v1::LoyaltySignal SamplePointsRedeemed(std::int64_t points) {
  v1::LoyaltySignal sig;
  v1::PointsRedeemed* p = sig.mutable_points_redeemed();
  *p->mutable_member() = Member();
  p->set_points(points);
  *p->mutable_transaction() = SampleClientKey("txn-0002");
  return sig;
}

v1::LoyaltySignal SampleConsentChanged() {
  v1::LoyaltySignal sig;
  v1::ConsentChanged* c = sig.mutable_consent_changed();
  *c->mutable_member() = Member();
  *c->mutable_consent() = Consent();
  c->mutable_consent()->set_marketing(true);
  return sig;
}

}  // namespace storeagent::test
