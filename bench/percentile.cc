#include "bench/percentile.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace storeagent::bench {

double PercentileMs(std::vector<int64_t>& samples_us, double p) {
  if (samples_us.empty()) return 0;
  const double rank =
      std::ceil(p / 100.0 * static_cast<double>(samples_us.size()));
  size_t idx = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  idx = std::min(idx, samples_us.size() - 1);
  std::nth_element(samples_us.begin(),
                   samples_us.begin() + static_cast<std::ptrdiff_t>(idx),
                   samples_us.end());
  return static_cast<double>(samples_us[idx]) / 1000.0;
}

}  // namespace storeagent::bench
