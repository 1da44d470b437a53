#include "central/server/feed_request.h"

#include "central/server/admin_validation.h"
#include "central/server/feed_kinds.h"

namespace storeagent::central {
namespace {

std::string At(const char* field, int i) {
  return std::string(field) + "[" + std::to_string(i) + "]";
}

Status TooMany(const char* field, int n, int limit) {
  return InvalidArgument(std::string(field) + ": " + std::to_string(n) +
                         " entries, at most " + std::to_string(limit));
}

}  // namespace

Result<FeedPlan> PlanFeed(const v1::StreamEventsRequest& r) {
  FeedPlan plan;
  if (r.after_size() > kMaxFeedStores) {
    return TooMany("after", r.after_size(), kMaxFeedStores);
  }
  for (int i = 0; i < r.after_size(); ++i) {
    const v1::FeedPosition& p = r.after(i);
    const std::string field = At("after", i) + ".store_id";
    STOREAGENT_RETURN_IF_ERROR(CheckStoreId(p.store_id(), field));
    auto [it, fresh] =
        plan.after.emplace(p.store_id(), FeedStart{p.seq(), p.central_seq()});
    if (!fresh) {
      return InvalidArgument(field + ": store " + p.store_id() +
                             " has a position already (one per store)");
    }
  }
  if (r.store_ids_size() > kMaxFeedStores) {
    return TooMany("store_ids", r.store_ids_size(), kMaxFeedStores);
  }
  for (int i = 0; i < r.store_ids_size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckStoreId(r.store_ids(i), At("store_ids", i)));
    plan.stores.insert(r.store_ids(i));
  }
  if (r.kinds_size() > kMaxFeedKinds) {
    return TooMany("kinds", r.kinds_size(), kMaxFeedKinds);
  }
  for (int i = 0; i < r.kinds_size(); ++i) {
    if (FeedKinds().count(r.kinds(i)) == 0) {
      return InvalidArgument(At("kinds", i) + ": unknown kind '" + r.kinds(i) +
                             "' (docs/feed.md lists them: sale, return, ..., "
                             "central.movement, ...)");
    }
    plan.kinds.insert(r.kinds(i));
  }
  if (r.from_us() < 0) {
    return InvalidArgument("from_us: must be >= 0 (0: unbounded), got " +
                           std::to_string(r.from_us()));
  }
  if (r.to_us() < 0) {
    return InvalidArgument("to_us: must be >= 0 (0: unbounded), got " +
                           std::to_string(r.to_us()));
  }
  if (r.from_us() != 0 && r.to_us() != 0 && r.from_us() >= r.to_us()) {
    return InvalidArgument("from_us: " + std::to_string(r.from_us()) +
                           " is not before to_us " + std::to_string(r.to_us()) +
                           " (the window is [from_us, to_us))");
  }
  plan.from_us = r.from_us();
  plan.to_us = r.to_us();
  plan.follow = r.follow();
  if (r.max_batch() > kMaxFeedBatch) {
    return InvalidArgument("max_batch: at most " +
                           std::to_string(kMaxFeedBatch) + ", got " +
                           std::to_string(r.max_batch()));
  }
  plan.max_batch = r.max_batch() == 0 ? 1 : r.max_batch();
  return plan;
}

}  // namespace storeagent::central
