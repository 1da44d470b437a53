// Escrow accounting: how much of the escrow a store granted central is
// still free to promise to click-and-collect orders while the store is
// unreachable (design brief 3.5, docs/central.md "Holds and escrow").
//
//   free(sku) = escrow(sku)  (the store's latest EscrowChanged, replayed)
//             - units of escrow holds central recorded that the store has
//               not journaled yet as its HoldPlaced, or journaled at seq P
//               without an EscrowChanged naming the SKU after P yet (until
//               then the escrow figure central holds predates the hold)
//
// Central never promises more than free. Pure: no I/O, thread-safe.
#ifndef STOREAGENT_CENTRAL_SERVER_ESCROW_BOOK_H_
#define STOREAGENT_CENTRAL_SERVER_ESCROW_BOOK_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/stock_replay.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// Escrow holds among `events` (a store's central events, in central_seq
// order) not cancelled by a later hold_cancel and not yet placed in the
// store's journal (`replay.holds()`), by order_ref.
std::map<std::string, v1::HoldPlaced> UnseenEscrowHolds(
    const std::vector<v1::CentralEvent>& events,
    const core::StockReplay& replay);

// The lines of escrow holds among `events` (not cancelled by a later
// hold_cancel) still counted against the store's escrow, by order_ref: all
// lines of a hold the store has not journaled, and of a hold it journaled at
// seq P (`replay.holds()` placed_seq) the lines whose SKU has no
// EscrowChanged after P in `replay.escrow_seq()`. Holds with no such line are
// left out.
std::map<std::string, v1::HoldPlaced> PendingEscrowHolds(
    const std::vector<v1::CentralEvent>& events,
    const core::StockReplay& replay);

struct EscrowCheck {
  bool fits = false;
  // One entry per SKU that does not fit: `available` is what is still free.
  std::vector<v1::SkuAvailability> shortfall;
  std::string reason;
};

// Whether every line of `hold` fits in escrow minus what `pending` promised
// (PendingEscrowHolds).
EscrowCheck CheckEscrow(const std::map<std::string, int64_t>& escrow,
                        const std::map<std::string, v1::HoldPlaced>& pending,
                        const v1::HoldPlaced& hold);

// Request key of the central event an escrow hold / a cancel is recorded
// under: derived from the order, so a retry is idempotent. Starts with '#',
// which head office's own keys may not.
std::string EscrowHoldKey(const std::string& order_ref);
std::string HoldCancelKey(const std::string& order_ref);

// The Hold a granted escrow hold is reported as.
v1::Hold HoldOf(const v1::HoldPlaced& placed);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_ESCROW_BOOK_H_
