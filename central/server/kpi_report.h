// Head office's KPI report (CentralAdminService.GetKpiReport, the ctl's
// `kpi`, the report page): the KPIs of docs/kpis.md for the fleet, a region
// or a store, per ISO week over a rolling span, computed from the
// per-(store, week) aggregates only (CentralStore::ReadKpiCounters), never
// from events.
#ifndef STOREAGENT_CENTRAL_SERVER_KPI_REPORT_H_
#define STOREAGENT_CENTRAL_SERVER_KPI_REPORT_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>

#include "central/store/central_store.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// Weeks in a report when the request says 0, and the most it may ask.
inline constexpr int kKpiDefaultWeeks = 4;
inline constexpr int kKpiMaxWeeks = 13;

// Fills `out` for `request` (INVALID_ARGUMENT naming the field for a bad
// one; NOT_FOUND for a store central never saw). `now_us` picks the current
// week when request.last_week is empty and stamps computed_at_us.
// Thread-safe (the store is).
grpc::Status ComputeKpiReport(CentralStore& store,
                              const v1::GetKpiReportRequest& request,
                              int64_t now_us, v1::GetKpiReportResponse* out);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_KPI_REPORT_H_
