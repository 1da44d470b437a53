// The fields of contract 0.4 (#11): a sale's channel, member and order_ref;
// a return original's channel, business day and time; and the close's
// agent-set figures, refused from the POS. Every refusal names its field.
#include <gtest/gtest.h>

#include <string>

#include "core/event_validation.h"
#include "core/limits.h"
#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::core {
namespace {

using test::IsOk;
using test::RefusedAt;

TEST(SaleChannel, EveryKnownValueAcceptedAnUnknownOneRefused) {
  for (int c = v1::SalesChannel_MIN; c <= v1::SalesChannel_MAX; ++c) {
    v1::Transaction txn = test::SampleSale();
    txn.mutable_sale()->set_channel(static_cast<v1::SalesChannel>(c));
    EXPECT_TRUE(IsOk(ValidateTransaction(txn))) << c;
  }
  v1::Transaction txn = test::SampleSale();
  txn.mutable_sale()->set_channel(static_cast<v1::SalesChannel>(99));
  const Status s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.sale.channel"));
  EXPECT_NE(s.message().find("99"), std::string::npos) << s.message();
}

TEST(SaleMember, CardNumberOrPseudonym) {
  v1::Transaction txn = test::SampleSale();
  v1::LoyaltyMember* m = txn.mutable_sale()->mutable_member();
  m->set_card_number(std::string(kMinLoyaltyCardDigits, '6'));
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  m->set_card_number(std::string(kMaxLoyaltyCardDigits, '6'));
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  m->set_card_number(std::string(kMinLoyaltyCardDigits - 1, '6'));
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.member.card_number"));
  m->set_card_number("60123A5678");
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.sale.member.card_number"));
  // Unlike a loyalty signal, a sale may carry the pseudonym the POS cached.
  m->set_pseudonym(std::string(kPseudonymBytes, '\x01'));
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  m->set_pseudonym(std::string(kPseudonymBytes - 1, '\x01'));
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.member.pseudonym"));
  m->set_pseudonym(std::string(kPseudonymBytes + 1, '\x01'));
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.member.pseudonym"));
  m->Clear();  // a member with neither
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn), "transaction.sale.member"));
}

TEST(SaleOrderRef, LengthAtTheLimit) {
  v1::Transaction txn = test::SampleSale();
  txn.mutable_sale()->set_order_ref(std::string(kMaxSaleOrderRefLength, 'o'));
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_sale()->set_order_ref(
      std::string(kMaxSaleOrderRefLength + 1, 'o'));
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.order_ref"));
  txn.mutable_sale()->set_order_ref("4111111111111111");  // a card number
  EXPECT_TRUE(
      RefusedAt(ValidateTransaction(txn), "transaction.sale.order_ref"));
}

TEST(ReturnOriginal, ChannelIsOneOfTheNamedOnes) {
  for (const char* c : {"", "store", "click_and_collect", "ship_from_store",
                        "endless_aisle", "online"}) {
    v1::Transaction txn = test::SampleReturn();
    txn.mutable_return_()->mutable_original()->set_channel(c);
    EXPECT_TRUE(IsOk(ValidateTransaction(txn))) << c;
  }
  for (const char* c : {"shop", "STORE", "web", "click-and-collect"}) {
    v1::Transaction txn = test::SampleReturn();
    txn.mutable_return_()->mutable_original()->set_channel(c);
    EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                          "transaction.return.original.channel"))
        << c;
  }
  v1::Transaction txn = test::SampleReturn();
  txn.mutable_return_()->mutable_original()->set_channel(
      std::string(kMaxChannelLength + 1, 'c'));
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.return.original.channel"));
}

TEST(ReturnOriginal, BusinessDayAndSoldAt) {
  v1::Transaction txn = test::SampleReturn();
  v1::OriginalTransaction* o = txn.mutable_return_()->mutable_original();
  o->set_business_day("2026-03-01");
  o->set_sold_at_us(1'772'000'000'000'000);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  o->set_sold_at_us(0);  // not known
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  o->set_sold_at_us(-1);
  EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                        "transaction.return.original.sold_at_us"));
  o->set_sold_at_us(0);
  for (const char* bad : {"2026-02-30", "2026-3-01", "01.03.2026"}) {
    o->set_business_day(bad);
    EXPECT_TRUE(RefusedAt(ValidateTransaction(txn),
                          "transaction.return.original.business_day"))
        << bad;
  }
}

TEST(DailyCloseAgentFields, RefusedFromThePos) {
  v1::Transaction txn = test::SampleDailyClose();
  txn.mutable_daily_close()->set_whole_store(true);
  EXPECT_TRUE(IsOk(ValidateTransaction(txn)));
  txn.mutable_daily_close()->mutable_agent_totals()->set_sale_count(3);
  Status s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.daily_close.agent_totals"));
  EXPECT_NE(s.message().find("set by the agent, not the POS"),
            std::string::npos);
  txn = test::SampleDailyClose();
  v1::CloseDifference* d = txn.mutable_daily_close()->add_differences();
  d->set_figure("tender:CASH");
  s = ValidateTransaction(txn);
  EXPECT_TRUE(RefusedAt(s, "transaction.daily_close.differences"));
  EXPECT_NE(s.message().find("set by the agent, not the POS"),
            std::string::npos);
}

}  // namespace
}  // namespace storeagent::core
