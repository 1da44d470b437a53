// WriteQueue: the messages a gRPC bidi reactor has to write, one in flight.
//
// gRPC allows one outstanding StartWrite per stream; both ends of the sync
// stream (agent/sync/sync_stream.h, central/server/sync_stream.h) queue
// their messages here and start the next one from OnWriteDone.
//
// The inline-reaction question, decided once: may gRPC run a reaction
// (OnWriteDone, OnDone) inline, on the thread calling StartWrite or
// Finish, while the caller still holds its lock? gRPC C++'s callback API
// does not: reactions of a call started by user code run later on gRPC's
// own threads (or the caller's executor), never nested below the user's
// call into gRPC (grpc/grpc#22065 settled this for the callback API; the
// library defers such reactions to its executor). Both reactors still do
// not depend on it: they decide under their lock what to start (this
// class) and call StartWrite / Finish after unlocking, so a reaction that
// did run inline would take the lock afresh instead of deadlocking or
// re-entering half-updated state. Hence one plain std::mutex per reactor
// (central's recursive_mutex, kept for an inline reaction, is gone).
//
// The message being written is the queue's front: std::deque keeps
// references to its elements valid across push_back, so the pointer
// handed to StartWrite stays good until Done() pops it.
//
// Not thread-safe: the reactor holds its lock around every call.
#ifndef STOREAGENT_PROTO_WRITE_QUEUE_H_
#define STOREAGENT_PROTO_WRITE_QUEUE_H_

#include <cstddef>
#include <deque>
#include <utility>

namespace storeagent::rpc {

template <typename Msg>
class WriteQueue {
 public:
  // Queues `m`. Returns the message to StartWrite now, or nullptr when a
  // write is already in flight (Done() starts it later) or the queue is
  // closed (`m` is dropped).
  const Msg* Push(Msg m) {
    if (closed_) return nullptr;
    queue_.push_back(std::move(m));
    if (writing_) return nullptr;
    writing_ = true;
    return &queue_.front();
  }

  // The write in flight completed (`ok`: it reached the transport).
  // Returns the next message to StartWrite, or nullptr when the queue is
  // idle now. A failed write drops what is queued and closes the queue:
  // the call is broken and its read side ends too.
  const Msg* Done(bool ok) {
    if (!queue_.empty()) queue_.pop_front();
    if (!ok) {
      closed_ = true;
      queue_.clear();
    }
    if (queue_.empty()) {
      writing_ = false;
      return nullptr;
    }
    return &queue_.front();
  }

  // Nothing more is queued: later Push()es drop their message; what was
  // queued before is still written (central's last ack goes out before
  // its Finish), unless a write fails.
  void Close() { closed_ = true; }

  bool writing() const { return writing_; }
  bool closed() const { return closed_; }
  // Messages queued, the one in flight included.
  size_t size() const { return queue_.size(); }

 private:
  std::deque<Msg> queue_;  // front is in flight while writing_
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace storeagent::rpc

#endif  // STOREAGENT_PROTO_WRITE_QUEUE_H_
