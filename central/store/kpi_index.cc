#include "central/store/kpi_index.h"

#include <utility>

#include "central/store/kpi_rules.h"

namespace storeagent::central::kpi {
namespace {

int64_t I(uint64_t v) { return static_cast<int64_t>(v); }
uint64_t U(int64_t v) { return static_cast<uint64_t>(v); }

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
  s.seq = U(r.Int(3));
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
  out.insert(out.end(),
             {std::string_view(s.store_id), std::string_view(s.terminal_id),
              std::string_view(s.client_txn_id), I(s.seq), s.recorded_at_us,
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
  x.seq = U(r.Int(1));
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
  x.res.seq = U(r.Int(16));
  x.res.order_ref = r.Text(17);
  x.res.sold_at_us = r.Int(18);
  x.res.channel = r.Text(19);
  x.res.business_day = r.Text(20);
  x.cycle_bucket = static_cast<int>(r.Int(21));
  return x;
}

void ReturnParams(const ReturnRow& x, std::vector<SqlParam>& out) {
  out.insert(out.end(), {std::string_view(x.store_id),
                         I(x.seq),
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
                         I(x.res.seq),
                         std::string_view(x.res.order_ref),
                         x.res.sold_at_us,
                         std::string_view(x.res.channel),
                         std::string_view(x.res.business_day),
                         int64_t{x.cycle_bucket}});
}

// The first row of a query as T, or nullopt.
template <typename T, typename From>
Result<std::optional<T>> First(SqlTx& tx, std::string_view sql,
                               SqlParams params, From from) {
  std::optional<T> out;
  STOREAGENT_RETURN_IF_ERROR(tx.Query(sql, params, [&](const SqlRow& r) {
    if (!out.has_value()) out = from(r);
    return Status::Ok();
  }));
  return out;
}

const std::string kSelectSale =
    "SELECT " + std::string(kSaleColumns) + " FROM kpi_sales ";
const std::string kSelectReturn =
    "SELECT " + std::string(kReturnColumns) + " FROM kpi_returns ";

}  // namespace

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

void KpiIndex::AddSale(SaleRow s) {
  sales_.push_back(std::move(s));
  SaleRow* p = &sales_.back();
  sale_by_key_[{p->terminal_id, p->client_txn_id}] = p;
  if (!p->receipt_number.empty()) {
    sale_by_receipt_.try_emplace(p->receipt_number, p);
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
  HoldRow h;
  h.store_id = store_;
  h.order_ref = order_ref;
  STOREAGENT_RETURN_IF_ERROR(
      tx_.Query("SELECT placed_at_us, picked_at_us, state, finished_at_us "
                "FROM kpi_holds WHERE store_id=?1 AND order_ref=?2",
                {store_, order_ref}, [&](const SqlRow& r) {
                  h.placed_at_us = r.Int(0);
                  h.picked_at_us = r.Int(1);
                  h.state = r.Text(2);
                  h.finished_at_us = r.Int(3);
                  return Status::Ok();
                }));
  return &(holds_[order_ref] = std::move(h));
}

void KpiIndex::NoteCollected(const std::string& order_ref) {
  new_orders_.insert(order_ref);
  new_originals_ = true;
}

Result<std::optional<SaleRow>> KpiIndex::SaleByKey(
    const std::string& store_id, const std::string& terminal_id,
    const std::string& client_txn_id) {
  if (store_id == store_) {
    auto it = sale_by_key_.find({terminal_id, client_txn_id});
    if (it != sale_by_key_.end()) return std::optional(*it->second);
  }
  if (local_only_) return std::optional<SaleRow>();
  return First<SaleRow>(
      tx_,
      kSelectSale + "WHERE store_id=?1 AND terminal_id=?2 AND client_txn_id=?3",
      {store_id, terminal_id, client_txn_id}, SaleFrom);
}

Result<std::optional<SaleRow>> KpiIndex::SaleByReceipt(
    const std::string& store_id, const std::string& receipt) {
  if (store_id == store_) {
    auto it = sale_by_receipt_.find(receipt);
    if (it != sale_by_receipt_.end()) return std::optional(*it->second);
  }
  if (local_only_) return std::optional<SaleRow>();
  return First<SaleRow>(tx_,
                        kSelectSale +
                            "WHERE store_id=?1 AND receipt_number=?2 "
                            "AND receipt_number<>'' ORDER BY seq LIMIT 1",
                        {store_id, receipt}, SaleFrom);
}

Result<std::optional<SaleRow>> KpiIndex::SaleByOrder(
    const std::string& order_ref) {
  auto it = sale_by_order_.find(order_ref);
  if (it != sale_by_order_.end()) return std::optional(*it->second);
  if (local_only_) return std::optional<SaleRow>();
  return First<SaleRow>(tx_,
                        kSelectSale +
                            "WHERE order_ref=?1 AND order_ref<>'' "
                            "ORDER BY store_id, seq LIMIT 1",
                        {order_ref}, SaleFrom);
}

Result<std::optional<HoldRow>> KpiIndex::CollectedHold(
    const std::string& order_ref) {
  auto it = holds_.find(order_ref);
  if (it != holds_.end() && it->second.state == "collected") {
    return std::optional(it->second);
  }
  if (local_only_) return std::optional<HoldRow>();
  return First<HoldRow>(
      tx_,
      "SELECT store_id, order_ref, placed_at_us, picked_at_us, state, "
      "finished_at_us FROM kpi_holds WHERE order_ref=?1 AND "
      "state='collected' ORDER BY store_id LIMIT 1",
      {order_ref}, [](const SqlRow& r) {
        HoldRow h;
        h.store_id = r.Text(0);
        h.order_ref = r.Text(1);
        h.placed_at_us = r.Int(2);
        h.picked_at_us = r.Int(3);
        h.state = r.Text(4);
        h.finished_at_us = r.Int(5);
        return h;
      });
}

Result<std::optional<SaleRow*>> KpiIndex::SaleToVoid(
    const std::string& terminal_id, const std::string& client_txn_id) {
  auto it = sale_by_key_.find({terminal_id, client_txn_id});
  SaleRow* s = nullptr;
  if (it != sale_by_key_.end()) {
    s = it->second;
  } else {
    Result<std::optional<SaleRow>> db = First<SaleRow>(
        tx_,
        kSelectSale +
            "WHERE store_id=?1 AND terminal_id=?2 AND client_txn_id=?3",
        {store_, terminal_id, client_txn_id}, SaleFrom);
    if (!db.ok()) return db.status();
    if (!db->has_value()) return std::optional<SaleRow*>();
    old_sales_voided_.push_back(std::move(**db));
    s = &old_sales_voided_.back();
    sale_by_key_[{terminal_id, client_txn_id}] = s;
    if (s->voided) return std::optional<SaleRow*>();
    s->voided = true;
    return std::optional(s);
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
    Result<std::optional<ReturnRow>> db = First<ReturnRow>(
        tx_,
        kSelectReturn +
            "WHERE store_id=?1 AND terminal_id=?2 AND client_txn_id=?3 "
            "ORDER BY seq LIMIT 1",
        {store_, terminal_id, client_txn_id}, ReturnFrom);
    if (!db.ok()) return db.status();
    if (!db->has_value()) return std::optional<ReturnRow*>();
    old_returns_.push_back(std::move(**db));
    r = &old_returns_.back();
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
  auto keep = [&](const SqlRow& row) {
    ReturnRow r = ReturnFrom(row);
    if (old_return_keys_.count({r.store_id, r.seq}) > 0) return Status::Ok();
    old_return_keys_.insert({r.store_id, r.seq});
    old_returns_.push_back(std::move(r));
    out.push_back(&old_returns_.back());
    return Status::Ok();
  };
  STOREAGENT_RETURN_IF_ERROR(tx_.Query(
      kSelectReturn + "WHERE orig_store=?1 AND resolved=0", {store_}, keep));
  for (const std::string& order : new_orders_) {
    STOREAGENT_RETURN_IF_ERROR(tx_.Query(
        kSelectReturn + "WHERE orig_reference=?1 AND resolved=0 "
                        "AND orig_channel IN ('online', 'click_and_collect')",
        {order}, keep));
  }
  local_only_ = true;
  return out;
}

void KpiIndex::AppendWrites(std::vector<SqlRows>& out) const {
  static const std::string kInsertSale =
      "INSERT INTO kpi_sales (" + std::string(kSaleColumns) + ")";
  static const std::string kInsertReturn =
      "INSERT INTO kpi_returns (" + std::string(kReturnColumns) + ")";
  SqlRows sales{kInsertSale, "ON CONFLICT DO NOTHING", kSaleTypes, {}};
  for (const SaleRow& s : sales_) SaleParams(s, sales.flat);
  out.push_back(std::move(sales));
  // Earlier sales this batch voided: distinct keys (sale_by_key_).
  SqlRows voided{kInsertSale,
                 "ON CONFLICT (store_id, terminal_id, client_txn_id) DO "
                 "UPDATE SET voided=excluded.voided",
                 kSaleTypes,
                 {}};
  for (const SaleRow& s : old_sales_voided_) SaleParams(s, voided.flat);
  out.push_back(std::move(voided));
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
  for (const ReturnRow& r : returns_) ReturnParams(r, returns.flat);
  for (const ReturnRow& r : old_returns_) ReturnParams(r, returns.flat);
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
