// FeedBell: tells the change feed's following streams that events were
// committed in this process (a batch of a store's journal, a central
// event), so they read at once instead of at their next poll. Events
// committed by another central replica are found by the poll
// (feed.poll_ms). Thread-safe.
#ifndef STOREAGENT_CENTRAL_SERVER_FEED_BELL_H_
#define STOREAGENT_CENTRAL_SERVER_FEED_BELL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace storeagent::central {

class FeedBell {
 public:
  using Id = uint64_t;
  // `ring` runs on the ringing thread, under the bell's lock: it must be
  // quick and must not subscribe or unsubscribe.
  Id Subscribe(std::function<void()> ring);
  // After it returns, `id`'s function is not running and never runs again.
  void Unsubscribe(Id id);
  void Ring();

 private:
  std::mutex mu_;
  std::map<Id, std::function<void()>> subscribers_;
  Id next_ = 0;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_FEED_BELL_H_
