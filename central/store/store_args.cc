#include "central/store/store_args.h"

#include "core/limits.h"

namespace storeagent::central {

Status ValidateStoreId(const std::string& store_id) {
  if (store_id.empty()) return InvalidArgument("store_id: required");
  if (store_id.size() > core::kMaxStoreIdLength) {
    return InvalidArgument(
        "store_id: too long, " + std::to_string(store_id.size()) +
        " characters (max " + std::to_string(core::kMaxStoreIdLength) + ")");
  }
  for (char c : store_id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return InvalidArgument(
          "store_id: only letters, digits, '.', '_' and '-' are allowed");
    }
  }
  return Status::Ok();
}

Status ValidateRequestKey(const std::string& request_key) {
  if (request_key.empty()) return InvalidArgument("request_key: required");
  if (request_key.size() > kMaxRequestKeyLength) {
    return InvalidArgument(
        "request_key: too long, " + std::to_string(request_key.size()) +
        " characters (max " + std::to_string(kMaxRequestKeyLength) + ")");
  }
  for (char c : request_key) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return InvalidArgument("request_key: control characters not allowed");
    }
  }
  return Status::Ok();
}

Status ValidateCentralEventKind(const v1::CentralEvent& event) {
  if (event.kind_case() == v1::CentralEvent::KIND_NOT_SET) {
    return InvalidArgument(
        "event.kind: exactly one of movement, catalog, prices, escrow_hold, "
        "hold_cancel, price_list, promotion is required");
  }
  return Status::Ok();
}

Status CheckHead(std::optional<uint64_t> expected_head, uint64_t head) {
  if (!expected_head || *expected_head == head) return Status::Ok();
  return Aborted(
      "central_head_seq: expected " + std::to_string(*expected_head) + ", is " +
      std::to_string(head) + " (another central event was recorded meanwhile)");
}

Status ValidateDigestResult(const std::string& result) {
  if (result != "match" && result != "mismatch" && result != "deferred") {
    return InvalidArgument(
        "result: must be \"match\", \"mismatch\" or \"deferred\"");
  }
  return Status::Ok();
}

Status ValidateRegion(const std::string& region) {
  if (region.size() > kMaxRegionLength) {
    return InvalidArgument("region: more than " +
                           std::to_string(kMaxRegionLength) + " characters");
  }
  for (const char c : region) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == ':' || c == '-';
    if (!ok) {
      return InvalidArgument(
          "region: only letters, digits and . _ : - are allowed");
    }
  }
  return Status::Ok();
}

}  // namespace storeagent::central
