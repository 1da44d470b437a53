// Loyalty signals as the POS sends them: member by card number only,
// consent, agent-only fields refused, points at their limits.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "core/event_validation.h"
#include "core/limits.h"
#include "tests/unit/core/expect_refused.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::core {
namespace {

using test::IsOk;
using test::RefusedAt;

TEST(Loyalty, SamplesAreValid) {
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SampleIdentified())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SampleEnrolment())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SamplePointsEarned())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SamplePointsRedeemed())));
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(test::SampleConsentChanged())));
}

TEST(Loyalty, KindIsRequired) {
  const Status s = ValidateLoyaltySignal(v1::LoyaltySignal());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "signal.kind: exactly one of identified, enrolled, "
            "points_earned, points_redeemed, consent_changed is required");
}

TEST(Loyalty, MemberWithCardNumberRequired) {
  v1::LoyaltySignal sig = test::SampleIdentified();
  sig.mutable_identified()->clear_member();
  EXPECT_TRUE(
      RefusedAt(ValidateLoyaltySignal(sig), "signal.identified.member"));
  sig.mutable_identified()->mutable_member();  // present, no id
  EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(sig),
                        "signal.identified.member.card_number"));
  sig = test::SamplePointsEarned();
  sig.mutable_points_earned()->clear_member();
  EXPECT_TRUE(
      RefusedAt(ValidateLoyaltySignal(sig), "signal.points_earned.member"));
}

TEST(Loyalty, PseudonymFromThePosRefused) {
  v1::LoyaltySignal sig = test::SampleIdentified();
  sig.mutable_identified()->mutable_member()->set_pseudonym(
      std::string(32, '\x5a'));
  const Status s = ValidateLoyaltySignal(sig);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(
      s.message(),
      "signal.identified.member.pseudonym: set by the agent, not the POS");
  sig = test::SampleConsentChanged();
  sig.mutable_consent_changed()->mutable_member()->set_pseudonym("");
  EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(sig),
                        "signal.consent_changed.member.pseudonym"));
}

TEST(Loyalty, CardNumberSixTo32Digits) {
  const char* const kPath = "signal.identified.member.card_number";
  for (std::size_t n : {kMinLoyaltyCardDigits, kMaxLoyaltyCardDigits}) {
    v1::LoyaltySignal sig = test::SampleIdentified();
    sig.mutable_identified()->mutable_member()->set_card_number(
        std::string(n, '3'));
    EXPECT_TRUE(IsOk(ValidateLoyaltySignal(sig))) << n;
  }
  for (const std::string& bad :
       {std::string(kMinLoyaltyCardDigits - 1, '3'),
        std::string(kMaxLoyaltyCardDigits + 1, '3'), std::string("60123a"),
        std::string("6012 3456"), std::string("")}) {
    v1::LoyaltySignal sig = test::SampleIdentified();
    sig.mutable_identified()->mutable_member()->set_card_number(bad);
    EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(sig), kPath)) << bad;
  }
}

TEST(Loyalty, LuhnValidCardNumberIsNotACardPan) {
  v1::LoyaltySignal sig = test::SampleIdentified();
  sig.mutable_identified()->mutable_member()->set_card_number(
      "4111111111111111");
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(sig)));
}

TEST(Loyalty, EnrolmentNeedsLoyaltyConsent) {
  v1::LoyaltySignal sig = test::SampleEnrolment();
  sig.mutable_enrolled()->clear_consent();
  EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(sig), "signal.enrolled.consent"));
  sig = test::SampleEnrolment();
  sig.mutable_enrolled()->mutable_consent()->set_loyalty_program(false);
  EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(sig),
                        "signal.enrolled.consent.loyalty_program"));
}

TEST(Loyalty, SealedContactFromThePosRefused) {
  v1::LoyaltySignal sig = test::SampleEnrolment();
  sig.mutable_enrolled()->set_sealed_contact("opaque");
  const Status s = ValidateLoyaltySignal(sig);
  EXPECT_TRUE(RefusedAt(s, "signal.enrolled.sealed_contact"));
  EXPECT_NE(s.message().find("set by the agent, not the POS"),
            std::string::npos);
}

TEST(Loyalty, ContactLengthsAtTheLimit) {
  struct Edge {
    const char* path;
    std::size_t max;
    void (*set)(v1::ContactDetails*, const std::string&);
  };
  const Edge edges[] = {
      {"signal.enrolled.contact.name", kMaxContactNameLength,
       [](v1::ContactDetails* c, const std::string& v) { c->set_name(v); }},
      {"signal.enrolled.contact.email", kMaxContactEmailLength,
       [](v1::ContactDetails* c, const std::string& v) { c->set_email(v); }},
      {"signal.enrolled.contact.phone", kMaxContactPhoneLength,
       [](v1::ContactDetails* c, const std::string& v) { c->set_phone(v); }},
  };
  for (const Edge& e : edges) {
    v1::LoyaltySignal sig = test::SampleEnrolment();
    e.set(sig.mutable_enrolled()->mutable_contact(), std::string(e.max, 'c'));
    EXPECT_TRUE(IsOk(ValidateLoyaltySignal(sig))) << e.path;
    e.set(sig.mutable_enrolled()->mutable_contact(),
          std::string(e.max + 1, 'c'));
    EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(sig), e.path));
  }
}

TEST(Loyalty, PanInContactRefused) {
  v1::LoyaltySignal sig = test::SampleEnrolment();
  sig.mutable_enrolled()->mutable_contact()->set_name(
      "Ada 5555 5555 5555 4444");
  EXPECT_TRUE(
      RefusedAt(ValidateLoyaltySignal(sig), "signal.enrolled.contact.name"));
}

TEST(Loyalty, PointsAtTheLimit) {
  EXPECT_TRUE(
      IsOk(ValidateLoyaltySignal(test::SamplePointsEarned(kMinPoints))));
  EXPECT_TRUE(
      IsOk(ValidateLoyaltySignal(test::SamplePointsEarned(kMaxPoints))));
  EXPECT_TRUE(
      IsOk(ValidateLoyaltySignal(test::SamplePointsRedeemed(kMaxPoints))));
  const Status s =
      ValidateLoyaltySignal(test::SamplePointsEarned(kMaxPoints + 1));
  EXPECT_TRUE(RefusedAt(s, "signal.points_earned.points"));
  EXPECT_NE(s.message().find("(1..1000000)"), std::string::npos) << s.message();
  EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(test::SamplePointsEarned(0)),
                        "signal.points_earned.points"));
  EXPECT_TRUE(RefusedAt(
      ValidateLoyaltySignal(test::SamplePointsRedeemed(kMaxPoints + 1)),
      "signal.points_redeemed.points"));
  EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(test::SamplePointsRedeemed(-5)),
                        "signal.points_redeemed.points"));
}

TEST(Loyalty, PointsTransactionKeyOptionalButValid) {
  v1::LoyaltySignal sig = test::SamplePointsEarned();
  sig.mutable_points_earned()->clear_transaction();
  EXPECT_TRUE(IsOk(ValidateLoyaltySignal(sig)));
  sig.mutable_points_earned()->mutable_transaction()->set_terminal_id("t 1");
  EXPECT_TRUE(RefusedAt(ValidateLoyaltySignal(sig),
                        "signal.points_earned.transaction.terminal_id"));
}

TEST(Loyalty, ConsentChangedNeedsConsent) {
  v1::LoyaltySignal sig = test::SampleConsentChanged();
  sig.mutable_consent_changed()->clear_consent();
  EXPECT_TRUE(
      RefusedAt(ValidateLoyaltySignal(sig), "signal.consent_changed.consent"));
}

}  // namespace
}  // namespace storeagent::core
