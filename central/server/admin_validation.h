// Checks of what head office sends central (CentralAdminService requests) and
// of store ids. INVALID_ARGUMENT naming the field, first problem only; pure.
#ifndef STOREAGENT_CENTRAL_SERVER_ADMIN_VALIDATION_H_
#define STOREAGENT_CENTRAL_SERVER_ADMIN_VALIDATION_H_

#include <cstdint>
#include <string>

#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

inline constexpr size_t kMaxAdminRequestKeyLength = 64;
inline constexpr size_t kMaxCentralReferenceLength = 64;
inline constexpr int kMaxPriceLines = 500;
inline constexpr uint32_t kDefaultHoldTimeoutMs = 2000;
inline constexpr uint32_t kMaxHoldTimeoutMs = 60000;
inline constexpr int32_t kDefaultListLimit = 100;
inline constexpr int32_t kMaxListLimit = 1000;

// 1..64 of [A-Za-z0-9._-].
Status CheckStoreId(const std::string& id, const std::string& field);

// store_id, request_key (1..64, printable, not starting with '#', which
// central keeps for its own keys) and the event: exactly one kind, the
// reference 0..64, a movement by core's stock validation, catalog products
// by core::ValidateCatalog, prices (1..500 lines, SKU 1..64, price
// 0..1e12 of an active ISO 4217 currency), a hold cancel's order_ref and
// reason. Escrow holds are refused: they come from PlaceHold; price lists
// and promotions too: they come from PublishPriceList / PublishPromotion.
Status ValidatePushCentralEvent(const v1::PushCentralEventRequest& r);

// 0 = default, else 1..1000; `field` names it.
Result<size_t> ListLimit(int32_t limit, const std::string& field);

// ListPriceDeviations' filters but the store: sku 0..64 characters,
// since_us and until_us >= 0 and, both set, until_us > since_us (the
// window [since_us, until_us) is not empty), limit 0..1000.
Status ValidateDeviationFilters(const v1::ListPriceDeviationsRequest& r);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_ADMIN_VALIDATION_H_
