// EscrowKeeper: keeps the escrow the store grants central in step with its
// stock (design brief 5.6; docs/sync-protocol.md "Escrow policy").
//
// After every event that moves a SKU, in the same writer transaction, the
// keeper computes the SKU's target escrow
//   target = 0                              if units == 0 or
//                                           available <= low_water
//          = min(units, available)          otherwise
// where available is core::Available() of the ledger's figures, before
// escrow. When the target differs from the escrow last announced (the
// `escrow` table, which the journal's EscrowChanged events maintain), it
// appends an EscrowChanged event with the new figure. When the movement took
// available below the escrow already granted (a till sale ate escrowed
// units) the event has breach = true and cause_seq = the movement's seq, so
// central can re-route orders it promised. After a hold central granted
// inside escrow (HoldPlaced.from_escrow) the escrow of its SKUs is always
// announced again: central spent units of it.
//
// Not thread-safe by itself; it runs on the writer thread only.
#ifndef STOREAGENT_STORAGE_ESCROW_KEEPER_H_
#define STOREAGENT_STORAGE_ESCROW_KEEPER_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "platform/status.h"
#include "storage/journal_store.h"
#include "storage/writer.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::storage {

struct EscrowPolicy {
  // Units per SKU granted to central; 0 disables (and revokes as SKUs move).
  int64_t units = 2;
  // At or below this many available units, the SKU's escrow is revoked.
  int64_t low_water = 0;
};

// The escrow a SKU with `available` units should have.
int64_t EscrowTarget(const EscrowPolicy& policy, int64_t available);

class EscrowKeeper {
 public:
  // REQUIRES: `journal` outlives this.
  EscrowKeeper(JournalStore& journal, EscrowPolicy policy)
      : journal_(journal), policy_(policy) {}

  // The hook for JournalStore::SetAfterAppend.
  Status AfterAppend(WriteContext& ctx, const v1::JournalRecord& record,
                     const std::vector<std::string>& touched);

  // Re-checks `skus` after something other than a store event moved them
  // (central events). `key` makes the EscrowChanged client keys unique
  // ("c<central_seq>"); breaches get cause_seq 0.
  Status Refresh(WriteContext& ctx, const std::vector<std::string>& skus,
                 const std::string& key);

  const EscrowPolicy& policy() const { return policy_; }

 private:
  Status Check(WriteContext& ctx, const std::vector<std::string>& skus,
               const std::set<std::string>& reannounce, uint64_t cause_seq,
               const std::string& key);

  JournalStore& journal_;
  EscrowPolicy policy_;
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_ESCROW_KEEPER_H_
