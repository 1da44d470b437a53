// ReplicaCache: central's in-memory replica of each store's stock, a
// core::StockReplay fed with the store's committed journal entries (up to
// a store seq S) and the central events the store acknowledged (up to a
// central seq C). Digests, drill-downs, availability and escrow read it.
//
// The cached replica moves forward on ingest and on CentralAck. A question
// about another watermark advances it from the CentralStore when it lies
// ahead of the cache, or replays a temporary one from scratch when it lies
// behind. Entries central quarantined are left out (as IngestResult.applied
// leaves them out). Thread-safe: one mutex per store.
#ifndef STOREAGENT_CENTRAL_SERVER_REPLICA_CACHE_H_
#define STOREAGENT_CENTRAL_SERVER_REPLICA_CACHE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "core/stock_replay.h"
#include "platform/status.h"

namespace storeagent::central {

class ReplicaCache {
 public:
  explicit ReplicaCache(CentralStore& store) : store_(store) {}

  using Reader =
      std::function<void(const core::StockReplay&, uint64_t S, uint64_t C)>;

  // Calls `read` with the replica at exactly (S, C).
  Status At(const std::string& store_id, uint64_t S, uint64_t C,
            const Reader& read);
  // Calls `read` with the cached replica brought up to what central holds
  // (the store's store_seq_held and central_seq_acked).
  Status Latest(const std::string& store_id, const Reader& read);

  // A batch was committed: `prev_held` was the watermark before it,
  // `entries` the batch `result` came from.
  void OnIngest(const std::string& store_id, uint64_t prev_held,
                const std::vector<v1::JournalEntry>& entries,
                const IngestResult& result);
  // The store acknowledged central events up to `central_seq`.
  void OnCentralAck(const std::string& store_id, uint64_t central_seq);

 private:
  struct Replica {
    std::mutex mu;
    bool valid = false;
    core::StockReplay replay;
    uint64_t S = 0;
    uint64_t C = 0;
  };
  std::shared_ptr<Replica> Get(const std::string& store_id);
  // Applies store entries in (from.S, S] and central events in (from.C, C].
  Status Advance(const std::string& store_id, core::StockReplay* replay,
                 uint64_t* at_S, uint64_t* at_C, uint64_t S, uint64_t C);

  CentralStore& store_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Replica>> replicas_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_REPLICA_CACHE_H_
