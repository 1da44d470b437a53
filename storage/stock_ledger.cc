#include "storage/stock_ledger.h"

#include <cstdlib>

#include "storage/journal_store.h"

namespace storeagent::storage {
namespace {

Status ApplyDelta(DbContext& ctx, const core::SkuEffect& d, uint64_t seq) {
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO stock (sku, on_hand, held, unavailable, updated_seq) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (sku) DO UPDATE SET "
      "on_hand = on_hand + excluded.on_hand, held = held + excluded.held, "
      "unavailable = unavailable + excluded.unavailable, "
      "updated_seq = excluded.updated_seq");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, d.sku);
  (*s)->BindInt(2, d.on_hand);
  (*s)->BindInt(3, d.held);
  (*s)->BindInt(4, d.unavailable);
  (*s)->BindInt(5, static_cast<int64_t>(seq));
  return (*s)->Run();
}

Status ApplyCount(DbContext& ctx, const core::CountReset& c, uint64_t seq) {
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO stock (sku, on_hand, count_qty, count_store_seq, "
      "count_central_seq, updated_seq) VALUES (?1, ?2, ?2, ?3, ?4, ?5) "
      "ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, "
      "count_qty = excluded.count_qty, "
      "count_store_seq = excluded.count_store_seq, "
      "count_central_seq = excluded.count_central_seq, "
      "updated_seq = excluded.updated_seq");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, c.sku);
  (*s)->BindInt(2, c.counted);
  (*s)->BindInt(3, static_cast<int64_t>(c.store_seq));
  (*s)->BindInt(4, static_cast<int64_t>(c.central_seq));
  (*s)->BindInt(5, static_cast<int64_t>(seq));
  return (*s)->Run();
}

// Remembers that `original` was voided by `seq`; a second void is refused.
Status MarkVoided(DbContext& ctx, const v1::ClientKey& original, uint64_t seq) {
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO voided (terminal_id, client_txn_id, void_seq) "
      "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING RETURNING void_seq");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, original.terminal_id());
  (*s)->BindText(2, original.client_txn_id());
  (*s)->BindInt(3, static_cast<int64_t>(seq));
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return FailedPrecondition(
        "transaction.post_void.original: (" + original.terminal_id() + ", " +
        original.client_txn_id() + ") was already voided");
  }
  return (*s)->Run();  // finish the statement
}

Status PutHold(DbContext& ctx, const v1::Hold& h) {
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO holds (order_ref, state, expires_at_us, hold) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (order_ref) DO UPDATE SET "
      "state = excluded.state, hold = excluded.hold");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, h.order_ref());
  (*s)->BindInt(2, h.state());
  (*s)->BindInt(3, h.expires_at_us());
  (*s)->BindBlob(4, h.SerializeAsString());
  return (*s)->Run();
}

Result<std::vector<v1::Hold>> HoldRows(Statement& s) {
  std::vector<v1::Hold> out;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v1::Hold h;
    std::string_view b = s.ColumnBlob(0);
    if (!h.ParseFromArray(b.data(), static_cast<int>(b.size()))) {
      return DataLoss("holds: a stored hold does not parse");
    }
    out.push_back(std::move(h));
  }
  return out;
}

Status SetEscrow(DbContext& ctx, const v1::EscrowChanged& e) {
  Result<Statement*> put = ctx.Prepare(
      "INSERT INTO escrow (sku, quantity) VALUES (?1, ?2) "
      "ON CONFLICT (sku) DO UPDATE SET quantity = excluded.quantity");
  if (!put.ok()) return put.status();
  Result<Statement*> del = ctx.Prepare("DELETE FROM escrow WHERE sku = ?1");
  if (!del.ok()) return del.status();
  for (const v1::EscrowLine& l : e.lines()) {
    Statement& st = l.quantity() == 0 ? **del : **put;
    st.Reset();
    st.BindText(1, l.sku());
    if (l.quantity() != 0) st.BindInt(2, l.quantity());
    STOREAGENT_RETURN_IF_ERROR(st.Run());
  }
  return Status::Ok();
}

}  // namespace

Status StockLedger::Apply(DbContext& ctx, const v1::JournalRecord& record,
                          std::vector<std::string>* touched) {
  core::StockContext context;
  std::optional<v1::JournalEntry> voided;
  std::optional<v1::Hold> hold;
  if (record.has_transaction() && record.transaction().has_post_void()) {
    Result<std::optional<v1::JournalEntry>> e = JournalStore::ReadByKey(
        ctx.db(), record.transaction().post_void().original());
    if (!e.ok()) return e.status();
    voided = std::move(e).value();
    if (voided) context.voided = &voided->record();
    STOREAGENT_RETURN_IF_ERROR(MarkVoided(
        ctx, record.transaction().post_void().original(), record.seq()));
  } else if (record.has_stock() && !record.stock().has_hold_placed() &&
             !record.stock().has_movement() && !record.stock().has_count() &&
             !record.stock().has_escrow_changed() &&
             !record.stock().has_catalog_imported()) {
    const v1::StockEvent& e = record.stock();
    const std::string& ref =
        e.has_hold_picked()      ? e.hold_picked().order_ref()
        : e.has_hold_collected() ? e.hold_collected().order_ref()
        : e.has_hold_cancelled() ? e.hold_cancelled().order_ref()
        : e.has_hold_expired()   ? e.hold_expired().order_ref()
                                 : e.hold_short_picked().order_ref();
    Result<std::optional<v1::Hold>> h = GetHold(ctx, ref);
    if (!h.ok()) return h.status();
    if (!h->has_value()) return NotFound("order_ref: no hold " + ref);
    hold = std::move(h).value();
    context.hold = &*hold;
  }
  Result<core::StockEffects> fx = core::StockEffectsOf(record, context);
  if (!fx.ok()) return fx.status();
  for (const core::CountReset& c : fx->counts) {
    STOREAGENT_RETURN_IF_ERROR(ApplyCount(ctx, c, record.seq()));
  }
  for (const core::SkuEffect& d : fx->deltas) {
    STOREAGENT_RETURN_IF_ERROR(ApplyDelta(ctx, d, record.seq()));
  }
  if (touched != nullptr) {
    for (const core::CountReset& c : fx->counts) touched->push_back(c.sku);
    for (const core::SkuEffect& d : fx->deltas) touched->push_back(d.sku);
  }
  if (record.has_stock() && record.stock().has_escrow_changed()) {
    STOREAGENT_RETURN_IF_ERROR(SetEscrow(ctx, record.stock().escrow_changed()));
  }
  if (fx->hold_state) {
    v1::Hold h;
    if (record.stock().has_hold_placed()) {
      const v1::HoldPlaced& p = record.stock().hold_placed();
      h.set_order_ref(p.order_ref());
      h.set_channel(p.channel());
      *h.mutable_lines() = p.lines();
      h.set_expires_at_us(p.expires_at_us());
      h.set_placed_seq(record.seq());
    } else {
      h = *hold;
    }
    h.set_state(*fx->hold_state);
    h.set_updated_seq(record.seq());
    STOREAGENT_RETURN_IF_ERROR(PutHold(ctx, h));
  }
  return Status::Ok();
}

Status StockLedger::ApplyCentral(DbContext& ctx, const v1::CentralEvent& event,
                                 std::vector<std::string>* touched) {
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO stock (sku, on_hand, unavailable) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (sku) DO UPDATE SET "
      "on_hand = on_hand + CASE WHEN count_qty IS NOT NULL AND "
      "count_central_seq >= ?4 THEN 0 ELSE excluded.on_hand END, "
      "unavailable = unavailable + excluded.unavailable");
  if (!s.ok()) return s.status();
  for (const core::SkuEffect& d : core::CentralEffectsOf(event)) {
    Statement& st = **s;
    st.Reset();
    st.BindText(1, d.sku);
    st.BindInt(2, d.on_hand);
    st.BindInt(3, d.unavailable);
    st.BindInt(4, static_cast<int64_t>(event.central_seq()));
    STOREAGENT_RETURN_IF_ERROR(st.Run());
    if (touched != nullptr) touched->push_back(d.sku);
  }
  return Status::Ok();
}

Result<int64_t> StockLedger::Escrow(DbContext& ctx, const std::string& sku) {
  Result<Statement*> s =
      ctx.Prepare("SELECT quantity FROM escrow WHERE sku = ?1");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, sku);
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  const int64_t q = *row ? (*s)->ColumnInt(0) : 0;
  (*s)->Reset();
  return q;
}

namespace {

// The figures of `sku` into `a`, with one cached statement: a SKU's row of
// `stock` and its catalog row, each found by its primary key.
Status ReadFigures(Statement& st, std::string_view sku,
                   v1::SkuAvailability* a) {
  st.Reset();
  st.BindText(1, sku);
  Result<bool> row = st.Step();
  if (!row.ok()) return row.status();
  a->set_sku(sku.data(), sku.size());
  if (*row) {
    a->set_on_hand(st.ColumnInt(0));
    a->set_held(st.ColumnInt(1));
    a->set_unavailable(st.ColumnInt(2));
    a->set_safety_stock(st.ColumnInt(3));
    a->set_in_catalog(st.ColumnInt(4) != 0);
  }
  a->set_available(core::Available(a->on_hand(), a->held(), a->unavailable(),
                                   a->safety_stock()));
  a->set_negative(a->on_hand() < 0);
  return Status::Ok();
}

Result<Statement*> FiguresStatement(DbContext& ctx) {
  return ctx.Prepare(
      "SELECT s.on_hand, s.held, s.unavailable, c.safety_stock, "
      "c.sku IS NOT NULL FROM (SELECT ?1 AS sku) q "
      "LEFT JOIN stock s ON s.sku = q.sku "
      "LEFT JOIN catalog c ON c.sku = q.sku");
}

}  // namespace

Result<std::vector<v1::SkuAvailability>> StockLedger::Figures(
    DbContext& ctx, const std::vector<std::string>& skus) {
  Result<Statement*> s = FiguresStatement(ctx);
  if (!s.ok()) return s.status();
  std::vector<v1::SkuAvailability> out(skus.size());
  for (size_t i = 0; i < skus.size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(ReadFigures(**s, skus[i], &out[i]));
  }
  return out;
}

Status StockLedger::AppendFigures(
    DbContext& ctx, const google::protobuf::RepeatedPtrField<std::string>& skus,
    google::protobuf::RepeatedPtrField<v1::SkuAvailability>* out) {
  Result<Statement*> s = FiguresStatement(ctx);
  if (!s.ok()) return s.status();
  out->Reserve(out->size() + skus.size());
  for (const std::string& sku : skus) {
    STOREAGENT_RETURN_IF_ERROR(ReadFigures(**s, sku, out->Add()));
  }
  return Status::Ok();
}

Result<std::optional<v1::Hold>> StockLedger::GetHold(
    DbContext& ctx, const std::string& order_ref) {
  Result<Statement*> s =
      ctx.Prepare("SELECT hold FROM holds WHERE order_ref = ?1");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, order_ref);
  Result<std::vector<v1::Hold>> rows = HoldRows(**s);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<v1::Hold>();
  return std::optional<v1::Hold>(std::move(rows->front()));
}

Result<std::vector<v1::Hold>> StockLedger::ListHolds(DbContext& ctx,
                                                     v1::HoldState state,
                                                     int limit) {
  Result<Statement*> s =
      state == v1::HOLD_STATE_UNSPECIFIED
          ? ctx.Prepare(
                "SELECT hold FROM holds WHERE state IN (1, 2) "
                "ORDER BY expires_at_us, order_ref LIMIT ?2")
          : ctx.Prepare(
                "SELECT hold FROM holds WHERE state = ?1 "
                "ORDER BY expires_at_us, order_ref LIMIT ?2");
  if (!s.ok()) return s.status();
  if (state != v1::HOLD_STATE_UNSPECIFIED) (*s)->BindInt(1, state);
  (*s)->BindInt(2, limit);
  return HoldRows(**s);
}

Result<std::vector<v1::Hold>> StockLedger::DueHolds(DbContext& ctx,
                                                    int64_t now_us, int limit) {
  Result<Statement*> s = ctx.Prepare(
      "SELECT hold FROM holds WHERE state IN (1, 2) AND expires_at_us <= ?1 "
      "ORDER BY expires_at_us, order_ref LIMIT ?2");
  if (!s.ok()) return s.status();
  (*s)->BindInt(1, now_us);
  (*s)->BindInt(2, limit);
  return HoldRows(**s);
}

Result<uint64_t> StockLedger::CentralWatermark(DbContext& ctx) {
  Result<Statement*> s =
      ctx.Prepare("SELECT value FROM meta WHERE key = 'central_seq'");
  if (!s.ok()) return s.status();
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return uint64_t{0};
  const std::string text((*s)->ColumnText(0));
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') {
    return DataLoss("meta.central_seq: not a number: " + text);
  }
  return static_cast<uint64_t>(v);
}

Result<uint64_t> StockLedger::SnapshotHead(DbContext& ctx) {
  Result<Statement*> s =
      ctx.Prepare("SELECT coalesce(max(seq), 0) FROM journal");
  if (!s.ok()) return s.status();
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  return static_cast<uint64_t>((*s)->ColumnInt(0));
}

}  // namespace storeagent::storage
