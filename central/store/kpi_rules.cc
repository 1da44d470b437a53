#include "central/store/kpi_rules.h"

#include <cstdint>

namespace storeagent::central::kpi {
namespace {

constexpr int64_t kUsPerDay = 86'400'000'000;

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t YearOfDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// 0 = Monday .. 6 = Sunday (1970-01-01 was a Thursday).
int64_t Weekday(int64_t days) { return ((days % 7) + 7 + 3) % 7; }

// The Monday (days) of ISO week 1 of `year`: the week holding 4 January.
int64_t Week1Monday(int64_t year) {
  const int64_t jan4 = DaysFromCivil(year, 1, 4);
  return jan4 - Weekday(jan4);
}

std::string Format(int64_t year, int64_t week) {
  std::string y = std::to_string(year);
  if (y.size() < 4) y.insert(0, 4 - y.size(), '0');
  return y + (week < 10 ? "-W0" : "-W") + std::to_string(week);
}

std::string WeekOfDays(int64_t days) {
  const int64_t thursday = days - Weekday(days) + 3;
  const int64_t year = YearOfDays(thursday);
  return Format(year, (thursday - Week1Monday(year)) / 7 + 1);
}

}  // namespace

std::string IsoWeek(int64_t at_us) {
  // An ingest asks for the same few days over and over.
  thread_local int64_t cached_day = INT64_MIN;
  thread_local std::string cached;
  const int64_t day = FloorDiv(at_us, kUsPerDay);
  if (day != cached_day) {
    cached = WeekOfDays(day);
    cached_day = day;
  }
  return cached;
}

std::optional<int64_t> WeekStartUs(std::string_view week) {
  if (week.size() != 8 || week[4] != '-' || week[5] != 'W') {
    return std::nullopt;
  }
  int64_t year = 0;
  for (int i = 0; i < 4; ++i) {
    if (week[i] < '0' || week[i] > '9') return std::nullopt;
    year = year * 10 + (week[i] - '0');
  }
  if (week[6] < '0' || week[6] > '9' || week[7] < '0' || week[7] > '9') {
    return std::nullopt;
  }
  const int64_t w = (week[6] - '0') * 10 + (week[7] - '0');
  if (year < 1970 || w < 1 || w > 53) return std::nullopt;
  const int64_t monday = Week1Monday(year) + (w - 1) * 7;
  if (WeekOfDays(monday) != week) return std::nullopt;  // no W53 that year
  return monday * kUsPerDay;
}

std::string WeekMinus(std::string_view week, int n) {
  const int64_t start = WeekStartUs(week).value_or(0);
  return IsoWeek(start - static_cast<int64_t>(n) * 7 * kUsPerDay);
}

bool IsOnlineChannel(std::string_view channel) {
  return channel == "online" || channel == "click_and_collect";
}

int BucketOf(int64_t duration_us) {
  for (size_t i = 0; i < kBoundsUs.size(); ++i) {
    if (duration_us <= kBoundsUs[i]) return static_cast<int>(i);
  }
  return kBuckets - 1;
}

double BucketSeconds(int bucket) {
  const size_t i = bucket < static_cast<int>(kBoundsUs.size())
                       ? static_cast<size_t>(bucket)
                       : kBoundsUs.size() - 1;
  return static_cast<double>(kBoundsUs[i]) / 1e6;
}

std::string BucketCounter(std::string_view histogram, int bucket) {
  return std::string(histogram) + ":" + std::to_string(bucket);
}

std::string ChannelValueCounter(std::string_view channel) {
  return std::string(kSalesValue) + "." + std::string(channel);
}

std::string_view ChannelName(v1::SalesChannel channel) {
  switch (channel) {
    case v1::SALES_CHANNEL_CLICK_AND_COLLECT:
      return "click_and_collect";
    case v1::SALES_CHANNEL_SHIP_FROM_STORE:
      return "ship_from_store";
    case v1::SALES_CHANNEL_ENDLESS_AISLE:
      return "endless_aisle";
    default:
      return "store";
  }
}

}  // namespace storeagent::central::kpi
