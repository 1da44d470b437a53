#include "platform/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace storeagent::platform {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

HistogramSnapshot Histogram::Snapshot() const {
  HistogramSnapshot s;
  s.bounds = bounds_;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::trunc(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  // The shortest form that reads back as the same double.
  char buf[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void MetricsText::Family(std::string_view name, std::string_view type,
                         std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += EscapeHelp(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void MetricsText::Line(std::string_view name, const Labels& labels,
                       std::string_view le, std::string_view value) {
  out_ += name;
  if (!labels.empty() || !le.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      out_ += EscapeLabelValue(v);
      out_ += '"';
    }
    if (!le.empty()) {
      if (!first) out_ += ',';
      out_ += "le=\"";
      out_ += le;
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void MetricsText::Sample(std::string_view name, const Labels& labels,
                         double value) {
  Line(name, labels, {}, FormatValue(value));
}

void MetricsText::HistogramSamples(std::string_view name, const Labels& labels,
                                   const HistogramSnapshot& h) {
  const std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    Line(bucket, labels, FormatValue(h.bounds[i]),
         FormatValue(static_cast<double>(h.cumulative[i])));
  }
  Line(bucket, labels, "+Inf", FormatValue(static_cast<double>(h.count)));
  Line(std::string(name) + "_sum", labels, {}, FormatValue(h.sum));
  Line(std::string(name) + "_count", labels, {},
       FormatValue(static_cast<double>(h.count)));
}

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names,
                             size_t max_series)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      max_series_(max_series) {}

Counter& CounterFamily::With(const std::vector<std::string>& values) {
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = series_.find(values);
    if (it != series_.end()) return *it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto it = series_.find(values);
  if (it != series_.end()) return *it->second;
  if (series_.size() >= max_series_ || values.size() != label_names_.size()) {
    std::unique_ptr<Counter>& other =
        series_[std::vector<std::string>(label_names_.size(), "other")];
    if (!other) other = std::make_unique<Counter>();
    return *other;
  }
  std::unique_ptr<Counter>& c = series_[values];
  c = std::make_unique<Counter>();
  return *c;
}

size_t CounterFamily::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return series_.size();
}

void CounterFamily::Render(MetricsText& m) const {
  m.Family(name_, "counter", help_);
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto& [values, counter] : series_) {
    Labels labels;
    labels.reserve(values.size());
    for (size_t i = 0; i < values.size() && i < label_names_.size(); ++i) {
      labels.emplace_back(label_names_[i], values[i]);
    }
    m.Sample(name_, labels, static_cast<double>(counter->value()));
  }
}

}  // namespace storeagent::platform
