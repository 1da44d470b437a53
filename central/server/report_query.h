// The query string of the report page's GET /api/kpi, read into a
// GetKpiReportRequest. Pure (no sockets), so every refusal is unit-tested.
//
//   store=S | region=R    at most one; neither: the fleet
//   weeks=N               1..13 (kKpiMaxWeeks); absent: 4
//   last_week=YYYY-Www    an ISO week that exists in its year (W53 only in
//                         long years); absent: the current week
//   by_store=1            also each store's values (1|0|true|false)
//
// Values are percent-decoded ("region=north%3Aeast"). An unknown or
// repeated parameter, an empty or bad value is INVALID_ARGUMENT; the
// error's `parameter` names the parameter at fault.
#ifndef STOREAGENT_CENTRAL_SERVER_REPORT_QUERY_H_
#define STOREAGENT_CENTRAL_SERVER_REPORT_QUERY_H_

#include <string>
#include <string_view>

#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

struct ReportQueryError {
  std::string parameter;  // "weeks"; "" when the query itself is malformed
  std::string message;    // "weeks: must be 1..13, got '0'"
};

// Reads `query` (after the '?', still encoded; "" for none) into `out`.
// True when it is good; otherwise false with `error` filled and `out` as
// it was.
bool ParseReportQuery(std::string_view query, v1::GetKpiReportRequest* out,
                      ReportQueryError* error);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_REPORT_QUERY_H_
