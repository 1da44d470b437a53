// The JSON shapes of the staff API: products, availability, holds and
// `as_of`, and the error body
//   {"error":{"code":"INVALID_ARGUMENT","field":"q","message":"q: ..."}}
// with the HTTP status each Status code maps to. Pure functions.
#ifndef STOREAGENT_AGENT_HTTP_STAFF_JSON_H_
#define STOREAGENT_AGENT_HTTP_STAFF_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "agent/http/staff_message.h"
#include "core/price_book.h"
#include "platform/clock.h"
#include "platform/status.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/stock.pb.h"

namespace storeagent::agent {

// RFC 3339, UTC, milliseconds: "2023-11-14T22:13:20.000Z".
std::string FormatRfc3339(int64_t micros_since_epoch);

// {"seq", "at" (RFC 3339), "at_us", "age_ms"}: age from `clock` now, >= 0.
nlohmann::json AsOfJson(const v1::AsOf& as_of, const Clock& clock);
// {"sku", "on_hand", "held", "unavailable", "safety_stock", "available",
//  "negative", "in_catalog"}.
nlohmann::json AvailabilityJson(const v1::SkuAvailability& a);
// {"sku", "name", "gtins", "department", "unit", "safety_stock",
//  "price": {"minor_units", "currency"} or null}.
nlohmann::json ProductJson(const v1::Product& p);
// The shelf price and active promotions of `sku` at `at_us` from the store's
// price book (docs/pricing.md): {"unit_price": {"minor_units", "currency"}
// or null when no list prices it, "unit" ("each" / "milli"),
// "price_list_id", "promotions": [{"id", "description", "member_only",
// "kind" ("percent_off" | "amount_off" | "multi_buy"), "value" (basis
// points, minor units or "BUY/PAY")}]}; member-only promotions included.
nlohmann::json PricingJson(const core::PriceBook& book,
                           const core::StoreContext& store,
                           std::string_view sku, int64_t at_us);
// {"order_ref", "channel", "state", "lines": [{"sku", "quantity"}],
//  "expires_at", "expires_at_us", "placed_seq", "updated_seq"}. With
// `names` (ListHoldsResponse.product_names) each line also has "name": the
// catalog name, or null for a SKU the catalog does not list.
nlohmann::json HoldJson(
    const v1::Hold& h,
    const google::protobuf::Map<std::string, std::string>* names = nullptr);

// "held", "picked", "collected", "cancelled", "expired".
std::string_view HoldStateName(v1::HoldState state);
// The same names, plus "open" (= HOLD_STATE_UNSPECIFIED: held and picked).
std::optional<v1::HoldState> ParseHoldStateFilter(std::string_view name);

// INVALID_ARGUMENT 400, NOT_FOUND 404, ALREADY_EXISTS and
// FAILED_PRECONDITION 409, RESOURCE_EXHAUSTED and UNAVAILABLE 503,
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, anything else 500.
int HttpStatusFor(StatusCode code);

// The field of a status message: the text before its first ':' ("" if
// none).
std::string FieldOf(std::string_view message);

StaffResponse JsonResponse(int status, const nlohmann::json& body);
// The error body for `s`, its HTTP status from HttpStatusFor.
StaffResponse ErrorResponse(const Status& s);
// An error that has no Status code of its own (405, 413, 431).
StaffResponse ErrorResponse(int http_status, std::string_view code,
                            std::string_view message);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_JSON_H_
