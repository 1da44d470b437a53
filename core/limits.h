// The named limits of the POS contract (proto/storeagent/v1/*.proto).
//
// Every bound the agent and central enforce on a transaction or loyalty
// signal is one constant here, with the field it applies to. The validators in
// core/event_validation.h and core/text_checks.h use these and nothing else;
// the unit tests in tests/unit/core check each one at its edge (the limit is
// accepted, limit + 1 is refused with a message naming the field).
//
// Lengths are counted in Unicode code points ("characters" in the proto
// comments) of well-formed UTF-8, not in bytes. Money is in minor units.
#ifndef STOREAGENT_CORE_LIMITS_H_
#define STOREAGENT_CORE_LIMITS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace storeagent::core {

// ---- Size of one request ----------------------------------------------------

// Largest serialized request the POS API accepts (1 MiB), for the gRPC
// server's max receive size.
inline constexpr std::size_t kMaxRequestBytes = 1048576;

// ---- Counts -----------------------------------------------------------------

// Sale.lines, Return.lines: 1..500.
inline constexpr int kMinLinesPerTransaction = 1;
inline constexpr int kMaxLinesPerTransaction = 500;
// Sale.tenders, Return.tenders: 1..20.
inline constexpr int kMinTendersPerTransaction = 1;
inline constexpr int kMaxTendersPerTransaction = 20;
// TransactionLine.discounts: 0..10.
inline constexpr int kMaxDiscountsPerLine = 10;
// DailyClose.tenders (one per tender kind): 0..20.
inline constexpr int kMaxDailyCloseTenderTotals = 20;
// DailyClose.taxes (one per rate): 0..20.
inline constexpr int kMaxDailyCloseTaxTotals = 20;

// ---- Quantities -------------------------------------------------------------

// TransactionLine.quantity for UNIT_OF_MEASURE_EACH: 1..1,000,000 pieces.
inline constexpr std::int64_t kMinQuantityEach = 1;
inline constexpr std::int64_t kMaxQuantityEach = 1'000'000;
// TransactionLine.quantity for UNIT_OF_MEASURE_MILLI: 1..1,000,000,000
// milli-units (up to 1,000,000 kg, l or m).
inline constexpr std::int64_t kMinQuantityMilli = 1;
inline constexpr std::int64_t kMaxQuantityMilli = 1'000'000'000;
// Milli-units per whole unit: a MILLI line's unit_price is per 1000 of them.
inline constexpr std::int64_t kMilliUnitsPerUnit = 1000;

// ---- Money ------------------------------------------------------------------

// Every amount of a sale or return (unit price, extended amount, discount,
// tax, totals, tender, change): 0..10^12 minor units (10 billion EUR).
// Daily-close totals may be negative: -10^12..10^12.
inline constexpr std::int64_t kMinAmountMinorUnits = 0;
inline constexpr std::int64_t kMaxAmountMinorUnits = 1'000'000'000'000;
// MILLI lines: |extended_amount - round_half_up(quantity x unit_price / 1000)|
// may be at most this many minor units.
inline constexpr std::int64_t kMilliExtendedToleranceMinorUnits = 1;
// LineTax.rate_bp and TaxTotal.rate_bp: 0..10000 basis points (0..100 %).
inline constexpr std::int32_t kMinTaxRateBp = 0;
inline constexpr std::int32_t kMaxTaxRateBp = 10000;
// Money.currency: an ISO 4217 alphabetic code, exactly 3 letters.
inline constexpr std::size_t kCurrencyCodeLength = 3;

// ---- Loyalty ----------------------------------------------------------------

// PointsEarned.points, PointsRedeemed.points: 1..1,000,000.
inline constexpr std::int64_t kMinPoints = 1;
inline constexpr std::int64_t kMaxPoints = 1'000'000;
// LoyaltyMember.card_number: 6..32 ASCII digits.
inline constexpr std::size_t kMinLoyaltyCardDigits = 6;
inline constexpr std::size_t kMaxLoyaltyCardDigits = 32;

// ---- Identifiers ------------------------------------------------------------

// ClientKey.terminal_id and ClientKey.client_txn_id: 1..64 characters of
// kClientKeyIdCharset.
inline constexpr std::size_t kMinClientKeyIdLength = 1;
inline constexpr std::size_t kMaxClientKeyIdLength = 64;
// The characters allowed in a client key id, as written in error messages:
// ASCII letters, digits, '.', '_', ':' and '-'.
inline constexpr std::string_view kClientKeyIdCharset = "[A-Za-z0-9._:-]";
// business_day of every kind: "YYYY-MM-DD", a real Gregorian calendar date.
inline constexpr std::size_t kBusinessDayLength = 10;
// Tender.last_four: empty or exactly 4 ASCII digits.
inline constexpr std::size_t kLastFourDigits = 4;

// ---- Card numbers in free text ----------------------------------------------

// A primary account number is 13..19 digits passing the Luhn check; a run of
// that many digits in any text field is refused (core/text_checks.h: which
// digits and separators a run may hold, and the rule for identifiers).
inline constexpr std::size_t kMinPanDigits = 13;
inline constexpr std::size_t kMaxPanDigits = 19;
// In free text, digit groups joined by up to this many separator characters
// in a row ("4111 - 1111") are one run.
inline constexpr std::size_t kMaxPanSeparatorRun = 3;

// ---- String lengths per field (characters) ----------------------------------

// Any string field not listed below.
inline constexpr std::size_t kMaxFreeTextLength = 128;
// TransactionLine.sku: 1..64.
inline constexpr std::size_t kMinSkuLength = 1;
inline constexpr std::size_t kMaxSkuLength = 64;
// TransactionLine.gtin: 0..32.
inline constexpr std::size_t kMaxGtinLength = 32;
// TransactionLine.description: 0..128.
inline constexpr std::size_t kMaxDescriptionLength = 128;
// Discount.reason: 0..64.
inline constexpr std::size_t kMaxDiscountReasonLength = 64;
// Tender.token: 0..128.
inline constexpr std::size_t kMaxTenderTokenLength = 128;
// Tender.brand: 0..32.
inline constexpr std::size_t kMaxTenderBrandLength = 32;
// Tender.auth_code: 0..32.
inline constexpr std::size_t kMaxAuthCodeLength = 32;
// operator_id of Sale, Return, PostVoid, NoSale and DailyClose: 0..64.
inline constexpr std::size_t kMaxOperatorIdLength = 64;
// Sale.receipt_number: 0..64.
inline constexpr std::size_t kMaxReceiptNumberLength = 64;
// OriginalTransaction.reference: 0..64.
inline constexpr std::size_t kMaxOriginalReferenceLength = 64;
// OriginalTransaction.channel: 0..32, and one of kOriginalChannels.
inline constexpr std::size_t kMaxChannelLength = 32;
// OriginalTransaction.channel's values: the SalesChannel names in lower
// case without the prefix, and "online" (head office's web shop).
inline constexpr std::string_view kOriginalChannels[] = {
    "store", "click_and_collect", "ship_from_store", "endless_aisle", "online"};
// Sale.order_ref: 0..64.
inline constexpr std::size_t kMaxSaleOrderRefLength = 64;
// LoyaltyMember.pseudonym, where the POS may send it (Sale.member): 32
// bytes, HMAC-SHA256(loyalty_key, card_number).
inline constexpr std::size_t kPseudonymBytes = 32;
// OriginalTransaction.store_id: 0..64.
inline constexpr std::size_t kMaxStoreIdLength = 64;
// Return.reason and NoSale.reason: 0..128; PostVoid.reason: 1..128.
inline constexpr std::size_t kMinPostVoidReasonLength = 1;
inline constexpr std::size_t kMaxReasonLength = 128;
// ContactDetails.name: 0..128.
inline constexpr std::size_t kMaxContactNameLength = 128;
// ContactDetails.email: 0..254 (the longest address RFC 5321 lets through).
inline constexpr std::size_t kMaxContactEmailLength = 254;
// ContactDetails.phone: 0..32.
inline constexpr std::size_t kMaxContactPhoneLength = 32;

// ==== Stock, holds, availability and catalog ================================
// (proto/storeagent/v1/stock.proto and availability.proto; checked by
// core/stock_validation.h, tested at the edge in tests/unit/core_stock.)

// StockMovement.lines and StockCount.lines: 1..500, one per SKU.
inline constexpr int kMinStockLines = 1;
inline constexpr int kMaxStockLines = 500;
// StockDelta.quantity: non-zero, |quantity| <= 1,000,000,000 base units;
// CountLine.counted: 0..1,000,000,000.
inline constexpr std::int64_t kMaxStockQuantity = 1'000'000'000;
// StockMovement.reference (delivery note, transfer id): 0..64 characters.
inline constexpr std::size_t kMaxStockReferenceLength = 64;
// StockMovement.note and StockCount.note: 0..128 characters.
inline constexpr std::size_t kMaxStockNoteLength = 128;

// HoldPlaced.lines: 1..100, one per SKU.
inline constexpr int kMinHoldLines = 1;
inline constexpr int kMaxHoldLines = 100;
// HoldLine.quantity of a placement: 1..1,000,000 units; of a short pick's
// `found`: 0..1,000,000.
inline constexpr std::int64_t kMinHoldQuantity = 1;
inline constexpr std::int64_t kMaxHoldQuantity = 1'000'000;
// HoldPlaced.expires_at_us: later than now, at most 30 days after it.
inline constexpr std::int64_t kMaxHoldDurationUs =
    std::int64_t{30} * 24 * 60 * 60 * 1'000'000;
// order_ref of every hold message: 1..64 characters of kOrderRefCharset.
inline constexpr std::size_t kMinOrderRefLength = 1;
inline constexpr std::size_t kMaxOrderRefLength = 64;
// The characters allowed in an order reference, as written in error
// messages: ASCII letters, digits, '.', '_', ':', '/', '#' and '-'.
inline constexpr std::string_view kOrderRefCharset = "[A-Za-z0-9._:/#-]";
// HoldPlaced.channel: 0..16 characters.
inline constexpr std::size_t kMaxHoldChannelLength = 16;

// GetAvailabilityRequest.skus: 1..500.
inline constexpr int kMinSkusPerAvailabilityCall = 1;
inline constexpr int kMaxSkusPerAvailabilityCall = 500;
// SearchProductsRequest.query: 1..128 characters.
inline constexpr std::size_t kMinSearchQueryLength = 1;
inline constexpr std::size_t kMaxSearchQueryLength = 128;
// SearchProductsRequest.limit: 1..50; 0 means kDefaultSearchLimit.
inline constexpr int kMaxSearchLimit = 50;
inline constexpr int kDefaultSearchLimit = 20;
// ListHoldsRequest.limit: 1..1000; 0 means kDefaultListHoldsLimit.
inline constexpr int kMaxListHoldsLimit = 1000;
inline constexpr int kDefaultListHoldsLimit = 100;

// A whole catalog: 1..200,000 products.
inline constexpr int kMinCatalogProducts = 1;
inline constexpr int kMaxCatalogProducts = 200'000;
// Product.gtins: 0..10, each a GTIN-8, -12, -13 or -14 (8..14 digits) with a
// correct GS1 check digit, unique across the catalog.
inline constexpr int kMaxGtinsPerProduct = 10;
inline constexpr std::size_t kMinGtinDigits = 8;
inline constexpr std::size_t kMaxGtinDigits = 14;
// Product.name: 1..128 characters; Product.department: 0..64.
inline constexpr std::size_t kMinProductNameLength = 1;
inline constexpr std::size_t kMaxProductNameLength = 128;
inline constexpr std::size_t kMaxDepartmentLength = 64;
// Product.safety_stock: 0..1,000,000,000 base units.
inline constexpr std::int64_t kMaxSafetyStock = 1'000'000'000;

// ==== Prices and promotions =================================================
// (proto/storeagent/v1/price.proto; checked by core/price_validation.h,
// tested at the edge in tests/unit/core/price_validation_test.cc.)

// PriceList.id and Promotion.id: 1..64 characters of kClientKeyIdCharset.
inline constexpr std::size_t kMinPriceIdLength = 1;
inline constexpr std::size_t kMaxPriceIdLength = 64;
// PriceScope.store_ids: 0..1000 (each a store id, 1..64 characters of
// kClientKeyIdCharset); PriceScope.region: 0..64 of the same characters.
inline constexpr int kMaxPriceScopeStores = 1000;
inline constexpr std::size_t kMaxRegionLength = 64;
// PriceList.entries: 0..100,000, one per SKU.
inline constexpr int kMaxPriceListEntries = 100'000;
// Promotion.skus: 1..10,000, no repeats.
inline constexpr int kMinPromotionSkus = 1;
inline constexpr int kMaxPromotionSkus = 10'000;
// PercentOff.basis_points: 1..10000 (0.01 %..100 %).
inline constexpr std::int32_t kMinPercentOffBp = 1;
inline constexpr std::int32_t kMaxPercentOffBp = 10'000;
// Basis points in a whole.
inline constexpr std::int64_t kBasisPointsPerWhole = 10'000;
// MultiBuy.buy: 2..100; MultiBuy.pay: 1..buy-1.
inline constexpr std::int32_t kMinMultiBuyBuy = 2;
inline constexpr std::int32_t kMaxMultiBuyBuy = 100;
inline constexpr std::int32_t kMinMultiBuyPay = 1;
// Promotion.description: 0..128 characters.
inline constexpr std::size_t kMaxPromotionDescriptionLength = 128;
// GetPricesRequest.skus and a priced basket's lines: 1..500.
inline constexpr int kMinSkusPerPriceCall = 1;
inline constexpr int kMaxSkusPerPriceCall = 500;

// ---- Reserved identifiers ---------------------------------------------------
// ClientKey.terminal_id prefix of events the agent writes itself (hold
// expiries); refused from callers by ValidateCallerClientKey.
inline constexpr std::string_view kAgentTerminalPrefix = "storeagent:";

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_LIMITS_H_
