// What `storecentralctl kpi` prints (docs/kpis.md): a KPI report as a table
// for a person (one row per KPI, one column per week, the span and the
// week-on-week change; with --by-store the stores ranked by each KPI), or as
// CSV for a spreadsheet (one row per KPI per week, then the span, then one
// per store). Pure: no I/O.
#ifndef STOREAGENT_CENTRAL_CTL_KPI_FORMAT_H_
#define STOREAGENT_CENTRAL_CTL_KPI_FORMAT_H_

#include <string>

#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

std::string FormatKpiTable(const v1::GetKpiReportResponse& report);

// Header: scope,store_id,kpi,unit,week,present,value,numerator,denominator.
// week "span" for the whole span; store_id empty but for --by-store rows.
std::string FormatKpiCsv(const v1::GetKpiReportResponse& report);

// A value as the table shows it: a ratio as a percentage, seconds with a
// unit, amounts and counts as integers, "-" when absent.
std::string FormatKpiValue(const std::string& unit, const v1::KpiValue& v);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_CTL_KPI_FORMAT_H_
