#include "agent/stock_ops.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "agent/day_report.h"
#include "core/event_validation.h"
#include "core/journal_chain.h"
#include "core/limits.h"
#include "core/stock_rule.h"
#include "core/stock_validation.h"
#include "platform/crypto.h"
#include "storage/catalog_store.h"
#include "storage/event_store.h"
#include "storage/stock_ledger.h"

namespace storeagent::agent {
namespace {

using storage::DbContext;

// Runs `fn` inside one read transaction, so every figure it reads and the
// journal head it reports come from the same snapshot. BEGIN and COMMIT are
// the connection's cached statements.
// A template, not a std::function: a lookup's captures would not fit
// std::function's inline buffer, and every lookup would allocate.
template <typename Fn>
Status InReadTxn(DbContext& ctx, Fn&& fn) {
  Result<storage::Statement*> begin = ctx.Prepare("BEGIN");
  if (!begin.ok()) return begin.status();
  if (Status s = (*begin)->Run(); !s.ok()) return s;
  Status r = fn();
  ctx.ResetBusyStatements();
  Result<storage::Statement*> commit = ctx.Prepare("COMMIT");
  if (commit.ok()) (void)(*commit)->Run();  // a read: nothing to lose
  return r;
}

template <typename T>
Result<T> InSnapshot(DbContext& ctx, const std::function<Result<T>()>& fn) {
  std::optional<Result<T>> r;
  Status s = InReadTxn(ctx, [&] {
    r.emplace(fn());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return *std::move(r);
}

Result<v1::AsOf> AsOfNow(DbContext& ctx, const Clock& clock) {
  Result<uint64_t> head = storage::StockLedger::SnapshotHead(ctx);
  if (!head.ok()) return head.status();
  v1::AsOf a;
  a.set_seq(*head);
  a.set_at_us(clock.NowMicros());
  return a;
}

std::vector<std::string> SkusOf(
    const google::protobuf::RepeatedPtrField<v1::HoldLine>& lines) {
  std::vector<std::string> out;
  for (const v1::HoldLine& l : lines) out.push_back(l.sku());
  return out;
}

const std::string& OrderRefOf(const v1::UpdateHoldRequest& r) {
  switch (r.action_case()) {
    case v1::UpdateHoldRequest::kPick:
      return r.pick().order_ref();
    case v1::UpdateHoldRequest::kCollect:
      return r.collect().order_ref();
    case v1::UpdateHoldRequest::kCancel:
      return r.cancel().order_ref();
    default:
      return r.short_pick().order_ref();
  }
}

v1::StockEvent EventOf(const v1::UpdateHoldRequest& r) {
  v1::StockEvent e;
  switch (r.action_case()) {
    case v1::UpdateHoldRequest::kPick:
      *e.mutable_hold_picked() = r.pick();
      break;
    case v1::UpdateHoldRequest::kCollect:
      *e.mutable_hold_collected() = r.collect();
      break;
    case v1::UpdateHoldRequest::kCancel:
      *e.mutable_hold_cancelled() = r.cancel();
      break;
    default:
      *e.mutable_hold_short_picked() = r.short_pick();
      break;
  }
  return e;
}

// Expires up to `limit` holds due at `now_us`. Writer thread.
Result<int> ExpireDue(DbContext& ctx, storage::JournalStore& journal,
                      int64_t now_us, int limit) {
  Result<std::vector<v1::Hold>> due =
      storage::StockLedger::DueHolds(ctx, now_us, limit);
  if (!due.ok()) return due.status();
  for (const v1::Hold& h : *due) {
    v1::JournalRecord r;
    // A hold expires once, so its order_ref makes a natural client key; a
    // digest of it keeps the key within the client-key charset and length,
    // and the reserved terminal keeps callers from colliding with it.
    r.mutable_client_key()->set_terminal_id(
        std::string(core::kAgentTerminalPrefix) + "holds");
    r.mutable_client_key()->set_client_txn_id(
        "expire-" +
        crypto::ToHex(crypto::AsBytes(crypto::Sha256(h.order_ref())))
            .substr(0, 32));
    r.mutable_stock()->mutable_hold_expired()->set_order_ref(h.order_ref());
    Result<storage::AppendResult> a =
        storage::AppendEvent(ctx, journal, std::move(r));
    if (!a.ok()) return a.status();
  }
  return static_cast<int>(due->size());
}

constexpr int kExpireBatch = 1000;
// Products per journaled part of a local catalog import (CatalogImported).
constexpr size_t kImportPart = 1000;

}  // namespace

StockOps::StockOps(storage::AgentDatabase& db, const Clock& clock,
                   const DiskGuard* disk_guard, const SyncGate* sync_gate)
    : db_(db), clock_(clock), disk_guard_(disk_guard), sync_gate_(sync_gate) {}

Status StockOps::Admit() const {
  return disk_guard_ != nullptr ? disk_guard_->Admit() : Status::Ok();
}

Status StockOps::AdmitEvent() const {
  if (sync_gate_ != nullptr) STOREAGENT_RETURN_IF_ERROR(sync_gate_->Admit());
  return Admit();
}

void StockOps::ReadHead(Done<v1::AsOf> done) {
  db_.readers().Submit([this, done = std::move(done)](DbContext* rc) {
    if (rc == nullptr) return done(Unavailable("agent is shutting down"));
    done(InSnapshot<v1::AsOf>(*rc, [&] { return AsOfNow(*rc, clock_); }));
  });
}

namespace {

// The journal head and the figures of `skus` in one snapshot, into `reply`:
// both availability paths.
Status ReadAvailability(
    DbContext& rc, const Clock& clock,
    const google::protobuf::RepeatedPtrField<std::string>& skus,
    v1::GetAvailabilityResponse* reply) {
  return InReadTxn(rc, [&]() -> Status {
    Result<v1::AsOf> as_of = AsOfNow(rc, clock);
    if (!as_of.ok()) return as_of.status();
    STOREAGENT_RETURN_IF_ERROR(
        storage::StockLedger::AppendFigures(rc, skus, reply->mutable_items()));
    *reply->mutable_as_of() = *as_of;
    return Status::Ok();
  });
}

}  // namespace

void StockOps::GetAvailability(std::vector<std::string> skus,
                               Done<v1::GetAvailabilityResponse> done) {
  Status s = core::ValidateSkuList(skus, "skus");
  if (!s.ok()) return done(s);
  db_.readers().Submit([this,
                        asked = google::protobuf::RepeatedPtrField<std::string>(
                            skus.begin(), skus.end()),
                        done = std::move(done)](DbContext* rc) {
    if (rc == nullptr) return done(Unavailable("agent is shutting down"));
    v1::GetAvailabilityResponse reply;
    Status st = ReadAvailability(*rc, clock_, asked, &reply);
    if (!st.ok()) return done(st);
    done(std::move(reply));
  });
}

void StockOps::GetAvailabilityInto(
    const google::protobuf::RepeatedPtrField<std::string>& skus,
    v1::GetAvailabilityResponse* reply,
    std::function<void(const Status&)> done) {
  Status s = core::ValidateSkuList(skus, "skus");
  if (!s.ok()) return done(s);
  bool read_here = false;
  {
    storage::ReadPool::Lease lease = db_.readers().TryLease();
    if (lease) {
      s = ReadAvailability(*lease.get(), clock_, skus, reply);
      read_here = true;
    }
  }  // the connection goes back before the answer goes out
  if (read_here) return done(s);
  db_.readers().Submit(
      [this, &skus, reply, done = std::move(done)](DbContext* rc) {
        if (rc == nullptr) return done(Unavailable("agent is shutting down"));
        done(ReadAvailability(*rc, clock_, skus, reply));
      });
}

void StockOps::SearchProducts(const v1::SearchProductsRequest& request,
                              Done<v1::SearchProductsResponse> done) {
  Status s = core::ValidateSearch(request);
  if (!s.ok()) return done(s);
  const int limit =
      request.limit() > 0 ? request.limit() : core::kDefaultSearchLimit;
  db_.readers().Submit([this, q = request.query(), limit,
                        done = std::move(done)](DbContext* rc) {
    if (rc == nullptr) return done(Unavailable("agent is shutting down"));
    done(InSnapshot<v1::SearchProductsResponse>(
        *rc, [&]() -> Result<v1::SearchProductsResponse> {
          v1::SearchProductsResponse reply;
          Result<v1::AsOf> as_of = AsOfNow(*rc, clock_);
          if (!as_of.ok()) return as_of.status();
          Result<std::vector<v1::Product>> products =
              storage::CatalogStore::Search(*rc, q, limit);
          if (!products.ok()) return products.status();
          std::vector<std::string> skus;
          for (const v1::Product& p : *products) skus.push_back(p.sku());
          Result<std::vector<v1::SkuAvailability>> f =
              storage::StockLedger::Figures(*rc, skus);
          if (!f.ok()) return f.status();
          for (size_t i = 0; i < products->size(); ++i) {
            v1::ProductAvailability* pa = reply.add_products();
            *pa->mutable_product() = std::move((*products)[i]);
            *pa->mutable_availability() = std::move((*f)[i]);
          }
          *reply.mutable_as_of() = *as_of;
          return reply;
        }));
  });
}

void StockOps::PlaceHold(const v1::PlaceHoldRequest& request,
                         Done<v1::PlaceHoldResponse> done) {
  const int64_t now = clock_.NowMicros();
  Status s = core::ValidateCallerClientKey(request.client_key(), "client_key");
  if (s.ok()) s = core::ValidateHoldPlaced(request.hold(), now, "hold");
  if (s.ok()) s = AdmitEvent();
  if (!s.ok()) return done(s);
  PlaceHoldAs(request.client_key(), request.hold(), now, std::move(done));
}

void StockOps::PlaceCentralHold(const v1::HoldPlaced& hold,
                                Done<v1::PlaceHoldResponse> done) {
  const int64_t now = clock_.NowMicros();
  Status s = core::ValidateHoldPlaced(hold, now, "hold_request.hold");
  if (s.ok()) s = AdmitEvent();
  if (!s.ok()) return done(s);
  // One hold per order: the order_ref makes the client key, so a request
  // central repeats after a drop gets the first answer.
  v1::ClientKey key;
  key.set_terminal_id(std::string(core::kAgentTerminalPrefix) + "sync");
  key.set_client_txn_id(
      "hold-" + crypto::ToHex(crypto::AsBytes(crypto::Sha256(hold.order_ref())))
                    .substr(0, 32));
  PlaceHoldAs(key, hold, now, std::move(done));
}

void StockOps::PlaceHoldAs(const v1::ClientKey& client_key,
                           const v1::HoldPlaced& hold, int64_t now,
                           Done<v1::PlaceHoldResponse> done) {
  auto reply = std::make_shared<v1::PlaceHoldResponse>();
  storage::JournalStore& journal = db_.journal();
  db_.writer().Submit(
      [&journal, reply, key = client_key, p = hold,
       now](DbContext& ctx) -> Status {
        Result<int> expired = ExpireDue(ctx, journal, now, kExpireBatch);
        if (!expired.ok()) return expired.status();
        Result<std::optional<v1::Hold>> existing =
            storage::StockLedger::GetHold(ctx, p.order_ref());
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) {
          // A retry: the same lines, whatever expiry it computed.
          if (!core::SameHoldLines((*existing)->lines(), p.lines())) {
            return AlreadyExists("hold.order_ref: order " + p.order_ref() +
                                 " already has a hold with other lines");
          }
          reply->set_granted(true);
          reply->set_replayed(true);
          *reply->mutable_hold() = **existing;
        } else {
          Result<std::vector<v1::SkuAvailability>> f =
              storage::StockLedger::Figures(ctx, SkusOf(p.lines()));
          if (!f.ok()) return f.status();
          for (int i = 0; i < p.lines_size(); ++i) {
            // Units escrowed for central are not for local holds.
            Result<int64_t> escrow =
                storage::StockLedger::Escrow(ctx, p.lines(i).sku());
            if (!escrow.ok()) return escrow.status();
            v1::SkuAvailability& a = (*f)[i];
            a.set_available(std::max<int64_t>(0, a.available() - *escrow));
            if (p.lines(i).quantity() > a.available()) {
              *reply->add_shortfall() = a;
            }
          }
          if (reply->shortfall_size() == 0) {
            v1::JournalRecord r;
            *r.mutable_client_key() = key;
            *r.mutable_stock()->mutable_hold_placed() = p;
            Result<storage::AppendResult> a =
                storage::AppendEvent(ctx, journal, std::move(r));
            if (!a.ok()) return a.status();
            Result<std::optional<v1::Hold>> h =
                storage::StockLedger::GetHold(ctx, p.order_ref());
            if (!h.ok()) return h.status();
            if (!h->has_value()) return Internal("hold vanished");
            reply->set_granted(true);
            reply->set_replayed(a->replayed);
            *reply->mutable_hold() = **h;
          }
        }
        Result<uint64_t> head = storage::StockLedger::SnapshotHead(ctx);
        if (!head.ok()) return head.status();
        reply->mutable_as_of()->set_seq(*head);
        reply->mutable_as_of()->set_at_us(now);
        return Status::Ok();
      },
      [reply, done = std::move(done)](const Status& st) {
        if (!st.ok()) return done(st);
        done(std::move(*reply));
      });
}

void StockOps::UpdateHold(const v1::UpdateHoldRequest& request,
                          Done<v1::GetHoldResponse> done) {
  Status s = core::ValidateCallerClientKey(request.client_key(), "client_key");
  if (s.ok()) s = core::ValidateUpdateHold(request);
  if (s.ok()) s = AdmitEvent();
  if (!s.ok()) return done(s);
  auto reply = std::make_shared<v1::GetHoldResponse>();
  storage::JournalStore& journal = db_.journal();
  const int64_t now = clock_.NowMicros();
  db_.writer().Submit(
      [&journal, reply, req = request, now](DbContext& ctx) -> Status {
        const std::string& ref = OrderRefOf(req);
        Result<std::optional<v1::Hold>> h =
            storage::StockLedger::GetHold(ctx, ref);
        if (!h.ok()) return h.status();
        if (!h->has_value()) return NotFound("order_ref: no hold " + ref);
        v1::JournalRecord r;
        *r.mutable_client_key() = req.client_key();
        *r.mutable_stock() = EventOf(req);
        Result<storage::AppendResult> a =
            storage::AppendEvent(ctx, journal, std::move(r));
        if (!a.ok()) return a.status();
        Result<std::optional<v1::Hold>> after =
            storage::StockLedger::GetHold(ctx, ref);
        if (!after.ok()) return after.status();
        *reply->mutable_hold() = **after;
        reply->set_replayed(a->replayed);
        reply->mutable_as_of()->set_seq(journal.head().seq);
        reply->mutable_as_of()->set_at_us(now);
        return Status::Ok();
      },
      [reply, done = std::move(done)](const Status& st) {
        if (!st.ok()) return done(st);
        done(std::move(*reply));
      });
}

void StockOps::GetHold(const std::string& order_ref,
                       Done<v1::GetHoldResponse> done) {
  Status s = core::ValidateOrderRef(order_ref, "order_ref");
  if (!s.ok()) return done(s);
  db_.readers().Submit(
      [this, order_ref, done = std::move(done)](DbContext* rc) {
        if (rc == nullptr) return done(Unavailable("agent is shutting down"));
        done(InSnapshot<v1::GetHoldResponse>(
            *rc, [&]() -> Result<v1::GetHoldResponse> {
              Result<std::optional<v1::Hold>> h =
                  storage::StockLedger::GetHold(*rc, order_ref);
              if (!h.ok()) return h.status();
              if (!h->has_value())
                return NotFound("order_ref: no hold " + order_ref);
              Result<v1::AsOf> as_of = AsOfNow(*rc, clock_);
              if (!as_of.ok()) return as_of.status();
              v1::GetHoldResponse reply;
              *reply.mutable_hold() = std::move(**h);
              *reply.mutable_as_of() = *as_of;
              return reply;
            }));
      });
}

void StockOps::ListHolds(const v1::ListHoldsRequest& request,
                         Done<v1::ListHoldsResponse> done) {
  Status s = core::ValidateListHolds(request);
  if (!s.ok()) return done(s);
  const int limit =
      request.limit() > 0 ? request.limit() : core::kDefaultListHoldsLimit;
  db_.readers().Submit([this, state = request.state(), limit,
                        done = std::move(done)](DbContext* rc) {
    if (rc == nullptr) return done(Unavailable("agent is shutting down"));
    done(InSnapshot<v1::ListHoldsResponse>(
        *rc, [&]() -> Result<v1::ListHoldsResponse> {
          Result<std::vector<v1::Hold>> holds =
              storage::StockLedger::ListHolds(*rc, state, limit);
          if (!holds.ok()) return holds.status();
          Result<v1::AsOf> as_of = AsOfNow(*rc, clock_);
          if (!as_of.ok()) return as_of.status();
          v1::ListHoldsResponse reply;
          auto& names = *reply.mutable_product_names();
          for (const v1::Hold& h : *holds) {
            for (const v1::HoldLine& l : h.lines()) {
              if (names.count(l.sku()) != 0) continue;
              Result<std::optional<v1::Product>> p =
                  storage::CatalogStore::Get(*rc, l.sku());
              if (!p.ok()) return p.status();
              if (*p) names[l.sku()] = (*p)->name();
            }
          }
          for (v1::Hold& h : *holds) *reply.add_holds() = std::move(h);
          *reply.mutable_as_of() = *as_of;
          return reply;
        }));
  });
}

void StockOps::RecordStockEvent(const v1::RecordStockEventRequest& request,
                                Done<v1::RecordTransactionResponse> done) {
  Status s = core::ValidateCallerClientKey(request.client_key(), "client_key");
  if (s.ok()) {
    switch (request.kind_case()) {
      case v1::RecordStockEventRequest::kMovement:
        s = core::ValidateStockMovement(request.movement(), "movement");
        break;
      case v1::RecordStockEventRequest::kCount:
        s = core::ValidateStockCount(request.count(), "count");
        break;
      default:
        s = InvalidArgument("kind: one of movement or count is required");
    }
  }
  if (s.ok()) s = AdmitEvent();
  if (!s.ok()) return done(s);
  v1::JournalRecord record;
  *record.mutable_client_key() = request.client_key();
  if (request.has_movement()) {
    *record.mutable_stock()->mutable_movement() = request.movement();
  } else {
    *record.mutable_stock()->mutable_count() = request.count();
  }
  // A retry is compared on what the caller sent, before the agent adds the
  // central watermark to a count.
  std::string digest = core::ContentDigest(record);
  auto result = std::make_shared<storage::AppendResult>();
  storage::JournalStore& journal = db_.journal();
  db_.writer().Submit(
      [&journal, result, record = std::move(record),
       digest = std::move(digest)](DbContext& ctx) mutable -> Status {
        if (record.stock().has_count()) {
          Result<uint64_t> c = storage::StockLedger::CentralWatermark(ctx);
          if (!c.ok()) return c.status();
          record.mutable_stock()->mutable_count()->set_central_seq(*c);
        }
        Result<storage::AppendResult> a = storage::AppendEvent(
            ctx, journal, std::move(record), std::move(digest));
        if (!a.ok()) return a.status();
        *result = std::move(a).value();
        return Status::Ok();
      },
      [result, done = std::move(done)](const Status& st) {
        if (!st.ok()) return done(st);
        v1::RecordTransactionResponse reply;
        reply.set_seq(result->seq);
        reply.set_hash(result->hash);
        reply.set_recorded_at_us(result->recorded_at_us);
        reply.set_replayed(result->replayed);
        done(std::move(reply));
      });
}

void StockOps::ImportCatalog(std::vector<v1::Product> products,
                             int64_t first_row,
                             Done<v1::ImportCatalogResponse> done) {
  Status s = core::ValidateCatalog(products, first_row);
  // Journaled: waits for central's first Welcome like every event.
  if (s.ok()) s = AdmitEvent();
  if (!s.ok()) return done(s);
  auto counts = std::make_shared<storage::CatalogCounts>();
  storage::JournalStore& journal = db_.journal();
  db_.writer().Submit(
      [counts, &journal, first_row,
       products = std::move(products)](DbContext& ctx) -> Status {
        Result<storage::CatalogCounts> c =
            storage::CatalogStore::ReplaceLocal(ctx, products, first_row);
        if (!c.ok()) return c.status();
        *counts = *c;
        // The import in the journal, in parts, in the same transaction:
        // it travels to central and comes back with a re-seed.
        const size_t parts = std::max<size_t>(
            1, (products.size() + kImportPart - 1) / kImportPart);
        const std::string id = "i" + std::to_string(journal.head().seq + 1);
        for (size_t part = 0; part < parts; ++part) {
          v1::JournalRecord r;
          r.mutable_client_key()->set_terminal_id(
              std::string(core::kAgentTerminalPrefix) + "catalog");
          r.mutable_client_key()->set_client_txn_id(id + "-" +
                                                    std::to_string(part));
          v1::CatalogImported* imported =
              r.mutable_stock()->mutable_catalog_imported();
          imported->set_import_id(id);
          imported->set_part(static_cast<uint32_t>(part));
          imported->set_parts(static_cast<uint32_t>(parts));
          const size_t end =
              std::min(products.size(), (part + 1) * kImportPart);
          for (size_t i = part * kImportPart; i < end; ++i) {
            *imported->add_products() = products[i];
          }
          Result<storage::AppendResult> a =
              storage::AppendEvent(ctx, journal, std::move(r));
          if (!a.ok()) return a.status();
        }
        return Status::Ok();
      },
      [counts, done = std::move(done)](const Status& st) {
        if (!st.ok()) return done(st);
        v1::ImportCatalogResponse reply;
        reply.set_products(counts->products);
        reply.set_gtins(counts->gtins);
        done(std::move(reply));
      });
}

void StockOps::ExpireDueHolds(Done<int> done) {
  // Nothing expires into a journal central has not confirmed yet; the next
  // run after the gate opens catches up (expiry is by stored expires_at).
  if (sync_gate_ != nullptr && sync_gate_->closed()) return done(0);
  auto count = std::make_shared<int>(0);
  storage::JournalStore& journal = db_.journal();
  const int64_t now = clock_.NowMicros();
  db_.writer().Submit(
      [&journal, count, now](DbContext& ctx) -> Status {
        Result<int> n = ExpireDue(ctx, journal, now, kExpireBatch);
        if (!n.ok()) return n.status();
        *count = *n;
        return Status::Ok();
      },
      [count, done = std::move(done)](const Status& st) {
        if (!st.ok()) return done(st);
        done(*count);
      });
}

void StockOps::GetDayReport(const v1::GetDayReportRequest& request,
                            Done<v1::GetDayReportResponse> done) {
  agent::GetDayReport(db_, clock_, request, std::move(done));
}

}  // namespace storeagent::agent
