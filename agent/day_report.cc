#include "agent/day_report.h"

#include <set>
#include <string>
#include <utility>

#include "core/day_totals.h"
#include "core/event_validation.h"
#include "storage/day_close_store.h"
#include "storage/journal_store.h"

namespace storeagent::agent {
namespace {

// Reads inside BEGIN ... COMMIT on the reader's connection.
Result<v1::GetDayReportResponse> ReadInSnapshot(storage::DbContext& ctx,
                                                const std::string& day,
                                                const std::string& terminal,
                                                int64_t now_us) {
  Result<storage::JournalHead> head = storage::JournalStore::ReadHead(ctx.db());
  if (!head.ok()) return head.status();
  Result<storage::DayRecords> records =
      storage::DayCloseStore::ReadDay(ctx, day);
  if (!records.ok()) return records.status();

  v1::GetDayReportResponse out;
  core::DayTotalsBuilder builder(day, terminal);
  std::set<std::string> closed;  // terminals closed by their own close
  bool whole_store_closed = false;
  for (v1::JournalEntry& e : records->entries) {
    const v1::JournalRecord& r = e.record();
    if (!r.has_transaction() || !r.transaction().has_daily_close()) {
      builder.Add(r, records->VoidedBy(r));
      continue;
    }
    const v1::DailyClose& dc = r.transaction().daily_close();
    const std::string& by = r.client_key().terminal_id();
    if (!terminal.empty() && !dc.whole_store() && by != terminal) continue;
    whole_store_closed = whole_store_closed || dc.whole_store();
    if (!dc.whole_store()) closed.insert(by);
    v1::DayClose* c = out.add_closes();
    c->set_seq(r.seq());
    c->set_terminal_id(by);
    c->set_recorded_at_us(r.recorded_at_us());
    *c->mutable_close() = std::move(
        *e.mutable_record()->mutable_transaction()->mutable_daily_close());
  }
  *out.mutable_totals() = builder.Totals();
  for (v1::DayTotals& t : builder.ByOperator()) {
    *out.add_by_operator() = std::move(t);
  }
  bool every_terminal_closed = !closed.empty();
  if (terminal.empty()) {
    for (v1::DayTotals& t : builder.ByTerminal()) {
      every_terminal_closed =
          every_terminal_closed && closed.count(t.terminal_id()) > 0;
      *out.add_by_terminal() = std::move(t);
    }
  }
  const bool z = whole_store_closed || every_terminal_closed;
  out.set_kind(z ? "Z" : "X");
  out.set_as_of_us(now_us);
  out.set_head_seq(head->seq);
  return out;
}

}  // namespace

Status ValidateDayReportRequest(const v1::GetDayReportRequest& request) {
  if (!request.business_day().empty() &&
      !core::IsBusinessDay(request.business_day())) {
    return InvalidArgument(
        "business_day: not a calendar date YYYY-MM-DD (or empty for today)");
  }
  if (!request.terminal_id().empty()) {
    v1::ClientKey key;
    key.set_terminal_id(request.terminal_id());
    key.set_client_txn_id("x");
    Status s = core::ValidateClientKey(key, "request");
    if (!s.ok()) {
      // "request.terminal_id: ..." -> "terminal_id: ..."
      return InvalidArgument(s.message().substr(sizeof("request.") - 1));
    }
  }
  return Status::Ok();
}

Result<v1::GetDayReportResponse> ReadDayReport(
    storage::DbContext& ctx, const v1::GetDayReportRequest& request,
    int64_t now_us) {
  const std::string day = request.business_day().empty()
                              ? LocalDay(now_us)
                              : request.business_day();
  if (int rc = sqlite3_exec(ctx.db(), "BEGIN", nullptr, nullptr, nullptr);
      rc != SQLITE_OK) {
    return storage::SqliteStatus(ctx.db(), rc, "begin read");
  }
  Result<v1::GetDayReportResponse> r =
      ReadInSnapshot(ctx, day, request.terminal_id(), now_us);
  ctx.ResetBusyStatements();
  sqlite3_exec(ctx.db(), "COMMIT", nullptr, nullptr, nullptr);
  return r;
}

void GetDayReport(storage::AgentDatabase& db, const Clock& clock,
                  const v1::GetDayReportRequest& request,
                  std::function<void(Result<v1::GetDayReportResponse>)> done) {
  if (Status s = ValidateDayReportRequest(request); !s.ok()) {
    done(s);
    return;
  }
  db.readers().Submit(
      [&clock, request, done = std::move(done)](storage::DbContext* ctx) {
        if (ctx == nullptr) {
          done(Unavailable("agent is shutting down"));
          return;
        }
        done(ReadDayReport(*ctx, request, clock.NowMicros()));
      });
}

}  // namespace storeagent::agent
