// An escrow grant decided and recorded (central/server/escrow_grant.h).
#include "central/server/escrow_grant.h"

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "central/server/escrow_book.h"
#include "core/stock_replay.h"
#include "core/stock_validation.h"
#include "platform/log.h"

namespace storeagent::central {
namespace {

// Central events read per page when looking for escrow holds.
constexpr size_t kEventPage = 1000;

}  // namespace

Status GrantFromEscrowOnce(CentralStore& store, ReplicaCache& replicas,
                           int64_t now_us, const std::string& store_id,
                           const v1::HoldPlaced& hold,
                           v1::CentralAdminServicePlaceHoldResponse* reply) {
  std::vector<v1::CentralEvent> events;
  uint64_t head = 0;  // the last central_seq the decision saw
  for (uint64_t after = 0;;) {
    Result<std::vector<v1::CentralEvent>> page =
        store.ReadCentralEvents(store_id, after, 0, kEventPage);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    after = head = page->back().central_seq();
    for (v1::CentralEvent& e : *page) {
      if (e.has_escrow_hold() || e.has_hold_cancel()) {
        events.push_back(std::move(e));
      }
    }
  }
  std::map<std::string, int64_t> escrow;
  std::map<std::string, v1::HoldPlaced> unseen;
  std::map<std::string, v1::HoldPlaced> pending;
  // The store's own hold of this order, when central's replica has it.
  std::optional<v1::Hold> store_hold;
  // The store's figures of the hold's SKUs as central's replica has them,
  // for a refusal to report.
  std::map<std::string, core::SkuFigures> figures;
  STOREAGENT_RETURN_IF_ERROR(replicas.Latest(
      store_id, [&](const core::StockReplay& replay, uint64_t, uint64_t) {
        escrow = replay.escrow();
        unseen = UnseenEscrowHolds(events, replay);
        pending = PendingEscrowHolds(events, replay);
        if (const v1::Hold* h = replay.FindHold(hold.order_ref())) {
          store_hold = *h;
        }
        for (const v1::HoldLine& l : hold.lines()) {
          figures[l.sku()] = replay.Figures(l.sku());
        }
      }));
  v1::HoldPlaced placed = hold;
  placed.set_from_escrow(true);
  if (auto it = unseen.find(hold.order_ref()); it != unseen.end()) {
    // A retry of a hold central already granted: the same lines (its
    // expiry and channel are the first attempt's; a client recomputes the
    // expiry on every attempt). The first grant is the answer.
    if (core::SameHoldLines(it->second.lines(), placed.lines())) {
      reply->set_granted(true);
      reply->set_granted_by("escrow");
      *reply->mutable_hold() = HoldOf(it->second);
      return Status::Ok();
    }
    reply->set_reason("order_ref: central already granted order " +
                      hold.order_ref() + " a hold with other lines");
    return Status::Ok();
  }
  if (store_hold) {
    // A retry after the store journaled the hold (an escrow grant it
    // applied, or one it granted itself): the store's hold is the answer,
    // in whatever state it is now, as the store's own ledger answers.
    if (core::SameHoldLines(store_hold->lines(), hold.lines())) {
      reply->set_granted(true);
      reply->set_granted_by("store");
      *reply->mutable_hold() = *store_hold;
      return Status::Ok();
    }
    reply->set_reason("order_ref: the store already has a hold for order " +
                      hold.order_ref() + " with other lines");
    return Status::Ok();
  }
  EscrowCheck check = CheckEscrow(escrow, pending, hold);
  if (!check.fits) {
    for (v1::SkuAvailability& s : check.shortfall) {
      // `available` is what is free in the escrow; the rest is the store's
      // own figures at central's watermark. Central holds no store's
      // catalog: in_catalog says the store has recorded stock of the SKU.
      const core::SkuFigures& f = figures[s.sku()];
      s.set_on_hand(f.on_hand);
      s.set_held(f.held);
      s.set_unavailable(f.unavailable);
      s.set_negative(f.on_hand < 0);
      s.set_in_catalog(f.updated_seq > 0);
      *reply->add_shortfall() = std::move(s);
    }
    reply->set_reason(check.reason);
    Log(LogLevel::kInfo, "admin.escrow_refused",
        {{"store", store_id},
         {"order_ref", hold.order_ref()},
         {"reason", check.reason}});
    return Status::Ok();
  }
  v1::CentralEvent event;
  event.set_reference(hold.order_ref());
  *event.mutable_escrow_hold()->mutable_hold() = placed;
  Result<PushResult> pushed = store.AppendCentralEventAt(
      store_id, EscrowHoldKey(hold.order_ref()), event, now_us, head);
  if (!pushed.ok()) return pushed.status();
  reply->set_granted(true);
  reply->set_granted_by("escrow");
  *reply->mutable_hold() = HoldOf(placed);
  Log(LogLevel::kInfo, "admin.escrow_granted",
      {{"store", store_id},
       {"order_ref", hold.order_ref()},
       {"central_seq", std::to_string(pushed->central_seq)}});
  return Status::Ok();
}

}  // namespace storeagent::central
