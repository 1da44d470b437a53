// Sale validation: every limit at its edge, the arithmetic, currencies and
// card data.
#include "core/event_validation.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/limits.h"
#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::core {
namespace {

using test::Eur;
using test::IsOk;
using test::RecomputeTotals;
using test::RefusedAt;
using test::SampleSale;

// A one-line sale of `quantity` x `price` in `unit`, totals recomputed.
v1::Transaction OneLineSale(v1::UnitOfMeasure unit, std::int64_t quantity,
                            std::int64_t price, std::int64_t extended) {
  v1::Transaction txn = SampleSale(1);
  v1::TransactionLine* line = txn.mutable_sale()->mutable_lines(0);
  line->set_unit(unit);
  line->set_quantity(quantity);
  *line->mutable_unit_price() = Eur(price);
  *line->mutable_extended_amount() = Eur(extended);
  *line->mutable_tax()->mutable_amount() = Eur(0);
  RecomputeTotals(&txn);
  return txn;
}

// Splits the sale's total over `n` card tenders.
void SplitTenders(v1::Transaction* txn, int n) {
  v1::Sale* sale = txn->mutable_sale();
  const v1::Tender first = sale->tenders(0);
  const std::int64_t total = sale->totals().total().minor_units();
  sale->clear_tenders();
  for (int i = 0; i < n; ++i) {
    v1::Tender* t = sale->add_tenders();
    *t = first;
    const std::int64_t share = total / n + (i == 0 ? total % n : 0);
    *t->mutable_amount() = Eur(share);
  }
}

TEST(Sale, SamplesAreValid) {
  EXPECT_TRUE(IsOk(ValidateTransaction(SampleSale())));
  EXPECT_TRUE(IsOk(ValidateTransaction(SampleSale(1))));
  EXPECT_TRUE(IsOk(ValidateTransaction(test::SampleCashSale())));
}

TEST(Sale, KindIsRequired) {
  const Status s = ValidateTransaction(v1::Transaction());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "transaction.kind: exactly one of sale, return, post_void, "
            "no_sale, daily_close is required");
}

TEST(Sale, LinesAtTheLimit) {
  EXPECT_TRUE(IsOk(ValidateTransaction(SampleSale(kMaxLinesPerTransaction))));
  const Status s = ValidateTransaction(SampleSale(kMaxLinesPerTransaction + 1));
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines"));
  EXPECT_NE(s.message().find("501 lines, too many (max 500)"),
            std::string::npos)
      << s.message();
}

TEST(Sale, NoLinesRefused) {
  v1::Transaction txn = SampleSale(1);
  txn.mutable_sale()->clear_lines();
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn), "transaction.sale.lines"));
}

TEST(Sale, TendersAtTheLimit) {
  v1::Transaction txn = SampleSale();
  SplitTenders(&txn, kMaxTendersPerTransaction);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  SplitTenders(&txn, kMaxTendersPerTransaction + 1);
  const Status s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.tenders"));
  EXPECT_NE(s.message().find("(max 20)"), std::string::npos) << s.message();
  txn.mutable_sale()->clear_tenders();
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn), "transaction.sale.tenders"));
}

TEST(Sale, DiscountsAtTheLimit) {
  v1::Transaction txn = SampleSale();
  v1::TransactionLine* line = txn.mutable_sale()->mutable_lines(0);
  for (int i = 0; i < kMaxDiscountsPerLine; ++i) {
    v1::Discount* d = line->add_discounts();
    *d->mutable_amount() = Eur(1);
  }
  RecomputeTotals(&txn);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  *line->add_discounts()->mutable_amount() = Eur(1);
  RecomputeTotals(&txn);
  const Status s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[0].discounts"));
  EXPECT_NE(s.message().find("(max 10)"), std::string::npos) << s.message();
}

TEST(Sale, DiscountMustBePositiveAndWithinTheLine) {
  v1::Transaction txn = SampleSale();
  v1::TransactionLine* line = txn.mutable_sale()->mutable_lines(0);
  *line->add_discounts()->mutable_amount() = Eur(0);
  RecomputeTotals(&txn);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.lines[0].discounts[0].amount"));
  // Exactly the extended amount is fine; one more is refused.
  const std::int64_t extended = line->extended_amount().minor_units();
  *line->mutable_discounts(0)->mutable_amount() = Eur(extended);
  RecomputeTotals(&txn);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  *line->add_discounts()->mutable_amount() = Eur(1);
  RecomputeTotals(&txn);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.lines[0].discounts"));
}

TEST(Sale, QuantityEachAtTheLimit) {
  EXPECT_TRUE(IsOk(ValidateTransaction(OneLineSale(
      v1::UNIT_OF_MEASURE_EACH, kMaxQuantityEach, 3, 3 * kMaxQuantityEach))));
  const Status s = ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_EACH,
                                                   kMaxQuantityEach + 1, 3,
                                                   3 * (kMaxQuantityEach + 1)));
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[0].quantity"));
  EXPECT_NE(s.message().find("(1..1000000 for EACH)"), std::string::npos)
      << s.message();
  EXPECT_TRUE(RefusedAt(
      ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_EACH, 0, 3, 0)),
      "transaction.sale.lines[0].quantity"));
  EXPECT_TRUE(IsOk(ValidateTransaction(
      OneLineSale(v1::UNIT_OF_MEASURE_EACH, kMinQuantityEach, 3, 3))));
}

TEST(Sale, QuantityMilliAtTheLimit) {
  // 1,000,000,000 g at 1 cent per kg: 1,000,000 cents.
  EXPECT_TRUE(IsOk(ValidateTransaction(OneLineSale(
      v1::UNIT_OF_MEASURE_MILLI, kMaxQuantityMilli, 1, 1'000'000))));
  const Status s = ValidateTransaction(OneLineSale(
      v1::UNIT_OF_MEASURE_MILLI, kMaxQuantityMilli + 1, 1, 1'000'000));
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[0].quantity"));
  EXPECT_NE(s.message().find("1000000000"), std::string::npos) << s.message();
  EXPECT_TRUE(RefusedAt(
      ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_MILLI, 0, 1, 0)),
      "transaction.sale.lines[0].quantity"));
}

TEST(Sale, UnitIsRequired) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(3)->set_unit(
      v1::UNIT_OF_MEASURE_UNSPECIFIED);
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.lines[3].unit"));
  txn.mutable_sale()->mutable_lines(3)->set_unit(
      static_cast<v1::UnitOfMeasure>(7));  // unknown to this version
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.lines[3].unit"));
}

TEST(Sale, UnitPriceAtTheLimit) {
  EXPECT_TRUE(IsOk(ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_EACH, 1,
                                                   kMaxAmountMinorUnits,
                                                   kMaxAmountMinorUnits))));
  const Status s = ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_EACH, 1,
                                                   kMaxAmountMinorUnits + 1,
                                                   kMaxAmountMinorUnits + 1));
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[0].unit_price"));
  EXPECT_NE(s.message().find("(0..1000000000000)"), std::string::npos)
      << s.message();
  EXPECT_TRUE(RefusedAt(
      ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_EACH, 1, -1, -1)),
      "transaction.sale.lines[0].unit_price"));
}

TEST(Sale, ExtendedAmountAtTheLimit) {
  // 2 x 5 * 10^11 = 10^12 is accepted; 3 x 5 * 10^11 is over the limit.
  constexpr std::int64_t kHalf = kMaxAmountMinorUnits / 2;
  EXPECT_TRUE(IsOk(ValidateTransaction(
      OneLineSale(v1::UNIT_OF_MEASURE_EACH, 2, kHalf, kMaxAmountMinorUnits))));
  EXPECT_TRUE(RefusedAt(ValidateTransaction(OneLineSale(
                            v1::UNIT_OF_MEASURE_EACH, 3, kHalf, 3 * kHalf)),
                        "transaction.sale.lines[0].extended_amount"));
}

TEST(Sale, ExtendedAmountMustMatchForEach) {
  EXPECT_TRUE(IsOk(
      ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_EACH, 3, 199, 597))));
  for (std::int64_t wrong : {596, 598}) {
    const Status s = ValidateTransaction(
        OneLineSale(v1::UNIT_OF_MEASURE_EACH, 3, 199, wrong));
    EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[0].extended_amount"));
    EXPECT_NE(s.message().find("= 597"), std::string::npos) << s.message();
  }
}

TEST(Sale, MilliRoundsHalfUpWithOneMinorUnitOfTolerance) {
  // 1234 g at 2.99 per kg = 368.966 -> 369.
  for (std::int64_t ok : {368, 369, 370}) {
    EXPECT_TRUE(IsOk(ValidateTransaction(
        OneLineSale(v1::UNIT_OF_MEASURE_MILLI, 1234, 299, ok))))
        << ok;
  }
  for (std::int64_t wrong : {367, 371}) {
    EXPECT_TRUE(RefusedAt(ValidateTransaction(OneLineSale(
                              v1::UNIT_OF_MEASURE_MILLI, 1234, 299, wrong)),
                          "transaction.sale.lines[0].extended_amount"))
        << wrong;
  }
  // 2500 milli-units at 1 = 2.5 -> 3 half up (2 if it were half even).
  EXPECT_TRUE(IsOk(
      ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_MILLI, 2500, 1, 4))));
  EXPECT_TRUE(RefusedAt(
      ValidateTransaction(OneLineSale(v1::UNIT_OF_MEASURE_MILLI, 2500, 1, 1)),
      "transaction.sale.lines[0].extended_amount"));
}

TEST(Sale, MilliProductBeyondSixtyFourBitsIsRefusedNotWrapped) {
  // 10^9 milli-units x 10^12 = 10^21 overflows int64; the line is refused.
  const Status s = ValidateTransaction(
      OneLineSale(v1::UNIT_OF_MEASURE_MILLI, kMaxQuantityMilli,
                  kMaxAmountMinorUnits, kMaxAmountMinorUnits));
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[0].extended_amount"));
  EXPECT_NE(s.message().find("= 1000000000000000000"), std::string::npos)
      << s.message();
}

TEST(Sale, TaxRateAtTheLimit) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(1)->mutable_tax()->set_rate_bp(
      kMaxTaxRateBp);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_sale()->mutable_lines(1)->mutable_tax()->set_rate_bp(
      kMaxTaxRateBp + 1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.lines[1].tax.rate_bp"));
  txn.mutable_sale()->mutable_lines(1)->mutable_tax()->set_rate_bp(-1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.lines[1].tax.rate_bp"));
}

TEST(Sale, NegativeLineTaxRefused) {
  v1::Transaction txn = SampleSale();
  *txn.mutable_sale()->mutable_lines(1)->mutable_tax()->mutable_amount() =
      Eur(-1);
  RecomputeTotals(&txn);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.lines[1].tax.amount"));
}

TEST(Sale, SkuIsRequired) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(4)->clear_sku();
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.lines[4].sku"));
}

TEST(Sale, RestockOnlyOnReturns) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(0)->set_restock(true);
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.lines[0].restock"));
}

// ---- Totals -----------------------------------------------------------------

TEST(SaleTotals, SubtotalMustAddUp) {
  v1::Transaction txn = SampleSale();
  v1::Totals* totals = txn.mutable_sale()->mutable_totals();
  totals->mutable_subtotal()->set_minor_units(totals->subtotal().minor_units() +
                                              1);
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.totals.subtotal"));
}

TEST(SaleTotals, TaxMustAddUp) {
  v1::Transaction txn = SampleSale();
  v1::Totals* totals = txn.mutable_sale()->mutable_totals();
  totals->mutable_tax()->set_minor_units(totals->tax().minor_units() - 1);
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.totals.tax"));
}

TEST(SaleTotals, TotalIncludesTaxUnlessTaxIncluded) {
  v1::Transaction txn = SampleSale();
  v1::Totals* totals = txn.mutable_sale()->mutable_totals();
  // Same numbers with tax on top: total must now be subtotal + tax.
  totals->set_tax_included(false);
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.totals.total"));
  RecomputeTotals(&txn);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  EXPECT_EQ(totals->total().minor_units(),
            totals->subtotal().minor_units() + totals->tax().minor_units());
}

TEST(SaleTotals, TendersMinusChangeMustEqualTotal) {
  v1::Transaction txn = SampleSale();
  v1::Tender* t = txn.mutable_sale()->mutable_tenders(0);
  t->mutable_amount()->set_minor_units(t->amount().minor_units() + 1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn), "transaction.sale.tenders"));
  // Cash: tendered 10 EUR more than the total, change given back.
  v1::Transaction cash = test::SampleCashSale();
  EXPECT_TRUE(IsOk(ValidateTransaction(cash)));
  v1::Totals* totals = cash.mutable_sale()->mutable_totals();
  totals->mutable_change_given()->set_minor_units(
      totals->change_given().minor_units() + 1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(cash), "transaction.sale.tenders"));
}

TEST(SaleTotals, ChangeOnlyWithCash) {
  v1::Transaction txn = SampleSale();
  v1::Sale* sale = txn.mutable_sale();
  v1::Tender* t = sale->mutable_tenders(0);
  t->mutable_amount()->set_minor_units(t->amount().minor_units() + 100);
  *sale->mutable_totals()->mutable_change_given() = Eur(100);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.totals.change_given"));
  t->set_kind(v1::Tender::KIND_CASH);
  t->clear_last_four();
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  *sale->mutable_totals()->mutable_change_given() = Eur(-1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.totals.change_given"));
}

TEST(SaleTotals, TotalsAreRequired) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->clear_totals();
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn), "transaction.sale.totals"));
  txn = SampleSale();
  txn.mutable_sale()->mutable_totals()->clear_total();
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.totals.total"));
}

// ---- Tenders ----------------------------------------------------------------

TEST(SaleTenders, KindAndPositiveAmountRequired) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_tenders(0)->set_kind(
      v1::Tender::KIND_UNSPECIFIED);
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.tenders[0].kind"));
  txn = SampleSale();
  SplitTenders(&txn, 2);
  v1::Sale* sale = txn.mutable_sale();
  const std::int64_t second = sale->tenders(1).amount().minor_units();
  sale->mutable_tenders(0)->mutable_amount()->set_minor_units(
      sale->tenders(0).amount().minor_units() + second);
  sale->mutable_tenders(1)->mutable_amount()->set_minor_units(0);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.tenders[1].amount"));
}

TEST(SaleTenders, LastFourIsEmptyOrFourDigits) {
  for (const char* ok : {"", "0000", "4242"}) {
    v1::Transaction txn = SampleSale();
    txn.mutable_sale()->mutable_tenders(0)->set_last_four(ok);
    EXPECT_TRUE(IsOk(ValidateTransaction(txn))) << ok;
  }
  for (const char* bad : {"111", "11a1", "12345", " 123"}) {
    v1::Transaction txn = SampleSale();
    txn.mutable_sale()->mutable_tenders(0)->set_last_four(bad);
    EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                          "transaction.sale.tenders[0].last_four"))
        << bad;
  }
}

// ---- Currencies -------------------------------------------------------------

TEST(SaleCurrency, UnknownCurrencyRefusedNamingTheField) {
  for (const char* bad : {"XYZ", "eur", "DEM", "HRK"}) {
    v1::Transaction txn = SampleSale();
    txn.mutable_sale()->mutable_totals()->mutable_total()->set_currency(bad);
    const Status s = ValidateTransaction(txn);
    EXPECT_TRUE(RefusedAt(s, "transaction.sale.totals.total.currency")) << bad;
    EXPECT_NE(s.message().find("not an active ISO 4217 code"),
              std::string::npos)
        << s.message();
  }
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_totals()->mutable_total()->clear_currency();
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.totals.total.currency"));
}

TEST(SaleCurrency, EveryMoneyUsesTheTransactionCurrency) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(2)->mutable_unit_price()->set_currency(
      "USD");
  Status s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[2].unit_price.currency"));
  EXPECT_NE(s.message().find("differs"), std::string::npos) << s.message();

  txn = SampleSale();
  txn.mutable_sale()->mutable_lines(2)->mutable_unit_price()->set_currency(
      "ABC");
  s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[2].unit_price.currency"));
  EXPECT_NE(s.message().find("not an active"), std::string::npos)
      << s.message();

  txn = SampleSale();
  txn.mutable_sale()->mutable_tenders(0)->mutable_amount()->set_currency("GBP");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.tenders[0].amount.currency"));

  txn = SampleSale();
  txn.mutable_sale()
      ->mutable_lines(1)
      ->mutable_discounts(0)
      ->mutable_amount()
      ->set_currency("CHF");
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn),
                "transaction.sale.lines[1].discounts[0].amount.currency"));

  txn = SampleSale();
  txn.mutable_sale()->mutable_totals()->mutable_subtotal()->set_currency("SEK");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.totals.subtotal.currency"));
}

TEST(SaleCurrency, AnotherActiveCurrencyThroughoutIsFine) {
  v1::Transaction txn = SampleSale();
  for (v1::TransactionLine& line : *txn.mutable_sale()->mutable_lines()) {
    line.mutable_unit_price()->set_currency("CHF");
    line.mutable_extended_amount()->set_currency("CHF");
    line.mutable_tax()->mutable_amount()->set_currency("CHF");
    for (v1::Discount& d : *line.mutable_discounts()) {
      d.mutable_amount()->set_currency("CHF");
    }
  }
  v1::Sale* sale = txn.mutable_sale();
  sale->mutable_tenders(0)->mutable_amount()->set_currency("CHF");
  sale->mutable_totals()->mutable_subtotal()->set_currency("CHF");
  sale->mutable_totals()->mutable_tax()->set_currency("CHF");
  sale->mutable_totals()->mutable_total()->set_currency("CHF");
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
}

// ---- Dates ------------------------------------------------------------------

TEST(SaleBusinessDay, MustBeARealDate) {
  for (const char* ok : {"2024-02-29", "2000-02-29", "2026-12-31", ""}) {
    v1::Transaction txn = SampleSale();
    txn.mutable_sale()->set_business_day(ok);
    EXPECT_TRUE(IsOk(ValidateTransaction(txn))) << ok;
  }
  for (const char* bad :
       {"2026-02-30", "2025-02-29", "1900-02-29", "2026-13-01", "2026-04-31",
        "2026-00-10", "2026-01-00", "0000-01-01", "2026-1-05", "2026/01/05",
        "20260105", "2026-01-05x"}) {
    v1::Transaction txn = SampleSale();
    txn.mutable_sale()->set_business_day(bad);
    EXPECT_TRUE(
        RefusedAt(ValidateTransaction(txn), "transaction.sale.business_day"))
        << bad;
  }
}

TEST(BusinessDay, CalendarRules) {
  EXPECT_TRUE(IsBusinessDay("2026-03-14"));
  EXPECT_TRUE(IsBusinessDay("0001-01-01"));
  EXPECT_TRUE(IsBusinessDay("9999-12-31"));
  EXPECT_TRUE(IsBusinessDay("2400-02-29"));
  EXPECT_FALSE(IsBusinessDay("2100-02-29"));
  EXPECT_FALSE(IsBusinessDay("2026-02-30"));
  EXPECT_FALSE(IsBusinessDay("2026-06-31"));
  EXPECT_FALSE(IsBusinessDay("+026-06-01"));
}

// ---- Text -------------------------------------------------------------------

struct TextEdge {
  const char* path;
  std::size_t max;
  std::function<void(v1::Transaction*, const std::string&)> set;
};

TEST(SaleText, StringLengthsAtTheLimit) {
  const TextEdge edges[] = {
      {"transaction.sale.lines[0].sku", kMaxSkuLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->mutable_lines(0)->set_sku(v);
       }},
      {"transaction.sale.lines[2].description", kMaxDescriptionLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->mutable_lines(2)->set_description(v);
       }},
      {"transaction.sale.lines[0].gtin", kMaxGtinLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->mutable_lines(0)->set_gtin(v);
       }},
      {"transaction.sale.lines[1].discounts[0].reason",
       kMaxDiscountReasonLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->mutable_lines(1)->mutable_discounts(0)->set_reason(
             v);
       }},
      {"transaction.sale.tenders[0].token", kMaxTenderTokenLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->mutable_tenders(0)->set_token(v);
       }},
      {"transaction.sale.tenders[0].brand", kMaxTenderBrandLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->mutable_tenders(0)->set_brand(v);
       }},
      {"transaction.sale.tenders[0].auth_code", kMaxAuthCodeLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->mutable_tenders(0)->set_auth_code(v);
       }},
      {"transaction.sale.operator_id", kMaxOperatorIdLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->set_operator_id(v);
       }},
      {"transaction.sale.receipt_number", kMaxReceiptNumberLength,
       [](v1::Transaction* t, const std::string& v) {
         t->mutable_sale()->set_receipt_number(v);
       }},
  };
  for (const TextEdge& e : edges) {
    v1::Transaction txn = SampleSale();
    e.set(&txn, std::string(e.max, 'x'));
    EXPECT_TRUE(IsOk(ValidateTransaction(txn))) << e.path;
    e.set(&txn, std::string(e.max + 1, 'x'));
    const Status s = ValidateTransaction(txn);
    EXPECT_TRUE(RefusedAt(s, e.path));
    EXPECT_NE(s.message().find("(max " + std::to_string(e.max) + ")"),
              std::string::npos)
        << s.message();
  }
}

TEST(SaleText, PanHiddenInADescriptionNamesThePath) {
  for (const char* pan :
       {"4111111111111111", "5555555555554444", "378282246310005",
        "4111 1111 1111 1111", "5555-5555-5555-4444"}) {
    v1::Transaction txn = SampleSale();
    txn.mutable_sale()->mutable_lines(2)->set_description(
        std::string("gift for card ") + pan + " thanks");
    const Status s = ValidateTransaction(txn);
    EXPECT_TRUE(RefusedAt(s, "transaction.sale.lines[2].description")) << pan;
    EXPECT_EQ(s.message().find(pan), std::string::npos)
        << "the message must not echo the card number";
  }
}

TEST(SaleText, LuhnInvalidNumberIsAccepted) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(2)->set_description(
      "order 1234567812345678");
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
}

TEST(SaleText, PanInAnyStringFieldIsRefused) {
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_tenders(0)->set_token("4111111111111111");
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.tenders[0].token"));
  txn = SampleSale();
  txn.mutable_sale()->set_receipt_number("378282246310005");
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.receipt_number"));
}

TEST(SaleText, WellFormedGtinMayBeLuhnValid) {
  // 5901234123457 is GS1's sample EAN-13 and also passes Luhn.
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(0)->set_gtin("5901234123457");
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  // Not a GTIN (bad check digit / length): scanned like any text.
  txn.mutable_sale()->mutable_lines(0)->set_gtin("4111111111111111");
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.lines[0].gtin"));
  txn = SampleSale();
  txn.mutable_sale()->mutable_lines(0)->set_description("5901234123457");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.lines[0].description"));
}

TEST(SaleText, ControlCharactersAndBadUtf8Refused) {
  for (const std::string& bad :
       {std::string("two\nlines"), std::string("tab\there"),
        std::string("nul\0byte", 8), std::string("del\x7f"),
        std::string("bad \xff utf8"), std::string("overlong \xc0\xaf")}) {
    v1::Transaction txn = SampleSale();
    txn.mutable_sale()->mutable_lines(3)->set_description(bad);
    EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                          "transaction.sale.lines[3].description"));
  }
  v1::Transaction txn = SampleSale();
  txn.mutable_sale()->mutable_lines(3)->set_description(
      "Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
      "e \xe2\x98\x95");
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
}

}  // namespace
}  // namespace storeagent::core

namespace storeagent::core {
namespace {

// docs/pos-api.md says every business_day is "a real date": the POS must
// send one on every kind (an independent client found sale, return,
// post-void and no-sale accepted without). Central still ingests events
// journaled before the rule.
TEST(PosTransaction, EveryKindNeedsItsBusinessDay) {
  struct Case {
    v1::Transaction txn;
    std::string path;
  };
  std::vector<Case> cases;
  cases.push_back({test::SampleSale(), "transaction.sale.business_day"});
  cases.back().txn.mutable_sale()->clear_business_day();
  cases.push_back({test::SampleReturn(), "transaction.return.business_day"});
  cases.back().txn.mutable_return_()->clear_business_day();
  cases.push_back(
      {test::SamplePostVoid(), "transaction.post_void.business_day"});
  cases.back().txn.mutable_post_void()->clear_business_day();
  cases.push_back({test::SampleNoSale(), "transaction.no_sale.business_day"});
  cases.back().txn.mutable_no_sale()->clear_business_day();
  cases.push_back(
      {test::SampleDailyClose(), "transaction.daily_close.business_day"});
  cases.back().txn.mutable_daily_close()->clear_business_day();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    EXPECT_TRUE(test::RefusedAt(ValidatePosTransaction(c.txn), c.path));
    if (!c.txn.has_daily_close()) {
      EXPECT_TRUE(test::IsOk(ValidateTransaction(c.txn)));
    }
  }
  for (const v1::Transaction& ok :
       {test::SampleSale(), test::SampleReturn(), test::SamplePostVoid(),
        test::SampleNoSale(), test::SampleDailyClose()}) {
    EXPECT_TRUE(test::IsOk(ValidatePosTransaction(ok)));
  }
}

}  // namespace
}  // namespace storeagent::core
