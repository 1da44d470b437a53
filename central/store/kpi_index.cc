#include "central/store/kpi_index.h"

#include <utility>

#include "central/store/kpi_rules.h"

namespace storeagent::central::kpi {
namespace {

constexpr std::string_view kSaleColumns =
    "store_id, terminal_id, client_txn_id, seq, recorded_at_us, "
    "receipt_number, order_ref, channel, business_day, total_minor, lines, "
    "member, voided";
// Column types for SqlRows: t(ext), i(nteger).
constexpr std::string_view kSaleTypes = "tttiittttiiii";

SaleRow SaleFrom(const SqlRow& r) {
  SaleRow s;
  s.store_id = r.Text(0);
  s.terminal_id = r.Text(1);
  s.client_txn_id = r.Text(2);
  s.seq = SqlUint(r.Int(3));
  s.recorded_at_us = r.Int(4);
  s.receipt_number = r.Text(5);
  s.order_ref = r.Text(6);
  s.channel = r.Text(7);
  s.business_day = r.Text(8);
  s.total_minor = r.Int(9);
  s.lines = r.Int(10);
  s.member = r.Int(11) != 0;
  s.voided = r.Int(12) != 0;
  return s;
}

void SaleParams(const SaleRow& s, std::vector<SqlParam>& out) {
  out.insert(
      out.end(),
      {std::string_view(s.store_id), std::string_view(s.terminal_id),
       std::string_view(s.client_txn_id), SqlInt(s.seq), s.recorded_at_us,
       std::string_view(s.receipt_number), std::string_view(s.order_ref),
       std::string_view(s.channel), std::string_view(s.business_day),
       s.total_minor, s.lines, int64_t{s.member}, int64_t{s.voided}});
}

constexpr std::string_view kReturnColumns =
    "store_id, seq, terminal_id, client_txn_id, recorded_at_us, total_minor, "
    "voided, orig_store, orig_terminal, orig_txn, orig_reference, "
    "orig_channel, orig_business_day, orig_sold_at_us, resolved, res_store, "
    "res_seq, res_order_ref, res_sold_at_us, res_channel, res_business_day, "
    "cycle_bucket";
constexpr std::string_view kReturnTypes = "tittiiittttttiitititti";

ReturnRow ReturnFrom(const SqlRow& r) {
  ReturnRow x;
  x.store_id = r.Text(0);
  x.seq = SqlUint(r.Int(1));
  x.terminal_id = r.Text(2);
  x.client_txn_id = r.Text(3);
  x.recorded_at_us = r.Int(4);
  x.total_minor = r.Int(5);
  x.voided = r.Int(6) != 0;
  x.orig_store = r.Text(7);
  x.orig_terminal = r.Text(8);
  x.orig_txn = r.Text(9);
  x.orig_reference = r.Text(10);
  x.orig_channel = r.Text(11);
  x.orig_business_day = r.Text(12);
  x.orig_sold_at_us = r.Int(13);
  x.resolved = r.Int(14) != 0;
  x.res.store_id = r.Text(15);
  x.res.seq = SqlUint(r.Int(16));
  x.res.order_ref = r.Text(17);
  x.res.sold_at_us = r.Int(18);
  x.res.channel = r.Text(19);
  x.res.business_day = r.Text(20);
  x.cycle_bucket = static_cast<int>(r.Int(21));
  return x;
}

void ReturnParams(const ReturnRow& x, std::vector<SqlParam>& out) {
  out.insert(out.end(), {std::string_view(x.store_id),
                         SqlInt(x.seq),
                         std::string_view(x.terminal_id),
                         std::string_view(x.client_txn_id),
                         x.recorded_at_us,
                         x.total_minor,
                         int64_t{x.voided},
                         std::string_view(x.orig_store),
                         std::string_view(x.orig_terminal),
                         std::string_view(x.orig_txn),
                         std::string_view(x.orig_reference),
                         std::string_view(x.orig_channel),
                         std::string_view(x.orig_business_day),
                         x.orig_sold_at_us,
                         int64_t{x.resolved},
                         std::string_view(x.res.store_id),
                         SqlInt(x.res.seq),
                         std::string_view(x.res.order_ref),
                         x.res.sold_at_us,
                         std::string_view(x.res.channel),
                         std::string_view(x.res.business_day),
                         int64_t{x.cycle_bucket}});
}

const std::string kSelectSale =
    "SELECT " + std::string(kSaleColumns) + " FROM kpi_sales ";
const std::string kSelectReturn =
    "SELECT " + std::string(kReturnColumns) + " FROM kpi_returns ";
constexpr std::string_view kHoldColumns =
    "store_id, order_ref, placed_at_us, picked_at_us, state, finished_at_us";

HoldRow HoldFrom(const SqlRow& r) {
  HoldRow h;
  h.store_id = r.Text(0);
  h.order_ref = r.Text(1);
  h.placed_at_us = r.Int(2);
  h.picked_at_us = r.Int(3);
  h.state = r.Text(4);
  h.finished_at_us = r.Int(5);
  return h;
}

// The lookups of earlier batches' rows, one key each (SqlLookup's shape:
// the query, its key's column types, its width).
enum Lookup {
  kSaleByKey,       // (store, terminal, client txn): the latest by seq
  kSaleByReceipt,   // (store, receipt, business day or "", return's time):
                    // BetterReceiptMatch's best
  kSaleByOrder,     // (order_ref): the first by store (bytes) and seq
  kCollectedHold,   // (order_ref): at any store, the first by store (bytes)
  kReturnByKey,     // (store, terminal, client txn): the latest by seq
  kHold,            // (store, order_ref)
  kPendingByStore,  // (orig_store): every pending return naming it
  kPendingByOrder,  // (orig_reference): pending online returns naming it
  kLookups
};

const std::vector<SqlLookup>& Shapes() {
  static const std::string sql[kLookups] = {
      // The latest with that key: a key the till sent twice (its agent
      // forgot it) has a row per sale.
      kSelectSale +
          "WHERE store_id=?1 AND terminal_id=?2 AND client_txn_id=?3 "
          "ORDER BY seq DESC LIMIT 1",
      // BetterReceiptMatch's order (the latest recorded at or before the
      // return, else the earliest after it).
      kSelectSale +
          "WHERE store_id=?1 AND receipt_number=?2 AND receipt_number<>'' "
          "AND (?3='' OR business_day=?3) ORDER BY "
          "CASE WHEN recorded_at_us<=CAST(?4 AS BIGINT) THEN 0 ELSE 1 END, "
          "CASE WHEN recorded_at_us<=CAST(?4 AS BIGINT) THEN -recorded_at_us "
          "ELSE recorded_at_us END, "
          "CASE WHEN recorded_at_us<=CAST(?4 AS BIGINT) THEN -seq ELSE seq "
          "END LIMIT 1",
      kSelectSale +
          "WHERE order_ref=?1 AND order_ref<>'' "
          "ORDER BY store_id COLLATE \"C\", seq LIMIT 1",
      "SELECT " + std::string(kHoldColumns) +
          " FROM kpi_holds WHERE order_ref=?1 AND state='collected' "
          "ORDER BY store_id COLLATE \"C\" LIMIT 1",
      // The latest, as for sales (a void names the last use of its key).
      kSelectReturn +
          "WHERE store_id=?1 AND terminal_id=?2 AND client_txn_id=?3 "
          "ORDER BY seq DESC LIMIT 1",
      "SELECT " + std::string(kHoldColumns) +
          " FROM kpi_holds WHERE store_id=?1 AND order_ref=?2",
      kSelectReturn + "WHERE orig_store=?1 AND resolved=0",
      kSelectReturn +
          "WHERE orig_reference=?1 AND resolved=0 "
          "AND orig_channel IN ('online', 'click_and_collect')",
  };
  // The returns a batch may change (void, resolve) are locked: another
  // store's batch may change the same row at the same time (a void of its
  // return, a resolution of a return naming it), and each writes back what
  // it read.
  static const std::vector<SqlLookup> shapes = {
      {sql[kSaleByKey], "ttt", 13, {}, SqlLock::kNone},
      {sql[kSaleByReceipt], "tttt", 13, {}, SqlLock::kNone},
      {sql[kSaleByOrder], "t", 13, {}, SqlLock::kNone},
      {sql[kCollectedHold], "t", 6, {}, SqlLock::kNone},
      {sql[kReturnByKey], "ttt", 22, {}, SqlLock::kUpdate},
      {sql[kHold], "tt", 6, {}, SqlLock::kNone},
      {sql[kPendingByStore], "t", 22, {}, SqlLock::kUpdate},
      {sql[kPendingByOrder], "t", 22, {}, SqlLock::kUpdate},
  };
  return shapes;
}

// Adds the row `r` (if any) to a memo entry.
template <typename T, typename From>
void Put(std::vector<T>& rows, const SqlRow* r, From from) {
  if (r != nullptr) rows.push_back(from(*r));
}

// A lookup's key as one string: each part's length, then the part.
std::string MemoKey(const std::vector<std::string_view>& key) {
  std::string out;
  for (std::string_view k : key) {
    out += std::to_string(k.size());
    out += ':';
    out += k;
  }
  return out;
}

// docs/kpis.md, "Original resolution": of two sales with a return's
// receipt number, whether `a` is the better original of a return recorded
// at `at`: one recorded at or before the return beats one after it; of
// two before, the later (recorded_at_us, then seq); of two after, the
// earlier. kSaleByReceipt's ORDER BY is the same rule.
bool BetterReceiptMatch(const SaleRow& a, const SaleRow& b, int64_t at) {
  const bool a_before = a.recorded_at_us <= at;
  const bool b_before = b.recorded_at_us <= at;
  if (a_before != b_before) return a_before;
  const auto ka = std::make_pair(a.recorded_at_us, a.seq);
  const auto kb = std::make_pair(b.recorded_at_us, b.seq);
  return a_before ? ka > kb : ka < kb;
}

// Whether a return's row needs no write: what a batch may change of it
// (a void, a resolution and its sample) is as it was read.
bool SameState(const ReturnRow& a, const ReturnRow& b) {
  return a.voided == b.voided && a.resolved == b.resolved &&
         a.cycle_bucket == b.cycle_bucket && a.res.store_id == b.res.store_id &&
         a.res.seq == b.res.seq && a.res.order_ref == b.res.order_ref &&
         a.res.sold_at_us == b.res.sold_at_us &&
         a.res.channel == b.res.channel &&
         a.res.business_day == b.res.business_day;
}

}  // namespace

bool BringsOriginals(const IngestPlan& plan) {
  for (const PlannedEntry& p : plan.entries) {
    if (!p.quarantine_reason.empty()) continue;
    const v1::JournalRecord& r = p.entry->record();
    if (r.has_transaction() && r.transaction().has_sale()) return true;
    if (r.has_stock() && r.stock().has_hold_collected()) return true;
  }
  return false;
}

SaleRow SaleRow::Of(const std::string& store_id, const v1::JournalRecord& r) {
  const v1::Sale& s = r.transaction().sale();
  SaleRow x;
  x.store_id = store_id;
  x.terminal_id = r.client_key().terminal_id();
  x.client_txn_id = r.client_key().client_txn_id();
  x.seq = r.seq();
  x.recorded_at_us = r.recorded_at_us();
  x.receipt_number = s.receipt_number();
  x.order_ref = s.order_ref();
  x.channel = std::string(ChannelName(s.channel()));
  x.business_day = s.business_day();
  x.total_minor = s.totals().total().minor_units();
  x.lines = s.lines_size();
  x.member = s.has_member();
  return x;
}

Original Original::OfSale(const SaleRow& s) {
  Original o;
  o.store_id = s.store_id;
  o.seq = s.seq;
  o.order_ref = s.order_ref;
  o.sold_at_us = s.recorded_at_us;
  o.channel = s.channel;
  o.business_day = s.business_day;
  return o;
}

ReturnRow ReturnRow::Of(const std::string& store_id,
                        const v1::JournalRecord& r) {
  const v1::Return& t = r.transaction().return_();
  const v1::OriginalTransaction& o = t.original();
  ReturnRow x;
  x.store_id = store_id;
  x.seq = r.seq();
  x.terminal_id = r.client_key().terminal_id();
  x.client_txn_id = r.client_key().client_txn_id();
  x.recorded_at_us = r.recorded_at_us();
  x.total_minor = t.totals().total().minor_units();
  x.orig_store = o.store_id().empty() ? store_id : o.store_id();
  x.orig_terminal = o.client_key().terminal_id();
  x.orig_txn = o.client_key().client_txn_id();
  x.orig_reference = o.reference();
  x.orig_channel = o.channel();
  x.orig_business_day = o.business_day();
  x.orig_sold_at_us = o.sold_at_us();
  return x;
}

template <typename T, typename From>
Result<const std::vector<T>*> KpiIndex::Read(
    Memo<T>& memo, const SqlLookup& lookup,
    const std::vector<std::string_view>& key, From from) {
  const std::string memo_key = MemoKey(key);
  auto it = memo.find(memo_key);
  if (it != memo.end()) return &it->second;
  std::vector<T>& rows = memo[memo_key];
  SqlLookup one{lookup.sql, lookup.types, lookup.width, {}, lookup.lock};
  for (std::string_view k : key) one.flat.emplace_back(k);
  STOREAGENT_RETURN_IF_ERROR(
      tx_.QueryLookups({one}, [&](size_t, size_t, const SqlRow& r) {
        rows.push_back(from(r));
        return Status::Ok();
      }));
  return &rows;
}

Status KpiIndex::Prefetch(const IngestPlan& plan) {
  // Each lookup's keys, once each, skipping what the batch answers itself
  // (the lookups below look in the batch first).
  std::vector<std::vector<std::string>> keys[kLookups];
  std::set<std::string> wanted[kLookups];
  auto want = [&](Lookup l, std::vector<std::string> key) {
    std::vector<std::string_view> parts(key.begin(), key.end());
    if (wanted[l].insert(MemoKey(parts)).second) {
      keys[l].push_back(std::move(key));
    }
  };
  std::set<std::pair<std::string, std::string>> sales, returns;
  std::set<std::string> holds, orders;
  std::set<std::string> others;  // other stores a return names (sorted)
  for (const PlannedEntry& p : plan.entries) {
    if (!p.quarantine_reason.empty()) continue;
    const v1::JournalRecord& r = p.entry->record();
    const std::pair<std::string, std::string> own = {
        r.client_key().terminal_id(), r.client_key().client_txn_id()};
    if (r.has_transaction() && r.transaction().has_sale()) {
      const v1::Sale& sale = r.transaction().sale();
      sales.insert(own);
      if (!sale.order_ref().empty()) orders.insert(sale.order_ref());
    } else if (r.has_transaction() && r.transaction().has_return_()) {
      returns.insert(own);
      const v1::OriginalTransaction& o = r.transaction().return_().original();
      const std::string& store = o.store_id().empty() ? store_ : o.store_id();
      const bool here = store == store_;
      if (!here) others.insert(store);
      const v1::ClientKey& k = o.client_key();
      if (!k.terminal_id().empty() && !k.client_txn_id().empty()) {
        if (here && sales.count({k.terminal_id(), k.client_txn_id()}) > 0) {
          continue;
        }
        want(kSaleByKey, {store, k.terminal_id(), k.client_txn_id()});
      }
      if (o.reference().empty()) continue;
      // A sale of the batch with that receipt does not answer it: an
      // earlier batch may hold a better match (SaleByReceipt).
      want(kSaleByReceipt, {store, o.reference(), o.business_day(),
                            std::to_string(r.recorded_at_us())});
      if (!IsOnlineChannel(o.channel())) continue;
      want(kCollectedHold, {o.reference()});
      want(kSaleByOrder, {o.reference()});
    } else if (r.has_transaction() && r.transaction().has_post_void()) {
      const v1::ClientKey& k = r.transaction().post_void().original();
      const std::pair<std::string, std::string> key = {k.terminal_id(),
                                                       k.client_txn_id()};
      if (sales.count(key) > 0) continue;
      want(kSaleByKey, {store_, key.first, key.second});
      if (returns.count(key) == 0) {
        want(kReturnByKey, {store_, key.first, key.second});
      }
    } else if (r.has_stock()) {
      const v1::StockEvent& e = r.stock();
      const std::string* ref = nullptr;
      switch (e.kind_case()) {
        case v1::StockEvent::kHoldPlaced:
          holds.insert(e.hold_placed().order_ref());
          continue;
        case v1::StockEvent::kHoldPicked:
          ref = &e.hold_picked().order_ref();
          break;
        case v1::StockEvent::kHoldCollected:
          ref = &e.hold_collected().order_ref();
          orders.insert(*ref);
          break;
        case v1::StockEvent::kHoldShortPicked:
          ref = &e.hold_short_picked().order_ref();
          break;
        case v1::StockEvent::kHoldCancelled:
          ref = &e.hold_cancelled().order_ref();
          break;
        case v1::StockEvent::kHoldExpired:
          ref = &e.hold_expired().order_ref();
          break;
        default:
          continue;
      }
      if (holds.insert(*ref).second) want(kHold, {store_, *ref});
    }
  }
  if (BringsOriginals(plan)) {
    if (store_pending_) want(kPendingByStore, {store_});
    for (const std::string& o : orders) want(kPendingByOrder, {o});
  }

  // Another store's rows are looked at only once its running ingest (if
  // any) has committed, and its next one waits for this one: its store row
  // is taken FOR SHARE (its ingest holds it FOR UPDATE), in a statement of
  // its own before the reads below so that they see what it committed.
  // Else a return and its original committed at the same time by two
  // stores would see neither the other, and stay pending (docs/kpis.md).
  if (!others.empty()) {
    SqlLookup share{"SELECT store_id FROM stores WHERE store_id=?1",
                    "t",
                    1,
                    {},
                    SqlLock::kShare};
    for (const std::string& s : others) share.flat.emplace_back(s);
    STOREAGENT_RETURN_IF_ERROR(tx_.QueryLookups(
        {share}, [](size_t, size_t, const SqlRow&) { return Status::Ok(); }));
  }
  std::vector<SqlLookup> all;
  std::vector<Lookup> which;
  for (int l = 0; l < kLookups; ++l) {
    if (keys[l].empty()) continue;
    SqlLookup q = Shapes()[static_cast<size_t>(l)];
    for (const std::vector<std::string>& key : keys[l]) {
      for (const std::string& part : key) q.flat.emplace_back(part);
    }
    all.push_back(std::move(q));
    which.push_back(static_cast<Lookup>(l));
  }
  if (all.empty()) return Status::Ok();
  // The memo entry of lookup l's key-th key, with `r` added (nullptr: none,
  // so a key with no row is known to have none).
  auto put = [&](Lookup l, size_t key, const SqlRow* r) {
    const std::vector<std::string>& k = keys[l][key];
    const std::string m =
        MemoKey(std::vector<std::string_view>(k.begin(), k.end()));
    switch (l) {
      case kSaleByKey:
        return Put(sale_by_key_db_[m], r, SaleFrom);
      case kSaleByReceipt:
        return Put(sale_by_receipt_db_[m], r, SaleFrom);
      case kSaleByOrder:
        return Put(sale_by_order_db_[m], r, SaleFrom);
      case kCollectedHold:
        return Put(collected_db_[m], r, HoldFrom);
      case kReturnByKey:
        return Put(return_by_key_db_[m], r, ReturnFrom);
      case kHold:
        return Put(hold_db_[m], r, HoldFrom);
      case kPendingByStore:
        return Put(pending_by_store_db_[m], r, ReturnFrom);
      case kPendingByOrder:
        return Put(pending_by_order_db_[m], r, ReturnFrom);
      case kLookups:
        return;
    }
  };
  for (Lookup l : which) {
    for (size_t key = 0; key < keys[l].size(); ++key) put(l, key, nullptr);
  }
  return tx_.QueryLookups(all, [&](size_t q, size_t key, const SqlRow& r) {
    if (q >= which.size() || key >= keys[which[q]].size()) {
      return Internal("QueryLookups: row of lookup " + std::to_string(q) +
                      " key " + std::to_string(key) + " out of range");
    }
    put(which[q], key, &r);
    return Status::Ok();
  });
}

void KpiIndex::AddSale(SaleRow s) {
  sales_.push_back(std::move(s));
  SaleRow* p = &sales_.back();
  sale_by_key_[{p->terminal_id, p->client_txn_id}] = p;
  if (!p->receipt_number.empty()) {
    sale_by_receipt_[p->receipt_number].push_back(p);
  }
  if (!p->order_ref.empty()) {
    sale_by_order_.try_emplace(p->order_ref, p);
    new_orders_.insert(p->order_ref);
  }
  new_originals_ = true;
}

void KpiIndex::AddReturn(ReturnRow r) {
  returns_.push_back(std::move(r));
  ReturnRow* p = &returns_.back();
  return_by_key_[{p->terminal_id, p->client_txn_id}] = p;
}

void KpiIndex::PutHold(HoldRow h) {
  std::string key = h.order_ref;
  holds_[key] = std::move(h);
}

Result<HoldRow*> KpiIndex::HoldForUpdate(const std::string& order_ref) {
  auto it = holds_.find(order_ref);
  if (it != holds_.end()) return &it->second;
  Result<const std::vector<HoldRow>*> db =
      Read(hold_db_, Shapes()[kHold], {store_, order_ref}, HoldFrom);
  if (!db.ok()) return db.status();
  HoldRow h;
  if (!(*db)->empty()) h = (*db)->front();
  h.store_id = store_;
  h.order_ref = order_ref;
  return &(holds_[order_ref] = std::move(h));
}

void KpiIndex::NoteCollected(const std::string& order_ref) {
  new_orders_.insert(order_ref);
  new_originals_ = true;
}

namespace {

// The first of `rows`, or nullopt.
template <typename T>
Result<std::optional<T>> FirstOf(Result<const std::vector<T>*> rows) {
  if (!rows.ok()) return rows.status();
  if ((*rows)->empty()) return std::optional<T>();
  return std::optional<T>((*rows)->front());
}

}  // namespace

Result<std::optional<SaleRow>> KpiIndex::SaleByKey(
    const std::string& store_id, const std::string& terminal_id,
    const std::string& client_txn_id) {
  if (store_id == store_) {
    auto it = sale_by_key_.find({terminal_id, client_txn_id});
    if (it != sale_by_key_.end()) return std::optional(*it->second);
  }
  if (local_only_) return std::optional<SaleRow>();
  return FirstOf(Read(sale_by_key_db_, Shapes()[kSaleByKey],
                      {store_id, terminal_id, client_txn_id}, SaleFrom));
}

Result<std::optional<SaleRow>> KpiIndex::SaleByReceipt(
    const std::string& store_id, const std::string& receipt,
    const std::string& business_day, int64_t return_at_us) {
  std::optional<SaleRow> best;
  auto consider = [&](const SaleRow& s) {
    if (!business_day.empty() && s.business_day != business_day) return;
    if (!best || BetterReceiptMatch(s, *best, return_at_us)) best = s;
  };
  if (store_id == store_) {
    auto it = sale_by_receipt_.find(receipt);
    if (it != sale_by_receipt_.end()) {
      for (const SaleRow* s : it->second) consider(*s);
    }
  }
  if (local_only_) return best;
  const std::string at = std::to_string(return_at_us);
  Result<const std::vector<SaleRow>*> db =
      Read(sale_by_receipt_db_, Shapes()[kSaleByReceipt],
           {store_id, receipt, business_day, at}, SaleFrom);
  if (!db.ok()) return db.status();
  for (const SaleRow& s : **db) consider(s);
  return best;
}

Result<std::optional<SaleRow>> KpiIndex::SaleByOrder(
    const std::string& order_ref) {
  auto it = sale_by_order_.find(order_ref);
  if (it != sale_by_order_.end()) return std::optional(*it->second);
  if (local_only_) return std::optional<SaleRow>();
  return FirstOf(
      Read(sale_by_order_db_, Shapes()[kSaleByOrder], {order_ref}, SaleFrom));
}

Result<std::optional<HoldRow>> KpiIndex::CollectedHold(
    const std::string& order_ref) {
  auto it = holds_.find(order_ref);
  if (it != holds_.end() && it->second.state == "collected") {
    return std::optional(it->second);
  }
  if (local_only_) return std::optional<HoldRow>();
  return FirstOf(
      Read(collected_db_, Shapes()[kCollectedHold], {order_ref}, HoldFrom));
}

Result<std::optional<SaleRow*>> KpiIndex::SaleToVoid(
    const std::string& terminal_id, const std::string& client_txn_id) {
  auto it = sale_by_key_.find({terminal_id, client_txn_id});
  SaleRow* s = nullptr;
  if (it != sale_by_key_.end()) {
    s = it->second;
  } else {
    Result<std::optional<SaleRow>> db =
        FirstOf(Read(sale_by_key_db_, Shapes()[kSaleByKey],
                     {store_, terminal_id, client_txn_id}, SaleFrom));
    if (!db.ok()) return db.status();
    if (!db->has_value()) return std::optional<SaleRow*>();
    old_sales_voided_.push_back(std::move(**db));
    s = &old_sales_voided_.back();
    sale_by_key_[{terminal_id, client_txn_id}] = s;
  }
  if (s->voided) return std::optional<SaleRow*>();
  s->voided = true;
  return std::optional(s);
}

Result<std::optional<ReturnRow*>> KpiIndex::ReturnToVoid(
    const std::string& terminal_id, const std::string& client_txn_id) {
  auto it = return_by_key_.find({terminal_id, client_txn_id});
  ReturnRow* r = nullptr;
  if (it != return_by_key_.end()) {
    r = it->second;
  } else {
    Result<std::optional<ReturnRow>> db =
        FirstOf(Read(return_by_key_db_, Shapes()[kReturnByKey],
                     {store_, terminal_id, client_txn_id}, ReturnFrom));
    if (!db.ok()) return db.status();
    if (!db->has_value()) return std::optional<ReturnRow*>();
    old_returns_.emplace_back(**db, **db);
    r = &old_returns_.back().first;
    old_return_keys_.insert({r->store_id, r->seq});
    return_by_key_[{terminal_id, client_txn_id}] = r;
  }
  if (r->voided) return std::optional<ReturnRow*>();
  r->voided = true;
  return std::optional(r);
}

Result<std::vector<ReturnRow*>> KpiIndex::PendingReturns() {
  std::vector<ReturnRow*> out;
  for (ReturnRow& r : returns_) {
    if (!r.resolved) out.push_back(&r);
  }
  auto keep = [&](Result<const std::vector<ReturnRow>*> rows) -> Status {
    if (!rows.ok()) return rows.status();
    for (const ReturnRow& r : **rows) {
      if (!old_return_keys_.insert({r.store_id, r.seq}).second) continue;
      old_returns_.emplace_back(r, r);
      out.push_back(&old_returns_.back().first);
    }
    return Status::Ok();
  };
  if (store_pending_) {
    STOREAGENT_RETURN_IF_ERROR(
        keep(Read(pending_by_store_db_, Shapes()[kPendingByStore], {store_},
                  ReturnFrom)));
  }
  for (const std::string& order : new_orders_) {
    STOREAGENT_RETURN_IF_ERROR(keep(Read(
        pending_by_order_db_, Shapes()[kPendingByOrder], {order}, ReturnFrom)));
  }
  local_only_ = true;
  return out;
}

void KpiIndex::AppendWrites(std::vector<SqlRows>& out) const {
  static const std::string kInsertSale =
      "INSERT INTO kpi_sales (" + std::string(kSaleColumns) + ")";
  static const std::string kInsertReturn =
      "INSERT INTO kpi_returns (" + std::string(kReturnColumns) + ")";
  SqlRows sales{kInsertSale, "", kSaleTypes, {}};
  for (const SaleRow& s : sales_) SaleParams(s, sales.flat);
  out.push_back(std::move(sales));
  // The batch's sales are new seqs (the ingest holds the store's row), so
  // a plain INSERT: no conflict check per row. Earlier sales this batch
  // voided: distinct keys (sale_by_key_).
  SqlRows voided{kInsertSale,
                 "ON CONFLICT (store_id, terminal_id, client_txn_id, seq) DO "
                 "UPDATE SET voided=excluded.voided",
                 kSaleTypes,
                 {}};
  for (const SaleRow& s : old_sales_voided_) SaleParams(s, voided.flat);
  out.push_back(std::move(voided));
  // The batch's returns, new seqs too; earlier ones it changed.
  SqlRows new_returns{kInsertReturn, "", kReturnTypes, {}};
  for (const ReturnRow& r : returns_) ReturnParams(r, new_returns.flat);
  out.push_back(std::move(new_returns));
  SqlRows returns{kInsertReturn,
                  "ON CONFLICT (store_id, seq) DO UPDATE SET "
                  "voided=excluded.voided, resolved=excluded.resolved, "
                  "res_store=excluded.res_store, res_seq=excluded.res_seq, "
                  "res_order_ref=excluded.res_order_ref, "
                  "res_sold_at_us=excluded.res_sold_at_us, "
                  "res_channel=excluded.res_channel, "
                  "res_business_day=excluded.res_business_day, "
                  "cycle_bucket=excluded.cycle_bucket",
                  kReturnTypes,
                  {}};
  for (const auto& [now, read] : old_returns_) {
    if (!SameState(now, read)) ReturnParams(now, returns.flat);
  }
  out.push_back(std::move(returns));
  SqlRows holds{
      "INSERT INTO kpi_holds (store_id, order_ref, placed_at_us, "
      "picked_at_us, state, finished_at_us)",
      "ON CONFLICT (store_id, order_ref) DO UPDATE SET "
      "placed_at_us=excluded.placed_at_us, "
      "picked_at_us=excluded.picked_at_us, state=excluded.state, "
      "finished_at_us=excluded.finished_at_us",
      "ttiiti",
      {}};
  for (const auto& entry : holds_) {
    const HoldRow& h = entry.second;
    holds.flat.insert(
        holds.flat.end(),
        {std::string_view(h.store_id), std::string_view(h.order_ref),
         h.placed_at_us, h.picked_at_us, std::string_view(h.state),
         h.finished_at_us});
  }
  out.push_back(std::move(holds));
}

}  // namespace storeagent::central::kpi
