// The X and Z reports (docs/pos-api.md, "X and Z reports"): a business
// day's figures of the store or one terminal computed from the journal,
// with the closes recorded for it and their differences. Behind
// PosService.GetDayReport, `storeagentctl report x|z` and the staff page.
//
// The day's records are found through the journal's business_day index and
// summed by core::DayTotalsBuilder, all inside one read transaction, so the
// figures, the closes and head_seq come from the same snapshot. Cost: one
// pass over the day's events (a store day of 2,000-5,000 events), each
// parsed once, plus one keyed read per post-void.
#ifndef STOREAGENT_AGENT_DAY_REPORT_H_
#define STOREAGENT_AGENT_DAY_REPORT_H_

#include <functional>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storeagent/v1/pos.pb.h"

namespace storeagent::agent {

// INVALID_ARGUMENT naming the field: business_day not empty and not a
// date, terminal_id not empty and not a client key's terminal id.
Status ValidateDayReportRequest(const v1::GetDayReportRequest& request);

// The report, read on `ctx` (a reader's connection, not in a transaction).
// An empty business_day is the local date (platform LocalDay) of `now_us`.
// REQUIRES: ValidateDayReportRequest(request) is OK.
Result<v1::GetDayReportResponse> ReadDayReport(
    storage::DbContext& ctx, const v1::GetDayReportRequest& request,
    int64_t now_us);

// Validates, then reads on `db`'s read pool. `done` runs exactly once: on
// the calling thread for refused input, else on a reader thread.
void GetDayReport(storage::AgentDatabase& db, const Clock& clock,
                  const v1::GetDayReportRequest& request,
                  std::function<void(Result<v1::GetDayReportResponse>)> done);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_DAY_REPORT_H_
