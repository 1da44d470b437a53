#include "central/server/sync_stream.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <utility>
#include <vector>

#include "central/server/grpc_status.h"
#include "central/server/peer_identity.h"
#include "platform/log.h"
#include "platform/tsan.h"
#include "storeagent/v1/services_v02.pb.h"

namespace storeagent::central {

// services_v02.pb.cc registers the 0.2 services' descriptors (reflection
// describes them, the per-method metrics count them), and nothing else in
// it is referenced: this does, or the linker leaves it out of the archive.
extern const void* volatile kServicesV02Descriptors;
const void* volatile kServicesV02Descriptors =
    &::descriptor_table_storeagent_2fv1_2fservices_5fv02_2eproto;
SyncStream* SyncStream::Start(SyncHub& hub,
                              grpc::CallbackServerContext* context,
                              bool require_peer_id) {
  auto s = std::make_shared<SyncStream>(
      hub, StoreIdFromAuthContext(context->auth_context().get()),
      require_peer_id);
  s->self_ = s;
  s->ReadNext();
  s->StartHelloTimer();
  return s.get();
}

void SyncStream::StartHelloTimer() {
  const uint32_t timeout_s = config().hello_timeout_s;
  boost::asio::post(strand_, [self = shared_from_this(), timeout_s] {
    if (!self->Open()) return;
    self->hello_timer_ = std::make_unique<boost::asio::steady_timer>(
        self->hub_.context().io, std::chrono::seconds(timeout_s));
    // A weak reference: a stream that ended is not kept for the timeout.
    self->hello_timer_->async_wait(
        [weak = std::weak_ptr<SyncStream>(self),
         timeout_s](const boost::system::error_code& ec) {
          std::shared_ptr<SyncStream> me = weak.lock();
          if (ec || !me) return;
          // Behind the messages read: a Hello read before the timer fired
          // is handled first.
          me->PostBehindReads([me, timeout_s] {
            if (!me->Open()) return;
            me->machine_.OnHelloTimeout(timeout_s);
            me->Drive();
          });
        });
  });
}

SyncStream::SyncStream(SyncHub& hub, std::string peer_store_id,
                       bool require_peer_id)
    : hub_(hub),
      peer_store_id_(peer_store_id),
      check_strand_(boost::asio::make_strand(hub.context().io)),
      strand_(boost::asio::make_strand(hub.context().io)),
      machine_(StreamOptionsFor(hub.context().config, std::move(peer_store_id),
                                require_peer_id)),
      storage_(hub) {
  transport_.send = [this](v1::SyncResponse m) { Send(std::move(m)); };
  transport_.end = [this](const Status& s) { End(ToGrpc(s)); };
  transport_.register_stream = [this](const std::string& store_id) {
    return hub_.Register(store_id, shared_from_this());
  };
  transport_.start_hold_timer = [this](uint64_t id, int64_t timeout_us) {
    auto it = holds_.find(id);
    if (it == holds_.end()) return;
    it->second.timer = std::make_unique<boost::asio::steady_timer>(
        hub_.context().io, std::chrono::microseconds(timeout_us));
    // Behind the messages read, so a hold answer read before the timer
    // fired is handled before the timeout.
    it->second.timer->async_wait(
        [self = shared_from_this(), id](const boost::system::error_code& ec) {
          if (ec) return;
          self->PostBehindReads([self, id] {
            self->machine_.OnHoldTimeout(id);
            self->Drive();
          });
        });
  };
  transport_.hold_done = [this](uint64_t id,
                                std::optional<v1::HoldAnswer> answer) {
    auto it = holds_.find(id);
    if (it == holds_.end()) return;
    if (it->second.timer) it->second.timer->cancel();
    HoldCallback cb = std::move(it->second.done);
    holds_.erase(it);
    boost::asio::post(
        hub_.context().io,
        [cb = std::move(cb), answer = std::move(answer)] { cb(answer); });
  };
}

// ------------------------------------------------------------ gRPC side

bool SyncStream::Open() {
  std::lock_guard<std::mutex> lock(mu_);
  return !finished_ && !done_;
}

void SyncStream::ReadNext() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_ || done_) return;
  STOREAGENT_TSAN_RELEASE(this);
  StartRead(&in_);
}

void SyncStream::OnReadDone(bool ok) {
  STOREAGENT_TSAN_ACQUIRE(this);
  if (!ok) {
    // The agent closed its side, or the call broke: after what was read.
    PostBehindReads(
        [self = shared_from_this()] { self->End(grpc::Status::OK); });
    return;
  }
  auto m = std::make_shared<v1::SyncRequest>(std::move(in_));
  in_.Clear();
  bool read_on = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++queued_;
    read_on = queued_ < kReadAhead;
    read_paused_ = !read_on;
  }
  // Checked on one strand, handled on the other: both keep read order.
  boost::asio::post(check_strand_, [self = shared_from_this(), m] {
    std::shared_ptr<CheckedEvents> checked;
    // An oversized batch is refused by the machine before any check.
    if (m->has_events() &&
        static_cast<uint32_t>(m->events().entries_size()) <=
            self->config().max_batch_events &&
        self->Open()) {
      checked =
          std::make_shared<CheckedEvents>(CheckEvents(*m->mutable_events()));
    }
    boost::asio::post(self->strand_, [self, m, checked] {
      if (self->Open()) {
        self->machine_.OnMessage(*m, checked.get());
        self->Drive();
      }
      bool resume = false;
      {
        std::lock_guard<std::mutex> lock(self->mu_);
        --self->queued_;
        resume = self->read_paused_;
        self->read_paused_ = false;
      }
      if (resume) self->ReadNext();
    });
  });
  if (read_on) ReadNext();
}

void SyncStream::Send(v1::SyncResponse m) {
  const v1::SyncResponse* start = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_ || done_) return;
    start = out_.Push(std::move(m));
  }
  if (start != nullptr) {
    STOREAGENT_TSAN_RELEASE(this);
    StartWrite(start);
  }
}

void SyncStream::OnWriteDone(bool ok) {
  STOREAGENT_TSAN_ACQUIRE(this);
  const v1::SyncResponse* next = nullptr;
  std::optional<grpc::Status> finish;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = out_.Done(ok);
    if (next == nullptr) {
      if (finish_after_writes_) {
        finish = std::move(finish_after_writes_);
        finish_after_writes_.reset();
      } else if (!ok && !finished_) {
        finished_ = true;
        finish = grpc::Status(grpc::StatusCode::CANCELLED, "write failed");
      }
    }
  }
  STOREAGENT_TSAN_RELEASE(this);
  if (next != nullptr) {
    StartWrite(next);
  } else if (finish) {
    Finish(*finish);
  }
}

void SyncStream::End(const grpc::Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_ || done_) return;
    finished_ = true;
    ended_with_ = status;
    out_.Close();
    if (out_.writing()) {
      finish_after_writes_ = status;
      return;
    }
  }
  STOREAGENT_TSAN_RELEASE(this);
  Finish(status);
}

void SyncStream::OnCancel() {
  STOREAGENT_TSAN_ACQUIRE(this);
  End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
}

void SyncStream::OnDone() {
  STOREAGENT_TSAN_ACQUIRE(this);
  std::optional<grpc::Status> ended_with;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    ended_with = ended_with_;
  }
  // The cause: central's own End status, or the agent / the link.
  std::string code = "CANCELLED";
  std::string why = "the agent closed the stream or the connection was lost";
  if (ended_with && !ended_with->ok()) {
    code = StatusCodeName(static_cast<StatusCode>(ended_with->error_code()));
    why = ended_with->error_message();
  } else if (ended_with) {  // the agent's reads ended: End(OK)
    code = "OK";
    why = "the agent closed its side or the connection was lost";
  }
  boost::asio::post(strand_, [self = shared_from_this(), code = std::move(code),
                              why = std::move(why)] {
    // Counted before the store leaves the hub: a scrape never sees it gone
    // from stores_connected and not yet in streams_ended_total.
    self->hub_.context().metrics.StreamEnded(code);
    const std::string& store_id = self->machine_.store_id();
    if (!store_id.empty()) self->hub_.Unregister(store_id, self.get());
    Log(LogLevel::kInfo, "sync.stream_ended",
        {{"store", store_id.empty() ? self->peer_store_id_ : store_id},
         {"code", code},
         {"why", why}});
    if (self->hello_timer_) self->hello_timer_->cancel();
    // Pending holds get "no answer".
    self->machine_.OnEnded();
    self->Drive();
  });
  std::shared_ptr<SyncStream> me = std::move(self_);
}

void SyncStream::Replace() {
  End(grpc::Status(grpc::StatusCode::ABORTED,
                   "a newer stream of the same store replaced this one"));
}

// ------------------------------------------------------------ strand side

void SyncStream::Drive() { storage_.Run(machine_, transport_); }

void SyncStream::PumpDown() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    if (!self->Open()) return;
    self->machine_.OnPumpDown();
    self->Drive();
  });
}

void SyncStream::RequestHold(const v1::HoldPlaced& hold,
                             std::chrono::milliseconds timeout,
                             HoldCallback done) {
  boost::asio::post(strand_, [self = shared_from_this(), hold, timeout,
                              done = std::move(done)]() mutable {
    const uint64_t id =
        self->Open()
            ? self->machine_.RequestHold(
                  hold,
                  std::chrono::duration_cast<std::chrono::microseconds>(timeout)
                      .count())
            : 0;
    if (id == 0) {
      boost::asio::post(self->hub_.context().io,
                        [done = std::move(done)] { done(std::nullopt); });
      return;
    }
    self->holds_[id].done = std::move(done);
    self->Drive();
  });
}

grpc::ServerBidiReactor<v1::SyncRequest, v1::SyncResponse>*
SyncServiceImpl::Sync(grpc::CallbackServerContext* context) {
  return SyncStream::Start(hub_, context, require_peer_id_);
}

}  // namespace storeagent::central
