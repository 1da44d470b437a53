// SyncStream: one Sync call to central as a gRPC callback reactor.
//
// The reactor never blocks and never touches the database: every message
// central sends, the end of the read side and the call's final status are
// pushed into a SessionQueue that the sync client's thread drains. Writes
// go through the WriteQueue both ends share (proto/write_queue.h: one in
// flight, gRPC called outside the lock). A hold keeps OnDone from running until
// Close(), so the client thread can Send() safely until it closes the stream.
//
// Lifetime: owned by a shared_ptr of the client's session; the session
// waits for the kDone event (OnDone ran) before releasing it.
#ifndef STOREAGENT_AGENT_SYNC_SYNC_STREAM_H_
#define STOREAGENT_AGENT_SYNC_SYNC_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "proto/write_queue.h"
#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::agent {

// What the client thread waits for.
struct SessionEvent {
  enum class Kind {
    kMessage,    // `message` from central
    kReadEnded,  // central closed its side or the call failed
    kDone,       // OnDone ran: `status` is final, the reactor may go
    kSend,       // `outgoing` prepared off-thread (a hold answer)
  };
  Kind kind = Kind::kMessage;
  v1::SyncResponse message;
  v1::SyncRequest outgoing;
  grpc::Status status;
};

// A queue of SessionEvents plus a wake-up flag (new journal commits).
// Thread-safe.
class SessionQueue {
 public:
  void Push(SessionEvent e);
  // Sets the wake flag (a commit happened); cheap, never blocks long.
  void Wake();
  // Waits until an event, a wake-up or `deadline`; returns the event if
  // any. `woken` tells whether the wake flag was set (and clears it).
  std::optional<SessionEvent> Wait(
      std::chrono::steady_clock::time_point deadline, bool* woken);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<SessionEvent> events_;
  bool woken_ = false;
};

class SyncStream
    : public grpc::ClientBidiReactor<v1::SyncRequest, v1::SyncResponse> {
 public:
  explicit SyncStream(std::shared_ptr<SessionQueue> queue)
      : queue_(std::move(queue)) {}

  grpc::ClientContext* context() { return &context_; }

  // After stub->async()->Sync(context(), this): starts reading and the call.
  void Begin();
  // Queues `m` for sending. REQUIRES: before Close(), client thread.
  void Send(v1::SyncRequest m);
  // Cancels the call (if still running) and releases the hold, so OnDone
  // follows. Idempotent.
  void Close();

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  std::shared_ptr<SessionQueue> queue_;
  grpc::ClientContext context_;
  v1::SyncResponse incoming_;
  std::mutex mu_;
  rpc::WriteQueue<v1::SyncRequest> writes_;  // guarded by mu_
  bool closing_ = false;                     // guarded by mu_
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_SYNC_STREAM_H_
