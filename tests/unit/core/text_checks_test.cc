// Card-number detection, UTF-8, control characters, the per-field length
// table and the reflection walk of CheckFreeText.
#include "core/text_checks.h"

#include <gtest/gtest.h>

#include <string>

#include "core/limits.h"
#include "storeagent/v1/events.pb.h"
#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::core {
namespace {

using test::IsOk;
using test::RefusedAt;

constexpr char kDescription[] = "storeagent.v1.TransactionLine.description";

TEST(Pan, KnownTestCardNumbers) {
  EXPECT_TRUE(ContainsPan("4111111111111111"));     // Visa
  EXPECT_TRUE(ContainsPan("5555555555554444"));     // Mastercard
  EXPECT_TRUE(ContainsPan("378282246310005"));      // Amex, 15 digits
  EXPECT_TRUE(ContainsPan("4222222222222"));        // Visa, 13 digits
  EXPECT_TRUE(ContainsPan("4000000000000000006"));  // 19 digits
}

TEST(Pan, GroupedBySpacesOrHyphens) {
  EXPECT_TRUE(ContainsPan("4111 1111 1111 1111"));
  EXPECT_TRUE(ContainsPan("4111-1111-1111-1111"));
  EXPECT_TRUE(ContainsPan("3782 822463 10005"));
  EXPECT_TRUE(ContainsPan("5555-5555 5555-4444"));
  EXPECT_TRUE(ContainsPan("paid with 4111 1111 1111 1111, thanks"));
  // Two separators in a row, or another character, end the run.
  EXPECT_FALSE(ContainsPan("4111  1111 1111 1111"));
  EXPECT_FALSE(ContainsPan("4111 - 1111 - 1111 - 1111"));
  EXPECT_FALSE(ContainsPan("4111.1111.1111.1111"));
  EXPECT_FALSE(ContainsPan("4111a1111b1111c1111"));
}

TEST(Pan, EveryWindowInsideALongerRun) {
  EXPECT_TRUE(
      ContainsPan("99"
                  "4111111111111111"
                  "99"));
  EXPECT_TRUE(
      ContainsPan("order12345"
                  "5555555555554444"));
  // The card is in the middle of a 21-digit run: no window starting at
  // the run's first digit or ending at its last one passes Luhn.
  EXPECT_TRUE(
      ContainsPan("100"
                  "4111111111111111"
                  "11"));
  EXPECT_TRUE(ContainsPan("ref 100-4111 1111 1111 1111-11 ok"));
  // 20 digits of which no 13..19 window passes Luhn.
  EXPECT_FALSE(ContainsPan("83645074952883143667"));
}

TEST(Pan, LuhnInvalidAndShortRunsAccepted) {
  EXPECT_FALSE(ContainsPan("1234567812345678"));  // 16 digits, fails Luhn
  EXPECT_FALSE(ContainsPan("1234 5678 1234 5678"));
  EXPECT_FALSE(ContainsPan("411111111111"));  // 12 digits
  EXPECT_FALSE(ContainsPan(""));
  EXPECT_FALSE(ContainsPan("2026-03-14 10:00 receipt 42"));
}

TEST(Pan, Luhn) {
  EXPECT_TRUE(PassesLuhn("79927398713"));
  EXPECT_FALSE(PassesLuhn("79927398710"));
  EXPECT_TRUE(PassesLuhn("0"));
  EXPECT_FALSE(PassesLuhn(""));
  EXPECT_FALSE(PassesLuhn("4111 1111 1111 1111"));
}

TEST(Gtin, Gs1CheckDigit) {
  EXPECT_TRUE(IsWellFormedGtin("4006381333931"));   // EAN-13
  EXPECT_TRUE(IsWellFormedGtin("5901234123457"));   // EAN-13
  EXPECT_TRUE(IsWellFormedGtin("96385074"));        // EAN-8
  EXPECT_TRUE(IsWellFormedGtin("036000291452"));    // UPC-A
  EXPECT_TRUE(IsWellFormedGtin("10012345678902"));  // GTIN-14
  EXPECT_FALSE(IsWellFormedGtin("4006381333932"));
  EXPECT_FALSE(IsWellFormedGtin("400638133393"));  // 12, wrong digit
  EXPECT_FALSE(IsWellFormedGtin("4111111111111111"));
  EXPECT_FALSE(IsWellFormedGtin("40063813339a1"));
}

TEST(Utf8, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("Cr\xc3\xa8me \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\x80"));              // stray continuation
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong, 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // overlong, 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_EQ(Utf8Length("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x"), 4u);
}

TEST(TextLimits, TableByFieldName) {
  EXPECT_EQ(MaxTextLength("storeagent.v1.TransactionLine.sku"), kMaxSkuLength);
  EXPECT_EQ(MaxTextLength(kDescription), kMaxDescriptionLength);
  EXPECT_EQ(MaxTextLength("storeagent.v1.ContactDetails.email"),
            kMaxContactEmailLength);
  EXPECT_EQ(MaxTextLength("storeagent.v1.Tender.brand"), kMaxTenderBrandLength);
  EXPECT_EQ(MaxTextLength("storeagent.v1.NoSuch.field"), kMaxFreeTextLength);
}

TEST(TextLimits, LengthIsInCharactersNotBytes) {
  std::string text;
  for (std::size_t i = 0; i < kMaxDescriptionLength; ++i) text += "\xc3\xa9";
  EXPECT_TRUE(IsOk(CheckText(text, kDescription, "d")));  // 256 bytes
  text += "e";
  const Status s = CheckText(text, kDescription, "d");
  EXPECT_TRUE(RefusedAt(s, "d"));
  EXPECT_EQ(s.message(), "d: too long, 129 characters (max 128)");
}

TEST(TextLimits, ControlCharactersRefused) {
  for (int c : {0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f}) {
    const std::string text = std::string("ab") + static_cast<char>(c) + "cd";
    const Status s = CheckText(text, kDescription, "d");
    EXPECT_TRUE(RefusedAt(s, "d")) << c;
    EXPECT_NE(s.message().find("control character"), std::string::npos);
  }
  EXPECT_TRUE(IsOk(
      CheckText(" ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}", kDescription, "d")));
}

TEST(TextLimits, CardNumberFieldIsExemptButDigitsOnly) {
  EXPECT_TRUE(
      IsOk(CheckText("4111111111111111", kLoyaltyCardNumberField, "c")));
  EXPECT_TRUE(RefusedAt(CheckText("12345", kLoyaltyCardNumberField, "c"), "c"));
  EXPECT_TRUE(
      RefusedAt(CheckText("12345x", kLoyaltyCardNumberField, "c"), "c"));
  EXPECT_TRUE(RefusedAt(CheckText("4111111111111111", kDescription, "c"), "c"));
}

TEST(FreeText, PathsThroughNestedAndRepeatedFields) {
  v1::Transaction txn = test::SampleSale();
  txn.mutable_sale()->mutable_lines(2)->set_description("4111111111111111");
  EXPECT_TRUE(RefusedAt(CheckFreeText(txn, "transaction"),
                        "transaction.sale.lines[2].description"));
  EXPECT_TRUE(RefusedAt(CheckFreeText(txn, ""), "sale.lines[2].description"));
  EXPECT_TRUE(RefusedAt(CheckFreeText(txn.sale().lines(2), "line"),
                        "line.description"));

  txn = test::SampleSale();
  txn.mutable_sale()->mutable_lines(1)->mutable_discounts(0)->set_reason(
      "bad\x01");
  EXPECT_TRUE(RefusedAt(CheckFreeText(txn, "transaction"),
                        "transaction.sale.lines[1].discounts[0].reason"));

  txn = test::SampleReturn();
  txn.mutable_return_()
      ->mutable_original()
      ->mutable_client_key()
      ->set_client_txn_id("378282246310005");
  EXPECT_TRUE(
      RefusedAt(CheckFreeText(txn, "transaction"),
                "transaction.return.original.client_key.client_txn_id"));
}

TEST(FreeText, FirstErrorInFieldOrder) {
  v1::Transaction txn = test::SampleSale();
  txn.mutable_sale()->mutable_lines(4)->set_description("x\n");
  txn.mutable_sale()->mutable_lines(1)->set_description("y\n");
  EXPECT_TRUE(
      RefusedAt(CheckFreeText(txn, "t"), "t.sale.lines[1].description"));
}

TEST(FreeText, BytesFieldsAreNotText) {
  v1::JournalEntry entry;
  entry.set_hash("4111111111111111\n\xff");
  entry.set_prev_hash(std::string(32, '\0'));
  *entry.mutable_record()->mutable_transaction() = test::SampleSale();
  EXPECT_TRUE(IsOk(CheckFreeText(entry, "entry")));
  v1::LoyaltySignal sig;
  sig.mutable_enrolled()->set_sealed_contact("\x01\x02\xff");
  sig.mutable_enrolled()->mutable_member()->set_pseudonym(
      std::string(32, '\0'));
  EXPECT_TRUE(IsOk(CheckFreeText(sig, "signal")));
}

TEST(FreeText, ValidSamplesPass) {
  EXPECT_TRUE(IsOk(CheckFreeText(test::SampleSale(500), "transaction")));
  EXPECT_TRUE(IsOk(CheckFreeText(test::SampleEnrolment(), "signal")));
}

}  // namespace
}  // namespace storeagent::core
