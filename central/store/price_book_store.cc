#include "central/store/price_book_store.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "central/store/sql_central_store.h"
#include "central/store/store_args.h"
#include "core/price_book.h"
#include "platform/crypto.h"

namespace storeagent::central::pricebook {
namespace {

// What differs between a price list and a promotion.
template <typename M>
struct Kind;
template <>
struct Kind<v1::PriceList> {
  static constexpr std::string_view kName = kPriceListKind;
  static void Put(const v1::PriceList& m, v1::CentralEvent& e) {
    *e.mutable_price_list() = m;
  }
  static std::string Summary(const v1::PriceList& m, int64_t now_us) {
    return SummaryOf(m, now_us).SerializeAsString();
  }
};
template <>
struct Kind<v1::Promotion> {
  static constexpr std::string_view kName = kPromotionKind;
  static void Put(const v1::Promotion& m, v1::CentralEvent& e) {
    *e.mutable_promotion() = m;
  }
  // A promotion is listed whole.
  static std::string Summary(const v1::Promotion&, int64_t) { return ""; }
};

// The scope's condition on a price_book row `b` for the store ?1 of region
// ?2 (both bound by the caller).
constexpr std::string_view kAppliesToStore =
    "(b.scope_all<>0 OR (b.scope_region<>'' AND b.scope_region=?2) OR "
    "EXISTS (SELECT 1 FROM price_book_stores s WHERE s.store_id=?1 AND "
    "s.kind=b.kind AND s.item_id=b.item_id))";

// Records that (store, kind, id, version) is queued and appends its event:
// false (nothing appended) when it was queued before. `row` is locked.
Result<bool> QueueOne(SqlTx& tx, StoreRow& row, const std::string& kind,
                      const std::string& id, uint64_t version,
                      const v1::CentralEvent& event, int64_t now_us) {
  const uint64_t seq = row.central_head_seq + 1;
  bool inserted = false;
  // A concurrent transaction queuing the same version (PostgreSQL) makes
  // this wait for it and then insert nothing.
  STOREAGENT_RETURN_IF_ERROR(
      tx.Query("INSERT INTO price_book_sent (store_id, kind, item_id, version, "
               "central_seq, queued_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
               "ON CONFLICT (store_id, kind, item_id, version) DO NOTHING "
               "RETURNING central_seq",
               {row.store_id, kind, id, SqlInt(version), SqlInt(seq), now_us},
               [&](const SqlRow&) {
                 inserted = true;
                 return Status::Ok();
               }));
  if (!inserted) return false;
  Result<PushResult> pushed = AppendLockedCentralEvent(
      tx, row, QueueKey(kind, id, version), event, now_us);
  if (!pushed.ok()) return pushed.status();
  if (pushed->replayed || pushed->central_seq != seq) {
    return Internal("price_book_sent: " + kind + " " + id + " version " +
                    std::to_string(version) + " for store " + row.store_id +
                    " was in central_events without its price_book_sent row");
  }
  return true;
}

// The stores a new version goes to (byte order): its scope's, and those an
// earlier version of the id went to.
Result<std::set<std::string>> Targets(SqlTx& tx, const std::string& kind,
                                      const std::string& id,
                                      const v1::PriceScope& scope) {
  std::set<std::string> out(scope.store_ids().begin(), scope.store_ids().end());
  auto add = [&](const SqlRow& r) {
    out.insert(r.Text(0));
    return Status::Ok();
  };
  if (!scope.region().empty()) {
    STOREAGENT_RETURN_IF_ERROR(tx.Query(
        "SELECT store_id FROM stores WHERE region=?1", {scope.region()}, add));
  }
  if (scope.all_stores()) {
    STOREAGENT_RETURN_IF_ERROR(
        tx.Query("SELECT store_id FROM stores", {}, add));
  }
  STOREAGENT_RETURN_IF_ERROR(
      tx.Query("SELECT DISTINCT store_id FROM price_book_sent "
               "WHERE kind=?1 AND item_id=?2",
               {kind, id}, add));
  return out;
}

template <typename M>
Result<PublishResult> PublishItem(SqlTx& tx, const M& incoming,
                                  int64_t now_us) {
  const std::string kind(Kind<M>::kName);
  const std::string& id = incoming.id();
  // The id's row, created empty (version 0) when new, and locked: a
  // concurrent publish of the same id (another replica) waits here, then
  // reads what that one committed.
  STOREAGENT_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO price_book (kind, item_id, version, scope_all, "
      "scope_region, body, summary, published_at_us) "
      "VALUES (?1, ?2, 0, 0, '', ?3, ?3, 0) ON CONFLICT (kind, item_id) "
      "DO UPDATE SET version=price_book.version",
      {kind, id, SqlBlob{std::string_view("")}}));
  std::optional<M> held;
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      "SELECT version, body FROM price_book WHERE kind=?1 AND item_id=?2",
      {kind, id}, [&](const SqlRow& r) -> Status {
        if (r.Int(0) == 0) return Status::Ok();  // new
        held.emplace();
        if (!held->ParseFromString(r.Blob(1))) {
          return DataLoss("price_book: " + kind + " " + id +
                          ": the held version does not parse");
        }
        return Status::Ok();
      }));
  Result<core::ApplyOutcome> outcome =
      core::DecideApply(incoming, held.has_value() ? &*held : nullptr);
  if (!outcome.ok()) return outcome.status();
  PublishResult out;
  out.outcome = *outcome;
  if (*outcome != core::ApplyOutcome::kAdded &&
      *outcome != core::ApplyOutcome::kReplaced) {
    return out;
  }
  const v1::PriceScope& scope = incoming.scope();
  const std::string body = incoming.SerializeAsString();
  const std::string summary = Kind<M>::Summary(incoming, now_us);
  STOREAGENT_RETURN_IF_ERROR(tx.Exec(
      "UPDATE price_book SET version=?3, scope_all=?4, scope_region=?5, "
      "body=?6, summary=?7, published_at_us=?8 WHERE kind=?1 AND item_id=?2",
      {kind, id, SqlInt(incoming.version()),
       int64_t{scope.all_stores() ? 1 : 0}, scope.region(), SqlBlob{body},
       SqlBlob{summary}, now_us}));
  STOREAGENT_RETURN_IF_ERROR(
      tx.Exec("DELETE FROM price_book_stores WHERE kind=?1 AND item_id=?2",
              {kind, id}));
  for (const std::string& store : scope.store_ids()) {
    STOREAGENT_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO price_book_stores (store_id, kind, item_id) "
                "VALUES (?1, ?2, ?3)",
                {store, kind, id}));
  }
  Result<std::set<std::string>> targets = Targets(tx, kind, id, scope);
  if (!targets.ok()) return targets.status();
  v1::CentralEvent event;
  Kind<M>::Put(incoming, event);
  // Store rows are locked in byte order, so two publishes never wait for
  // each other in a cycle.
  for (const std::string& store : *targets) {
    Result<StoreRow> row = LockStore(tx, store);
    if (!row.ok()) return row.status();
    Result<bool> queued =
        QueueOne(tx, *row, kind, id, incoming.version(), event, now_us);
    if (!queued.ok()) return queued.status();
    if (*queued) out.stores_queued.push_back(store);
  }
  return out;
}

// One version a store is due, as read.
struct Due {
  std::string kind;
  std::string id;
  uint64_t version = 0;
  std::string body;
};

}  // namespace

std::string QueueKey(std::string_view kind, const std::string& id,
                     uint64_t version) {
  std::string what = id;
  what.push_back('\0');
  what += std::to_string(version);
  const crypto::Digest d = crypto::Sha256(what);
  return "#" + std::string(kind) + ":" +
         crypto::ToHex(crypto::AsBytes(d)).substr(0, 40);
}

Status CheckScopeStoreIds(const v1::PriceScope& scope,
                          const std::string& field) {
  for (int i = 0; i < scope.store_ids_size(); ++i) {
    Status st = ValidateStoreId(scope.store_ids(i));
    if (!st.ok()) {
      // "store_id: <why>" -> "<field>[i]: <why>".
      const std::string& why = st.message();
      const size_t colon = why.find(": ");
      return InvalidArgument(
          field + "[" + std::to_string(i) +
          "]: " + (colon == std::string::npos ? why : why.substr(colon + 2)) +
          " (a store id at central)");
    }
  }
  return Status::Ok();
}

v1::PriceListSummary SummaryOf(const v1::PriceList& list, int64_t now_us) {
  v1::PriceListSummary s;
  s.set_id(list.id());
  s.set_version(list.version());
  s.set_currency(list.currency());
  *s.mutable_scope() = list.scope();
  s.set_effective_from_us(list.effective_from_us());
  s.set_effective_to_us(list.effective_to_us());
  s.set_entry_count(static_cast<uint32_t>(list.entries_size()));
  s.set_published_at_us(now_us);
  return s;
}

Result<PublishResult> Publish(SqlTx& tx, const v1::PriceList& list,
                              int64_t now_us) {
  return PublishItem(tx, list, now_us);
}

Result<PublishResult> Publish(SqlTx& tx, const v1::Promotion& promotion,
                              int64_t now_us) {
  return PublishItem(tx, promotion, now_us);
}

Result<uint32_t> QueueForStore(SqlTx& tx, StoreRow& row, int64_t now_us) {
  std::vector<Due> due;
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      "SELECT b.kind, b.item_id, b.version, b.body FROM price_book b "
      "WHERE b.version>0 AND " +
          std::string(kAppliesToStore) +
          " AND NOT EXISTS (SELECT 1 FROM price_book_sent t WHERE "
          "t.store_id=?1 AND t.kind=b.kind AND t.item_id=b.item_id AND "
          "t.version=b.version) ORDER BY b.kind, b.item_id",
      {row.store_id, row.region}, [&](const SqlRow& r) {
        due.push_back(
            {r.Text(0), r.Text(1), static_cast<uint64_t>(r.Int(2)), r.Blob(3)});
        return Status::Ok();
      }));
  uint32_t queued = 0;
  for (const Due& d : due) {
    v1::CentralEvent event;
    bool parsed = false;
    if (d.kind == kPriceListKind) {
      parsed = event.mutable_price_list()->ParseFromString(d.body);
    } else if (d.kind == kPromotionKind) {
      parsed = event.mutable_promotion()->ParseFromString(d.body);
    }
    if (!parsed) {
      return DataLoss("price_book: " + d.kind + " " + d.id +
                      ": the held version does not parse");
    }
    Result<bool> one =
        QueueOne(tx, row, d.kind, d.id, d.version, event, now_us);
    if (!one.ok()) return one.status();
    if (*one) ++queued;
  }
  return queued;
}

Result<PriceBookRead> Read(SqlTx& tx, const std::string& store_id,
                           bool whole_lists) {
  PriceBookRead out;
  if (!store_id.empty()) {
    STOREAGENT_RETURN_IF_ERROR(
        tx.Query("SELECT region FROM stores WHERE store_id=?1", {store_id},
                 [&](const SqlRow& r) {
                   out.store_known = true;
                   out.region = r.Text(0);
                   return Status::Ok();
                 }));
  }
  const std::string where =
      " FROM price_book b WHERE b.kind=?3 AND "
      "b.version>0 AND (?1='' OR " +
      std::string(kAppliesToStore) + ") ORDER BY b.item_id";
  const std::string list_kind(kPriceListKind);
  const std::string promotion_kind(kPromotionKind);
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      (whole_lists ? "SELECT b.item_id, b.summary, b.body"
                   : "SELECT b.item_id, b.summary") +
          where,
      {store_id, out.region, list_kind}, [&](const SqlRow& r) -> Status {
        v1::PriceListSummary& s = out.summaries.emplace_back();
        if (!s.ParseFromString(r.Blob(1)) ||
            (whole_lists &&
             !out.lists.emplace_back().ParseFromString(r.Blob(2)))) {
          return DataLoss("price_book: price_list " + r.Text(0) +
                          ": the held version does not parse");
        }
        return Status::Ok();
      }));
  STOREAGENT_RETURN_IF_ERROR(tx.Query(
      "SELECT b.item_id, b.body" + where,
      {store_id, out.region, promotion_kind}, [&](const SqlRow& r) -> Status {
        if (!out.promotions.emplace_back().ParseFromString(r.Blob(1))) {
          return DataLoss("price_book: promotion " + r.Text(0) +
                          ": the held version does not parse");
        }
        return Status::Ok();
      }));
  return out;
}

}  // namespace storeagent::central::pricebook
