#include "central/server/escrow_book.h"

#include "platform/crypto.h"

namespace storeagent::central {
namespace {

std::string OrderKey(const char* prefix, const std::string& order_ref) {
  const crypto::Digest d = crypto::Sha256(order_ref);
  return prefix + crypto::ToHex(crypto::AsBytes(d)).substr(0, 40);
}

// Escrow holds among `events` not cancelled by a later hold_cancel.
std::map<std::string, v1::HoldPlaced> GrantedEscrowHolds(
    const std::vector<v1::CentralEvent>& events) {
  std::map<std::string, v1::HoldPlaced> out;
  for (const v1::CentralEvent& e : events) {
    if (e.has_escrow_hold()) {
      out[e.escrow_hold().hold().order_ref()] = e.escrow_hold().hold();
    } else if (e.has_hold_cancel()) {
      out.erase(e.hold_cancel().order_ref());
    }
  }
  return out;
}

}  // namespace

std::map<std::string, v1::HoldPlaced> UnseenEscrowHolds(
    const std::vector<v1::CentralEvent>& events,
    const core::StockReplay& replay) {
  std::map<std::string, v1::HoldPlaced> out = GrantedEscrowHolds(events);
  for (auto it = out.begin(); it != out.end();) {
    it = replay.FindHold(it->first) != nullptr ? out.erase(it) : std::next(it);
  }
  return out;
}

std::map<std::string, v1::HoldPlaced> PendingEscrowHolds(
    const std::vector<v1::CentralEvent>& events,
    const core::StockReplay& replay) {
  std::map<std::string, v1::HoldPlaced> out = GrantedEscrowHolds(events);
  const std::map<std::string, uint64_t>& announced = replay.escrow_seq();
  for (auto it = out.begin(); it != out.end();) {
    const v1::Hold* placed = replay.FindHold(it->first);
    if (placed != nullptr) {
      // Journaled at placed_seq: a line stops counting once the store
      // announced its SKU's escrow after that (the figure then reflects it).
      google::protobuf::RepeatedPtrField<v1::HoldLine> still;
      for (const v1::HoldLine& l : it->second.lines()) {
        auto a = announced.find(l.sku());
        if (a == announced.end() || a->second <= placed->placed_seq()) {
          *still.Add() = l;
        }
      }
      it->second.mutable_lines()->Swap(&still);
    }
    it = it->second.lines().empty() ? out.erase(it) : std::next(it);
  }
  return out;
}

EscrowCheck CheckEscrow(const std::map<std::string, int64_t>& escrow,
                        const std::map<std::string, v1::HoldPlaced>& pending,
                        const v1::HoldPlaced& hold) {
  std::map<std::string, int64_t> promised;
  for (const auto& [ref, h] : pending) {
    for (const v1::HoldLine& l : h.lines()) promised[l.sku()] += l.quantity();
  }
  EscrowCheck out;
  for (const v1::HoldLine& l : hold.lines()) {
    auto e = escrow.find(l.sku());
    const int64_t granted = e == escrow.end() ? 0 : e->second;
    auto p = promised.find(l.sku());
    const int64_t free =
        std::max<int64_t>(0, granted - (p == promised.end() ? 0 : p->second));
    if (l.quantity() > free) {
      v1::SkuAvailability* s = &out.shortfall.emplace_back();
      s->set_sku(l.sku());
      s->set_available(free);
      if (!out.reason.empty()) out.reason += "; ";
      out.reason += "sku " + l.sku() + ": " + std::to_string(l.quantity()) +
                    " asked, " + std::to_string(free) +
                    " free in the store's escrow";
    }
  }
  out.fits = out.shortfall.empty();
  if (!out.fits)
    out.reason = "store unreachable; escrow too small: " + out.reason;
  return out;
}

std::string EscrowHoldKey(const std::string& order_ref) {
  return OrderKey("#hold:", order_ref);
}

std::string HoldCancelKey(const std::string& order_ref) {
  return OrderKey("#cancel:", order_ref);
}

v1::Hold HoldOf(const v1::HoldPlaced& placed) {
  v1::Hold h;
  h.set_order_ref(placed.order_ref());
  h.set_channel(placed.channel());
  h.set_state(v1::HOLD_STATE_HELD);
  *h.mutable_lines() = placed.lines();
  h.set_expires_at_us(placed.expires_at_us());
  return h;
}

}  // namespace storeagent::central
