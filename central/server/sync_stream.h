// SyncStream: one agent's Sync stream, a gRPC callback bidi reactor.
//
// gRPC's threads only move messages: every message read is handled on a
// worker of the shared pool through this stream's strand (so one stream's
// messages are handled in order, one at a time, and many streams share a
// few threads), and the next read starts when it is handled. Writes go
// through a queue with one write in flight. The reactor owns itself through
// a shared_ptr that OnDone drops; work still queued keeps it alive and
// touches gRPC no more once the stream is done.
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
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "central/server/sync_hub.h"
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
  enum class Phase { kHello, kReseeding, kRunning };
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  struct PendingHold {
    HoldCallback done;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  // On the strand.
  void Handle(v1::SyncRequest& m);
  void OnHello(const v1::Hello& h);
  void OnEvents(v1::EventBatch& b);
  void OnCentralAck(const v1::CentralAck& a);
  void OnHoldAnswer(const v1::HoldAnswer& a);
  void OnDigest(const v1::StockDigest& d);
  void OnDrillDownAnswer(const v1::DrillDownAnswer& a);
  void OnReseedAck(const v1::ReseedAck& a);
  void SendReseed();
  void Pump();
  void FailHolds();

  // Any thread.
  void Send(v1::SyncResponse m);
  void End(const grpc::Status& status);
  void ReadNext();
  const CentralConfig& config() const { return hub_.context().config; }
  CentralStore& store() const { return hub_.context().store; }

  SyncHub& hub_;
  const std::string peer_store_id_;
  const bool require_peer_id_;
  Strand strand_;
  std::shared_ptr<SyncStream> self_;  // dropped by OnDone

  // gRPC side, guarded by mu_ (recursive: a reaction gRPC might run inline
  // from StartWrite or Finish takes it again).
  std::recursive_mutex mu_;
  v1::SyncRequest in_;
  std::deque<v1::SyncResponse> out_;
  bool writing_ = false;
  bool finished_ = false;  // Finish called or decided
  std::optional<grpc::Status> finish_after_writes_;
  // Why the stream ended, for sync.stream_ended: the status central ended
  // it with (guarded by mu_); unset when the agent or the link ended it.
  std::optional<grpc::Status> ended_with_;
  bool done_ = false;  // OnDone ran
  // Read-ahead: the next message is read (and parsed) while the strand
  // commits the previous batch, up to kReadAhead messages waiting there.
  static constexpr int kReadAhead = 4;
  int queued_ = 0;            // read, not yet handled on the strand
  bool read_paused_ = false;  // the queue was full; the strand reads next

  // Strand side.
  Phase phase_ = Phase::kHello;
  std::string store_id_;
  uint64_t held_ = 0;                       // store seq central holds
  uint64_t central_sent_ = 0;               // last central_seq sent down
  uint64_t central_acked_ = 0;              // last central_seq acknowledged
  std::deque<uint64_t> central_in_flight_;  // last seq of each batch
  uint64_t reseed_sent_ = 0;
  uint64_t reseed_acked_ = 0;
  bool reseed_done_sent_ = false;
  std::deque<uint64_t> reseed_in_flight_;
  uint32_t digest_buckets_ = 0;  // of the last digest
  uint64_t next_request_id_ = 0;
  std::map<uint64_t, PendingHold> holds_;
  bool holds_failed_ = false;
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
