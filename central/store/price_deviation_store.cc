#include "central/store/price_deviation_store.h"

#include <array>
#include <limits>
#include <utility>

#include "central/store/kpi_rules.h"
#include "central/store/store_args.h"

namespace storeagent::central::deviations {
namespace {

constexpr std::array<std::pair<v1::PriceDeviationKind, std::string_view>, 6>
    kKinds = {{{v1::PRICE_DEVIATION_KIND_UNSPECIFIED, "unspecified"},
               {v1::PRICE_DEVIATION_KIND_NOT_IN_BOOK, "not_in_book"},
               {v1::PRICE_DEVIATION_KIND_UNIT_MISMATCH, "unit_mismatch"},
               {v1::PRICE_DEVIATION_KIND_CURRENCY, "currency"},
               {v1::PRICE_DEVIATION_KIND_UNIT_PRICE, "unit_price"},
               {v1::PRICE_DEVIATION_KIND_NET_AMOUNT, "net_amount"}}};
constexpr std::array<std::pair<v1::PriceReason, std::string_view>, 5> kReasons =
    {{{v1::PRICE_REASON_UNSPECIFIED, "none_given"},
      {v1::PRICE_REASON_MANUAL_OVERRIDE, "manual_override"},
      {v1::PRICE_REASON_PRICE_MATCH, "price_match"},
      {v1::PRICE_REASON_DAMAGED_GOODS, "damaged_goods"},
      {v1::PRICE_REASON_UNKNOWN_SKU, "unknown_sku"}}};

template <typename Enum, size_t N>
std::string_view NameOf(
    const std::array<std::pair<Enum, std::string_view>, N>& table, Enum e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return table[0].second;  // ingest refuses unknown values: cannot happen
}

template <typename Enum, size_t N>
Enum ValueOf(const std::array<std::pair<Enum, std::string_view>, N>& table,
             std::string_view n) {
  for (const auto& [value, name] : table) {
    if (name == n) return value;
  }
  return table[0].first;
}

constexpr char kColumns[] =
    "store_id, seq, line, recorded_at_us, terminal_id, client_txn_id, "
    "receipt_number, operator_id, sku, kind, reason, expected_unit_price, "
    "expected_net, charged_unit_price, charged_net, difference, "
    "price_list_id, price_list_version";

v1::PriceDeviationEntry EntryFrom(const SqlRow& r) {
  v1::PriceDeviationEntry e;
  e.set_store_id(r.Text(0));
  e.set_seq(static_cast<uint64_t>(r.Int(1)));
  e.set_line(static_cast<uint32_t>(r.Int(2)));
  e.set_recorded_at_us(r.Int(3));
  e.mutable_client_key()->set_terminal_id(r.Text(4));
  e.mutable_client_key()->set_client_txn_id(r.Text(5));
  e.set_receipt_number(r.Text(6));
  e.set_operator_id(r.Text(7));
  e.set_sku(r.Text(8));
  v1::PriceDeviation* d = e.mutable_deviation();
  d->set_kind(KindFromName(r.Text(9)));
  d->set_reason(ReasonFromName(r.Text(10)));
  d->set_expected_unit_price(r.Int(11));
  d->set_expected_net(r.Int(12));
  d->set_charged_unit_price(r.Int(13));
  d->set_charged_net(r.Int(14));
  d->set_difference(r.Int(15));
  d->set_price_list_id(r.Text(16));
  d->set_price_list_version(static_cast<uint64_t>(r.Int(17)));
  return e;
}

}  // namespace

std::string_view KindName(v1::PriceDeviationKind kind) {
  return NameOf(kKinds, kind);
}
std::string_view ReasonName(v1::PriceReason reason) {
  return NameOf(kReasons, reason);
}
v1::PriceDeviationKind KindFromName(std::string_view name) {
  return ValueOf(kKinds, name);
}
v1::PriceReason ReasonFromName(std::string_view name) {
  return ValueOf(kReasons, name);
}

void BatchDeviations::AddSale(const std::string& store_id,
                              const v1::JournalRecord& r,
                              kpi::CounterDeltas& deltas) {
  const v1::Sale& sale = r.transaction().sale();
  if (sale.price_book_central_seq() == 0) return;  // not checked
  int64_t deviating = 0;
  for (int i = 0; i < sale.lines_size(); ++i) {
    const v1::TransactionLine& l = sale.lines(i);
    if (!l.has_price_deviation()) continue;
    ++deviating;
    const v1::PriceDeviation& d = l.price_deviation();
    Row& row = rows_.emplace_back();
    row.store_id = store_id;
    row.seq = SqlInt(r.seq());
    row.line = i;
    row.recorded_at_us = r.recorded_at_us();
    row.terminal_id = r.client_key().terminal_id();
    row.client_txn_id = r.client_key().client_txn_id();
    row.receipt_number = sale.receipt_number();
    row.operator_id = sale.operator_id();
    row.sku = l.sku();
    row.kind = KindName(d.kind());
    row.reason = ReasonName(d.reason());
    row.expected_unit_price = d.expected_unit_price();
    row.expected_net = d.expected_net();
    row.charged_unit_price = d.charged_unit_price();
    row.charged_net = d.charged_net();
    row.difference = d.difference();
    row.price_list_id = d.price_list_id();
    row.price_list_version = SqlInt(d.price_list_version());
  }
  const std::string week = kpi::IsoWeek(r.recorded_at_us());
  deltas.Add(store_id, week, kpi::kPriceLinesChecked, sale.lines_size());
  deltas.Add(store_id, week, kpi::kPriceLinesDeviating, deviating);
}

void BatchDeviations::AppendTo(std::vector<SqlRows>& out) const {
  if (rows_.empty()) return;
  static const std::string kHead =
      std::string("INSERT INTO price_deviations (") + kColumns + ")";
  SqlRows rows{kHead, "", "tiiitttttttiiiiiti", {}};
  rows.flat.reserve(rows_.size() * rows.types.size());
  for (const Row& x : rows_) {
    rows.flat.insert(
        rows.flat.end(),
        {std::string_view(x.store_id), x.seq, x.line, x.recorded_at_us,
         std::string_view(x.terminal_id), std::string_view(x.client_txn_id),
         std::string_view(x.receipt_number), std::string_view(x.operator_id),
         std::string_view(x.sku), x.kind, x.reason, x.expected_unit_price,
         x.expected_net, x.charged_unit_price, x.charged_net, x.difference,
         std::string_view(x.price_list_id), x.price_list_version});
  }
  out.push_back(std::move(rows));
}

Status OnIngestWithoutKpis(SqlTx& tx, const std::string& store_id,
                           const IngestPlan& plan) {
  kpi::CounterDeltas deltas;
  BatchDeviations batch;
  bool checked = false;
  for (const PlannedEntry& p : plan.entries) {
    if (!p.quarantine_reason.empty()) continue;
    const v1::JournalRecord& r = p.entry->record();
    if (!r.has_transaction() || !r.transaction().has_sale() ||
        r.transaction().sale().price_book_central_seq() == 0) {
      continue;
    }
    checked = true;
    batch.AddSale(store_id, r, deltas);
  }
  if (!checked) return Status::Ok();
  std::vector<SqlRows> rows;
  batch.AppendTo(rows);
  deltas.AppendTo(rows);
  return tx.ExecRows(rows);
}

Result<PriceDeviationList> List(SqlTx& tx, const PriceDeviationQuery& q) {
  PriceDeviationList out;
  // One shape per filter, so each can take its index: the time bounds are
  // always there ([since, until), an open end as the widest bound).
  const int64_t since = q.since_us;
  const int64_t until =
      q.until_us == 0 ? std::numeric_limits<int64_t>::max() : q.until_us;
  const int64_t limit = static_cast<int64_t>(ClampLimit(q.limit));
  const std::string select = std::string("SELECT ") + kColumns +
                             " FROM price_deviations WHERE recorded_at_us>=?1 "
                             "AND recorded_at_us<?2 ";
  static const std::string kOrder =
      " ORDER BY recorded_at_us DESC, store_id COLLATE \"C\", seq DESC, line "
      "LIMIT ?3";
  const SqlRowFn each = [&](const SqlRow& r) {
    out.entries.push_back(EntryFrom(r));
    return Status::Ok();
  };
  Status read;
  if (q.store_id.empty() && q.sku.empty()) {
    read = tx.Query(select + kOrder, {since, until, limit}, each);
  } else if (q.sku.empty()) {
    read = tx.Query(select + "AND store_id=?4" + kOrder,
                    {since, until, limit, q.store_id}, each);
  } else if (q.store_id.empty()) {
    read = tx.Query(select + "AND sku=?4" + kOrder,
                    {since, until, limit, q.sku}, each);
  } else {
    read = tx.Query(select + "AND sku=?4 AND store_id=?5" + kOrder,
                    {since, until, limit, q.sku, q.store_id}, each);
  }
  STOREAGENT_RETURN_IF_ERROR(read);
  // The counts over all time (kpi_counters_price_lines, a partial index).
  const SqlRowFn count = [&](const SqlRow& r) {
    const std::string name = r.Text(0);
    if (name == kpi::kPriceLinesChecked) out.lines_checked = r.Int(1);
    if (name == kpi::kPriceLinesDeviating) out.lines_deviating = r.Int(1);
    return Status::Ok();
  };
  static const std::string kCounts =
      "SELECT name, SUM(value) FROM kpi_counters WHERE name IN "
      "('price_lines.checked', 'price_lines.deviating')";
  if (q.store_id.empty()) {
    read = tx.Query(kCounts + " GROUP BY name", {}, count);
  } else {
    read = tx.Query(kCounts + " AND store_id=?1 GROUP BY name", {q.store_id},
                    count);
  }
  STOREAGENT_RETURN_IF_ERROR(read);
  return out;
}

}  // namespace storeagent::central::deviations
