// Metric types and the Prometheus text exposition format (version 0.0.4).
//
// Counter, Gauge and Histogram are lock-free (atomics) and may be updated
// from any thread; a scrape reads them without stopping writers, so a
// histogram's buckets, sum and count may be a few observations apart but
// the rendered buckets are always cumulative and +Inf equals _count.
// MetricsText renders families: "# HELP", "# TYPE", then the samples, with
// label values and help text escaped as the format requires.
#ifndef STOREAGENT_PLATFORM_METRICS_H_
#define STOREAGENT_PLATFORM_METRICS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace storeagent::platform {

// The Content-Type of a scrape's answer.
inline constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

struct HistogramSnapshot {
  std::vector<double> bounds;        // upper bounds, ascending, no +Inf
  std::vector<uint64_t> cumulative;  // bounds.size() + 1 (the last: +Inf)
  double sum = 0;
  uint64_t count = 0;  // == cumulative.back()
};

class Histogram {
 public:
  // `bounds`: finite upper bounds, strictly ascending (REQUIRES).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  HistogramSnapshot Snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, +Inf last
  std::atomic<double> sum_{0};
};

using Labels = std::vector<std::pair<std::string, std::string>>;

// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view v);
// Escapes HELP text: backslash and newline.
std::string EscapeHelp(std::string_view v);
// A sample value: integers without exponent, "+Inf", "-Inf", "NaN".
std::string FormatValue(double v);

class MetricsText {
 public:
  // Starts a family. `type`: "counter", "gauge" or "histogram". Each name
  // once per exposition.
  void Family(std::string_view name, std::string_view type,
              std::string_view help);
  void Sample(std::string_view name, const Labels& labels, double value);
  void Sample(std::string_view name, double value) { Sample(name, {}, value); }
  // NAME_bucket{le=...} cumulative, NAME_sum and NAME_count.
  void HistogramSamples(std::string_view name, const Labels& labels,
                        const HistogramSnapshot& h);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Line(std::string_view name, const Labels& labels, std::string_view le,
            std::string_view value);
  std::string out_;
};

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_METRICS_H_
