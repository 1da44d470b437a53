#include "central/server/feed_stream.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "central/server/feed_reader.h"
#include "central/server/feed_request.h"
#include "central/server/grpc_status.h"
#include "platform/log.h"

namespace storeagent::central {
namespace {

using Response = v1::StreamEventsResponse;

class FeedSession;

// gRPC's side: forwards its reactions to the session, which it keeps alive
// until gRPC is done with the call.
class FeedReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override { delete this; }

  std::shared_ptr<FeedSession> session;  // null: finished at once
};

// Two turns run side by side: the writer (the only one to touch the
// reactor: one write in flight, then the next) and the reader (one query
// of the FeedReader at a time, on the pool). The reader reads the next page
// while the writer writes the current one; a page read waits in ready_
// until the writer takes it, and only then does the next read start: at
// most two pages per stream.
class FeedSession : public std::enable_shared_from_this<FeedSession> {
 public:
  FeedSession(SyncHub& hub, FeedPlan plan, FeedReactor* reactor)
      : hub_(hub),
        follow_(plan.follow),
        max_batch_(plan.max_batch),
        reader_(hub.context().store, std::move(plan)),
        reactor_(reactor),
        timer_(hub.context().io) {}

  // Counts the stream, listens for commits and starts the first read (the
  // writer waits for it).
  void Begin() {
    hub_.context().metrics.FeedStreamOpened();
    bell_ = hub_.feed_bell().Subscribe([this] { Rung(); });
    {
      std::lock_guard<std::mutex> lock(mu_);
      reading_ = true;
      writer_waiting_ = true;
    }
    PostRead();
  }

  void OnWriteDone(bool ok) {
    if (!ok) {
      return End(
          grpc::Status(grpc::StatusCode::CANCELLED, "the consumer is gone"));
    }
    const uint64_t n =
        in_flight_.has_event()
            ? 1
            : static_cast<uint64_t>(in_flight_.events().events_size());
    sent_ += n;
    hub_.context().metrics.FeedEventsSent(n);
    Continue();
  }

  void OnCancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (waiting_) timer_.cancel();
  }

 private:
  // What one read produced, for the writer.
  enum class Ready { kNothing, kEvents, kPassDone, kError };

  // A commit in this process (under the bell's lock).
  void Rung() {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_) {
      timer_.cancel();
    } else {
      rung_ = true;
    }
  }

  void PostRead() {
    boost::asio::post(hub_.context().io,
                      [self = shared_from_this()] { self->Read(); });
  }

  // The reader's turn, on the pool: queries until it has events, or the
  // pass is done, or it fails; then hands the result to the writer. A
  // query that found nothing posts the next one (no worker is held long).
  void Read() {
    std::unique_lock<std::mutex> lock(mu_);
    if (cancelled_ || ended_) return Deliver(lock, Ready::kError, {}, {});
    lock.unlock();
    std::vector<Response> events;
    Result<FeedReader::Step> step = reader_.Next(&events);
    lock.lock();
    if (!step.ok()) {
      return Deliver(lock, Ready::kError, {}, ToGrpc(step.status()));
    }
    if (!events.empty()) {
      if (max_batch_ > 1) events = Batch(std::move(events));
      return Deliver(lock, Ready::kEvents, std::move(events), {});
    }
    if (*step == FeedReader::Step::kPassDone) {
      return Deliver(lock, Ready::kPassDone, {}, {});
    }
    lock.unlock();
    PostRead();
  }

  // The page's events in responses of up to max_batch_ events, each
  // stopping before kMaxFeedBatchBytes (a larger event goes alone).
  std::vector<Response> Batch(std::vector<Response> page) const {
    std::vector<Response> out;
    size_t bytes = 0;
    for (Response& r : page) {
      const size_t size = r.event().ByteSizeLong();
      v1::FeedBatch* b = out.empty() ? nullptr : out.back().mutable_events();
      if (b == nullptr ||
          static_cast<uint32_t>(b->events_size()) >= max_batch_ ||
          bytes + size > kMaxFeedBatchBytes) {
        b = out.emplace_back().mutable_events();
        bytes = 0;
      }
      b->mutable_events()->Add(std::move(*r.mutable_event()));
      bytes += size;
    }
    return out;
  }

  // Ends the read: the result waits in ready_ for the writer, or, when the
  // writer is waiting for it, the writer goes on here.
  void Deliver(std::unique_lock<std::mutex>& lock, Ready what,
               std::vector<Response> events, grpc::Status error) {
    reading_ = false;
    if (ended_) return;
    ready_ = what;
    ready_events_ = std::move(events);
    ready_error_ = std::move(error);
    if (!writer_waiting_) return;
    writer_waiting_ = false;
    lock.unlock();
    Continue();
  }

  // The writer's turn: the next write of the page, else the next page.
  void Continue() {
    for (;;) {
      if (Cancelled()) return End(grpc::Status::CANCELLED);
      if (next_ < page_.size()) {
        in_flight_ = std::move(page_[next_++]);
        // No buffer hint: gRPC 1.51 completes a hinted write only when a
        // later write flushes it, and with one write in flight that later
        // write never comes (a follow stream stalled so in a test).
        reactor_->StartWrite(&in_flight_);
        return;
      }
      page_.clear();
      next_ = 0;
      if (ending_) return End(grpc::Status::OK);
      std::unique_lock<std::mutex> lock(mu_);
      const Ready what = ready_;
      ready_ = Ready::kNothing;
      switch (what) {
        case Ready::kEvents:
          page_ = std::move(ready_events_);
          ready_events_.clear();
          // The next page is read while this one is written.
          reading_ = true;
          lock.unlock();
          PostRead();
          continue;
        case Ready::kError: {
          grpc::Status error = std::move(ready_error_);
          lock.unlock();
          if (error.ok()) error = grpc::Status::CANCELLED;
          if (error.error_code() != grpc::StatusCode::CANCELLED) {
            Log(LogLevel::kWarn, "feed.read_failed",
                {{"error", error.error_message()},
                 {"events_sent", std::to_string(sent_)}});
          }
          return End(error);
        }
        case Ready::kPassDone:
          lock.unlock();
          if (!caught_up_sent_) {
            caught_up_sent_ = true;
            v1::FeedCaughtUp* c = page_.emplace_back().mutable_caught_up();
            c->set_at_us(hub_.context().clock.NowMicros());
            c->set_events_sent(sent_);
            ending_ = !follow_;
            if (follow_) StartWait();
            continue;
          }
          if (StartWait()) return;
          continue;
        case Ready::kNothing:
          // The read is under way: it goes on with the writer when done.
          writer_waiting_ = true;
          return;
      }
    }
  }

  // Following and caught up: the next pass after feed.poll_ms, or at once
  // when this process commits events. The pass's read runs when the wait
  // ends and hands its result to the writer (waiting for it, or still
  // writing caught_up). False when the stream was cancelled meanwhile.
  bool StartWait() {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return false;
    reading_ = true;
    writer_waiting_ = page_.empty();
    if (rung_) {
      rung_ = false;
      PostRead();
      return true;
    }
    waiting_ = true;
    timer_.expires_after(
        std::chrono::milliseconds(hub_.context().config.feed_poll_ms));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code) {
      {
        std::lock_guard<std::mutex> woken(self->mu_);
        self->waiting_ = false;
        self->rung_ = false;
      }
      self->Read();
    });
    return true;
  }

  bool Cancelled() {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  void End(const grpc::Status& status) {
    if (reactor_ == nullptr) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;
      if (waiting_) timer_.cancel();
    }
    hub_.feed_bell().Unsubscribe(bell_);
    hub_.context().metrics.FeedStreamClosed();
    Log(status.ok() || status.error_code() == grpc::StatusCode::CANCELLED
            ? LogLevel::kDebug
            : LogLevel::kWarn,
        "feed.stream_ended",
        {{"code", std::to_string(static_cast<int>(status.error_code()))},
         {"events_sent", std::to_string(sent_)}});
    FeedReactor* r = reactor_;
    reactor_ = nullptr;
    r->Finish(status);
  }

  SyncHub& hub_;
  const bool follow_;
  const uint32_t max_batch_;
  // The reader's own.
  FeedReader reader_;
  // The writer's own.
  std::vector<Response> page_;
  size_t next_ = 0;
  Response in_flight_;
  uint64_t sent_ = 0;
  bool caught_up_sent_ = false;
  bool ending_ = false;
  FeedReactor* reactor_;  // null once finished
  FeedBell::Id bell_ = 0;
  // Guarded by mu_: what the two turns and gRPC tell each other.
  std::mutex mu_;
  bool cancelled_ = false;
  bool ended_ = false;
  bool reading_ = false;         // a read (or the wait before one) is on
  bool writer_waiting_ = false;  // the writer waits for the read
  Ready ready_ = Ready::kNothing;
  std::vector<Response> ready_events_;
  grpc::Status ready_error_;
  bool waiting_ = false;  // the timer is armed
  bool rung_ = false;     // a commit since the pass began
  boost::asio::steady_timer timer_;
};

void FeedReactor::OnWriteDone(bool ok) {
  if (session) session->OnWriteDone(ok);
}

void FeedReactor::OnCancel() {
  if (session) session->OnCancel();
}

}  // namespace

grpc::ServerWriteReactor<v1::StreamEventsResponse>* StartFeedStream(
    SyncHub& hub, const v1::StreamEventsRequest& request,
    const Status& allowed) {
  auto* reactor = new FeedReactor();
  if (!allowed.ok()) {
    reactor->Finish(ToGrpc(allowed));
    return reactor;
  }
  Result<FeedPlan> plan = PlanFeed(request);
  if (!plan.ok()) {
    reactor->Finish(ToGrpc(plan.status()));
    return reactor;
  }
  reactor->session =
      std::make_shared<FeedSession>(hub, *std::move(plan), reactor);
  reactor->session->Begin();
  return reactor;
}

}  // namespace storeagent::central
