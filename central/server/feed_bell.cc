#include "central/server/feed_bell.h"

#include <utility>

namespace storeagent::central {

FeedBell::Id FeedBell::Subscribe(std::function<void()> ring) {
  std::lock_guard<std::mutex> lock(mu_);
  const Id id = ++next_;
  subscribers_.emplace(id, std::move(ring));
  return id;
}

void FeedBell::Unsubscribe(Id id) {
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.erase(id);
}

void FeedBell::Ring() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [id, ring] : subscribers_) ring();
}

}  // namespace storeagent::central
