// Client keys and the transaction kinds other than a sale: return,
// post-void, no-sale and daily close.
#include <gtest/gtest.h>

#include <string>

#include "core/event_validation.h"
#include "core/limits.h"
#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::core {
namespace {

using test::Eur;
using test::IsOk;
using test::RefusedAt;
using test::SampleClientKey;

// ---- Client keys ------------------------------------------------------------

TEST(ClientKey, SampleIsValid) {
  EXPECT_TRUE(IsOk(ValidateClientKey(SampleClientKey(), "client_key")));
}

TEST(ClientKey, EmptyKeyRefused) {
  const Status s = ValidateClientKey(v1::ClientKey(), "client_key");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "client_key.terminal_id: required (1..64 characters of "
            "[A-Za-z0-9._:-])");
  v1::ClientKey key = SampleClientKey();
  key.clear_client_txn_id();
  EXPECT_TRUE(RefusedAt(ValidateClientKey(key, "client_key"),
                        "client_key.client_txn_id"));
}

TEST(ClientKey, LengthAtTheLimit) {
  v1::ClientKey key = SampleClientKey();
  key.set_terminal_id(std::string(kMaxClientKeyIdLength, 'T'));
  key.set_client_txn_id(std::string(kMaxClientKeyIdLength, 'a'));
  EXPECT_TRUE(IsOk(ValidateClientKey(key, "client_key")));
  key.set_terminal_id(std::string(kMaxClientKeyIdLength + 1, 'T'));
  const Status s = ValidateClientKey(key, "client_key");
  EXPECT_TRUE(RefusedAt(s, "client_key.terminal_id"));
  EXPECT_NE(s.message().find("(max 64)"), std::string::npos) << s.message();
  key = SampleClientKey();
  key.set_client_txn_id(std::string(kMaxClientKeyIdLength + 1, 'a'));
  EXPECT_TRUE(RefusedAt(ValidateClientKey(key, "client_key"),
                        "client_key.client_txn_id"));
}

TEST(ClientKey, Charset) {
  v1::ClientKey key = SampleClientKey("AZaz09._:-");
  EXPECT_TRUE(IsOk(ValidateClientKey(key, "client_key")));
  for (const char* bad : {"till 01", "till/01", "t\xc3\xadll", "till\n",
                          "till+1", "till,1", "till#1"}) {
    key = SampleClientKey();
    key.set_terminal_id(bad);
    EXPECT_TRUE(RefusedAt(ValidateClientKey(key, "client_key"),
                          "client_key.terminal_id"))
        << bad;
    key = SampleClientKey(bad);
    EXPECT_TRUE(RefusedAt(ValidateClientKey(key, "client_key"),
                          "client_key.client_txn_id"))
        << bad;
  }
}

TEST(ClientKey, CardNumberAsIdRefused) {
  const Status s =
      ValidateClientKey(SampleClientKey("4111111111111111"), "request.key");
  EXPECT_TRUE(RefusedAt(s, "request.key.client_txn_id"));
}

// ---- Return -----------------------------------------------------------------

TEST(Return, SampleIsValidAndMayRestock) {
  const v1::Transaction txn = test::SampleReturn();
  ASSERT_TRUE(txn.return_().lines(0).restock());
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
}

TEST(Return, OriginalNeedsClientKeyOrReference) {
  v1::Transaction txn = test::SampleReturn();
  txn.mutable_return_()->clear_original();
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.return.original"));

  txn = test::SampleReturn();
  txn.mutable_return_()->mutable_original()->clear_client_key();
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));  // reference alone
  txn.mutable_return_()->mutable_original()->clear_reference();
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.return.original"));

  txn = test::SampleReturn();
  txn.mutable_return_()->mutable_original()->clear_reference();
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));  // client key alone
  txn.mutable_return_()
      ->mutable_original()
      ->mutable_client_key()
      ->set_terminal_id("till 01");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.return.original.client_key.terminal_id"));
}

TEST(Return, StringLengthsAtTheLimit) {
  struct Edge {
    const char* path;
    std::size_t max;
    void (*set)(v1::Return*, const std::string&);
  };
  const Edge edges[] = {
      {"transaction.return.reason", kMaxReasonLength,
       [](v1::Return* r, const std::string& v) { r->set_reason(v); }},
      {"transaction.return.operator_id", kMaxOperatorIdLength,
       [](v1::Return* r, const std::string& v) { r->set_operator_id(v); }},
      {"transaction.return.original.reference", kMaxOriginalReferenceLength,
       [](v1::Return* r, const std::string& v) {
         r->mutable_original()->set_reference(v);
       }},
      {"transaction.return.original.store_id", kMaxStoreIdLength,
       [](v1::Return* r, const std::string& v) {
         r->mutable_original()->set_store_id(v);
       }},
  };
  for (const Edge& e : edges) {
    v1::Transaction txn = test::SampleReturn();
    e.set(txn.mutable_return_(), std::string(e.max, 'r'));
    EXPECT_TRUE(IsOk(ValidateTransaction(txn))) << e.path;
    e.set(txn.mutable_return_(), std::string(e.max + 1, 'r'));
    EXPECT_TRUE(RefusedAt(ValidateTransaction(txn), e.path));
  }
}

TEST(Return, LinesAndTotalsFollowTheSaleRules) {
  v1::Transaction txn = test::SampleReturn();
  txn.mutable_return_()->mutable_lines(1)->set_quantity(0);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.return.lines[1].quantity"));
  txn = test::SampleReturn();
  txn.mutable_return_()->mutable_totals()->mutable_total()->set_currency("XXY");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.return.totals.total.currency"));
  txn = test::SampleReturn();
  txn.mutable_return_()->mutable_tenders(0)->mutable_amount()->set_minor_units(
      1);
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.return.tenders"));
  txn = test::SampleReturn();
  txn.mutable_return_()->set_business_day("2026-02-30");
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.return.business_day"));
}

// ---- PostVoid ---------------------------------------------------------------

TEST(PostVoid, SampleIsValid) {
  EXPECT_TRUE(IsOk(ValidateTransaction(test::SamplePostVoid())));
}

TEST(PostVoid, OriginalKeyRequiredAndValid) {
  v1::Transaction txn = test::SamplePostVoid();
  txn.mutable_post_void()->clear_original();
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.post_void.original"));
  txn = test::SamplePostVoid();
  txn.mutable_post_void()->mutable_original()->clear_terminal_id();
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.post_void.original.terminal_id"));
}

TEST(PostVoid, ReasonOneTo128Characters) {
  v1::Transaction txn = test::SamplePostVoid();
  txn.mutable_post_void()->set_reason("x");
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_post_void()->set_reason(std::string(kMaxReasonLength, 'x'));
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_post_void()->set_reason(std::string(kMaxReasonLength + 1, 'x'));
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.post_void.reason"));
  txn.mutable_post_void()->clear_reason();
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.post_void.reason"));
}

TEST(PostVoid, OperatorAndDay) {
  v1::Transaction txn = test::SamplePostVoid();
  txn.mutable_post_void()->set_operator_id(
      std::string(kMaxOperatorIdLength + 1, 'o'));
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.post_void.operator_id"));
  txn = test::SamplePostVoid();
  txn.mutable_post_void()->set_business_day("2026-04-31");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.post_void.business_day"));
}

// ---- NoSale -----------------------------------------------------------------

TEST(NoSale, SampleAndLimits) {
  v1::Transaction txn = test::SampleNoSale();
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_no_sale()->set_reason(std::string(kMaxReasonLength, 'n'));
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_no_sale()->set_reason(std::string(kMaxReasonLength + 1, 'n'));
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.no_sale.reason"));
  txn = test::SampleNoSale();
  txn.mutable_no_sale()->clear_reason();
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));  // 0..128
  txn.mutable_no_sale()->set_business_day("2026-02-30");
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.no_sale.business_day"));
}

// ---- DailyClose -------------------------------------------------------------

TEST(DailyClose, SampleIsValid) {
  EXPECT_TRUE(IsOk(ValidateTransaction(test::SampleDailyClose())));
}

TEST(DailyClose, BusinessDayRequired) {
  v1::Transaction txn = test::SampleDailyClose();
  txn.mutable_daily_close()->clear_business_day();
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.business_day"));
  txn.mutable_daily_close()->set_business_day("2026-02-30");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.business_day"));
}

TEST(DailyClose, TaxTotalsAtTheLimit) {
  v1::Transaction txn = test::SampleDailyClose();
  v1::DailyClose* dc = txn.mutable_daily_close();
  dc->clear_taxes();
  for (int i = 0; i < kMaxDailyCloseTaxTotals; ++i) {
    v1::TaxTotal* t = dc->add_taxes();
    t->set_rate_bp(100 * i);
    *t->mutable_taxable() = Eur(1000);
    *t->mutable_tax() = Eur(i);
  }
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  v1::TaxTotal* extra = dc->add_taxes();
  extra->set_rate_bp(9999);
  *extra->mutable_taxable() = Eur(1000);
  *extra->mutable_tax() = Eur(1);
  const Status s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.daily_close.taxes"));
  EXPECT_NE(s.message().find("(max 20)"), std::string::npos) << s.message();
}

TEST(DailyClose, TenderTotalsAtTheLimit) {
  // Six kinds exist, so 20 distinct totals cannot be built; 21 entries are
  // refused for their number before anything else.
  v1::Transaction txn = test::SampleDailyClose();
  v1::DailyClose* dc = txn.mutable_daily_close();
  dc->clear_tenders();
  for (int i = 0; i < kMaxDailyCloseTenderTotals + 1; ++i) {
    v1::TenderTotal* t = dc->add_tenders();
    t->set_kind(v1::Tender::KIND_CASH);
    *t->mutable_net_amount() = Eur(1);
  }
  const Status s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.daily_close.tenders"));
  EXPECT_NE(s.message().find("21 tender totals, too many (max 20)"),
            std::string::npos)
      << s.message();
}

TEST(DailyClose, OnePerKindAndRate) {
  v1::Transaction txn = test::SampleDailyClose();
  txn.mutable_daily_close()->mutable_tenders(1)->set_kind(
      v1::Tender::KIND_CASH);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.tenders[1].kind"));
  txn = test::SampleDailyClose();
  txn.mutable_daily_close()->mutable_taxes(1)->set_rate_bp(2000);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.taxes[1].rate_bp"));
  txn = test::SampleDailyClose();
  txn.mutable_daily_close()->mutable_tenders(0)->set_kind(
      v1::Tender::KIND_UNSPECIFIED);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.tenders[0].kind"));
  txn = test::SampleDailyClose();
  txn.mutable_daily_close()->mutable_taxes(0)->set_rate_bp(kMaxTaxRateBp + 1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.taxes[0].rate_bp"));
}

TEST(DailyClose, CountsAreNotNegative) {
  v1::Transaction txn = test::SampleDailyClose();
  txn.mutable_daily_close()->mutable_tenders(0)->set_count(0);
  txn.mutable_daily_close()->set_transaction_count(0);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_daily_close()->mutable_tenders(0)->set_count(-1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.tenders[0].count"));
  txn = test::SampleDailyClose();
  txn.mutable_daily_close()->set_transaction_count(-1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.transaction_count"));
}

TEST(DailyClose, AmountsMayBeNegativeWithinTheLimitInOneCurrency) {
  v1::Transaction txn = test::SampleDailyClose();
  v1::DailyClose* dc = txn.mutable_daily_close();
  dc->mutable_tenders(0)->mutable_net_amount()->set_minor_units(
      -kMaxAmountMinorUnits);
  dc->mutable_tenders(1)->mutable_net_amount()->set_minor_units(
      kMaxAmountMinorUnits);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  dc->mutable_tenders(1)->mutable_net_amount()->set_minor_units(
      kMaxAmountMinorUnits + 1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.tenders[1].net_amount"));

  txn = test::SampleDailyClose();
  txn.mutable_daily_close()->mutable_taxes(1)->mutable_tax()->set_currency(
      "USD");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.taxes[1].tax.currency"));
  txn = test::SampleDailyClose();
  txn.mutable_daily_close()
      ->mutable_tenders(0)
      ->mutable_net_amount()
      ->set_currency("ZZZ");
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn),
                "transaction.daily_close.tenders[0].net_amount.currency"));
  txn = test::SampleDailyClose();
  txn.mutable_daily_close()->mutable_taxes(0)->clear_taxable();
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.daily_close.taxes[0].taxable"));
}

}  // namespace
}  // namespace storeagent::core
