// Metric types and the Prometheus text exposition format (version 0.0.4).
//
// Counter, Gauge and Histogram are lock-free (atomics) and may be updated
// from any thread; a scrape reads them without stopping writers, so a
// histogram's buckets, sum and count may be a few observations apart but
// the rendered buckets are always cumulative and +Inf equals _count.
// CounterFamily holds a labelled counter (one series per label values).
// MetricsText renders families: "# HELP", "# TYPE", then the samples, with
// label values and help text escaped as the format requires.
#ifndef STOREAGENT_PLATFORM_METRICS_H_
#define STOREAGENT_PLATFORM_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
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

// A counter family with fixed label names: one series per distinct set of
// label values, made at 0 on first use and kept for the family's life.
// With() takes a shared lock (an exclusive one only to add a series); the
// Counter it returns is stable, so a hot path may keep the pointer and
// count lock-free. Label values must come from bounded sets: past
// `max_series` a new set of values counts into one series whose every
// label is "other".
class CounterFamily {
 public:
  // REQUIRES: `label_names` not empty, valid Prometheus label names.
  CounterFamily(std::string name, std::string help,
                std::vector<std::string> label_names, size_t max_series = 1000);
  CounterFamily(const CounterFamily&) = delete;
  CounterFamily& operator=(const CounterFamily&) = delete;

  // The series of `values`, in label_names order. Thread-safe. A wrong
  // number of values counts into the "other" series.
  Counter& With(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  // Series so far, overflow included.
  size_t size() const;

  // "# HELP", "# TYPE ... counter" and one sample per series, in label
  // order. Thread-safe.
  void Render(MetricsText& m) const;

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const size_t max_series_;
  mutable std::shared_mutex mu_;
  // Guarded by mu_; the Counters never move.
  std::map<std::vector<std::string>, std::unique_ptr<Counter>> series_;
};

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_METRICS_H_
