// Percentiles of latency samples, the one definition every figure uses.
#ifndef STOREAGENT_BENCH_PERCENTILE_H_
#define STOREAGENT_BENCH_PERCENTILE_H_

#include <cstdint>
#include <vector>

namespace storeagent::bench {

// The nearest-rank `p`-th percentile (0 < p <= 100) of `samples_us`, in
// milliseconds; 0 when there are none. Reorders `samples_us`.
double PercentileMs(std::vector<int64_t>& samples_us, double p);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_PERCENTILE_H_
