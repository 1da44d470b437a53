#include "central/server/replica_cache.h"

#include <set>

#include "platform/log.h"

namespace storeagent::central {
namespace {

// Entries or events read from the store per call while replaying.
constexpr size_t kReadPage = 1000;
// Quarantined entries looked up per replay (a store with more is broken).

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

std::shared_ptr<ReplicaCache::Replica> ReplicaCache::Get(
    const std::string& store_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Replica>& r = replicas_[store_id];
  if (!r) r = std::make_shared<Replica>();
  return r;
}

Status ReplicaCache::Advance(const std::string& store_id,
                             core::StockReplay* replay, uint64_t* at_S,
                             uint64_t* at_C, uint64_t S, uint64_t C) {
  while (*at_S < S) {
    Result<std::vector<v1::JournalEntry>> page =
        store_.ReadStoreEvents(store_id, *at_S, S, kReadPage);
    if (!page.ok()) return page.status();
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
  if (!r->valid || r->S > S || r->C > C) {
    // Behind the cache (or no cache): a replay of its own.
    core::StockReplay temp;
    uint64_t at_S = 0;
    uint64_t at_C = 0;
    STOREAGENT_RETURN_IF_ERROR(Advance(store_id, &temp, &at_S, &at_C, S, C));
    if (!r->valid) {
      r->replay = std::move(temp);
      r->S = at_S;
      r->C = at_C;
      r->valid = true;
      read(r->replay, S, C);
    } else {
      read(temp, S, C);
    }
    return Status::Ok();
  }
  Status s = Advance(store_id, &r->replay, &r->S, &r->C, S, C);
  if (!s.ok()) {
    r->valid = false;  // partly advanced: rebuild next time
    r->replay = core::StockReplay();
    r->S = r->C = 0;
    return s;
  }
  read(r->replay, S, C);
  return Status::Ok();
}

Status ReplicaCache::Latest(const std::string& store_id, const Reader& read) {
  Result<std::optional<StoreRow>> row = store_.GetStore(store_id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return NotFound("store_id: no store " + store_id);
  uint64_t S = (*row)->store_seq_held;
  uint64_t C = (*row)->central_seq_acked;
  {
    // Never move the cache back: a concurrent ingest may be ahead of `row`.
    std::shared_ptr<Replica> r = Get(store_id);
    std::lock_guard<std::mutex> lock(r->mu);
    if (r->valid) {
      S = std::max(S, r->S);
      C = std::max(C, r->C);
    }
  }
  return At(store_id, S, C, read);
}

void ReplicaCache::OnIngest(const std::string& store_id, uint64_t prev_held,
                            const std::vector<v1::JournalEntry>& entries,
                            const IngestResult& result) {
  std::shared_ptr<Replica> r = Get(store_id);
  std::lock_guard<std::mutex> lock(r->mu);
  if (!r->valid) return;  // built on first use
  if (r->S != prev_held) {
    if (r->S >= result.acked_seq) return;  // already there
    r->valid = false;                      // lost track: rebuild on next use
    r->replay = core::StockReplay();
    r->S = r->C = 0;
    return;
  }
  for (size_t i : result.applied) {
    const v1::JournalEntry& e = entries[i];
    if (e.record().seq() > r->S) ApplyStore(store_id, &r->replay, e);
  }
  r->S = std::max(r->S, result.acked_seq);
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
    r->valid = false;
    r->replay = core::StockReplay();
    r->S = r->C = 0;
  }
}

}  // namespace storeagent::central
