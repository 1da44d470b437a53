#include "central/store/ingest_plan.h"

#include "central/store/ingest_validation.h"
#include "core/event_kind.h"
#include "core/journal_chain.h"

namespace storeagent::central {

Result<IngestPlan> PlanIngest(const ChainHead& held,
                              const std::vector<v1::JournalEntry>& entries) {
  IngestPlan plan;
  plan.head = held;
  for (const v1::JournalEntry& entry : entries) {
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
    std::string canonical = core::EntryCanonicalBytes(entry);
    if (core::ChainHash(entry.prev_hash(), canonical) != entry.hash()) {
      return DataLoss(at() +
                      "hash does not match SHA-256(prev_hash || record)");
    }
    PlannedEntry p;
    p.seq = seq;
    p.recorded_at_us = entry.record().recorded_at_us();
    p.kind = std::string(core::EventKind(entry.record()));
    p.canonical = std::move(canonical);
    p.prev_hash = entry.prev_hash();
    p.hash = entry.hash();
    p.quarantine_reason = IngestProblem(entry.record());
    p.entry = &entry;
    plan.head = ChainHead{seq, p.hash, p.recorded_at_us};
    plan.entries.push_back(std::move(p));
  }
  return plan;
}

}  // namespace storeagent::central
