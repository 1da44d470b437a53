// Checks of CentralStore's arguments, and its read limits, shared by both
// backends so they refuse the same input with the same message.
#ifndef STOREAGENT_CENTRAL_STORE_STORE_ARGS_H_
#define STOREAGENT_CENTRAL_STORE_STORE_ARGS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// Largest number of rows one read returns; a `limit` of 0 or above it reads
// this many.
inline constexpr size_t kMaxReadRows = 10'000;
inline size_t ClampLimit(size_t limit) {
  return limit == 0 || limit > kMaxReadRows ? kMaxReadRows : limit;
}

// PushCentralEventRequest.request_key: 1..64 characters.
inline constexpr size_t kMaxRequestKeyLength = 64;

// Store ids as the agent's config allows them: 1..64 characters of
// [A-Za-z0-9._-]. INVALID_ARGUMENT "store_id: ..." otherwise.
Status ValidateStoreId(const std::string& store_id);
// 1..64 characters, no control characters.
Status ValidateRequestKey(const std::string& request_key);
// One kind set (movement, catalog, prices, escrow_hold, hold_cancel,
// price_list, promotion).
Status ValidateCentralEventKind(const v1::CentralEvent& event);
// AppendCentralEventAt's condition: OK without an expected head or when the
// store's head is it; ABORTED "central_head_seq: expected N, is M" otherwise.
Status CheckHead(std::optional<uint64_t> expected_head, uint64_t head);
// "match", "mismatch" or "deferred".
Status ValidateDigestResult(const std::string& result);

// A store's region (SetStoreRegion): empty (no region) or 1..64 characters
// of [A-Za-z0-9._:-]. INVALID_ARGUMENT "region: ..." otherwise.
inline constexpr size_t kMaxRegionLength = 64;
Status ValidateRegion(const std::string& region);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_STORE_ARGS_H_
