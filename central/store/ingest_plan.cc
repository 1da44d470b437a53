#include "central/store/ingest_plan.h"

#include "central/store/ingest_validation.h"
#include "core/event_kind.h"
#include "core/journal_chain.h"

namespace storeagent::central {

EntryCheck CheckEntry(const v1::JournalEntry& entry) {
  EntryCheck c;
  c.canonical = core::EntryCanonicalBytes(entry);
  c.hash_covers =
      core::ChainHash(entry.prev_hash(), c.canonical) == entry.hash();
  c.kind = std::string(core::EventKind(entry.record()));
  c.quarantine_reason = IngestProblem(entry.record(), c.canonical);
  return c;
}

std::vector<EntryCheck> CheckEntries(
    const std::vector<v1::JournalEntry>& entries) {
  std::vector<EntryCheck> out;
  out.reserve(entries.size());
  for (const v1::JournalEntry& entry : entries) {
    out.push_back(CheckEntry(entry));
  }
  return out;
}

Result<IngestPlan> PlanIngest(const ChainHead& held,
                              const std::vector<v1::JournalEntry>& entries,
                              const std::vector<EntryCheck>& checks) {
  if (checks.size() != entries.size()) {
    return Internal("PlanIngest: " + std::to_string(checks.size()) +
                    " checks for " + std::to_string(entries.size()) +
                    " entries");
  }
  IngestPlan plan;
  plan.head = held;
  for (size_t i = 0; i < entries.size(); ++i) {
    const v1::JournalEntry& entry = entries[i];
    const EntryCheck& check = checks[i];
    const uint64_t seq = entry.record().seq();
    if (plan.entries.empty() && seq <= held.seq) continue;  // resent
    if (seq != plan.head.seq + 1) {
      return FailedPrecondition(
          "entries: expected seq " + std::to_string(plan.head.seq + 1) +
          ", received seq " + std::to_string(seq) + " (central holds up to " +
          std::to_string(held.seq) + ")");
    }
    auto at = [seq] { return "entries: seq " + std::to_string(seq) + ": "; };
    if (entry.prev_hash() != plan.head.hash) {
      return DataLoss(at() +
                      "prev_hash does not continue the chain central "
                      "holds");
    }
    if (!check.hash_covers) {
      return DataLoss(at() +
                      "hash does not match SHA-256(prev_hash || record)");
    }
    PlannedEntry p;
    p.seq = seq;
    p.recorded_at_us = entry.record().recorded_at_us();
    p.kind = check.kind;
    p.canonical = check.canonical;
    p.prev_hash = entry.prev_hash();
    p.hash = entry.hash();
    p.quarantine_reason = check.quarantine_reason;
    p.entry = &entry;
    plan.head = ChainHead{seq, p.hash, p.recorded_at_us};
    plan.entries.push_back(std::move(p));
  }
  return plan;
}

}  // namespace storeagent::central
