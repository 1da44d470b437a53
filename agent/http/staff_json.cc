#include "agent/http/staff_json.h"

#include <cstdio>

#include "core/stock_rule.h"

namespace storeagent::agent {
namespace {

using nlohmann::json;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
// (H. Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

}  // namespace

std::string FormatRfc3339(int64_t micros) {
  const int64_t ms = FloorDiv(micros, 1000);
  const int64_t secs = FloorDiv(ms, 1000);
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  CivilFromDays(days, &year, &month, &day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(year), month, day,
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60), static_cast<int>(ms - secs * 1000));
  return buf;
}

json AsOfJson(const v1::AsOf& as_of, const Clock& clock) {
  int64_t age_us = clock.NowMicros() - as_of.at_us();
  if (age_us < 0) age_us = 0;
  return json{{"seq", as_of.seq()},
              {"at", FormatRfc3339(as_of.at_us())},
              {"at_us", as_of.at_us()},
              {"age_ms", age_us / 1000}};
}

json AvailabilityJson(const v1::SkuAvailability& a) {
  return json{{"sku", a.sku()},
              {"on_hand", a.on_hand()},
              {"held", a.held()},
              {"unavailable", a.unavailable()},
              {"safety_stock", a.safety_stock()},
              {"available", a.available()},
              {"negative", a.negative()},
              {"in_catalog", a.in_catalog()}};
}

json ProductJson(const v1::Product& p) {
  json gtins = json::array();
  for (const std::string& g : p.gtins()) gtins.push_back(g);
  json price = nullptr;
  if (p.has_price()) {
    price = json{{"minor_units", p.price().minor_units()},
                 {"currency", p.price().currency()}};
  }
  return json{{"sku", p.sku()},
              {"name", p.name()},
              {"gtins", std::move(gtins)},
              {"department", p.department()},
              {"unit", p.unit().empty() ? "each" : p.unit()},
              {"safety_stock", p.safety_stock()},
              {"price", std::move(price)}};
}

json PricingJson(const core::PriceBook& book, const core::StoreContext& store,
                 std::string_view sku, int64_t at_us) {
  std::optional<core::PriceInForce> price = book.PriceAt(store, sku, at_us);
  json promotions = json::array();
  for (const v1::Promotion* p :
       book.PromotionsAt(store, sku, at_us, /*member=*/true)) {
    json value;
    const char* kind = "";
    switch (p->kind_case()) {
      case v1::Promotion::kPercentOff:
        kind = "percent_off";
        value = p->percent_off().basis_points();
        break;
      case v1::Promotion::kAmountOff:
        kind = "amount_off";
        value = p->amount_off().amount().minor_units();
        break;
      case v1::Promotion::kMultiBuy:
        kind = "multi_buy";
        value = std::to_string(p->multi_buy().buy()) + "/" +
                std::to_string(p->multi_buy().pay());
        break;
      case v1::Promotion::KIND_NOT_SET:
        break;
    }
    promotions.push_back(json{{"id", p->id()},
                              {"description", p->description()},
                              {"member_only", p->member_only()},
                              {"kind", kind},
                              {"value", std::move(value)}});
  }
  json unit_price = nullptr;
  if (price) {
    unit_price =
        json{{"minor_units", price->unit_price}, {"currency", price->currency}};
  }
  return json{{"unit_price", std::move(unit_price)},
              {"unit", !price ? json(nullptr)
                              : json(price->unit == v1::UNIT_OF_MEASURE_MILLI
                                         ? "milli"
                                         : "each")},
              {"price_list_id", price ? json(price->list_id) : json(nullptr)},
              {"promotions", std::move(promotions)}};
}

json HoldJson(const v1::Hold& h,
              const google::protobuf::Map<std::string, std::string>* names) {
  json lines = json::array();
  for (const v1::HoldLine& l : h.lines()) {
    json line{{"sku", l.sku()}, {"quantity", l.quantity()}};
    if (names != nullptr) {
      auto it = names->find(l.sku());
      line["name"] = it == names->end() ? json(nullptr) : json(it->second);
    }
    lines.push_back(std::move(line));
  }
  return json{{"order_ref", h.order_ref()},
              {"channel", h.channel()},
              {"state", HoldStateName(h.state())},
              {"lines", std::move(lines)},
              {"expires_at", FormatRfc3339(h.expires_at_us())},
              {"expires_at_us", h.expires_at_us()},
              {"placed_seq", h.placed_seq()},
              {"updated_seq", h.updated_seq()}};
}

std::string_view HoldStateName(v1::HoldState state) {
  return core::HoldStateLabel(state);
}

std::optional<v1::HoldState> ParseHoldStateFilter(std::string_view name) {
  if (name == "open") return v1::HOLD_STATE_UNSPECIFIED;
  if (name == "held") return v1::HOLD_STATE_HELD;
  if (name == "picked") return v1::HOLD_STATE_PICKED;
  if (name == "collected") return v1::HOLD_STATE_COLLECTED;
  if (name == "cancelled") return v1::HOLD_STATE_CANCELLED;
  if (name == "expired") return v1::HOLD_STATE_EXPIRED;
  return std::nullopt;
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

std::string FieldOf(std::string_view message) {
  size_t colon = message.find(':');
  if (colon == std::string_view::npos) return "";
  return std::string(message.substr(0, colon));
}

StaffResponse JsonResponse(int status, const json& body) {
  StaffResponse r;
  r.status = status;
  // Replace, never throw, on invalid UTF-8 from storage.
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

StaffResponse ErrorResponse(const Status& s) {
  return JsonResponse(HttpStatusFor(s.code()),
                      json{{"error",
                            {{"code", StatusCodeName(s.code())},
                             {"field", FieldOf(s.message())},
                             {"message", s.message()}}}});
}

StaffResponse ErrorResponse(int http_status, std::string_view code,
                            std::string_view message) {
  return JsonResponse(http_status, json{{"error",
                                         {{"code", code},
                                          {"field", FieldOf(message)},
                                          {"message", message}}}});
}

}  // namespace storeagent::agent
