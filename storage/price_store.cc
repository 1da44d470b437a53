#include "storage/price_store.h"

#include <utility>

#include "storage/sync_store.h"

namespace storeagent::storage {
namespace {

constexpr char kList[] = "list";
constexpr char kPromotion[] = "promotion";

// The version held under (kind, id), parsed into `held`; false when none.
template <typename M>
Result<bool> ReadHeld(DbContext& ctx, const char* kind, const std::string& id,
                      M* held) {
  Result<Statement*> s =
      ctx.Prepare("SELECT body FROM price_book WHERE kind = ?1 AND id = ?2");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, kind);
  (*s)->BindText(2, id);
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return false;
  const std::string_view body = (*s)->ColumnBlob(0);
  const bool parsed =
      held->ParseFromArray(body.data(), static_cast<int>(body.size()));
  (*s)->Reset();
  if (!parsed) {
    return DataLoss(std::string("price_book: the stored ") + kind + " \"" + id +
                    "\" does not parse");
  }
  return true;
}

template <typename M>
Status ApplyVersion(DbContext& ctx, const char* kind, const M& incoming,
                    uint64_t central_seq, int64_t now_us,
                    std::vector<std::string>* notes) {
  M held;
  Result<bool> found = ReadHeld(ctx, kind, incoming.id(), &held);
  if (!found.ok()) return found.status();
  Result<core::ApplyOutcome> outcome =
      core::DecideApply(incoming, *found ? &held : nullptr);
  const std::string where = "central_seq " + std::to_string(central_seq) +
                            ": " + kind + " \"" + incoming.id() +
                            "\" version " + std::to_string(incoming.version());
  if (!outcome.ok()) {
    notes->push_back(where + " not applied: " + outcome.status().message());
    return Status::Ok();
  }
  if (*outcome == core::ApplyOutcome::kStale) {
    notes->push_back(where + " is older than the version " +
                     std::to_string(held.version()) + " held, ignored");
    return Status::Ok();
  }
  if (*outcome == core::ApplyOutcome::kUnchanged) return Status::Ok();
  Result<Statement*> s = ctx.Prepare(
      "INSERT INTO price_book (kind, id, version, body, central_seq, "
      "applied_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, "
      "body = excluded.body, central_seq = excluded.central_seq, "
      "applied_at_us = excluded.applied_at_us");
  if (!s.ok()) return s.status();
  (*s)->BindText(1, kind);
  (*s)->BindText(2, incoming.id());
  (*s)->BindInt(3, static_cast<int64_t>(incoming.version()));
  (*s)->BindBlob(4, incoming.SerializeAsString());
  (*s)->BindInt(5, static_cast<int64_t>(central_seq));
  (*s)->BindInt(6, now_us);
  return (*s)->Run();
}

}  // namespace

Status PriceStore::Apply(DbContext& ctx, const v1::CentralEvent& e,
                         int64_t now_us, std::vector<std::string>* notes) {
  Status s = e.has_price_list() ? ApplyVersion(ctx, kList, e.price_list(),
                                               e.central_seq(), now_us, notes)
                                : ApplyVersion(ctx, kPromotion, e.promotion(),
                                               e.central_seq(), now_us, notes);
  if (!s.ok()) return s;
  // The book's version moves with every price event applied, taken or not:
  // it says how far the store has heard from head office's book.
  STOREAGENT_RETURN_IF_ERROR(
      SyncStore::WriteMetaU64(ctx, kMetaPriceBookCentralSeq, e.central_seq()));
  return SyncStore::WriteMetaU64(ctx, kMetaPriceBookAppliedAt,
                                 static_cast<uint64_t>(now_us));
}

Result<StoredPriceBook> PriceStore::Load(DbContext& ctx) {
  StoredPriceBook out;
  Result<Statement*> s =
      ctx.Prepare("SELECT kind, id, body FROM price_book ORDER BY kind, id");
  if (!s.ok()) return s.status();
  v1::PriceList list;
  v1::Promotion promotion;
  for (;;) {
    Result<bool> row = (*s)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string kind((*s)->ColumnText(0));
    const std::string id((*s)->ColumnText(1));
    const std::string_view body = (*s)->ColumnBlob(2);
    Result<core::ApplyOutcome> applied = core::ApplyOutcome::kAdded;
    bool parsed = false;
    if (kind == kList) {
      parsed = list.ParseFromArray(body.data(), static_cast<int>(body.size()));
      if (parsed) applied = out.book.ApplyPriceList(list);
    } else if (kind == kPromotion) {
      parsed =
          promotion.ParseFromArray(body.data(), static_cast<int>(body.size()));
      if (parsed) applied = out.book.ApplyPromotion(promotion);
    }
    if (!parsed || !applied.ok()) {
      (*s)->Reset();
      return DataLoss("price_book: the stored " + kind + " \"" + id + "\" " +
                      (parsed ? "is refused: " + applied.status().message()
                              : std::string("does not parse")));
    }
  }
  (*s)->Reset();
  Result<uint64_t> seq = SyncStore::ReadMetaU64(ctx, kMetaPriceBookCentralSeq);
  if (!seq.ok()) return seq.status();
  out.central_seq = *seq;
  Result<uint64_t> at = SyncStore::ReadMetaU64(ctx, kMetaPriceBookAppliedAt);
  if (!at.ok()) return at.status();
  out.applied_at_us = static_cast<int64_t>(*at);
  Result<Statement*> r = ctx.Prepare("SELECT value FROM meta WHERE key = ?1");
  if (!r.ok()) return r.status();
  (*r)->BindText(1, kMetaStoreRegion);
  Result<bool> row = (*r)->Step();
  if (!row.ok()) return row.status();
  if (*row) out.region = std::string((*r)->ColumnText(0));
  (*r)->Reset();
  return out;
}

Result<bool> PriceStore::WriteRegion(DbContext& ctx,
                                     const std::string& region) {
  Result<Statement*> r = ctx.Prepare("SELECT value FROM meta WHERE key = ?1");
  if (!r.ok()) return r.status();
  (*r)->BindText(1, kMetaStoreRegion);
  Result<bool> row = (*r)->Step();
  if (!row.ok()) return row.status();
  const std::string held = *row ? std::string((*r)->ColumnText(0)) : "";
  (*r)->Reset();
  if (held == region) return false;
  Result<Statement*> w =
      region.empty()
          ? ctx.Prepare("DELETE FROM meta WHERE key = ?1")
          : ctx.Prepare(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  if (!w.ok()) return w.status();
  (*w)->BindText(1, kMetaStoreRegion);
  if (!region.empty()) (*w)->BindText(2, region);
  STOREAGENT_RETURN_IF_ERROR((*w)->Run());
  return true;
}

}  // namespace storeagent::storage
