// The pure half of CentralStore::IngestBatch, shared by both backends: which
// entries of a batch are new, whether they continue the chain central holds,
// which are quarantined, and what each backend must write. No I/O.
//
// It comes in two steps. CheckEntries works out what each entry is on its
// own (its bytes, whether its hash covers them, its kind, whether it must be
// quarantined): most of the CPU a batch costs, and it needs no lock and no
// stored state, so the sync stream runs it before the batch's turn, on
// another thread, while the previous batch commits (sync_stream.cc).
// PlanIngest then, inside the transaction, checks the entries against the
// chain head central holds: seq order and prev_hash links, cheap
// comparisons.
#ifndef STOREAGENT_CENTRAL_STORE_INGEST_PLAN_H_
#define STOREAGENT_CENTRAL_STORE_INGEST_PLAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::central {

// The watermark central holds for a store: last seq, its hash (32 zero
// bytes at 0) and its recorded_at.
struct ChainHead {
  uint64_t seq = 0;
  std::string hash;
  int64_t recorded_at_us = 0;
};

// One new entry, ready to insert into store_events.
struct PlannedEntry {
  uint64_t seq = 0;
  int64_t recorded_at_us = 0;
  std::string kind;  // core::EventKind
  // core::EntryCanonicalBytes: what was hashed (borrowed from the batch's
  // EntryCheck, which outlives the plan)
  std::string_view canonical;
  std::string prev_hash;
  std::string hash;
  // Empty: applied. Else the entry is kept in quarantine with this reason.
  std::string quarantine_reason;
  // The batch's entry (borrowed from the caller's vector).
  const v1::JournalEntry* entry = nullptr;
};

// What one entry is, on its own.
struct EntryCheck {
  std::string canonical;     // core::EntryCanonicalBytes: what is hashed
  bool hash_covers = false;  // hash == core::ChainHash(prev_hash, canonical)
  std::string kind;          // core::EventKind
  // Empty: the entry is applied; else why it is kept in quarantine
  // (IngestProblem).
  std::string quarantine_reason;
};

// Checks one entry. Pure and thread-safe. REQUIRES: an entry with
// canonical_record has had it adopted (core::AdoptCanonicalRecord), so its
// record is the one the hash covers.
EntryCheck CheckEntry(const v1::JournalEntry& entry);

// CheckEntry of each entry, same order.
std::vector<EntryCheck> CheckEntries(
    const std::vector<v1::JournalEntry>& entries);

struct IngestPlan {
  std::vector<PlannedEntry> entries;  // seq order, held.seq + 1 ...
  ChainHead head;                     // the watermark after the batch
};

// Plans the batch against `held`, its entries checked already: `checks` is
// CheckEntries(entries) (INTERNAL if the counts differ). Entries with seq <=
// held.seq are skipped (resent); the rest must be held.seq + 1, +2 ... (else
// FAILED_PRECONDITION "expected seq N, received M"), and each must continue
// the chain: prev_hash equal to the hash before it and its check's
// hash_covers (hash == core::ChainHash(prev_hash,
// core::EntryCanonicalBytes(entry)); else DATA_LOSS naming the seq). An
// entry whose check has a quarantine reason is planned with it. The plan
// borrows from `entries` and `checks`: they must outlive it.
Result<IngestPlan> PlanIngest(const ChainHead& held,
                              const std::vector<v1::JournalEntry>& entries,
                              const std::vector<EntryCheck>& checks);
// The plan would borrow from checks about to be destroyed.
Result<IngestPlan> PlanIngest(const ChainHead& held,
                              const std::vector<v1::JournalEntry>& entries,
                              std::vector<EntryCheck>&& checks) = delete;

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_INGEST_PLAN_H_
