// The stock rule: what each journal event does to each SKU's figures, and
// the on-hand formula over counts and deltas. Pure functions; the agent's
// ledger, `stock rebuild --verify` and central all use these, so they agree.
//
// Figures per SKU: on_hand, held (units in HELD/PICKED holds), unavailable
// (on hand, not sellable). available = max(0, on_hand - held - unavailable
// - safety_stock).
//
// On-hand (design brief, section 4): a count (X, S, C) says X units were on
// the shelf after store seq S and central seq C;
//   on_hand = X + sum(store deltas with seq > S)
//               + sum(central deltas with central_seq > C).
// With no count the baseline is (0, 0, 0).
#ifndef STOREAGENT_CORE_STOCK_RULE_H_
#define STOREAGENT_CORE_STOCK_RULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::core {

// One SKU's change from one event.
struct SkuEffect {
  std::string sku;
  int64_t on_hand = 0;
  int64_t held = 0;
  int64_t unavailable = 0;
};

// A count: on_hand(sku) becomes `counted` as of the watermark.
struct CountReset {
  std::string sku;
  int64_t counted = 0;
  uint64_t store_seq = 0;
  uint64_t central_seq = 0;
};

struct StockEffects {
  std::vector<SkuEffect> deltas;
  std::vector<CountReset> counts;
  // Hold events: the hold concerned and its state after the event.
  std::string order_ref;
  std::optional<v1::HoldState> hold_state;
};

// What the rule needs that the record alone does not hold.
struct StockContext {
  // Post-void: the voided sale or return.
  const v1::JournalRecord* voided = nullptr;
  // Hold events other than placement: the hold as it stands.
  const v1::Hold* hold = nullptr;
};

// The effects of `record` (its seq set). FAILED_PRECONDITION for a hold
// event the hold's state does not allow (e.g. collecting a cancelled hold),
// or missing context. Events without stock effects give empty effects.
Result<StockEffects> StockEffectsOf(const v1::JournalRecord& record,
                                    const StockContext& context);

// The effects of a central event (head office's movement: receipt,
// transfer, correction, quality hold); none for other central events. A
// central delta counts towards on_hand only when its central_seq is after
// the SKU's last count's central watermark (see OnHandFromHistory).
std::vector<SkuEffect> CentralEffectsOf(const v1::CentralEvent& event);

// max(0, on_hand - held - unavailable - safety_stock), without overflow.
int64_t Available(int64_t on_hand, int64_t held, int64_t unavailable,
                  int64_t safety_stock);

// One delta in a SKU's history, from the store's journal or from central.
struct StockHistoryDelta {
  bool central = false;
  uint64_t seq = 0;  // store seq or central_seq
  int64_t quantity = 0;
};

// The on-hand formula over a whole history, in any arrival order.
int64_t OnHandFromHistory(const std::optional<CountReset>& count,
                          const std::vector<StockHistoryDelta>& deltas);

// True when a hold in `state` counts as held stock.
bool HoldIsOpen(v1::HoldState state);
const char* HoldStateName(v1::HoldState state);
// The same in lower case ("held", "picked", ..., "unspecified"): the staff
// API's JSON and the storeagent_holds metric label.
const char* HoldStateLabel(v1::HoldState state);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_STOCK_RULE_H_
