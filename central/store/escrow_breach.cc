#include "central/store/escrow_breach.h"

#include <utility>

namespace storeagent::central::escrow {
namespace {

// How an at-risk mark ends (AtRiskOrder.resolution).
constexpr std::string_view kCollected = "collected";
constexpr std::string_view kPicked = "picked";
constexpr std::string_view kCancelled = "cancelled";
constexpr std::string_view kExpired = "expired";
constexpr std::string_view kCovered = "covered";

// The order's at-risk mark, if still open, ends with `resolution`.
Status Resolve(SqlTx& tx, const std::string& store_id,
               const std::string& order_ref, std::string_view resolution,
               uint64_t seq, int64_t now_us) {
  return tx.Exec(
      "UPDATE at_risk_orders SET resolution=?3, resolved_seq=?4, "
      "resolved_at_us=?5 WHERE store_id=?1 AND order_ref=?2 AND "
      "resolution=''",
      {store_id, order_ref, resolution, SqlInt(seq), now_us});
}

// The store's escrow covers the order's line of `sku` again: the SKU is no
// longer short; with no SKU short left, the open mark ends as "covered".
Status Cover(SqlTx& tx, const std::string& store_id,
             const std::string& order_ref, const std::string& sku, uint64_t seq,
             int64_t now_us) {
  bool open = false;
  STOREAGENT_RETURN_IF_ERROR(
      tx.Query("SELECT 1 FROM at_risk_orders WHERE store_id=?1 AND "
               "order_ref=?2 AND resolution=''",
               {store_id, order_ref}, [&](const SqlRow&) {
                 open = true;
                 return Status::Ok();
               }));
  if (!open) return Status::Ok();
  STOREAGENT_RETURN_IF_ERROR(
      tx.Exec("UPDATE at_risk_skus SET short=0 WHERE store_id=?1 AND "
              "order_ref=?2 AND sku=?3",
              {store_id, order_ref, sku}));
  bool still_short = false;
  STOREAGENT_RETURN_IF_ERROR(
      tx.Query("SELECT 1 FROM at_risk_skus WHERE store_id=?1 AND "
               "order_ref=?2 AND short=1",
               {store_id, order_ref}, [&](const SqlRow&) {
                 still_short = true;
                 return Status::Ok();
               }));
  if (still_short) return Status::Ok();
  return Resolve(tx, store_id, order_ref, kCovered, seq, now_us);
}

// Marks the order at risk for `sku` from the breach at `seq`. A mark that
// had ended (covered) opens again with this breach.
Status MarkAtRisk(SqlTx& tx, const std::string& store_id,
                  const std::string& order_ref, const std::string& sku,
                  uint64_t seq, int64_t now_us) {
  bool exists = false;
  bool open = false;
  STOREAGENT_RETURN_IF_ERROR(
      tx.Query("SELECT resolution FROM at_risk_orders WHERE store_id=?1 AND "
               "order_ref=?2",
               {store_id, order_ref}, [&](const SqlRow& r) {
                 exists = true;
                 open = r.Text(0).empty();
                 return Status::Ok();
               }));
  if (!exists) {
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO at_risk_orders (store_id, order_ref, "
                "breach_seq, since_us) VALUES (?1, ?2, ?3, ?4)",
                {store_id, order_ref, SqlInt(seq), now_us}));
  } else if (!open) {
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM at_risk_skus WHERE store_id=?1 AND order_ref=?2",
                {store_id, order_ref}));
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("UPDATE at_risk_orders SET breach_seq=?3, since_us=?4, "
                "resolution='', resolved_seq=0, resolved_at_us=0 "
                "WHERE store_id=?1 AND order_ref=?2",
                {store_id, order_ref, SqlInt(seq), now_us}));
  }
  return tx.Exec(
      "INSERT INTO at_risk_skus (store_id, order_ref, sku, short) "
      "VALUES (?1, ?2, ?3, 1) ON CONFLICT (store_id, order_ref, sku) "
      "DO UPDATE SET short=1",
      {store_id, order_ref, sku});
}

struct HoldLine {
  std::string order_ref;
  int64_t quantity = 0;
};

// One line of an EscrowChanged at `seq`: the SKU's escrow becomes
// line.quantity(). Returns 1 when a breach row was recorded.
Result<int64_t> ApplyEscrowLine(SqlTx& tx, const std::string& store_id,
                                uint64_t seq, bool breach,
                                const v1::EscrowLine& line, int64_t now_us) {
  const std::string& sku = line.sku();
  const int64_t left = line.quantity();
  // Grants the store journaled before this announcement stop counting: the
  // figure now reflects them. One it placed with units to spare (its new
  // escrow is above 0, so its available is too) is covered by its stock.
  std::vector<std::string> placed;
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      "SELECT order_ref FROM escrow_holds WHERE store_id=?1 AND sku=?2 AND "
      "placed_seq>0 AND placed_seq<?3",
      {store_id, sku, SqlInt(seq)}, [&](const SqlRow& r) {
        placed.push_back(r.Text(0));
        return Status::Ok();
      }));
  if (!placed.empty()) {
    if (left > 0) {
      for (const std::string& order : placed) {
        STOREAGENT_RETURN_IF_ERROR(
            Cover(tx, store_id, order, sku, seq, now_us));
      }
    }
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM escrow_holds WHERE store_id=?1 AND sku=?2 AND "
                "placed_seq>0 AND placed_seq<?3",
                {store_id, sku, SqlInt(seq)}));
  }
  // The grants still counting, earliest first, keep what is left until one
  // does not fit; from there every later grant is uncovered.
  std::vector<HoldLine> counting;
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      "SELECT order_ref, quantity FROM escrow_holds WHERE store_id=?1 AND "
      "sku=?2 ORDER BY central_seq, order_ref",
      {store_id, sku}, [&](const SqlRow& r) {
        counting.push_back(HoldLine{r.Text(0), r.Int(1)});
        return Status::Ok();
      }));
  size_t covered = 0;
  int64_t promised = 0;
  for (; covered < counting.size(); ++covered) {
    if (promised + counting[covered].quantity > left) break;
    promised += counting[covered].quantity;
  }
  for (size_t i = 0; i < covered; ++i) {
    STOREAGENT_RETURN_IF_ERROR(
        Cover(tx, store_id, counting[i].order_ref, sku, seq, now_us));
  }
  int64_t recorded = 0;
  if (breach && covered < counting.size()) {
    int64_t granted = left;
    STOREAGENT_RETURN_IF_ERROR(tx.Query(
        "SELECT quantity FROM store_escrow WHERE store_id=?1 AND sku=?2",
        {store_id, sku}, [&](const SqlRow& r) {
          granted = r.Int(0);
          return Status::Ok();
        }));
    int64_t at_risk = 0;
    int64_t pos = 0;
    // Latest granted first: the order in which grants lose their cover.
    for (size_t i = counting.size(); i-- > covered;) {
      const HoldLine& h = counting[i];
      at_risk += h.quantity;
      STOREAGENT_RETURN_IF_ERROR(tx.Exec(
          "INSERT INTO escrow_breach_orders (store_id, seq, sku, pos, "
          "order_ref, quantity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
          {store_id, SqlInt(seq), sku, pos++, h.order_ref, h.quantity}));
      STOREAGENT_RETURN_IF_ERROR(
          MarkAtRisk(tx, store_id, h.order_ref, sku, seq, now_us));
    }
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO escrow_breaches (store_id, seq, sku, escrow, "
                "available, at_risk) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                {store_id, SqlInt(seq), sku, granted, left, at_risk}));
    recorded = 1;
  }
  if (left == 0) {
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM store_escrow WHERE store_id=?1 AND sku=?2",
                {store_id, sku}));
  } else {
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO store_escrow (store_id, sku, quantity) "
                "VALUES (?1, ?2, ?3) ON CONFLICT (store_id, sku) "
                "DO UPDATE SET quantity = excluded.quantity",
                {store_id, sku, left}));
  }
  return recorded;
}

}  // namespace

Status OnCentralEvent(SqlTx& tx, const std::string& store_id,
                      uint64_t central_seq, const v1::CentralEvent& event,
                      int64_t now_us) {
  if (event.has_escrow_hold()) {
    const v1::HoldPlaced& h = event.escrow_hold().hold();
    for (const v1::HoldLine& l : h.lines()) {
      STOREAGENT_RETURN_IF_ERROR(tx.Exec(
          "INSERT INTO escrow_holds (store_id, order_ref, sku, central_seq, "
          "quantity) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (store_id, order_ref, sku) DO UPDATE SET "
          "quantity = escrow_holds.quantity + excluded.quantity",
          {store_id, h.order_ref(), l.sku(), SqlInt(central_seq),
           l.quantity()}));
    }
    return Status::Ok();
  }
  if (event.has_hold_cancel()) {
    const std::string& order = event.hold_cancel().order_ref();
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("DELETE FROM escrow_holds WHERE store_id=?1 AND order_ref=?2",
                {store_id, order}));
    return Resolve(tx, store_id, order, kCancelled, 0, now_us);
  }
  return Status::Ok();
}

Result<int64_t> OnStoreRecord(SqlTx& tx, const std::string& store_id,
                              uint64_t seq, const v1::JournalRecord& record,
                              int64_t now_us) {
  if (!record.has_stock()) return 0;
  const v1::StockEvent& s = record.stock();
  switch (s.kind_case()) {
    case v1::StockEvent::kHoldPlaced:
      STOREAGENT_RETURN_IF_ERROR(
          tx.Exec("UPDATE escrow_holds SET placed_seq=?3 WHERE store_id=?1 "
                  "AND order_ref=?2 AND placed_seq=0",
                  {store_id, s.hold_placed().order_ref(), SqlInt(seq)}));
      return 0;
    case v1::StockEvent::kEscrowChanged: {
      int64_t breaches = 0;
      for (const v1::EscrowLine& l : s.escrow_changed().lines()) {
        Result<int64_t> b = ApplyEscrowLine(
            tx, store_id, seq, s.escrow_changed().breach(), l, now_us);
        if (!b.ok()) return b.status();
        breaches += *b;
      }
      return breaches;
    }
    case v1::StockEvent::kHoldPicked:
      STOREAGENT_RETURN_IF_ERROR(Resolve(
          tx, store_id, s.hold_picked().order_ref(), kPicked, seq, now_us));
      return 0;
    case v1::StockEvent::kHoldCollected:
      STOREAGENT_RETURN_IF_ERROR(Resolve(tx, store_id,
                                         s.hold_collected().order_ref(),
                                         kCollected, seq, now_us));
      return 0;
    case v1::StockEvent::kHoldCancelled:
      STOREAGENT_RETURN_IF_ERROR(Resolve(tx, store_id,
                                         s.hold_cancelled().order_ref(),
                                         kCancelled, seq, now_us));
      return 0;
    case v1::StockEvent::kHoldShortPicked:
      STOREAGENT_RETURN_IF_ERROR(Resolve(tx, store_id,
                                         s.hold_short_picked().order_ref(),
                                         kCancelled, seq, now_us));
      return 0;
    case v1::StockEvent::kHoldExpired:
      STOREAGENT_RETURN_IF_ERROR(Resolve(
          tx, store_id, s.hold_expired().order_ref(), kExpired, seq, now_us));
      return 0;
    default:
      return 0;
  }
}

Status FillBreachOrders(SqlTx& tx, v1::ListQuarantineResponse& out) {
  for (v1::EscrowBreachEntry& e : *out.mutable_breaches()) {
    STOREAGENT_RETURN_IF_ERROR(tx.Query(
        "SELECT order_ref FROM escrow_breach_orders WHERE store_id=?1 AND "
        "seq=?2 AND sku=?3 ORDER BY pos",
        {e.store_id(), SqlInt(e.seq()), e.sku()}, [&](const SqlRow& r) {
          e.add_order_refs(r.Text(0));
          return Status::Ok();
        }));
  }
  return Status::Ok();
}

Result<std::vector<v1::AtRiskOrder>> ListAtRisk(SqlTx& tx,
                                                const std::string& store_id,
                                                bool unresolved_only,
                                                int64_t limit) {
  std::vector<v1::AtRiskOrder> out;
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      "SELECT o.store_id, o.order_ref, o.breach_seq, o.since_us, "
      "o.resolution, o.resolved_seq, o.resolved_at_us, s.sku FROM "
      "(SELECT * FROM at_risk_orders WHERE (?1='' OR store_id=?1) AND "
      "(?2=0 OR resolution='') ORDER BY since_us DESC, store_id, order_ref "
      "LIMIT ?3) o JOIN at_risk_skus s ON s.store_id=o.store_id AND "
      "s.order_ref=o.order_ref "
      "ORDER BY o.since_us DESC, o.store_id, o.order_ref, s.sku",
      {store_id, int64_t{unresolved_only ? 1 : 0}, limit},
      [&](const SqlRow& r) {
        const std::string store = r.Text(0);
        const std::string order = r.Text(1);
        if (out.empty() || out.back().store_id() != store ||
            out.back().order_ref() != order) {
          v1::AtRiskOrder& o = out.emplace_back();
          o.set_store_id(store);
          o.set_order_ref(order);
          o.set_breach_seq(SqlUint(r.Int(2)));
          o.set_since_us(r.Int(3));
          o.set_resolution(r.Text(4));
          o.set_resolved_seq(SqlUint(r.Int(5)));
          o.set_resolved_at_us(r.Int(6));
        }
        out.back().add_skus(r.Text(7));
        return Status::Ok();
      }));
  return out;
}

}  // namespace storeagent::central::escrow
