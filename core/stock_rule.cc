#include "core/stock_rule.h"

#include <limits>
#include <map>

namespace storeagent::core {
namespace {

void AddTransactionLines(
    const google::protobuf::RepeatedPtrField<v1::TransactionLine>& lines,
    int sign, bool restock_only, StockEffects* out) {
  for (const v1::TransactionLine& l : lines) {
    if (restock_only && !l.restock()) continue;
    out->deltas.push_back(SkuEffect{l.sku(), sign * l.quantity(), 0, 0});
  }
}

// Sales take stock out, returns with restock put it back.
void TransactionEffects(const v1::Transaction& t, int sign, StockEffects* out) {
  if (t.has_sale()) AddTransactionLines(t.sale().lines(), -sign, false, out);
  if (t.has_return_()) {
    AddTransactionLines(t.return_().lines(), sign, true, out);
  }
}

Status Refuse(const v1::Hold& h, const char* action) {
  return FailedPrecondition("hold " + h.order_ref() + ": is " +
                            HoldStateName(h.state()) + "; cannot " + action);
}

Result<StockEffects> HoldEffects(const v1::StockEvent& e,
                                 const StockContext& ctx) {
  StockEffects out;
  if (e.has_hold_placed()) {
    out.order_ref = e.hold_placed().order_ref();
    for (const v1::HoldLine& l : e.hold_placed().lines()) {
      out.deltas.push_back(SkuEffect{l.sku(), 0, l.quantity(), 0});
    }
    out.hold_state = v1::HOLD_STATE_HELD;
    return out;
  }
  if (ctx.hold == nullptr) {
    return FailedPrecondition("hold event without its hold");
  }
  const v1::Hold& h = *ctx.hold;
  out.order_ref = h.order_ref();
  const bool open = HoldIsOpen(h.state());
  // Releasing a hold gives its units back to available.
  auto release = [&](bool hand_over) {
    for (const v1::HoldLine& l : h.lines()) {
      out.deltas.push_back(
          SkuEffect{l.sku(), hand_over ? -l.quantity() : 0, -l.quantity(), 0});
    }
  };
  switch (e.kind_case()) {
    case v1::StockEvent::kHoldPicked:
      if (h.state() != v1::HOLD_STATE_HELD) return Refuse(h, "pick");
      out.hold_state = v1::HOLD_STATE_PICKED;
      return out;
    case v1::StockEvent::kHoldCollected:
      if (h.state() != v1::HOLD_STATE_PICKED) return Refuse(h, "collect");
      release(/*hand_over=*/true);
      out.hold_state = v1::HOLD_STATE_COLLECTED;
      return out;
    case v1::StockEvent::kHoldCancelled:
      if (!open) return Refuse(h, "cancel");
      release(false);
      out.hold_state = v1::HOLD_STATE_CANCELLED;
      return out;
    case v1::StockEvent::kHoldExpired:
      if (!open) return Refuse(h, "expire");
      release(false);
      out.hold_state = v1::HOLD_STATE_EXPIRED;
      return out;
    case v1::StockEvent::kHoldShortPicked: {
      if (!open) return Refuse(h, "short-pick");
      std::map<std::string, int64_t> found;
      for (const v1::HoldLine& f : e.hold_short_picked().found()) {
        found[f.sku()] += f.quantity();
      }
      for (const v1::HoldLine& l : h.lines()) {
        const int64_t got = std::min(found[l.sku()], l.quantity());
        // The units not found were never there: a correction.
        out.deltas.push_back(
            SkuEffect{l.sku(), -(l.quantity() - got), -l.quantity(), 0});
      }
      out.hold_state = v1::HOLD_STATE_CANCELLED;
      return out;
    }
    default:
      return FailedPrecondition("not a hold event");
  }
}

}  // namespace

Result<StockEffects> StockEffectsOf(const v1::JournalRecord& record,
                                    const StockContext& context) {
  StockEffects out;
  if (record.has_transaction()) {
    const v1::Transaction& t = record.transaction();
    if (t.has_post_void()) {
      if (context.voided == nullptr || !context.voided->has_transaction()) {
        return FailedPrecondition("post-void without the voided transaction");
      }
      TransactionEffects(context.voided->transaction(), -1, &out);
    } else {
      TransactionEffects(t, +1, &out);
    }
    return out;
  }
  if (!record.has_stock()) return out;
  const v1::StockEvent& e = record.stock();
  if (e.has_movement()) {
    const bool quality =
        e.movement().reason() == v1::StockMovement::REASON_QUALITY_HOLD;
    for (const v1::StockDelta& d : e.movement().lines()) {
      out.deltas.push_back(quality ? SkuEffect{d.sku(), 0, 0, d.quantity()}
                                   : SkuEffect{d.sku(), d.quantity(), 0, 0});
    }
    return out;
  }
  // Escrow moves no stock figure; the ledger keeps it beside them. A
  // journaled catalog import moves none either.
  if (e.has_escrow_changed() || e.has_catalog_imported()) return out;
  if (e.has_count()) {
    for (const v1::CountLine& l : e.count().lines()) {
      out.counts.push_back(CountReset{l.sku(), l.counted(), record.seq(),
                                      e.count().central_seq()});
    }
    return out;
  }
  return HoldEffects(e, context);
}

std::vector<SkuEffect> CentralEffectsOf(const v1::CentralEvent& event) {
  std::vector<SkuEffect> out;
  if (!event.has_movement()) return out;
  const bool quality =
      event.movement().reason() == v1::StockMovement::REASON_QUALITY_HOLD;
  for (const v1::StockDelta& d : event.movement().lines()) {
    out.push_back(quality ? SkuEffect{d.sku(), 0, 0, d.quantity()}
                          : SkuEffect{d.sku(), d.quantity(), 0, 0});
  }
  return out;
}

int64_t Available(int64_t on_hand, int64_t held, int64_t unavailable,
                  int64_t safety_stock) {
  // Quantities are bounded far below int64 by validation; 128-bit arithmetic
  // keeps even a corrupted figure from wrapping around.
  __extension__ using Wide = __int128;
  const Wide a = static_cast<Wide>(on_hand) - held - unavailable - safety_stock;
  if (a <= 0) return 0;
  if (a > std::numeric_limits<int64_t>::max()) {
    return std::numeric_limits<int64_t>::max();
  }
  return static_cast<int64_t>(a);
}

int64_t OnHandFromHistory(const std::optional<CountReset>& count,
                          const std::vector<StockHistoryDelta>& deltas) {
  int64_t on_hand = count ? count->counted : 0;
  const uint64_t s = count ? count->store_seq : 0;
  const uint64_t c = count ? count->central_seq : 0;
  for (const StockHistoryDelta& d : deltas) {
    if (d.central ? d.seq > c : d.seq > s) on_hand += d.quantity;
  }
  return on_hand;
}

bool HoldIsOpen(v1::HoldState state) {
  return state == v1::HOLD_STATE_HELD || state == v1::HOLD_STATE_PICKED;
}

const char* HoldStateName(v1::HoldState state) {
  switch (state) {
    case v1::HOLD_STATE_HELD:
      return "HELD";
    case v1::HOLD_STATE_PICKED:
      return "PICKED";
    case v1::HOLD_STATE_COLLECTED:
      return "COLLECTED";
    case v1::HOLD_STATE_CANCELLED:
      return "CANCELLED";
    case v1::HOLD_STATE_EXPIRED:
      return "EXPIRED";
    default:
      return "UNSPECIFIED";
  }
}

const char* HoldStateLabel(v1::HoldState state) {
  switch (state) {
    case v1::HOLD_STATE_HELD:
      return "held";
    case v1::HOLD_STATE_PICKED:
      return "picked";
    case v1::HOLD_STATE_COLLECTED:
      return "collected";
    case v1::HOLD_STATE_CANCELLED:
      return "cancelled";
    case v1::HOLD_STATE_EXPIRED:
      return "expired";
    default:
      return "unspecified";
  }
}

}  // namespace storeagent::core
