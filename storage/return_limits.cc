#include "storage/return_limits.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/journal_store.h"
#include "storage/sync_store.h"

namespace storeagent::storage {
namespace {

constexpr char kMetaReturnedIndex[] = "returned_index";

using Units = std::map<std::pair<std::string, int>, int64_t>;  // (sku, unit)

Units UnitsOf(
    const google::protobuf::RepeatedPtrField<v1::TransactionLine>& lines) {
  Units out;
  for (const v1::TransactionLine& l : lines) {
    out[{l.sku(), static_cast<int>(l.unit())}] += l.quantity();
  }
  return out;
}

int64_t At(const Units& u, const std::pair<std::string, int>& key) {
  auto it = u.find(key);
  return it == u.end() ? int64_t{0} : it->second;
}

// The sale a return names as its original by client key in this store
// (store_id empty), or nullopt (no key, another store's, not a sale of this
// journal).
Result<std::optional<v1::JournalEntry>> OriginalSale(DbContext& ctx,
                                                     const v1::Return& ret) {
  const v1::OriginalTransaction& o = ret.original();
  if (!o.has_client_key() || !o.store_id().empty()) {
    return std::optional<v1::JournalEntry>();
  }
  Result<std::optional<v1::JournalEntry>> e =
      JournalStore::ReadByKey(ctx.db(), o.client_key());
  if (!e.ok() || !e->has_value()) return e;
  const v1::JournalRecord& r = (**e).record();
  if (!r.has_transaction() || !r.transaction().has_sale()) {
    return std::optional<v1::JournalEntry>();
  }
  return e;
}

// Adds `sign` x the return's units to its original's row.
Status Count(DbContext& ctx, const v1::ClientKey& original,
             const v1::Return& ret, int64_t sign) {
  Result<Statement*> up = ctx.Prepare(
      "INSERT INTO returned_units (terminal_id, client_txn_id, sku, unit, "
      "quantity) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET "
      "quantity = quantity + excluded.quantity");
  if (!up.ok()) return up.status();
  for (const auto& [key, quantity] : UnitsOf(ret.lines())) {
    (*up)->Reset();
    (*up)->BindText(1, original.terminal_id());
    (*up)->BindText(2, original.client_txn_id());
    (*up)->BindText(3, key.first);
    (*up)->BindInt(4, key.second);
    (*up)->BindInt(5, sign * quantity);
    STOREAGENT_RETURN_IF_ERROR((*up)->Run());
  }
  return Status::Ok();
}

Result<Units> Returned(DbContext& ctx, const v1::ClientKey& original) {
  Result<Statement*> q = ctx.Prepare(
      "SELECT sku, unit, quantity FROM returned_units WHERE terminal_id = ?1 "
      "AND client_txn_id = ?2");
  if (!q.ok()) return q.status();
  (*q)->BindText(1, original.terminal_id());
  (*q)->BindText(2, original.client_txn_id());
  Units out;
  for (;;) {
    Result<bool> row = (*q)->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out[{std::string((*q)->ColumnText(0)),
         static_cast<int>((*q)->ColumnInt(1))}] = (*q)->ColumnInt(2);
  }
  (*q)->Reset();
  return out;
}

Result<bool> IsVoided(DbContext& ctx, const v1::ClientKey& key) {
  Result<Statement*> q = ctx.Prepare(
      "SELECT 1 FROM voided WHERE terminal_id = ?1 AND client_txn_id = ?2");
  if (!q.ok()) return q.status();
  (*q)->BindText(1, key.terminal_id());
  (*q)->BindText(2, key.client_txn_id());
  Result<bool> row = (*q)->Step();
  (*q)->Reset();
  return row;
}

std::string Name(const v1::ClientKey& k) {
  return "(" + k.terminal_id() + ", " + k.client_txn_id() + ")";
}

// A post-void of a return that was counted (it names a sale of this
// journal by client key): its units given back.
Status GiveBack(DbContext& ctx, const v1::PostVoid& pv) {
  Result<std::optional<v1::JournalEntry>> e =
      JournalStore::ReadByKey(ctx.db(), pv.original());
  if (!e.ok()) return e.status();
  if (!e->has_value()) return Status::Ok();
  const v1::JournalRecord& r = (**e).record();
  if (!r.has_transaction() || !r.transaction().has_return_()) {
    return Status::Ok();
  }
  const v1::Return& ret = r.transaction().return_();
  Result<std::optional<v1::JournalEntry>> sale = OriginalSale(ctx, ret);
  if (!sale.ok()) return sale.status();
  if (!sale->has_value()) return Status::Ok();
  return Count(ctx, ret.original().client_key(), ret, -1);
}

// A post-voided sale returns nothing; otherwise, per SKU and unit, the
// units returned so far plus this return's stay within what `sale` sold.
Status CheckLimit(DbContext& ctx, const v1::ClientKey& key,
                  const v1::Sale& sale, const v1::Return& ret) {
  Result<bool> voided = IsVoided(ctx, key);
  if (!voided.ok()) return voided.status();
  if (*voided) {
    return FailedPrecondition(
        "transaction.return.original.client_key: the sale " + Name(key) +
        " was post-voided; nothing of it can be returned");
  }
  const Units sold = UnitsOf(sale.lines());
  Result<Units> returned = Returned(ctx, key);
  if (!returned.ok()) return returned.status();
  const Units now = UnitsOf(ret.lines());
  for (int i = 0; i < ret.lines_size(); ++i) {
    const v1::TransactionLine& l = ret.lines(i);
    const std::pair<std::string, int> k{l.sku(), static_cast<int>(l.unit())};
    const int64_t s = At(sold, k), before = At(*returned, k);
    if (before + At(now, k) > s) {
      return FailedPrecondition(
          "transaction.return.lines[" + std::to_string(i) + "].quantity: SKU " +
          l.sku() + ": this return takes back " + std::to_string(At(now, k)) +
          ", but the sale " + Name(key) + " sold " + std::to_string(s) +
          " and earlier returns took back " + std::to_string(before) +
          " (at most " + std::to_string(s - before > 0 ? s - before : 0) + ")");
    }
  }
  return Status::Ok();
}

// AfterAppend (`check`) and Remember: a return of a sale of this journal is
// checked against the limit when asked, then counted; a post-void of such a
// return gives its units back.
Status Apply(DbContext& ctx, const v1::JournalRecord& record, bool check) {
  if (!record.has_transaction()) return Status::Ok();
  const v1::Transaction& txn = record.transaction();
  if (txn.has_post_void()) return GiveBack(ctx, txn.post_void());
  if (!txn.has_return_()) return Status::Ok();
  const v1::Return& ret = txn.return_();
  Result<std::optional<v1::JournalEntry>> sale = OriginalSale(ctx, ret);
  if (!sale.ok()) return sale.status();
  if (!sale->has_value()) return Status::Ok();
  const v1::ClientKey& key = ret.original().client_key();
  if (check) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckLimit(ctx, key, (**sale).record().transaction().sale(), ret));
  }
  return Count(ctx, key, ret, +1);
}

}  // namespace

Status ReturnLimits::AfterAppend(DbContext& ctx,
                                 const v1::JournalRecord& record) {
  return Apply(ctx, record, /*check=*/true);
}

Status ReturnLimits::Remember(DbContext& ctx, const v1::JournalRecord& record) {
  return Apply(ctx, record, /*check=*/false);
}

Status ReturnLimits::BuildIndexOnce(DbContext& ctx) {
  Result<uint64_t> built = SyncStore::ReadMetaU64(ctx, kMetaReturnedIndex);
  if (!built.ok()) return built.status();
  if (*built == 1) return Status::Ok();
  Result<std::vector<v1::JournalEntry>> entries =
      JournalStore::ReadWhere(ctx.db(), "kind IN ('return', 'post_void')");
  if (!entries.ok()) return entries.status();
  for (const v1::JournalEntry& e : *entries) {
    STOREAGENT_RETURN_IF_ERROR(Remember(ctx, e.record()));
  }
  return SyncStore::WriteMetaU64(ctx, kMetaReturnedIndex, 1);
}

}  // namespace storeagent::storage
