// A StreamEventsRequest checked and made ready to serve (docs/feed.md,
// "Requests and errors"): INVALID_ARGUMENT naming the field, first problem
// only. Pure.
#ifndef STOREAGENT_CENTRAL_SERVER_FEED_REQUEST_H_
#define STOREAGENT_CENTRAL_SERVER_FEED_REQUEST_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// Most positions in `after` and stores in `store_ids`: a fleet's cursor
// (about 60 bytes a store) stays well inside the admin port's 4 MiB
// message limit.
inline constexpr int kMaxFeedStores = 50'000;
// Most entries in `kinds` (there are fewer kinds than this).
inline constexpr int kMaxFeedKinds = 64;
// Most events in one response (max_batch), and the bytes a batch stops
// before (one larger event still goes alone).
inline constexpr uint32_t kMaxFeedBatch = 1000;
inline constexpr size_t kMaxFeedBatchBytes = 1 << 20;

// Where the feed starts in one store: the last seq and central_seq the
// consumer has.
struct FeedStart {
  uint64_t seq = 0;
  uint64_t central_seq = 0;
};

struct FeedPlan {
  std::map<std::string, FeedStart> after;  // by store id
  std::set<std::string> stores;            // empty: every store
  std::set<std::string> kinds;             // empty: every kind
  int64_t from_us = 0;                     // 0: unbounded
  int64_t to_us = 0;                       // 0: unbounded
  bool follow = false;
  uint32_t max_batch = 1;  // events per response, 1..kMaxFeedBatch

  bool WantsStore(const std::string& id) const {
    return stores.empty() || stores.count(id) > 0;
  }
  bool WantsKind(const std::string& kind) const {
    return kinds.empty() || kinds.count(kind) > 0;
  }
};

// after[i].store_id: a store id (1..64 of [A-Za-z0-9._-]), each store at
// most once; store_ids[i]: store ids (a repeat is harmless); kinds[i]: one
// of FeedKinds(); from_us, to_us: >= 0, and from_us < to_us when both set;
// max_batch: 0..kMaxFeedBatch (0 is 1).
Result<FeedPlan> PlanFeed(const v1::StreamEventsRequest& request);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_FEED_REQUEST_H_
