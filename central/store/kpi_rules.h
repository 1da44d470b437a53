// The pure rules of head office's KPIs (docs/kpis.md): which ISO week a time
// falls in, the histogram buckets percentiles are kept in, the names of the
// per-(store, week) counters, and a sale's channel name. No I/O; shared by
// the ingest-time aggregation (kpi_ingest.cc) and the report
// (central/server/kpi_report.cc). Thread-safe.
#ifndef STOREAGENT_CENTRAL_STORE_KPI_RULES_H_
#define STOREAGENT_CENTRAL_STORE_KPI_RULES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storeagent/v1/events.pb.h"

namespace storeagent::central::kpi {

// The ISO 8601 week of a UTC time in µs since the epoch: "2026-W49".
std::string IsoWeek(int64_t at_us);
// The Monday 00:00 UTC (µs) starting `week` ("YYYY-Www", W01..W53 and the
// week must exist in that year); nullopt when `week` is not one.
std::optional<int64_t> WeekStartUs(std::string_view week);
// The week `n` weeks before (n > 0) or after (n < 0) `week`, which must be
// valid (WeekStartUs).
std::string WeekMinus(std::string_view week, int n);

// Whether a sale's channel is an online one (its order reference names an
// online order): "online" or "click_and_collect".
bool IsOnlineChannel(std::string_view channel);

// Histogram upper bounds in µs (docs/kpis.md, "Percentiles"). Bucket i
// holds samples in (bound[i-1], bound[i]]; bucket kBuckets - 1 is the
// overflow, reported as the last bound.
inline constexpr std::array<int64_t, 25> kBoundsUs = {
    100'000,           250'000,           500'000,           1'000'000,
    2'000'000,         5'000'000,         10'000'000,        30'000'000,
    60'000'000,        120'000'000,       300'000'000,       600'000'000,
    1'800'000'000,     3'600'000'000,     7'200'000'000,     14'400'000'000,
    43'200'000'000,    86'400'000'000,    172'800'000'000,   345'600'000'000,
    604'800'000'000,   1'209'600'000'000, 2'592'000'000'000, 7'776'000'000'000,
    31'536'000'000'000};
inline constexpr int kBuckets = static_cast<int>(kBoundsUs.size()) + 1;
// The bucket of a duration (negative counts as 0).
int BucketOf(int64_t duration_us);
// The value a bucket reports, in seconds.
double BucketSeconds(int bucket);

// The histograms kept (counter names "<histogram>:<bucket>").
inline constexpr std::string_view kPickTime = "pick_time";
inline constexpr std::string_view kRefundCycle = "refund_cycle";
inline constexpr std::string_view kFreshness = "data_freshness";
inline constexpr std::string_view kLatency = "integration_latency";
std::string BucketCounter(std::string_view histogram, int bucket);

// Plain counters of a (store, week).
inline constexpr std::string_view kSalesCount = "sales.count";
inline constexpr std::string_view kSalesValue = "sales.value";
inline constexpr std::string_view kSalesLines = "sales.lines";
inline constexpr std::string_view kSalesMember = "sales.member";
inline constexpr std::string_view kReturnsCount = "returns.count";
inline constexpr std::string_view kReturnsValue = "returns.value";
inline constexpr std::string_view kEnrolments = "enrolments";
inline constexpr std::string_view kOrdersFinished = "orders.finished";
inline constexpr std::string_view kOrdersComplete = "orders.complete";
inline constexpr std::string_view kCloses = "closes";
inline constexpr std::string_view kClosesDiscrepant = "closes.discrepant";
inline constexpr std::string_view kDrift = "drift";
// Lines of the sales the agent checked against its price book, and those
// of them it flagged as charged otherwise (price_deviation_store.h).
inline constexpr std::string_view kPriceLinesChecked = "price_lines.checked";
inline constexpr std::string_view kPriceLinesDeviating =
    "price_lines.deviating";
// "sales.value.<channel>", channel as ChannelName.
std::string ChannelValueCounter(std::string_view channel);

// "store", "click_and_collect", "ship_from_store", "endless_aisle";
// UNSPECIFIED counts as "store".
std::string_view ChannelName(v1::SalesChannel channel);

// The operator_id the agent writes on a cancel it applies for central
// (storage/sync_store.cc): such a cancel does not finish an order for
// order_accuracy.
inline constexpr std::string_view kCentralOperator = "central";

}  // namespace storeagent::central::kpi

#endif  // STOREAGENT_CENTRAL_STORE_KPI_RULES_H_
