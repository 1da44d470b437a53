#include "central/server/replica_cache.h"

#include <set>

#include "platform/log.h"
#include "storeagent/internal/v1/replica_snapshot.pb.h"

namespace storeagent::central {
namespace {

// Entries or events read from the store per call while replaying.
constexpr size_t kReadPage = 1000;

void ApplyStore(const std::string& store_id, core::StockReplay* replay,
                const v1::JournalEntry& e) {
  Status s = replay->Apply(e.record());
  if (!s.ok()) {
    Log(LogLevel::kDebug, "replica.record_refused",
        {{"store", store_id}, {"error", s.ToString()}});
  }
}

void ApplyCentral(const std::string& store_id, core::StockReplay* replay,
                  const v1::CentralEvent& e) {
  Status s = replay->ApplyCentral(e);
  if (!s.ok()) {
    Log(LogLevel::kDebug, "replica.central_refused",
        {{"store", store_id}, {"error", s.ToString()}});
  }
}

}  // namespace

ReplicaCache::ReplicaCache(CentralStore& store, const Clock& clock)
    : ReplicaCache(store, clock, Options{}) {}

ReplicaCache::ReplicaCache(CentralStore& store, const Clock& clock,
                           Options options)
    : store_(store), clock_(clock), options_(options) {
  if (options_.max_stores == 0) options_.max_stores = 1;
}

std::shared_ptr<ReplicaCache::Replica> ReplicaCache::Get(
    const std::string& store_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = replicas_.find(store_id);
  if (it != replicas_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.replica;
  }
  // A replica still in use by another thread when evicted lives on with
  // that thread; the next Get builds a new one from the snapshot.
  while (replicas_.size() >= options_.max_stores) {
    replicas_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(store_id);
  Slot& slot = replicas_[store_id];
  slot.replica = std::make_shared<Replica>();
  slot.lru = lru_.begin();
  return slot.replica;
}

size_t ReplicaCache::stores_in_memory() const {
  std::lock_guard<std::mutex> lock(mu_);
  return replicas_.size();
}

void ReplicaCache::Reset(Replica* r) {
  r->valid = false;
  r->replay = core::StockReplay();
  r->S = r->C = 0;
}

void ReplicaCache::Start(const std::string& store_id, uint64_t S, uint64_t C,
                         core::StockReplay* replay, uint64_t* at_S,
                         uint64_t* at_C) {
  *replay = core::StockReplay();
  *at_S = *at_C = 0;
  Result<std::optional<ReplicaSnapshotRow>> row =
      store_.GetReplicaSnapshot(store_id);
  if (!row.ok()) {
    Log(LogLevel::kWarn, "replica.snapshot_unreadable",
        {{"store", store_id}, {"error", row.status().ToString()}});
    return;
  }
  if (!row->has_value()) return;
  ReplicaSnapshotRow& snap = **row;
  if (snap.store_seq > S || snap.central_seq > C) return;  // after (S, C)
  internal::v1::ReplicaSnapshot msg;
  Status s = Status::Ok();
  const bool parsed = msg.ParseFromString(snap.state);
  std::string().swap(snap.state);  // one copy of the state at a time
  if (!parsed) {
    s = DataLoss("snapshot: does not parse");
  } else if (msg.store_seq() != snap.store_seq ||
             msg.central_seq() != snap.central_seq) {
    s = DataLoss("snapshot: its watermark is not its row's");
  } else {
    Result<core::StockReplay> loaded =
        core::StockReplay::LoadFrom(std::move(msg));
    if (loaded.ok()) {
      *replay = std::move(loaded).value();
      *at_S = snap.store_seq;
      *at_C = snap.central_seq;
      snapshots_loaded_.fetch_add(1);
      return;
    }
    s = loaded.status();
  }
  // Not usable (a format this build does not read, or damaged): replay
  // from seq 1, as without a snapshot; the next snapshot replaces it.
  Log(LogLevel::kWarn, "replica.snapshot_ignored",
      {{"store", store_id}, {"error", s.ToString()}});
}

void ReplicaCache::MaybeSnapshot(const std::string& store_id, Replica* r) {
  if (options_.snapshot_every == 0) return;
  if ((r->S - r->snap_S) + (r->C - r->snap_C) < options_.snapshot_every) {
    return;
  }
  internal::v1::ReplicaSnapshot msg;
  r->replay.SaveTo(&msg);
  msg.set_store_seq(r->S);
  msg.set_central_seq(r->C);
  ReplicaSnapshotRow row;
  row.store_seq = r->S;
  row.central_seq = r->C;
  row.taken_at_us = clock_.NowMicros();
  if (!msg.SerializeToString(&row.state)) {
    Log(LogLevel::kWarn, "replica.snapshot_failed",
        {{"store", store_id}, {"error", "does not serialize"}});
  } else if (Status s = store_.PutReplicaSnapshot(store_id, row); !s.ok()) {
    // Tried again after another snapshot_every events.
    Log(LogLevel::kWarn, "replica.snapshot_failed",
        {{"store", store_id}, {"error", s.ToString()}});
  } else {
    snapshots_written_.fetch_add(1);
    Log(LogLevel::kDebug, "replica.snapshot",
        {{"store", store_id},
         {"store_seq", std::to_string(r->S)},
         {"central_seq", std::to_string(r->C)},
         {"bytes", std::to_string(row.state.size())}});
  }
  r->snap_S = r->S;
  r->snap_C = r->C;
}

Status ReplicaCache::Advance(const std::string& store_id,
                             core::StockReplay* replay, uint64_t* at_S,
                             uint64_t* at_C, uint64_t S, uint64_t C) {
  while (*at_S < S) {
    Result<std::vector<v1::JournalEntry>> page =
        store_.ReadStoreEvents(store_id, *at_S, S, kReadPage);
    if (!page.ok()) return page.status();
    events_read_.fetch_add(page->size());
    if (page->empty()) {
      return FailedPrecondition("store " + store_id + ": central holds no " +
                                "store seq after " + std::to_string(*at_S) +
                                " (asked up to " + std::to_string(S) + ")");
    }
    // The page's quarantined entries, whatever their number (a page is at
    // most kReadPage entries, within one read's row limit).
    Result<std::vector<uint64_t>> q =
        store_.QuarantinedSeqs(store_id, *at_S, page->back().record().seq());
    if (!q.ok()) return q.status();
    const std::set<uint64_t> quarantined(q->begin(), q->end());
    for (const v1::JournalEntry& e : *page) {
      if (!quarantined.count(e.record().seq())) {
        ApplyStore(store_id, replay, e);
      }
      *at_S = e.record().seq();
    }
  }
  while (*at_C < C) {
    Result<std::vector<v1::CentralEvent>> page =
        store_.ReadCentralEvents(store_id, *at_C, C, kReadPage);
    if (!page.ok()) return page.status();
    events_read_.fetch_add(page->size());
    if (page->empty()) {
      // Numbers up to the head without rows were lost in a restore of
      // central and skipped by RaiseCentralHead: nothing to apply.
      Result<std::optional<StoreRow>> row = store_.GetStore(store_id);
      if (!row.ok()) return row.status();
      if (row->has_value() && (*row)->central_head_seq >= C) {
        *at_C = C;
        break;
      }
      return FailedPrecondition(
          "store " + store_id + ": central holds no central_seq after " +
          std::to_string(*at_C) + " (asked up to " + std::to_string(C) + ")");
    }
    for (const v1::CentralEvent& e : *page) {
      ApplyCentral(store_id, replay, e);
      *at_C = e.central_seq();
    }
  }
  return Status::Ok();
}

Status ReplicaCache::At(const std::string& store_id, uint64_t S, uint64_t C,
                        const Reader& read) {
  std::shared_ptr<Replica> r = Get(store_id);
  std::lock_guard<std::mutex> lock(r->mu);
  if (!r->valid) {
    // Cold (a start, an eviction, lost track): from the snapshot.
    core::StockReplay replay;
    uint64_t at_S = 0;
    uint64_t at_C = 0;
    Start(store_id, S, C, &replay, &at_S, &at_C);
    const uint64_t snap_S = at_S;
    const uint64_t snap_C = at_C;
    STOREAGENT_RETURN_IF_ERROR(Advance(store_id, &replay, &at_S, &at_C, S, C));
    r->replay = std::move(replay);
    r->S = at_S;
    r->C = at_C;
    r->snap_S = snap_S;
    r->snap_C = snap_C;
    r->valid = true;
    MaybeSnapshot(store_id, r.get());
    read(r->replay, S, C);
    return Status::Ok();
  }
  if (r->S > S || r->C > C) {
    // Behind the cache: a replay of its own, from the snapshot when that
    // is at or before (S, C), else from seq 1.
    core::StockReplay temp;
    uint64_t at_S = 0;
    uint64_t at_C = 0;
    Start(store_id, S, C, &temp, &at_S, &at_C);
    STOREAGENT_RETURN_IF_ERROR(Advance(store_id, &temp, &at_S, &at_C, S, C));
    read(temp, S, C);
    return Status::Ok();
  }
  Status s = Advance(store_id, &r->replay, &r->S, &r->C, S, C);
  if (!s.ok()) {
    Reset(r.get());  // partly advanced: rebuild next time
    return s;
  }
  MaybeSnapshot(store_id, r.get());
  read(r->replay, S, C);
  return Status::Ok();
}

Status ReplicaCache::Latest(const std::string& store_id, const Reader& read) {
  Result<std::optional<StoreRow>> row = store_.GetStore(store_id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return NotFound("store_id: no store " + store_id);
  return Latest(**row, read);
}

Status ReplicaCache::Latest(const StoreRow& row, const Reader& read) {
  uint64_t S = row.store_seq_held;
  uint64_t C = row.central_seq_acked;
  {
    // Never move the cache back: a concurrent ingest may be ahead of `row`.
    std::shared_ptr<Replica> r = Get(row.store_id);
    std::lock_guard<std::mutex> lock(r->mu);
    if (r->valid) {
      S = std::max(S, r->S);
      C = std::max(C, r->C);
    }
  }
  return At(row.store_id, S, C, read);
}

void ReplicaCache::OnIngest(const std::string& store_id, uint64_t prev_held,
                            const std::vector<v1::JournalEntry>& entries,
                            const IngestResult& result) {
  std::shared_ptr<Replica> r = Get(store_id);
  std::lock_guard<std::mutex> lock(r->mu);
  if (!r->valid) return;  // built on first use
  if (r->S != prev_held) {
    if (r->S >= result.acked_seq) return;  // already there
    Reset(r.get());                        // lost track: rebuild on next use
    return;
  }
  for (size_t i : result.applied) {
    const v1::JournalEntry& e = entries[i];
    if (e.record().seq() > r->S) ApplyStore(store_id, &r->replay, e);
  }
  r->S = std::max(r->S, result.acked_seq);
  MaybeSnapshot(store_id, r.get());
}

void ReplicaCache::OnCentralAck(const std::string& store_id,
                                uint64_t central_seq) {
  std::shared_ptr<Replica> r = Get(store_id);
  std::lock_guard<std::mutex> lock(r->mu);
  if (!r->valid || r->C >= central_seq) return;
  uint64_t S = r->S;
  Status s = Advance(store_id, &r->replay, &S, &r->C, r->S, central_seq);
  if (!s.ok()) {
    Log(LogLevel::kWarn, "replica.advance_failed",
        {{"store", store_id}, {"error", s.ToString()}});
    Reset(r.get());
    return;
  }
  MaybeSnapshot(store_id, r.get());
}

}  // namespace storeagent::central
