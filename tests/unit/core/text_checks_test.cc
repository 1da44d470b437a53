// Card-number detection, UTF-8, control characters, the per-field length
// table and the reflection walk of CheckFreeText.
#include "core/text_checks.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

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
  // A letter, or more than kMaxPanSeparatorRun separators, ends the run.
  EXPECT_FALSE(ContainsPan("4111a1111b1111c1111"));
  EXPECT_FALSE(ContainsPan("4111    1111    1111    1111"));
  EXPECT_FALSE(ContainsPan("4111,1111,1111,1111"));
}

// What an independent POS client got stored in clear (issue #16).
TEST(Pan, OtherSeparatorsAndRunsOfThem) {
  EXPECT_TRUE(ContainsPan("4111.1111.1111.1111"));
  EXPECT_TRUE(ContainsPan("4111/1111/1111/1111"));
  EXPECT_TRUE(ContainsPan("4111_1111_1111_1111"));
  EXPECT_TRUE(ContainsPan("4111  1111  1111  1111"));
  EXPECT_TRUE(ContainsPan("4111 - 1111 - 1111 - 1111"));
  EXPECT_TRUE(ContainsPan("4111\u00a01111\u00a01111\u00a01111"));  // NBSP
  EXPECT_TRUE(ContainsPan("4111\u202f1111\u202f1111\u202f1111"));  // narrow
  EXPECT_TRUE(ContainsPan("4111\u200b1111\u200b1111\u200b1111"));  // ZWSP
  EXPECT_TRUE(ContainsPan("4111\u20131111\u20131111\u20131111"));  // en dash
  EXPECT_TRUE(ContainsPan("4111\uff0d1111\uff0d1111\uff0d1111"));  // FW -
  EXPECT_TRUE(ContainsPan("4111\u30001111\u30001111\u30001111"));  // ideogr.
}

TEST(Pan, UnicodeDigitsCountByTheirValue) {
  // Full-width: U+FF10..U+FF19.
  std::string full_width;
  for (char c : std::string("4111111111111111")) {
    full_width += "\xef\xbc";
    full_width += static_cast<char>(0x90 + (c - '0'));
  }
  EXPECT_TRUE(ContainsPan(full_width));
  // Arabic-Indic digits U+0660..U+0669, and a mix with ASCII.
  std::string arabic;
  for (char c : std::string("5555555555554444")) {
    arabic += "\xd9";
    arabic += static_cast<char>(0xa0 + (c - '0'));
  }
  EXPECT_TRUE(ContainsPan(arabic));
  EXPECT_TRUE(ContainsPan("4111 1111 \uff11\uff11\uff11\uff11 1111"));
  // Devanagari, Luhn-invalid: not a card.
  EXPECT_FALSE(
      ContainsPan("\u0967\u0968\u0969\u096a\u096b\u096c\u096d"
                  "\u096e\u0967\u0968\u0969\u096a\u096b\u096c"
                  "\u096d\u096e"));  // 1234567812345678
  // Bytes that are not UTF-8 end a run and do not crash the scan.
  EXPECT_FALSE(
      ContainsPan("4111 1111\xff"
                  "1111 1111"));
  EXPECT_FALSE(ContainsPan("\xe0\x80"));
}

// Identifiers are not free text: digit groups are not joined unless the
// whole value is laid out like a printed card.
TEST(Pan, IdentifiersAreCheckedGroupByGroup) {
  EXPECT_TRUE(ContainsPan("2026-11-22-000486"));  // as free text
  EXPECT_FALSE(ContainsPanInIdentifier("2026-11-22-000486"));
  EXPECT_FALSE(ContainsPanInIdentifier("R0481"));
  // Still refused: a bare card number, inside a longer id too, and a card
  // written in its printed groups.
  EXPECT_TRUE(ContainsPanInIdentifier("4111111111111111"));
  EXPECT_TRUE(ContainsPanInIdentifier("txn-4111111111111111"));
  EXPECT_TRUE(ContainsPanInIdentifier("4111-1111-1111-1111"));
  EXPECT_TRUE(ContainsPanInIdentifier("4111 1111 1111 1111"));
  EXPECT_TRUE(ContainsPanInIdentifier("4111.1111.1111.1111"));
  EXPECT_TRUE(ContainsPanInIdentifier("3782-822463-10005"));        // Amex
  EXPECT_TRUE(ContainsPanInIdentifier("4000 0000 0000 0000 006"));  // 19
  EXPECT_FALSE(ContainsPanInIdentifier("4111-1111-1111-1112"));     // Luhn
  EXPECT_FALSE(ContainsPanInIdentifier("41-1111-1111-1111-11"));    // shape
  EXPECT_TRUE(IsIdentifierField("storeagent.v1.ClientKey.client_txn_id"));
  EXPECT_TRUE(IsIdentifierField("storeagent.v1.Sale.receipt_number"));
  EXPECT_TRUE(IsIdentifierField("storeagent.v1.OriginalTransaction.reference"));
  EXPECT_TRUE(IsIdentifierField("storeagent.v1.PriceDeviation.price_list_id"));
  // "0001-15865-5272184121" joined is 19 digits passing Luhn: free text
  // refuses it, an identifier does not (a head-office list id once did).
  EXPECT_TRUE(ContainsPan("day-store-0001-15865-5272184121f023ce"));
  EXPECT_FALSE(
      ContainsPanInIdentifier("day-store-0001-15865-5272184121f023ce"));
  EXPECT_FALSE(IsIdentifierField(kDescription));
  EXPECT_FALSE(IsIdentifierField("storeagent.v1.Tender.token"));
}

// Every documented (and common) shape of client key, 100,000 of each,
// including the one in ten whose joined digits pass Luhn: never refused.
// A bare card number still is.
TEST(Pan, GeneratedIdsOfEveryDocumentedShapePass) {
  std::mt19937_64 rng(20261205);
  auto digits = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += static_cast<char>('0' + rng() % 10);
    return out;
  };
  auto hex = [&](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += "0123456789abcdef"[rng() % 16];
    return out;
  };
  auto two = [](unsigned v) {
    return std::string(1, static_cast<char>('0' + v / 10)) +
           static_cast<char>('0' + v % 10);
  };
  const std::vector<std::function<std::string()>> shapes = {
      // docs/pos-api.md: YYYY-MM-DD-NNNNNN
      [&] {
        return std::to_string(2000 + rng() % 100) + "-" + two(1 + rng() % 12) +
               "-" + two(1 + rng() % 28) + "-" + digits(6);
      },
      // store:terminal:sequence
      [&] { return digits(4) + ":" + digits(2) + ":" + digits(12); },
      // terminal-sequence
      [&] { return "till-" + digits(2) + "." + digits(12); },
      // a UUID
      [&] {
        return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-" + hex(4) + "-" +
               hex(12);
      },
      // receipt style
      [&] { return "R" + digits(12); },
  };
  int joined_luhn = 0;
  for (size_t shape = 0; shape < shapes.size(); ++shape) {
    for (int i = 0; i < 100000; ++i) {
      const std::string id = shapes[shape]();
      std::string joined;
      for (char c : id) {
        if (c >= '0' && c <= '9') joined += c;
      }
      joined_luhn += joined.size() >= 13 && PassesLuhn(joined);
      v1::ClientKey key;
      key.set_terminal_id("till-01");
      key.set_client_txn_id(id);
      ASSERT_TRUE(
          CheckText(id, "storeagent.v1.ClientKey.client_txn_id", "k").ok())
          << "shape " << shape << ": " << id;
      ASSERT_TRUE(CheckText(id, "storeagent.v1.Sale.receipt_number", "r").ok())
          << "shape " << shape << ": " << id;
    }
  }
  // The test did meet ids that free text would have refused.
  EXPECT_GT(joined_luhn, 10000);
  EXPECT_TRUE(RefusedAt(CheckText("4111111111111111",
                                  "storeagent.v1.ClientKey.client_txn_id", "k"),
                        "k"));
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

// Plain ASCII takes a one-pass path (core/text_checks.cc,
// PlainAsciiWithoutPan); what it answers must be what the full checks
// answer: refused exactly when too long or holding a card number.
TEST(TextLimits, PlainAsciiAgreesWithTheFullChecks) {
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789 -./abcXYZ";
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<size_t> length(0, kMaxDescriptionLength + 4);
  int refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t n = length(rng);
    for (size_t i = 0; i < n; ++i) text += alphabet[pick(rng)];
    // Every few rounds, a Luhn-valid number somewhere in it.
    if (round % 7 == 0 && text.size() > 20)
      text.replace(3, 16, "4111111111111111");
    const bool expect_refused =
        text.size() > kMaxDescriptionLength || ContainsPan(text);
    const Status s = CheckText(text, kDescription, "d");
    ASSERT_EQ(!s.ok(), expect_refused) << "'" << text << "': " << s.message();
    refused += s.ok() ? 0 : 1;
  }
  EXPECT_GT(refused, 1000);  // both answers were exercised
  // Twelve digits are no card number; thirteen may be.
  EXPECT_TRUE(IsOk(CheckText("ref 411111111111", kDescription, "d")));
  EXPECT_TRUE(
      RefusedAt(CheckText("ref 4222222222222", kDescription, "d"), "d"));
  EXPECT_TRUE(IsOk(
      CheckText(std::string(kMaxDescriptionLength, 'a'), kDescription, "d")));
  EXPECT_TRUE(RefusedAt(
      CheckText(std::string(kMaxDescriptionLength + 1, 'a'), kDescription, "d"),
      "d"));
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

// TextPassesOnTheWire must never pass what CheckFreeText refuses; on a
// message's own serialization it answers what CheckFreeText answers.
bool WirePasses(const v1::JournalRecord& record) {
  return TextPassesOnTheWire(*v1::JournalRecord::descriptor(),
                             record.SerializeAsString());
}

v1::JournalRecord RecordOf(const v1::Transaction& txn) {
  v1::JournalRecord record;
  record.set_seq(7);
  *record.mutable_client_key() = test::SampleClientKey();
  *record.mutable_transaction() = txn;
  return record;
}

TEST(TextOnTheWire, ValidSamplesPassBothWays) {
  for (const v1::Transaction& txn :
       {test::SampleSale(500), test::SampleReturn(), test::SamplePostVoid(),
        test::SampleNoSale(), test::SampleDailyClose()}) {
    const v1::JournalRecord record = RecordOf(txn);
    EXPECT_TRUE(IsOk(CheckFreeText(record, "record")));
    EXPECT_TRUE(WirePasses(record)) << record.ShortDebugString();
  }
  v1::JournalRecord signal;
  *signal.mutable_loyalty() = test::SampleEnrolment();
  EXPECT_TRUE(WirePasses(signal));
}

TEST(TextOnTheWire, AnyBadStringAtAnyDepthFails) {
  std::vector<std::function<void(v1::JournalRecord&)>> spoil = {
      [](v1::JournalRecord& r) {
        r.mutable_transaction()
            ->mutable_sale()
            ->mutable_lines(3)
            ->set_description("a\tb");
      },
      [](v1::JournalRecord& r) {
        r.mutable_transaction()->mutable_sale()->mutable_lines(0)->set_sku(
            std::string(kMaxSkuLength + 1, 's'));
      },
      [](v1::JournalRecord& r) {
        r.mutable_transaction()
            ->mutable_sale()
            ->mutable_lines(1)
            ->mutable_discounts(0)
            ->set_reason("card 4111 1111 1111 1111");
      },
      [](v1::JournalRecord& r) {
        r.mutable_client_key()->set_client_txn_id("4111111111111111");
      },
      [](v1::JournalRecord& r) {
        r.mutable_transaction()->mutable_sale()->set_business_day(
            "2026-12-07\x7f");
      },
  };
  for (size_t i = 0; i < spoil.size(); ++i) {
    v1::JournalRecord record = RecordOf(test::SampleSale());
    spoil[i](record);
    EXPECT_FALSE(CheckFreeText(record, "record").ok()) << i;
    EXPECT_FALSE(WirePasses(record)) << i;
  }
}

// Random text in random string fields: both answers agree, both ways.
TEST(TextOnTheWire, AgreesWithTheWalkOnRandomText) {
  std::mt19937 rng(11);
  const std::string alphabet = "0123456789 -abc\x01\x7f\xc3\xa9";
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<size_t> length(0, 40);
  std::uniform_int_distribution<int> where(0, 3);
  int failed = 0;
  for (int round = 0; round < 3000; ++round) {
    v1::JournalRecord record = RecordOf(test::SampleSale());
    std::string text;
    const size_t n = length(rng);
    for (size_t i = 0; i < n; ++i) text += alphabet[pick(rng)];
    if (!IsValidUtf8(text)) continue;  // a proto3 string must be UTF-8
    v1::Sale* sale = record.mutable_transaction()->mutable_sale();
    switch (where(rng)) {
      case 0:
        sale->mutable_lines(round % 5)->set_description(text);
        break;
      case 1:
        sale->mutable_lines(round % 5)->set_sku(text);
        break;
      case 2:
        sale->set_order_ref(text);
        break;
      default:
        record.mutable_client_key()->set_terminal_id(text);
        break;
    }
    const bool walk = CheckFreeText(record, "record").ok();
    ASSERT_EQ(WirePasses(record), walk) << record.ShortDebugString();
    failed += walk ? 0 : 1;
  }
  EXPECT_GT(failed, 100);
  EXPECT_LT(failed, 2900);
}

TEST(TextOnTheWire, StricterNeverLooser) {
  // A singular string twice on the wire: a parse keeps the last (good);
  // the scan refuses the first (bad), and the walk is asked.
  v1::TransactionLine bad;
  bad.set_description("x\n");
  v1::TransactionLine good;
  good.set_description("fine");
  const std::string bytes = bad.SerializeAsString() + good.SerializeAsString();
  v1::TransactionLine parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_TRUE(IsOk(CheckFreeText(parsed, "line")));
  EXPECT_FALSE(TextPassesOnTheWire(*v1::TransactionLine::descriptor(), bytes));
  // Bytes that are not a message, a group: false, never a pass.
  const std::string sale = RecordOf(test::SampleSale()).SerializeAsString();
  EXPECT_FALSE(TextPassesOnTheWire(*v1::JournalRecord::descriptor(),
                                   sale.substr(0, sale.size() - 3)));
  EXPECT_FALSE(TextPassesOnTheWire(*v1::JournalRecord::descriptor(),
                                   std::string("\x0b\x0c", 2)));
  EXPECT_TRUE(TextPassesOnTheWire(*v1::JournalRecord::descriptor(), ""));
}

}  // namespace
}  // namespace storeagent::core
