// Valid sample events for tests: transactions and loyalty signals that pass
// core::ValidateTransaction / core::ValidateLoyaltySignal as built, to be
// changed in one place by a test that wants to see one rule fail.
//
// Link the `storeagent_test_samples` library and include
// "tests/unit/core/sample_events.h". All amounts are EUR minor units.
#ifndef STOREAGENT_TESTS_UNIT_CORE_SAMPLE_EVENTS_H_
#define STOREAGENT_TESTS_UNIT_CORE_SAMPLE_EVENTS_H_

#include <cstdint>
#include <string>

#include "storeagent/v1/common.pb.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::test {

// A valid client key "till-01" / `client_txn_id`.
v1::ClientKey SampleClientKey(const std::string& client_txn_id = "txn-0001");

// Money in EUR.
v1::Money Eur(std::int64_t minor_units);

// A valid EUR sale of `lines` lines (1..500; more builds a sale refused for
// its size): pieces, with every fifth line (index 4, 9, ...) weighed goods
// (MILLI); line 1 has a discount; 20 % VAT included in the prices; one card
// tender paying the total exactly. business_day "2026-03-14".
v1::Transaction SampleSale(int lines = 5);

// The same basket paid with a cash tender rounded up to the next 10 EUR and
// the difference given back as change.
v1::Transaction SampleCashSale(int lines = 5);

// A valid EUR return of two lines (one restocked) against a sale's client
// key, refunded to a card.
v1::Transaction SampleReturn();

// A valid post-void of SampleClientKey("txn-0001").
v1::Transaction SamplePostVoid();

// A valid no-sale (drawer opened to give change).
v1::Transaction SampleNoSale();

// A valid daily close in EUR: cash and card totals, two tax rates.
v1::Transaction SampleDailyClose();

// Recomputes a sale's or return's totals from its lines (subtotal, tax,
// total; tax_included kept) and replaces its tenders with one card tender of
// the total, change 0. For tests that edit lines and want the rest to add up.
void RecomputeTotals(v1::Transaction* txn);

// Loyalty signals from the POS, member identified by a valid card number.
v1::LoyaltySignal SampleIdentified();
v1::LoyaltySignal SampleEnrolment();  // consent + plaintext contact
v1::LoyaltySignal SamplePointsEarned(std::int64_t points = 120);
v1::LoyaltySignal SamplePointsRedeemed(std::int64_t points = 500);
v1::LoyaltySignal SampleConsentChanged();

}  // namespace storeagent::test

#endif  // STOREAGENT_TESTS_UNIT_CORE_SAMPLE_EVENTS_H_
