// A daemon's Prometheus /metrics read by a benchmark, on loopback, so a
// figure can say where the time went (e.g. central's commit time during a
// catch-up).
#ifndef STOREAGENT_BENCH_METRICS_SCRAPE_H_
#define STOREAGENT_BENCH_METRICS_SCRAPE_H_

#include <string>

namespace storeagent::bench {

// GET http://127.0.0.1:<port>/metrics: the body, "" when that fails (a
// poll may come before the listener is up; the caller decides).
std::string ScrapeMetrics(int port);

// The value of `name` in lines "NAME VALUE ...": an unlabelled sample of
// Prometheus text, or a figure a benchmark printed; -1 when there is none.
double MetricSample(const std::string& text, const std::string& name);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_METRICS_SCRAPE_H_
