// ReplicaCache: central's in-memory replica of each store's stock, a
// core::StockReplay fed with the store's committed journal entries (up to
// a store seq S) and the central events the store acknowledged (up to a
// central seq C). Digests, drill-downs, availability and escrow read it.
//
// The cached replica moves forward on ingest and on CentralAck. A question
// about another watermark advances it from the CentralStore when it lies
// ahead of the cache, or replays a temporary one when it lies behind. Entries
// central quarantined are left out (as IngestResult.applied leaves them
// out). Thread-safe: one mutex per store.
//
// Memory and start-up do not grow with history: every
// Options::snapshot_every events applied, a store's replica is written to
// the database as a snapshot (CentralStore::PutReplicaSnapshot, one per
// store), and a replica built cold (after a start, or after eviction)
// starts from that snapshot and replays only the events after it. At most
// Options::max_stores replicas stay in memory; the least recently used is
// dropped first. A question behind the cache starts from the snapshot when
// the snapshot is at or before it, else from seq 1. docs/central.md, "The
// replica cache".
#ifndef STOREAGENT_CENTRAL_SERVER_REPLICA_CACHE_H_
#define STOREAGENT_CENTRAL_SERVER_REPLICA_CACHE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "core/stock_replay.h"
#include "platform/clock.h"
#include "platform/status.h"

namespace storeagent::central {

// Store entries plus central events applied between two snapshots of a
// store's replica.
inline constexpr uint64_t kReplicaSnapshotEvery = 10000;
// Stores whose replica stays in memory at once.
inline constexpr size_t kReplicaMaxStores = 1024;

class ReplicaCache {
 public:
  struct Options {
    uint64_t snapshot_every = kReplicaSnapshotEvery;  // 0: never
    size_t max_stores = kReplicaMaxStores;            // at least 1
  };

  // `clock` stamps the snapshots it writes (taken_at_us). REQUIRES: `store`
  // and `clock` outlive this.
  ReplicaCache(CentralStore& store, const Clock& clock);
  ReplicaCache(CentralStore& store, const Clock& clock, Options options);

  using Reader =
      std::function<void(const core::StockReplay&, uint64_t S, uint64_t C)>;

  // Calls `read` with the replica at exactly (S, C).
  Status At(const std::string& store_id, uint64_t S, uint64_t C,
            const Reader& read);
  // Calls `read` with the cached replica brought up to what central holds
  // (the store's store_seq_held and central_seq_acked).
  Status Latest(const std::string& store_id, const Reader& read);
  // The same, at what `row` (the store's row, read by the caller) says
  // central holds, or later: never before the cache.
  Status Latest(const StoreRow& row, const Reader& read);

  // A batch was committed: `prev_held` was the watermark before it,
  // `entries` the batch `result` came from.
  void OnIngest(const std::string& store_id, uint64_t prev_held,
                const std::vector<v1::JournalEntry>& entries,
                const IngestResult& result);
  // The store acknowledged central events up to `central_seq`.
  void OnCentralAck(const std::string& store_id, uint64_t central_seq);

  // Figures for tests and measurements: store entries plus central events
  // read from the CentralStore so far, snapshots written and loaded, and
  // the stores whose replica is in memory.
  uint64_t events_read() const { return events_read_.load(); }
  uint64_t snapshots_written() const { return snapshots_written_.load(); }
  uint64_t snapshots_loaded() const { return snapshots_loaded_.load(); }
  size_t stores_in_memory() const;

 private:
  struct Replica {
    std::mutex mu;
    bool valid = false;
    core::StockReplay replay;
    uint64_t S = 0;
    uint64_t C = 0;
    // The watermark of the snapshot last loaded or written (or tried).
    uint64_t snap_S = 0;
    uint64_t snap_C = 0;
  };
  struct Slot {
    std::shared_ptr<Replica> replica;
    std::list<std::string>::iterator lru;
  };
  // The store's replica, now the most recently used; may evict another.
  std::shared_ptr<Replica> Get(const std::string& store_id);
  // Applies store entries in (from.S, S] and central events in (from.C, C].
  Status Advance(const std::string& store_id, core::StockReplay* replay,
                 uint64_t* at_S, uint64_t* at_C, uint64_t S, uint64_t C);
  // A replay at or before (S, C) to start from: the store's snapshot when
  // it is usable, else an empty replay at (0, 0).
  void Start(const std::string& store_id, uint64_t S, uint64_t C,
             core::StockReplay* replay, uint64_t* at_S, uint64_t* at_C);
  // Writes r's snapshot when snapshot_every events were applied since the
  // last one. REQUIRES: r->mu held, r->valid.
  void MaybeSnapshot(const std::string& store_id, Replica* r);
  static void Reset(Replica* r);

  CentralStore& store_;
  const Clock& clock_;
  Options options_;
  mutable std::mutex mu_;
  std::map<std::string, Slot> replicas_;
  std::list<std::string> lru_;  // most recently used first
  std::atomic<uint64_t> events_read_{0};
  std::atomic<uint64_t> snapshots_written_{0};
  std::atomic<uint64_t> snapshots_loaded_{0};
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_REPLICA_CACHE_H_
