#include "central/server/feed_stream.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "central/server/feed_reader.h"
#include "central/server/feed_request.h"
#include "central/server/feed_wire.h"
#include "central/server/grpc_status.h"
#include "platform/log.h"

namespace storeagent::central {
namespace {

// One StreamEventsResponse as gRPC sends it: its wire bytes (feed_wire.h)
// and the events it carries (0 for caught_up).
struct Frame {
  grpc::ByteBuffer bytes;
  uint64_t events = 0;
};

// A ByteBuffer over `bytes`, without copying them.
grpc::ByteBuffer BufferOf(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  grpc::Slice slice(
      owned->data(), owned->size(),
      [](void* p) { delete static_cast<std::string*>(p); }, owned);
  return grpc::ByteBuffer(&slice, 1);
}

class FeedSession;

// gRPC's side: forwards its reactions to the session, which it keeps alive
// until gRPC is done with the call.
class FeedReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
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
    const uint64_t n = in_flight_.events;
    in_flight_.bytes.Clear();
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
    std::vector<FeedItem> events;
    Result<FeedReader::Step> step = reader_.Next(&events);
    // Encoded here, on the pool, while the writer writes the last page.
    std::vector<Frame> frames;
    if (step.ok()) frames = Frames(events);
    lock.lock();
    if (!step.ok()) {
      return Deliver(lock, Ready::kError, {}, ToGrpc(step.status()));
    }
    if (!frames.empty()) {
      return Deliver(lock, Ready::kEvents, std::move(frames), {});
    }
    if (*step == FeedReader::Step::kPassDone) {
      return Deliver(lock, Ready::kPassDone, {}, {});
    }
    lock.unlock();
    PostRead();
  }

  // The page's events as responses: one event each (`event`), or, with
  // max_batch_ above 1, up to max_batch_ events per FeedBatch, each batch
  // stopping before kMaxFeedBatchBytes (a larger event goes alone).
  std::vector<Frame> Frames(const std::vector<FeedItem>& page) const {
    std::vector<Frame> out;
    if (max_batch_ <= 1) {
      for (const FeedItem& e : page) {
        out.push_back(Frame{BufferOf(EncodeFeedResponse(&e, 1, false)), 1});
      }
      return out;
    }
    size_t begin = 0;
    while (begin < page.size()) {
      size_t end = begin;
      size_t bytes = 0;
      while (end < page.size() && end - begin < max_batch_) {
        const size_t size = FeedEventSize(page[end]);
        if (end > begin && bytes + size > kMaxFeedBatchBytes) break;
        bytes += size;
        ++end;
      }
      out.push_back(
          Frame{BufferOf(EncodeFeedResponse(&page[begin], end - begin, true)),
                end - begin});
      begin = end;
    }
    return out;
  }

  // Ends the read: the result waits in ready_ for the writer, or, when the
  // writer is waiting for it, the writer goes on here.
  void Deliver(std::unique_lock<std::mutex>& lock, Ready what,
               std::vector<Frame> events, grpc::Status error) {
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
        reactor_->StartWrite(&in_flight_.bytes);
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
          // caught_up ends the first pass and, following, every later pass
          // that sent events: a consumer's natural commit point.
          if (!caught_up_sent_ || sent_ > sent_at_caught_up_) {
            caught_up_sent_ = true;
            sent_at_caught_up_ = sent_;
            v1::StreamEventsResponse r;
            v1::FeedCaughtUp* c = r.mutable_caught_up();
            c->set_at_us(hub_.context().clock.NowMicros());
            c->set_events_sent(sent_);
            page_.push_back(Frame{BufferOf(r.SerializeAsString()), 0});
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
  std::vector<Frame> page_;
  size_t next_ = 0;
  Frame in_flight_;
  uint64_t sent_ = 0;
  bool caught_up_sent_ = false;
  uint64_t sent_at_caught_up_ = 0;  // sent_ when caught_up was last sent
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
  std::vector<Frame> ready_events_;
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

grpc::ServerWriteReactor<grpc::ByteBuffer>* StartFeedStream(
    SyncHub& hub, const grpc::ByteBuffer& request, const Status& allowed) {
  auto* reactor = new FeedReactor();
  if (!allowed.ok()) {
    reactor->Finish(ToGrpc(allowed));
    return reactor;
  }
  v1::StreamEventsRequest parsed;
  grpc::ByteBuffer copy(request);  // Deserialize consumes its buffer
  if (!grpc::SerializationTraits<v1::StreamEventsRequest>::Deserialize(&copy,
                                                                       &parsed)
           .ok()) {
    reactor->Finish(ToGrpc(InvalidArgument(
        "request: not a StreamEventsRequest (it does not parse)")));
    return reactor;
  }
  Result<FeedPlan> plan = PlanFeed(parsed);
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
