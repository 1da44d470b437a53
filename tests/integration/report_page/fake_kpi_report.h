// A deterministic KPI report for the report page's tests: five stores in
// three regions, fourteen KPIs of every unit, values that depend only on
// the KPI, the store and the week, a store without click-and-collect (its
// order accuracy is never present) and a week without a close-discrepancy
// figure. Not the KPI computation (central's ComputeKpiReport): a stand-in
// the browser test can compare the page against.
#ifndef STOREAGENT_TESTS_INTEGRATION_REPORT_PAGE_FAKE_KPI_REPORT_H_
#define STOREAGENT_TESTS_INTEGRATION_REPORT_PAGE_FAKE_KPI_REPORT_H_

#include <grpcpp/support/status.h>

#include "storeagent/v1/sync.pb.h"

namespace storeagent::central::test {

// The report for `request` (weeks 0 = 4, last_week "" = 2026-W49). An
// unknown store or region is NOT_FOUND naming it.
grpc::Status FakeKpiReport(const v1::GetKpiReportRequest& request,
                           v1::GetKpiReportResponse* out);

}  // namespace storeagent::central::test

#endif  // STOREAGENT_TESTS_INTEGRATION_REPORT_PAGE_FAKE_KPI_REPORT_H_
