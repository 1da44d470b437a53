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

class FeedSession : public std::enable_shared_from_this<FeedSession> {
 public:
  FeedSession(SyncHub& hub, FeedPlan plan, FeedReactor* reactor)
      : hub_(hub),
        follow_(plan.follow),
        reader_(hub.context().store, std::move(plan)),
        timer_(hub.context().io),
        reactor_(reactor) {}

  // Counts the stream, listens for commits and starts the first read.
  void Begin() {
    hub_.context().metrics.FeedStreamOpened();
    bell_ = hub_.feed_bell().Subscribe([this] { Rung(); });
    Post();
  }

  void OnWriteDone(bool ok) {
    if (!ok)
      return End(
          grpc::Status(grpc::StatusCode::CANCELLED, "the consumer is gone"));
    if (in_flight_.has_event()) {
      ++sent_;
      hub_.context().metrics.FeedEventsSent(1);
    }
    Continue();
  }

  void OnCancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    if (waiting_) timer_.cancel();
  }

 private:
  bool Cancelled() {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

  // A commit in this process (under the bell's lock).
  void Rung() {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_) {
      timer_.cancel();
    } else {
      rung_ = true;
    }
  }

  void Post() {
    boost::asio::post(hub_.context().io,
                      [self = shared_from_this()] { self->Fetch(); });
  }

  // On the pool: one query of the reader.
  void Fetch() {
    if (Cancelled()) return End(grpc::Status::CANCELLED);
    Result<FeedReader::Step> step = reader_.Next(&page_);
    if (!step.ok()) {
      Log(LogLevel::kWarn, "feed.read_failed",
          {{"error", step.status().ToString()},
           {"events_sent", std::to_string(sent_)}});
      return End(ToGrpc(step.status()));
    }
    if (!page_.empty()) return Continue();
    if (*step == FeedReader::Step::kMore) return Post();
    if (!caught_up_sent_) {
      caught_up_sent_ = true;
      v1::FeedCaughtUp* c = page_.emplace_back().mutable_caught_up();
      c->set_at_us(hub_.context().clock.NowMicros());
      c->set_events_sent(sent_);
      ending_ = !follow_;
      return Continue();
    }
    Wait();
  }

  // The next write of the page, else the next read (or the end).
  void Continue() {
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
    Post();
  }

  // Following and caught up: the next pass after feed.poll_ms, or at once
  // when this process commits events.
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (cancelled_) {
      lock.unlock();
      return End(grpc::Status::CANCELLED);
    }
    if (rung_) {
      rung_ = false;
      lock.unlock();
      return Post();
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
      self->Fetch();
    });
  }

  void End(const grpc::Status& status) {
    if (reactor_ == nullptr) return;
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
  // The turn's own (only the turn's holder touches these).
  FeedReader reader_;
  std::vector<Response> page_;
  size_t next_ = 0;
  Response in_flight_;
  uint64_t sent_ = 0;
  bool caught_up_sent_ = false;
  bool ending_ = false;
  FeedBell::Id bell_ = 0;
  // Guarded by mu_: what other threads tell the turn's holder.
  std::mutex mu_;
  bool cancelled_ = false;
  bool waiting_ = false;  // the timer is armed for the turn
  bool rung_ = false;     // a commit since the pass began
  boost::asio::steady_timer timer_;
  FeedReactor* reactor_;  // null once finished
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
