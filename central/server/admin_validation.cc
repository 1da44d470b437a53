#include "central/server/admin_validation.h"

#include <set>
#include <vector>

#include "core/currency.h"
#include "core/limits.h"
#include "core/stock_validation.h"

namespace storeagent::central {
namespace {

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool Printable(const std::string& s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Status CheckPrices(const v1::PriceChange& p) {
  if (p.lines_size() < 1 || p.lines_size() > kMaxPriceLines) {
    return InvalidArgument("event.prices.lines: 1.." +
                           std::to_string(kMaxPriceLines) + " lines, got " +
                           std::to_string(p.lines_size()));
  }
  std::set<std::string> seen;
  for (int i = 0; i < p.lines_size(); ++i) {
    const v1::PriceLine& l = p.lines(i);
    const std::string at = "event.prices.lines[" + std::to_string(i) + "]";
    if (l.sku().empty() || l.sku().size() > core::kMaxSkuLength ||
        !Printable(l.sku())) {
      return InvalidArgument(at + ".sku: 1..64 printable characters");
    }
    if (!seen.insert(l.sku()).second) {
      return InvalidArgument(at + ".sku: " + l.sku() + " listed twice");
    }
    if (!l.has_price()) return InvalidArgument(at + ".price: required");
    if (l.price().minor_units() < core::kMinAmountMinorUnits ||
        l.price().minor_units() > core::kMaxAmountMinorUnits) {
      return InvalidArgument(at + ".price.minor_units: 0..10^12, got " +
                             std::to_string(l.price().minor_units()));
    }
    if (!core::IsActiveIso4217(l.price().currency())) {
      return InvalidArgument(at + ".price.currency: '" + l.price().currency() +
                             "' is not an active ISO 4217 code");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckStoreId(const std::string& id, const std::string& field) {
  if (id.empty() || id.size() > core::kMaxStoreIdLength) {
    return InvalidArgument(field + ": 1..64 characters, got " +
                           std::to_string(id.size()));
  }
  for (char c : id) {
    if (!IsIdChar(c)) {
      return InvalidArgument(field + ": only letters, digits, '.', '_', '-'");
    }
  }
  return Status::Ok();
}

Status ValidatePushCentralEvent(const v1::PushCentralEventRequest& r) {
  STOREAGENT_RETURN_IF_ERROR(CheckStoreId(r.store_id(), "store_id"));
  const std::string& key = r.request_key();
  if (key.empty() || key.size() > kMaxAdminRequestKeyLength ||
      !Printable(key)) {
    return InvalidArgument("request_key: 1..64 printable characters, got " +
                           std::to_string(key.size()));
  }
  if (key[0] == '#') {
    return InvalidArgument(
        "request_key: may not start with '#' (kept for "
        "central's own keys)");
  }
  if (!r.has_event()) return InvalidArgument("event: required");
  const v1::CentralEvent& e = r.event();
  if (e.reference().size() > kMaxCentralReferenceLength) {
    return InvalidArgument("event.reference: at most 64 characters, got " +
                           std::to_string(e.reference().size()));
  }
  switch (e.kind_case()) {
    case v1::CentralEvent::kMovement:
      return core::ValidateStockMovement(e.movement(), "event.movement");
    case v1::CentralEvent::kCatalog: {
      const std::vector<v1::Product> products(e.catalog().products().begin(),
                                              e.catalog().products().end());
      if (products.empty()) {
        return InvalidArgument("event.catalog.products: at least one");
      }
      Status s = core::ValidateCatalog(products);
      if (!s.ok()) {
        return InvalidArgument("event.catalog.products: " + s.message());
      }
      return Status::Ok();
    }
    case v1::CentralEvent::kPrices:
      return CheckPrices(e.prices());
    case v1::CentralEvent::kEscrowHold:
      return InvalidArgument(
          "event.escrow_hold: central records escrow holds itself; use "
          "PlaceHold");
    case v1::CentralEvent::kHoldCancel: {
      STOREAGENT_RETURN_IF_ERROR(core::ValidateOrderRef(
          e.hold_cancel().order_ref(), "event.hold_cancel.order_ref"));
      if (e.hold_cancel().reason().size() > core::kMaxReasonLength) {
        return InvalidArgument(
            "event.hold_cancel.reason: at most 128 characters");
      }
      return Status::Ok();
    }
    // The price book keeps versions and fans them out to the stores of
    // their scope, each once (docs/central.md, "The price book"): an event
    // pushed to one store by hand would bypass both.
    case v1::CentralEvent::kPriceList:
      return InvalidArgument(
          "event.price_list: central queues price lists itself; use "
          "PublishPriceList");
    case v1::CentralEvent::kPromotion:
      return InvalidArgument(
          "event.promotion: central queues promotions itself; use "
          "PublishPromotion");
    case v1::CentralEvent::KIND_NOT_SET:
      break;
  }
  return InvalidArgument(
      "event: one of movement, catalog, prices, hold_cancel is required");
}

Status ValidateDeviationFilters(const v1::ListPriceDeviationsRequest& r) {
  if (r.sku().size() > core::kMaxSkuLength) {
    return InvalidArgument(
        "sku: at most " + std::to_string(core::kMaxSkuLength) +
        " characters, got " + std::to_string(r.sku().size()));
  }
  if (r.since_us() < 0) {
    return InvalidArgument("since_us: must be >= 0 (0: no lower bound)");
  }
  if (r.until_us() < 0) {
    return InvalidArgument("until_us: must be >= 0 (0: no upper bound)");
  }
  if (r.until_us() != 0 && r.until_us() <= r.since_us()) {
    return InvalidArgument("until_us: " + std::to_string(r.until_us()) +
                           " is not after since_us " +
                           std::to_string(r.since_us()) +
                           " (the window is [since_us, until_us))");
  }
  if (r.limit() > static_cast<uint32_t>(kMaxListLimit)) {
    return InvalidArgument("limit: 1..1000 (0 = 100), got " +
                           std::to_string(r.limit()));
  }
  return Status::Ok();
}

Result<size_t> ListLimit(int32_t limit, const std::string& field) {
  if (limit == 0) return static_cast<size_t>(kDefaultListLimit);
  if (limit < 1 || limit > kMaxListLimit) {
    return InvalidArgument(field + ": 1..1000 (0 = 100), got " +
                           std::to_string(limit));
  }
  return static_cast<size_t>(limit);
}

}  // namespace storeagent::central
