#include "storage/stock_rebuild.h"

#include <map>
#include <optional>
#include <set>

#include "core/stock_replay.h"
#include "core/stock_rule.h"
#include "storage/journal_store.h"
#include "storage/sqlite_handle.h"
#include "storage/sync_store.h"
#include "storeagent/v1/availability.pb.h"

namespace storeagent::storage {
namespace {

// A row of the `stock` table.
struct StockRow {
  int64_t on_hand = 0;
  int64_t held = 0;
  int64_t unavailable = 0;
  std::optional<int64_t> count_qty;
  int64_t count_store_seq = 0;
  int64_t count_central_seq = 0;
};

Result<std::map<std::string, StockRow>> ReadStockTable(sqlite3* db) {
  Result<Statement> s = Statement::Prepare(
      db,
      "SELECT sku, on_hand, held, unavailable, count_qty, count_store_seq, "
      "count_central_seq FROM stock");
  if (!s.ok()) return s.status();
  std::map<std::string, StockRow> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StockRow r;
    r.on_hand = s->ColumnInt(1);
    r.held = s->ColumnInt(2);
    r.unavailable = s->ColumnInt(3);
    if (!s->ColumnIsNull(4)) r.count_qty = s->ColumnInt(4);
    r.count_store_seq = s->ColumnInt(5);
    r.count_central_seq = s->ColumnInt(6);
    out.emplace(std::string(s->ColumnText(0)), r);
  }
  return out;
}

// order_ref -> the stored hold (its `hold` blob; the state column must match
// the blob, else the row itself is inconsistent and reported as such).
struct HoldRow {
  v1::HoldState state = v1::HOLD_STATE_UNSPECIFIED;
  int64_t state_column = 0;
};

Result<std::map<std::string, HoldRow>> ReadHoldsTable(sqlite3* db) {
  Result<Statement> s =
      Statement::Prepare(db, "SELECT order_ref, state, hold FROM holds");
  if (!s.ok()) return s.status();
  std::map<std::string, HoldRow> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string ref(s->ColumnText(0));
    v1::Hold h;
    std::string_view b = s->ColumnBlob(2);
    if (!h.ParseFromArray(b.data(), static_cast<int>(b.size()))) {
      return DataLoss("holds: the stored hold of order " + ref +
                      " does not parse");
    }
    out.emplace(ref, HoldRow{h.state(), s->ColumnInt(1)});
  }
  return out;
}

// Replays every journal record into `replay`. A record the rule refuses
// stops the replay and is noted in `report`.
Status Replay(sqlite3* db, core::StockReplay& replay, RebuildReport& report) {
  uint64_t from = 1;
  for (;;) {
    Result<std::vector<v1::JournalEntry>> page =
        JournalStore::ReadRange(db, from, kRebuildPageSize);
    if (!page.ok()) return page.status();
    for (const v1::JournalEntry& e : *page) {
      const Status s = replay.Apply(e.record());
      if (!s.ok()) {
        report.replay_problem = s;
        report.problem_seq = e.record().seq();
        return Status::Ok();
      }
      ++report.events_replayed;
      report.head_seq = e.record().seq();
    }
    if (page->size() < kRebuildPageSize) return Status::Ok();
    from = page->back().record().seq() + 1;
  }
}

// Replays every central event of the inbox (head office's movements) into
// `replay`, after the journal: StockReplay applies the on-hand rule to them
// whatever the interleaving was.
Status ReplayInbox(sqlite3* db, core::StockReplay& replay,
                   RebuildReport& report) {
  uint64_t after = 0;
  for (;;) {
    Result<std::vector<v1::CentralEvent>> page =
        SyncStore::ReadInbox(db, after, kRebuildPageSize);
    if (!page.ok()) return page.status();
    for (const v1::CentralEvent& e : *page) {
      const Status s = replay.ApplyCentral(e);
      if (!s.ok()) {
        report.replay_problem = s;
        return Status::Ok();
      }
      ++report.central_events_replayed;
      after = e.central_seq();
    }
    if (page->size() < kRebuildPageSize) return Status::Ok();
  }
}

Result<std::map<std::string, int64_t>> ReadEscrowTable(sqlite3* db) {
  Result<Statement> s =
      Statement::Prepare(db, "SELECT sku, quantity FROM escrow");
  if (!s.ok()) return s.status();
  std::map<std::string, int64_t> out;
  for (;;) {
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace(std::string(s->ColumnText(0)), s->ColumnInt(1));
  }
  return out;
}

std::string Num(int64_t v) { return std::to_string(v); }

void CompareEscrow(const std::map<std::string, int64_t>& table,
                   const std::map<std::string, int64_t>& journal,
                   std::vector<StockDifference>& out) {
  std::set<std::string> skus;
  for (const auto& [sku, q] : table) skus.insert(sku);
  for (const auto& [sku, q] : journal) skus.insert(sku);
  for (const std::string& sku : skus) {
    auto t = table.find(sku);
    auto j = journal.find(sku);
    const int64_t tv = t == table.end() ? 0 : t->second;
    const int64_t jv = j == journal.end() ? 0 : j->second;
    if (tv != jv) {
      out.push_back(StockDifference{StockDifference::Subject::kSku, sku,
                                    "escrow", Num(tv), Num(jv)});
    }
  }
}

void CompareSku(const std::string& sku, const std::optional<StockRow>& table,
                const core::SkuFigures& journal,
                std::vector<StockDifference>& out) {
  const StockRow t = table.value_or(StockRow{});
  auto diff = [&](const char* field, int64_t tv, int64_t jv) {
    if (tv == jv) return;
    out.push_back(StockDifference{StockDifference::Subject::kSku, sku, field,
                                  table ? Num(tv) : "absent", Num(jv)});
  };
  diff("on_hand", t.on_hand, journal.on_hand);
  diff("held", t.held, journal.held);
  diff("unavailable", t.unavailable, journal.unavailable);
  const std::optional<int64_t> jq =
      journal.count ? std::optional<int64_t>(journal.count->counted)
                    : std::nullopt;
  if (t.count_qty != jq) {
    out.push_back(StockDifference{StockDifference::Subject::kSku, sku,
                                  "count_qty",
                                  !table        ? "absent"
                                  : t.count_qty ? Num(*t.count_qty)
                                                : "none",
                                  jq ? Num(*jq) : "none"});
  }
  diff("count_store_seq", t.count_store_seq,
       journal.count ? static_cast<int64_t>(journal.count->store_seq) : 0);
  diff("count_central_seq", t.count_central_seq,
       journal.count ? static_cast<int64_t>(journal.count->central_seq) : 0);
}

void Compare(const std::map<std::string, StockRow>& stock,
             const std::map<std::string, HoldRow>& holds,
             const core::StockReplay& replay, RebuildReport& report) {
  std::set<std::string> skus;
  for (const auto& [sku, row] : stock) skus.insert(sku);
  for (const auto& [sku, f] : replay.figures()) skus.insert(sku);
  for (const std::string& sku : skus) {
    auto it = stock.find(sku);
    CompareSku(
        sku,
        it == stock.end() ? std::nullopt : std::optional<StockRow>(it->second),
        replay.Figures(sku), report.differences);
  }
  report.skus_checked = skus.size();

  std::set<std::string> refs;
  for (const auto& [ref, row] : holds) refs.insert(ref);
  for (const auto& [ref, h] : replay.holds()) refs.insert(ref);
  for (const std::string& ref : refs) {
    auto it = holds.find(ref);
    const v1::Hold* j = replay.FindHold(ref);
    const std::string tv =
        it == holds.end() ? "absent" : core::HoldStateName(it->second.state);
    const std::string jv =
        j == nullptr ? "absent" : core::HoldStateName(j->state());
    if (tv != jv) {
      report.differences.push_back(StockDifference{
          StockDifference::Subject::kHold, ref, "state", tv, jv});
    } else if (it != holds.end() &&
               it->second.state_column != it->second.state) {
      // The indexed column lists and expiry use disagrees with the hold.
      report.differences.push_back(StockDifference{
          StockDifference::Subject::kHold, ref, "state column",
          core::HoldStateName(
              static_cast<v1::HoldState>(it->second.state_column)),
          jv});
    }
  }
  report.holds_checked = refs.size();
}

Result<RebuildReport> VerifyInSnapshot(sqlite3* db) {
  Result<JournalHead> anchor = JournalStore::ReadAnchor(db);
  if (!anchor.ok()) return anchor.status();
  if (anchor->seq != 0) {
    return FailedPrecondition(
        "journal: events up to seq " + std::to_string(anchor->seq) +
        " were pruned; the stock figures cannot be recomputed from it");
  }
  RebuildReport report;
  core::StockReplay replay;
  STOREAGENT_RETURN_IF_ERROR(Replay(db, replay, report));
  if (!report.replay_problem.ok()) return report;
  STOREAGENT_RETURN_IF_ERROR(ReplayInbox(db, replay, report));
  if (!report.replay_problem.ok()) return report;
  Result<std::map<std::string, StockRow>> stock = ReadStockTable(db);
  if (!stock.ok()) return stock.status();
  Result<std::map<std::string, HoldRow>> holds = ReadHoldsTable(db);
  if (!holds.ok()) return holds.status();
  Compare(*stock, *holds, replay, report);
  Result<std::map<std::string, int64_t>> escrow = ReadEscrowTable(db);
  if (!escrow.ok()) return escrow.status();
  CompareEscrow(*escrow, replay.escrow(), report.differences);
  return report;
}

}  // namespace

std::string StockDifference::ToString() const {
  return std::string(subject == Subject::kSku ? "sku " : "hold ") + key + ": " +
         field + ": table " + table_value + ", journal " + journal_value;
}

Result<RebuildReport> VerifyStock(sqlite3* db) {
  // One read transaction: the journal and the tables from one snapshot.
  if (int rc = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      rc != SQLITE_OK) {
    return SqliteStatus(db, rc, "begin read");
  }
  Result<RebuildReport> r = VerifyInSnapshot(db);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  return r;
}

}  // namespace storeagent::storage
