// SyncHub: the sync streams open in this process, by store, and what they
// share (config, store, replicas, clock, the worker pool, the stream
// leases). The admin API asks it whether a store is connected, sends hold
// requests to a store's stream and tells a stream that a new central event
// was recorded for its store.
//
// Which replica holds a store's stream is its lease (StreamLeases): taken
// when a stream registers, renewed every third of the lease time while it
// lives, released when it ends. With PostgreSQL the store's stream may be
// on another replica: "connected" is read from the lease, and hold requests
// and wake-ups for new central events go to the holder over NOTIFY (the
// messages below); with SQLite the leases are this process's own. Another
// replica may also record central events for a store whose stream is here
// without telling (a lost NOTIFY), so the hub also asks every stream to look
// for new ones every sync.poll_interval_s. Thread-safe.
//
// Messages between replicas (one NOTIFY payload each, fields separated by
// one space; store ids and channels have no spaces):
//   hold <request_id> <reply_channel> <store_id> <timeout_ms> <hex HoldPlaced>
//   answer <request_id> <hex HoldAnswer | ->   ("-": no answer from the store)
//   wake <store_id>                             (new central events)
//   end <store_id> <generation>  (a newer stream took the lease: end yours)
#ifndef STOREAGENT_CENTRAL_SERVER_SYNC_HUB_H_
#define STOREAGENT_CENTRAL_SERVER_SYNC_HUB_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "central/server/central_config.h"
#include "central/server/central_metrics.h"
#include "central/server/feed_bell.h"
#include "central/server/replica_cache.h"
#include "central/store/central_store.h"
#include "central/store/stream_leases.h"
#include "platform/clock.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// What a stream answers a hold request with; nullopt when the store did
// not answer in time or the stream ended first.
using HoldCallback = std::function<void(std::optional<v1::HoldAnswer>)>;

// The part of a sync stream the hub talks to.
class SyncSession {
 public:
  virtual ~SyncSession() = default;
  // Look for central events after what was sent and send them.
  virtual void PumpDown() = 0;
  // Send a HoldRequest; `done` runs once, on a worker thread.
  virtual void RequestHold(const v1::HoldPlaced& hold,
                           std::chrono::milliseconds timeout,
                           HoldCallback done) = 0;
  // End the stream with ABORTED (a newer stream for the store took over).
  virtual void Replace() = 0;
};

struct SyncContext {
  const CentralConfig& config;
  CentralStore& store;
  ReplicaCache& replicas;
  const Clock& clock;
  boost::asio::io_context& io;
  CentralMetrics& metrics;
  StreamLeases& leases;
};

class SyncHub {
 public:
  explicit SyncHub(SyncContext context);
  ~SyncHub();

  const SyncContext& context() const { return ctx_; }

  // The stream of `store_id`: takes the store's lease; a stream already
  // registered here is replaced, and one on another replica is told to end.
  // An error (the lease could not be taken) registers nothing.
  Status Register(const std::string& store_id,
                  const std::shared_ptr<SyncSession>& session);
  // Only if `session` is still the registered one; releases the lease.
  void Unregister(const std::string& store_id, const SyncSession* session);
  // The stream of `store_id` in this process.
  std::shared_ptr<SyncSession> Find(const std::string& store_id);
  // The store's stream is open on this replica or, with PostgreSQL, holds
  // an unexpired lease on any replica.
  bool Connected(const std::string& store_id);
  // The stores Connected() says true of (one read of the leases).
  std::set<std::string> ConnectedStores();
  // Connected() of each of `store_ids`, in order, under one lock and with
  // at most one read of the leases.
  std::vector<bool> ConnectedAmong(const std::vector<std::string>& store_ids);
  // Streams registered in this process now.
  size_t ConnectedCount();

  // Sends a HoldRequest to the store's stream, here or on the replica
  // holding its lease; `done` runs once, on a worker thread, with the
  // store's answer or nullopt (no stream, no answer within `timeout`).
  void RequestHold(const std::string& store_id, const v1::HoldPlaced& hold,
                   std::chrono::milliseconds timeout, HoldCallback done);

  // A central event was recorded for `store_id`.
  void NotifyCentralEvent(const std::string& store_id);
  // Rung when this process commits events (a batch of a store's journal,
  // a central event; NotifyCentralEvent rings it): the change feed's
  // following streams read at once (feed_stream.h).
  FeedBell& feed_bell() { return feed_bell_; }

  // Starts the poll timer (PostgreSQL backends); Stop() ends it.
  void StartPolling(std::chrono::seconds every);
  // Starts renewing leases every third of `lease_time` and, when the leases
  // are shared, listening for other replicas' messages.
  void StartLeases(std::chrono::seconds lease_time);
  void Stop();

 private:
  struct Registered {
    std::weak_ptr<SyncSession> session;
    uint64_t generation = 0;
  };
  struct Forward {
    HoldCallback done;
    std::unique_ptr<boost::asio::steady_timer> timer;
    std::string store_id;
  };

  void ArmPoll();
  void ArmRenew();
  void Renew();
  // A message of another replica (on a worker).
  void OnMessage(const std::string& payload);
  void OnForwardedHold(uint64_t id, const std::string& reply_channel,
                       const std::string& store_id, uint32_t timeout_ms,
                       const std::string& hold_hex);
  void OnAnswer(uint64_t id, const std::string& answer_hex);
  // Sends to another replica; logs a failure.
  Status SendTo(const std::string& channel, const std::string& payload);
  // Ends a forwarded request `id` with `answer` (counted as `outcome`).
  void FinishForward(uint64_t id, std::optional<v1::HoldAnswer> answer,
                     const std::string& outcome);

  SyncContext ctx_;
  FeedBell feed_bell_;
  std::mutex mu_;
  std::map<std::string, Registered> sessions_;
  std::map<uint64_t, Forward> forwards_;  // this replica's asks, by id
  uint64_t next_forward_ = 0;
  std::chrono::seconds poll_every_{0};
  std::chrono::milliseconds renew_every_{0};
  bool stopped_ = false;
  boost::asio::steady_timer poll_timer_;
  boost::asio::steady_timer renew_timer_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_SYNC_HUB_H_
