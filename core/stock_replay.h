// StockReplay: the stock figures and holds of a journal, recomputed in
// memory by applying its records in seq order through the one stock rule
// (core/stock_rule.h). `storeagentctl stock rebuild --verify` compares it
// with the agent's materialised tables; central reuses it to replay a
// store's journal.
//
// It keeps what the rule's StockContext needs: every sale and return by its
// client key (trimmed to SKU, quantity and restock, for post-voids) and every
// hold by order_ref. Apply() refuses what the agent's ledger refuses (a hold
// event the hold's state does not allow, an unknown hold, a second hold for
// an order, a post-void of an unknown or already voided transaction), and a
// refused record changes nothing.
//
// Counts: records arrive in seq order, so when a count at seq S is applied
// no store delta with seq > S has been seen yet, and on_hand becomes the
// counted figure (the rule with store deltas only; central deltas come from
// elsewhere and are not replayed here).
//
// Snapshots: SaveTo() writes the whole state into a ReplicaSnapshot
// (proto/storeagent/internal/v1/replica_snapshot.proto) and LoadFrom()
// makes the same replay again, so a replay continued from a loaded
// snapshot gives exactly the figures of one run from seq 1. What grows
// with history: one trimmed record per sale or return not voided (a later
// post-void needs it), one hold per order, and central movements' deltas
// per SKU (a later count needs those after its central seq); a transaction
// is dropped once voided (voiding it again is refused by its key alone).
//
// Pure and in memory, no I/O. Not thread-safe: one owner at a time.
#ifndef STOREAGENT_CORE_STOCK_REPLAY_H_
#define STOREAGENT_CORE_STOCK_REPLAY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/sku_table.h"
#include "core/stock_rule.h"
#include "platform/status.h"
#include "storeagent/internal/v1/replica_snapshot.pb.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// One SKU's figures after the records applied so far.
struct SkuFigures {
  int64_t on_hand = 0;
  int64_t held = 0;
  int64_t unavailable = 0;
  // The last count, if any: counted quantity and its watermark (S, C).
  std::optional<CountReset> count;
  // Seq of the last record that touched this SKU.
  uint64_t updated_seq = 0;
};

// The snapshot format SaveTo() writes and LoadFrom() reads.
inline constexpr uint32_t kReplicaSnapshotFormat = 1;

class StockReplay {
 public:
  StockReplay() = default;

  // The whole state into `out` (format, skus, holds, transactions, voided,
  // escrow, central deltas, counters); `out`'s watermark fields are left
  // to the caller.
  void SaveTo(::storeagent::internal::v1::ReplicaSnapshot* out) const;
  // The replay SaveTo() wrote. FAILED_PRECONDITION for another format or a
  // malformed snapshot (the caller then replays from seq 1). Holds and
  // transactions are moved out of `in`, so the load does not hold two
  // copies of them at once.
  static Result<StockReplay> LoadFrom(
      ::storeagent::internal::v1::ReplicaSnapshot&& in);

  // Applies `record` (seq set). REQUIRES: seqs strictly increase from one
  // call to the next; a smaller or equal seq is FAILED_PRECONDITION.
  // FAILED_PRECONDITION / NOT_FOUND / ALREADY_EXISTS for a record the ledger
  // would refuse (see above); nothing changes then. Records without stock
  // effects (no-sale, loyalty) only advance last_seq().
  Status Apply(const v1::JournalRecord& record);

  // Applies head office's event `event` (central_seq set) by the same rule:
  // a movement's delta counts towards on_hand unless the SKU's last count
  // already covers its central_seq. REQUIRES: central_seqs strictly
  // increase from one call to the next (FAILED_PRECONDITION otherwise).
  // Apply() and ApplyCentral() may be interleaved in any order: a count
  // (X, S, C) applied later still adds the central deltas after C that were
  // applied before it (the rule of OnHandFromHistory), so central can feed
  // store events and acknowledged central events as they arrive.
  Status ApplyCentral(const v1::CentralEvent& event);

  // Escrow the store granted central, by SKU (EscrowChanged records);
  // SKUs whose escrow is 0 are left out.
  const std::map<std::string, int64_t>& escrow() const {
    return escrow_.ordered();
  }
  // The escrow of each of `skus`, in order, into `out`; nullptr for a SKU
  // without (0). As FindFigures. Valid until the next change.
  void FindEscrow(std::span<const std::string> skus,
                  std::vector<const int64_t*>* out) const {
    escrow_.FindMany(skus, out);
  }
  // Seq of the last EscrowChanged that named the SKU (0 included), by SKU.
  const std::map<std::string, uint64_t>& escrow_seq() const {
    return escrow_seq_;
  }
  uint64_t last_central_seq() const { return last_central_seq_; }

  // Every SKU any applied record touched, by SKU.
  const std::map<std::string, SkuFigures>& figures() const {
    return skus_.ordered();
  }
  // Figures of `sku`; zeros for a SKU never touched.
  SkuFigures Figures(const std::string& sku) const;
  // The figures of each of `skus`, in order, into `out`; nullptr for a SKU
  // never touched (zeros). Quicker than Figures() one by one for many
  // (SkuTable::FindMany). Valid until the next change.
  void FindFigures(std::span<const std::string> skus,
                   std::vector<const SkuFigures*>* out) const {
    skus_.FindMany(skus, out);
  }

  // Every hold placed, by order_ref, as the ledger would show it (state,
  // lines, placed_seq, updated_seq).
  const std::map<std::string, v1::Hold>& holds() const { return holds_; }
  // nullptr for an order without a hold.
  const v1::Hold* FindHold(const std::string& order_ref) const;

  // Seq of the last record applied; 0 before the first.
  uint64_t last_seq() const { return last_seq_; }
  uint64_t records_applied() const { return records_applied_; }

 private:
  using Key = std::pair<std::string, std::string>;  // terminal, txn id

  Status ApplyEffects(const v1::JournalRecord& record,
                      const StockEffects& effects, const v1::Hold* hold);

  SkuTable<SkuFigures> skus_;
  std::map<std::string, v1::Hold> holds_;
  // Transactions by client key, trimmed to what their stock effects need.
  std::map<Key, v1::JournalRecord> transactions_;
  std::set<Key> voided_;
  SkuTable<int64_t> escrow_;
  std::map<std::string, uint64_t> escrow_seq_;
  // On-hand deltas from central events, per SKU: (central_seq, quantity).
  std::map<std::string, std::vector<std::pair<uint64_t, int64_t>>>
      central_deltas_;
  uint64_t last_seq_ = 0;
  uint64_t last_central_seq_ = 0;
  uint64_t records_applied_ = 0;
};

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_STOCK_REPLAY_H_
