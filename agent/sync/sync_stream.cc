#include "agent/sync/sync_stream.h"

#include "platform/tsan.h"

namespace storeagent::agent {

void SessionQueue::Push(SessionEvent e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
  }
  cv_.notify_all();
}

void SessionQueue::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

std::optional<SessionEvent> SessionQueue::Wait(
    std::chrono::steady_clock::time_point deadline, bool* woken) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [this] { return !events_.empty() || woken_; });
  *woken = woken_;
  woken_ = false;
  if (events_.empty()) return std::nullopt;
  SessionEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

void SyncStream::Begin() {
  AddHold();
  STOREAGENT_TSAN_RELEASE(this);
  StartRead(&incoming_);
  StartCall();
}

void SyncStream::Send(v1::SyncRequest m) {
  const v1::SyncRequest* start = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    start = writes_.Push(std::move(m));
  }
  if (start != nullptr) {
    STOREAGENT_TSAN_RELEASE(this);
    StartWrite(start);
  }
}

void SyncStream::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return;
    closing_ = true;
    writes_.Close();
  }
  context_.TryCancel();
  RemoveHold();
}

void SyncStream::OnReadDone(bool ok) {
  STOREAGENT_TSAN_ACQUIRE(this);
  if (!ok) {
    queue_->Push(SessionEvent{SessionEvent::Kind::kReadEnded, {}, {}, {}});
    return;
  }
  SessionEvent e;
  e.kind = SessionEvent::Kind::kMessage;
  e.message = std::move(incoming_);
  incoming_.Clear();
  queue_->Push(std::move(e));
  STOREAGENT_TSAN_RELEASE(this);
  StartRead(&incoming_);
}

void SyncStream::OnWriteDone(bool ok) {
  STOREAGENT_TSAN_ACQUIRE(this);
  const v1::SyncRequest* next = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // After Close() nothing more is started: the call is being cancelled.
    next = writes_.Done(ok);
    if (closing_) next = nullptr;
  }
  if (next != nullptr) {
    STOREAGENT_TSAN_RELEASE(this);
    StartWrite(next);
  }
}

void SyncStream::OnDone(const grpc::Status& status) {
  STOREAGENT_TSAN_ACQUIRE(this);
  SessionEvent e;
  e.kind = SessionEvent::Kind::kDone;
  e.status = status;
  queue_->Push(std::move(e));
}

}  // namespace storeagent::agent
