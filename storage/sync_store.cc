#include "storage/sync_store.h"

#include <cstdlib>
#include <functional>
#include <set>

#include "core/currency.h"
#include "core/journal_chain.h"
#include "core/limits.h"
#include "core/price_validation.h"
#include "core/stock_digest.h"
#include "core/stock_validation.h"
#include "storage/catalog_store.h"
#include "storage/checkpoint_keeper.h"
#include "storage/day_close_store.h"
#include "storage/event_store.h"
#include "storage/price_store.h"
#include "storage/return_limits.h"
#include "storage/stock_ledger.h"

namespace storeagent::storage {
namespace {

const char* KindOf(const v1::CentralEvent& e) {
  switch (e.kind_case()) {
    case v1::CentralEvent::kMovement:
      return "movement";
    case v1::CentralEvent::kCatalog:
      return "catalog";
    case v1::CentralEvent::kPrices:
      return "prices";
    case v1::CentralEvent::kEscrowHold:
      return "escrow_hold";
    case v1::CentralEvent::kHoldCancel:
      return "hold_cancel";
    case v1::CentralEvent::kPriceList:
      return "price_list";
    case v1::CentralEvent::kPromotion:
      return "promotion";
    case v1::CentralEvent::KIND_NOT_SET:
      break;
  }
  return nullptr;
}

v1::ClientKey SyncKey(const std::string& txn) {
  v1::ClientKey k;
  k.set_terminal_id(std::string(core::kAgentTerminalPrefix) + "sync");
  k.set_client_txn_id(txn);
  return k;
}

Status Refuse(const std::string& at, const std::string& what) {
  return InvalidArgument(at + ": " + what);
}

// Checks what the store's rules need of a central event. Central validated
// it too; this keeps a bad one from reaching the books.
Status ValidateCentral(const v1::CentralEvent& e, const std::string& at) {
  switch (e.kind_case()) {
    case v1::CentralEvent::kMovement:
      return core::ValidateStockMovement(e.movement(), at + ".movement");
    case v1::CentralEvent::kCatalog: {
      std::vector<v1::Product> products(e.catalog().products().begin(),
                                        e.catalog().products().end());
      Status s = core::ValidateCatalog(products);
      return s.ok() ? s : Refuse(at + ".catalog", s.message());
    }
    case v1::CentralEvent::kPrices:
      for (int i = 0; i < e.prices().lines_size(); ++i) {
        const v1::PriceLine& l = e.prices().lines(i);
        const std::string p = at + ".prices.lines[" + std::to_string(i) + "]";
        if (l.sku().empty() || l.sku().size() > core::kMaxSkuLength) {
          return Refuse(p + ".sku", "required, 1..64 characters");
        }
        if (!core::IsActiveIso4217(l.price().currency())) {
          return Refuse(p + ".price.currency", "not an ISO 4217 code");
        }
        if (l.price().minor_units() < 0) {
          return Refuse(p + ".price.minor_units", "must be >= 0");
        }
      }
      return Status::Ok();
    case v1::CentralEvent::kEscrowHold: {
      const v1::HoldPlaced& h = e.escrow_hold().hold();
      STOREAGENT_RETURN_IF_ERROR(core::ValidateOrderRef(
          h.order_ref(), at + ".escrow_hold.hold.order_ref"));
      if (h.lines_size() < 1 ||
          h.lines_size() > static_cast<int>(core::kMaxHoldLines)) {
        return Refuse(at + ".escrow_hold.hold.lines", "1..100 lines");
      }
      for (const v1::HoldLine& l : h.lines()) {
        if (l.sku().empty() || l.quantity() < 1 ||
            l.quantity() > core::kMaxHoldQuantity) {
          return Refuse(at + ".escrow_hold.hold.lines",
                        "sku required and quantity 1..1000000");
        }
      }
      return Status::Ok();
    }
    case v1::CentralEvent::kHoldCancel:
      return core::ValidateOrderRef(e.hold_cancel().order_ref(),
                                    at + ".hold_cancel.order_ref");
    case v1::CentralEvent::kPriceList: {
      Status s = core::ValidatePriceList(e.price_list());
      return s.ok() ? s : Refuse(at, s.message());
    }
    case v1::CentralEvent::kPromotion: {
      Status s = core::ValidatePromotion(e.promotion());
      return s.ok() ? s : Refuse(at, s.message());
    }
    case v1::CentralEvent::KIND_NOT_SET:
      break;
  }
  return Refuse(at + ".kind", "required");
}

Status PutInbox(DbContext& ctx, const v1::CentralEvent& e, int64_t now_us) {
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO inbox (central_seq, kind, created_at_us, event, "
      "applied_at_us) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!s.ok()) return s.status();
  (*s)->BindInt(1, static_cast<int64_t>(e.central_seq()));
  (*s)->BindText(2, KindOf(e));
  (*s)->BindInt(3, e.created_at_us());
  (*s)->BindBlob(4, e.SerializeAsString());
  (*s)->BindInt(5, now_us);
  return (*s)->Run();
}

// One central event's effect on the books. `touched` collects SKUs whose
// availability may have changed.
Status ApplyOne(WriteContext& ctx, JournalStore& journal,
                const v1::CentralEvent& e, int64_t now_us,
                std::vector<std::string>& touched, CentralApplied& out) {
  const std::string cseq = std::to_string(e.central_seq());
  switch (e.kind_case()) {
    case v1::CentralEvent::kMovement:
      return StockLedger::ApplyCentral(ctx, e, &touched);
    case v1::CentralEvent::kCatalog: {
      std::vector<v1::Product> products(e.catalog().products().begin(),
                                        e.catalog().products().end());
      for (const v1::Product& p : products) touched.push_back(p.sku());
      std::vector<std::string> taken_over;
      STOREAGENT_RETURN_IF_ERROR(
          CatalogStore::Upsert(ctx, products, &taken_over));
      for (const std::string& sku : taken_over) {
        out.notes.push_back("central_seq " + cseq + ": sku " + sku +
                            " was the store's own product; head office "
                            "owns it now");
      }
      return Status::Ok();
    }
    case v1::CentralEvent::kPrices:
      for (const v1::PriceLine& l : e.prices().lines()) {
        Result<bool> found = CatalogStore::SetPrice(
            ctx, l.sku(), l.price().minor_units(), l.price().currency());
        if (!found.ok()) return found.status();
        if (!*found) {
          out.notes.push_back("central_seq " + cseq + ": price for sku " +
                              l.sku() + " not in the catalog, ignored");
        }
      }
      return Status::Ok();
    case v1::CentralEvent::kEscrowHold: {
      const v1::HoldPlaced& h = e.escrow_hold().hold();
      Result<std::optional<v1::Hold>> existing =
          StockLedger::GetHold(ctx, h.order_ref());
      if (!existing.ok()) return existing.status();
      if (existing->has_value()) {
        out.notes.push_back("central_seq " + cseq + ": order " + h.order_ref() +
                            " already has a hold, ignored");
        return Status::Ok();
      }
      v1::JournalRecord r;
      *r.mutable_client_key() = SyncKey("escrow-hold-c" + cseq);
      v1::HoldPlaced* p = r.mutable_stock()->mutable_hold_placed();
      *p = h;
      p->set_from_escrow(true);
      Result<AppendResult> a = AppendEvent(ctx, journal, std::move(r));
      return a.ok() ? Status::Ok() : a.status();
    }
    case v1::CentralEvent::kHoldCancel: {
      const v1::CentralHoldCancel& c = e.hold_cancel();
      Result<std::optional<v1::Hold>> h =
          StockLedger::GetHold(ctx, c.order_ref());
      if (!h.ok()) return h.status();
      if (!h->has_value() || !core::HoldIsOpen((*h)->state())) {
        out.notes.push_back("central_seq " + cseq + ": order " + c.order_ref() +
                            " has no open hold, ignored");
        return Status::Ok();
      }
      v1::JournalRecord r;
      *r.mutable_client_key() = SyncKey("cancel-c" + cseq);
      v1::HoldCancelled* hc = r.mutable_stock()->mutable_hold_cancelled();
      hc->set_order_ref(c.order_ref());
      hc->set_reason(c.reason().substr(0, core::kMaxReasonLength));
      hc->set_operator_id("central");
      Result<AppendResult> a = AppendEvent(ctx, journal, std::move(r));
      return a.ok() ? Status::Ok() : a.status();
    }
    case v1::CentralEvent::kPriceList:
    case v1::CentralEvent::kPromotion:
      out.price_book_changed = true;
      return PriceStore::Apply(ctx, e, now_us, &out.notes);
    case v1::CentralEvent::KIND_NOT_SET:
      break;
  }
  return Internal("central event without a kind");
}

}  // namespace

Result<uint64_t> SyncStore::ReadMetaU64(DbContext& ctx,
                                        const std::string& key) {
  Result<Statement*> s = ctx.Prepare("SELECT value FROM meta WHERE key = ?1");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, key);
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return uint64_t{0};
  const std::string text((*s)->ColumnText(0));
  (*s)->Reset();
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') {
    return DataLoss("meta." + key + ": not a number: " + text);
  }
  return static_cast<uint64_t>(v);
}

Status SyncStore::WriteMetaU64(DbContext& ctx, const std::string& key,
                               uint64_t value) {
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO meta (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, key);
  (*s)->BindText(2, std::to_string(value));
  return (*s)->Run();
}

Result<SyncWatermarks> SyncStore::ReadWatermarks(DbContext& ctx) {
  SyncWatermarks w;
  Result<uint64_t> v = ReadMetaU64(ctx, kMetaCentralSeq);
  if (!v.ok()) return v.status();
  w.central_seq = *v;
  v = ReadMetaU64(ctx, kMetaCentralAckedSeq);
  if (!v.ok()) return v.status();
  w.central_acked_seq = *v;
  v = ReadMetaU64(ctx, kMetaSyncConfirmed);
  if (!v.ok()) return v.status();
  w.confirmed = *v != 0;
  Result<JournalHead> head = JournalStore::ReadHead(ctx.db());
  if (!head.ok()) return head.status();
  w.head_seq = head->seq;
  Result<Statement*> s = ctx.Prepare(
      "SELECT recorded_at_us FROM journal WHERE seq > ?1 ORDER BY seq "
      "LIMIT 1");
  if (!s.ok()) return s.status();
  (*s)->BindInt(1, static_cast<int64_t>(w.central_acked_seq));
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  if (*row) w.oldest_unacked_us = (*s)->ColumnInt(0);
  (*s)->Reset();
  return w;
}

Result<std::vector<v1::JournalEntry>> SyncStore::ReadOutbox(
    sqlite3* db, uint64_t after, size_t max_events, size_t max_bytes,
    bool parsed_records) {
  Result<std::vector<v1::JournalEntry>> page =
      JournalStore::ReadRange(db, after + 1, max_events,
                              parsed_records ? JournalStore::kParsedOnTheWire
                                             : JournalStore::kBytesOnly);
  if (!page.ok()) return page.status();
  size_t bytes = 0;
  size_t keep = 0;
  for (const v1::JournalEntry& e : *page) {
    const size_t n = e.ByteSizeLong() + 8;  // + repeated-field framing
    if (keep > 0 && bytes + n > max_bytes) break;
    bytes += n;
    ++keep;
  }
  page->resize(keep);
  return page;
}

Status SyncStore::RecordAck(DbContext& ctx, uint64_t acked) {
  Result<uint64_t> current = ReadMetaU64(ctx, kMetaCentralAckedSeq);
  if (!current.ok()) return current.status();
  if (acked <= *current) return Status::Ok();
  return WriteMetaU64(ctx, kMetaCentralAckedSeq, acked);
}

Status SyncStore::MarkConfirmed(DbContext& ctx) {
  return WriteMetaU64(ctx, kMetaSyncConfirmed, 1);
}

Result<CentralApplied> SyncStore::ApplyCentralBatch(
    WriteContext& ctx, JournalStore& journal, const v1::CentralBatch& batch,
    EscrowKeeper* keeper, int64_t now_us) {
  Result<uint64_t> mark = ReadMetaU64(ctx, kMetaCentralSeq);
  if (!mark.ok()) return mark.status();
  CentralApplied out;
  out.watermark = *mark;
  std::vector<std::string> touched;
  for (int i = 0; i < batch.events_size(); ++i) {
    const v1::CentralEvent& e = batch.events(i);
    const std::string at = "central_events.events[" + std::to_string(i) + "]";
    if (e.central_seq() <= out.watermark) {
      ++out.skipped;
      continue;
    }
    if (e.central_seq() != out.watermark + 1) {
      return FailedPrecondition(
          at + ".central_seq: " + std::to_string(e.central_seq()) +
          " does not follow the last applied " + std::to_string(out.watermark) +
          " (gap)");
    }
    STOREAGENT_RETURN_IF_ERROR(ValidateCentral(e, at));
    STOREAGENT_RETURN_IF_ERROR(PutInbox(ctx, e, now_us));
    STOREAGENT_RETURN_IF_ERROR(ApplyOne(ctx, journal, e, now_us, touched, out));
    out.watermark = e.central_seq();
    ++out.applied;
  }
  if (out.applied == 0) return out;
  if (keeper != nullptr && !touched.empty()) {
    // Keyed by the central seq and the journal position it lands at: a
    // store re-seeded after its disk died gets central's events again, and
    // its re-seeded journal already holds the escrow events the first
    // application announced ("c<seq>" alone collided with them, and the
    // store could never apply that batch: found by storeagent-sim).
    STOREAGENT_RETURN_IF_ERROR(
        keeper->Refresh(ctx, touched,
                        "c" + std::to_string(out.watermark) + "-s" +
                            std::to_string(journal.head().seq + 1)));
  }
  STOREAGENT_RETURN_IF_ERROR(WriteMetaU64(ctx, kMetaCentralSeq, out.watermark));
  return out;
}

Result<uint64_t> SyncStore::Reseed(WriteContext& ctx, JournalStore& journal,
                                   const v1::ReseedBatch& batch) {
  for (const v1::JournalEntry& wire : batch.entries()) {
    // Central's stored bytes, when it sent them (0.4), are the record: kept
    // verbatim and parsed here (docs/sync-protocol.md, "Record bytes").
    v1::JournalEntry e = wire;
    STOREAGENT_RETURN_IF_ERROR(core::AdoptCanonicalRecord(e, "reseed"));
    const uint64_t seq = e.record().seq();
    if (seq <= journal.head().seq) {
      Result<std::optional<v1::JournalEntry>> mine =
          JournalStore::ReadBySeq(ctx.db(), seq);
      if (!mine.ok()) return mine.status();
      if (!mine->has_value() || (*mine)->hash() != e.hash()) {
        return DataLoss("reseed: seq " + std::to_string(seq) +
                        ": central's entry differs from this store's");
      }
      continue;
    }
    STOREAGENT_RETURN_IF_ERROR(journal.AppendVerbatim(ctx, e));
    STOREAGENT_RETURN_IF_ERROR(StockLedger::Apply(ctx, e.record()));
    STOREAGENT_RETURN_IF_ERROR(DayCloseStore::Remember(ctx, e.record()));
    STOREAGENT_RETURN_IF_ERROR(ReturnLimits::Remember(ctx, e.record()));
    if (journal.checkpoints() != nullptr) {
      STOREAGENT_RETURN_IF_ERROR(
          journal.checkpoints()->Remember(ctx, e.record()));
    }
    if (e.record().has_stock() && e.record().stock().has_catalog_imported()) {
      // The store's own catalog comes back with its journal.
      STOREAGENT_RETURN_IF_ERROR(CatalogStore::ApplyImported(
          ctx, e.record().stock().catalog_imported()));
    }
  }
  return journal.head().seq;
}

namespace {

// Calls `fn` for every row of the stock table.
Status ForEachFigure(DbContext& ctx,
                     const std::function<void(core::DigestFigure)>& fn) {
  Result<Statement*> s =
      ctx.Prepare("SELECT sku, on_hand, held, unavailable FROM stock");
  if (!s.ok()) return s.status();
  for (;;) {
    Result<bool> row = (*s)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    fn(core::DigestFigure{std::string((*s)->ColumnText(0)), (*s)->ColumnInt(1),
                          (*s)->ColumnInt(2), (*s)->ColumnInt(3)});
  }
  (*s)->Reset();
  return Status::Ok();
}

Status Watermark(DbContext& ctx, uint64_t* store_seq, uint64_t* central_seq) {
  Result<JournalHead> head = JournalStore::ReadHead(ctx.db());
  if (!head.ok()) return head.status();
  *store_seq = head->seq;
  Result<uint64_t> c = SyncStore::ReadMetaU64(ctx, kMetaCentralSeq);
  if (!c.ok()) return c.status();
  *central_seq = *c;
  return Status::Ok();
}

}  // namespace

Result<v1::StockDigest> SyncStore::ReadStockDigest(DbContext& ctx,
                                                   uint32_t buckets) {
  v1::StockDigest d;
  uint64_t s = 0;
  uint64_t c = 0;
  STOREAGENT_RETURN_IF_ERROR(Watermark(ctx, &s, &c));
  d.set_store_seq(s);
  d.set_central_seq(c);
  core::StockDigestBuilder builder(buckets);
  STOREAGENT_RETURN_IF_ERROR(ForEachFigure(
      ctx, [&](core::DigestFigure f) { builder.Add(std::move(f)); }));
  for (std::string& b : builder.Finish()) d.add_buckets(std::move(b));
  return d;
}

Result<v1::DrillDownAnswer> SyncStore::ReadDrillDown(
    DbContext& ctx, uint32_t buckets, const std::vector<uint32_t>& asked) {
  v1::DrillDownAnswer a;
  uint64_t s = 0;
  uint64_t c = 0;
  STOREAGENT_RETURN_IF_ERROR(Watermark(ctx, &s, &c));
  a.set_store_seq(s);
  a.set_central_seq(c);
  const std::set<uint32_t> want(asked.begin(), asked.end());
  for (uint32_t b : want) a.add_buckets(b);
  STOREAGENT_RETURN_IF_ERROR(ForEachFigure(ctx, [&](core::DigestFigure f) {
    if (want.count(core::DigestBucketOf(f.sku, buckets)) == 0) return;
    v1::SkuFigure* out = a.add_figures();
    out->set_sku(f.sku);
    out->set_on_hand(f.on_hand);
    out->set_held(f.held);
    out->set_unavailable(f.unavailable);
  }));
  return a;
}

Result<std::vector<v1::CentralEvent>> SyncStore::ReadInbox(sqlite3* db,
                                                           uint64_t after,
                                                           size_t limit) {
  Result<Statement> s = Statement::Prepare(
      db,
      "SELECT central_seq, event FROM inbox WHERE central_seq > ?1 "
      "ORDER BY central_seq LIMIT ?2");
  if (!s.ok()) return s.status();
  s->BindInt(1, static_cast<int64_t>(after));
  s->BindInt(2, static_cast<int64_t>(limit));
  std::vector<v1::CentralEvent> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v1::CentralEvent e;
    std::string_view b = s->ColumnBlob(1);
    if (!e.ParseFromArray(b.data(), static_cast<int>(b.size()))) {
      return DataLoss("inbox central_seq " + std::to_string(s->ColumnInt(0)) +
                      ": stored event does not parse");
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace storeagent::storage
