// SyncHub: the sync streams open in this process, by store, and what they
// share (config, store, replicas, clock, the worker pool). The admin API
// asks it whether a store is connected, forwards hold requests to a stream
// and tells a stream that a new central event was recorded for its store.
//
// With PostgreSQL another central replica may record central events for a
// store whose stream is here, so the hub also asks every stream to look for
// new ones every sync.poll_interval_s. Thread-safe.
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
#include <string>

#include "central/server/central_config.h"
#include "central/server/central_metrics.h"
#include "central/server/replica_cache.h"
#include "central/store/central_store.h"
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
};

class SyncHub {
 public:
  explicit SyncHub(SyncContext context);
  ~SyncHub();

  const SyncContext& context() const { return ctx_; }

  // The stream of `store_id`; a stream already registered is replaced.
  void Register(const std::string& store_id,
                const std::shared_ptr<SyncSession>& session);
  // Only if `session` is still the registered one.
  void Unregister(const std::string& store_id, const SyncSession* session);
  std::shared_ptr<SyncSession> Find(const std::string& store_id);
  bool Connected(const std::string& store_id);
  // Streams registered now.
  size_t ConnectedCount();

  // A central event was recorded for `store_id`.
  void NotifyCentralEvent(const std::string& store_id);

  // Starts the poll timer (PostgreSQL backends); Stop() ends it.
  void StartPolling(std::chrono::seconds every);
  void Stop();

 private:
  void ArmPoll();

  SyncContext ctx_;
  std::mutex mu_;
  std::map<std::string, std::weak_ptr<SyncSession>> sessions_;
  std::chrono::seconds poll_every_{0};
  bool stopped_ = false;
  boost::asio::steady_timer poll_timer_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_SYNC_HUB_H_
