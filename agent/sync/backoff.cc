#include "agent/sync/backoff.h"

#include <algorithm>
#include <memory>
#include <random>

namespace storeagent::agent {

Backoff::Backoff(BackoffOptions options, Random random)
    : options_(options),
      random_(std::move(random)),
      current_ms_(static_cast<double>(options.initial.count())) {
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random_ = [engine] {
      return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
  }
}

std::chrono::milliseconds Backoff::Next() {
  const double u = std::clamp(random_(), 0.0, 1.0);
  const double factor = 1.0 + options_.jitter * (2.0 * u - 1.0);
  const double delay = current_ms_ * factor;
  current_ms_ = std::min(current_ms_ * options_.multiplier,
                         static_cast<double>(options_.max.count()));
  return std::chrono::milliseconds(static_cast<int64_t>(delay));
}

void Backoff::Reset() {
  current_ms_ = static_cast<double>(options_.initial.count());
}

}  // namespace storeagent::agent
