// SyncStream: one agent's Sync stream, a gRPC callback bidi reactor.
//
// The thin driver of a StreamMachine (stream_machine.h: the protocol's
// rules, no I/O) over gRPC. gRPC's threads only move messages: every
// message read goes, in order, through two strands on the workers of the
// shared pool. The first, check_strand_, runs CheckEvents on an events
// message (parse, hash, validation: most of a batch's CPU, and it needs no
// state); the second, strand_, hands it to the machine, whose storage
// actions run there through StreamStorage. So a batch is checked while
// the previous one commits, one stream's messages are handled in order,
// and many streams share a few threads. The next read starts when a
// message is handled, or at once while fewer than kReadAhead wait. Writes go
// through the WriteQueue both ends share (proto/write_queue.h). The reactor
// owns itself through a shared_ptr that OnDone drops; work still queued keeps
// it alive and touches gRPC no more once the stream is done.
//
// Protocol (docs/sync-protocol.md, docs/central.md):
//   Hello -> Welcome (+ ReseedBatch... ReseedDone when the agent lost its
//   journal), then EventBatch -> BatchAck after commit, CentralBatch down
//   (windowed) -> CentralAck, HoldRequest -> HoldAnswer, StockDigest ->
//   DigestResult (+ DrillDown -> DrillDownAnswer -> drift).
#ifndef STOREAGENT_CENTRAL_SERVER_SYNC_STREAM_H_
#define STOREAGENT_CENTRAL_SERVER_SYNC_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "central/server/stream_machine.h"
#include "central/server/stream_storage.h"
#include "central/server/sync_hub.h"
#include "proto/write_queue.h"
#include "storeagent/v1/services_v02.grpc.pb.h"
#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::central {

class SyncStream
    : public grpc::ServerBidiReactor<v1::SyncRequest, v1::SyncResponse>,
      public SyncSession,
      public std::enable_shared_from_this<SyncStream> {
 public:
  // Starts a stream; the reactor returned belongs to gRPC until OnDone.
  static SyncStream* Start(SyncHub& hub, grpc::CallbackServerContext* context,
                           bool require_peer_id);

  SyncStream(SyncHub& hub, std::string peer_store_id, bool require_peer_id);

  // grpc::ServerBidiReactor
  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // SyncSession
  void PumpDown() override;
  void RequestHold(const v1::HoldPlaced& hold,
                   std::chrono::milliseconds timeout,
                   HoldCallback done) override;
  void Replace() override;

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  struct PendingHold {
    HoldCallback done;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  // On the strand: carries out what the machine decided.
  void Drive();
  // Ends the stream if no Hello came within sync.hello_timeout_s.
  void StartHelloTimer();
  // gRPC side open (no Finish decided, OnDone not run).
  bool Open();

  // Any thread.
  void Send(v1::SyncResponse m);
  void End(const grpc::Status& status);
  void ReadNext();
  // Runs `fn` on strand_ behind every message read before the call: through
  // check_strand_ first, the way messages go. `fn` holds its own reference
  // to the stream.
  template <typename Fn>
  void PostBehindReads(Fn fn) {
    boost::asio::post(check_strand_, [self = shared_from_this(),
                                      fn = std::move(fn)]() mutable {
      boost::asio::post(self->strand_, std::move(fn));
    });
  }
  const CentralConfig& config() const { return hub_.context().config; }

  SyncHub& hub_;
  const std::string peer_store_id_;
  Strand check_strand_;               // CheckEvents, in read order
  Strand strand_;                     // the machine and its storage
  std::shared_ptr<SyncStream> self_;  // dropped by OnDone

  // gRPC side, guarded by mu_. gRPC is called after unlocking (StartWrite,
  // Finish) or, for StartRead, under it so no read starts after Finish;
  // proto/write_queue.h says why a plain mutex is right.
  std::mutex mu_;
  v1::SyncRequest in_;
  rpc::WriteQueue<v1::SyncResponse> out_;
  bool finished_ = false;  // Finish called or decided
  std::optional<grpc::Status> finish_after_writes_;
  // Why the stream ended, for sync.stream_ended: the status central ended
  // it with; unset when the agent or the link ended it.
  std::optional<grpc::Status> ended_with_;
  bool done_ = false;  // OnDone ran
  // Read-ahead: the next message is read (parsed and checked) while the
  // strand commits the previous batch, up to kReadAhead messages read and
  // not yet handled.
  static constexpr int kReadAhead = 4;
  int queued_ = 0;            // read, not yet handled on the strand
  bool read_paused_ = false;  // the queue was full; the strand reads next

  // Strand side: the protocol (stream_machine.h) and its storage.
  StreamMachine machine_;
  StreamStorage storage_;
  StreamStorage::Transport transport_;
  std::map<uint64_t, PendingHold> holds_;
  std::unique_ptr<boost::asio::steady_timer> hello_timer_;
};

// The Sync service: one SyncStream per call.
class SyncServiceImpl : public v1::SyncService::CallbackService {
 public:
  // `require_peer_id`: the listener has mTLS, every stream must carry a
  // certificate naming a store.
  SyncServiceImpl(SyncHub& hub, bool require_peer_id)
      : hub_(hub), require_peer_id_(require_peer_id) {}

  grpc::ServerBidiReactor<v1::SyncRequest, v1::SyncResponse>* Sync(
      grpc::CallbackServerContext* context) override;

 private:
  SyncHub& hub_;
  const bool require_peer_id_;
};

// The same service under its 0.2 name (/storeagent.v1.Sync/Sync), for
// stores not yet upgraded: the same messages, the same SyncStream.
class SyncServiceV02 : public v1::Sync::CallbackService {
 public:
  explicit SyncServiceV02(SyncServiceImpl& impl) : impl_(impl) {}

  grpc::ServerBidiReactor<v1::SyncRequest, v1::SyncResponse>* Sync(
      grpc::CallbackServerContext* context) override {
    return impl_.Sync(context);
  }

 private:
  SyncServiceImpl& impl_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_SYNC_STREAM_H_
