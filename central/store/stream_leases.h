// StreamLeases: which central replica holds a store's sync stream, and a
// way to reach that replica (docs/central.md, "Replicas: stream leases and
// forwarding").
//
// On PostgreSQL (pg_stream_leases.h) the lease is a row per store in
// stream_leases, taken at Hello, renewed while the stream lives, released at
// its end and dead once expired (the database's clock decides), and replicas
// reach each other with LISTEN/NOTIFY on a channel per replica. On SQLite
// there is one process: LocalStreamLeases keeps the leases in memory and
// there is no other replica to reach. Thread-safe.
#ifndef STOREAGENT_CENTRAL_STORE_STREAM_LEASES_H_
#define STOREAGENT_CENTRAL_STORE_STREAM_LEASES_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "platform/status.h"

namespace storeagent::central {

// How long a lease lives without renewal; renewed every third of it.
inline constexpr std::chrono::seconds kStreamLeaseTime{15};
// Largest NOTIFY payload PostgreSQL takes is 8000 bytes; leave headroom.
inline constexpr size_t kMaxNotifyPayload = 7900;

// A live lease.
struct StreamLease {
  std::string replica_id;   // host:pid:random of the holder
  std::string channel;      // where the holder listens
  uint64_t generation = 0;  // the store's lease count: one per stream taken
};

struct LeaseTaken {
  uint64_t generation = 0;
  // The live lease of another replica this one replaced, if any.
  std::optional<StreamLease> previous;
};

class StreamLeases {
 public:
  using OnMessage = std::function<void(const std::string& payload)>;
  virtual ~StreamLeases() = default;

  const std::string& replica_id() const { return replica_id_; }
  const std::string& channel() const { return channel_; }
  // True when other replicas may hold leases (PostgreSQL): Live and Send
  // mean something.
  virtual bool shared() const = 0;

  // Takes the store's lease for this replica (a newer stream always takes
  // over); returns its generation and the live lease it replaced.
  virtual Result<LeaseTaken> Take(const std::string& store_id) = 0;
  // Extends the lease; false when it is no longer this replica's at this
  // generation (another replica took it).
  virtual Result<bool> Renew(const std::string& store_id,
                             uint64_t generation) = 0;
  // Drops the lease if it is still this replica's at this generation.
  virtual Status Release(const std::string& store_id, uint64_t generation) = 0;
  // The unexpired lease of the store, any replica's.
  virtual Result<std::optional<StreamLease>> Live(
      const std::string& store_id) = 0;
  // Stores with an unexpired lease, any replica's.
  virtual Result<std::set<std::string>> LiveStores() = 0;

  // Sends `payload` (at most kMaxNotifyPayload bytes) to the replica
  // listening on `channel`; delivered at most once, or lost if it is not
  // listening.
  virtual Status Send(const std::string& channel,
                      const std::string& payload) = 0;
  // Starts delivering what others Send to channel(): `on_message` runs on
  // the listener's thread. Once.
  virtual void Listen(OnMessage on_message) = 0;
  // Stops the listener (joins its thread). Idempotent.
  virtual void Stop() = 0;

 protected:
  StreamLeases(std::string replica_id, std::string channel)
      : replica_id_(std::move(replica_id)), channel_(std::move(channel)) {}

 private:
  const std::string replica_id_;
  const std::string channel_;
};

// One process (SQLite): leases in memory; nothing to send to.
class LocalStreamLeases final : public StreamLeases {
 public:
  explicit LocalStreamLeases(std::string replica_id)
      : StreamLeases(std::move(replica_id), "") {}

  bool shared() const override { return false; }
  Result<LeaseTaken> Take(const std::string& store_id) override;
  Result<bool> Renew(const std::string& store_id, uint64_t generation) override;
  Status Release(const std::string& store_id, uint64_t generation) override;
  Result<std::optional<StreamLease>> Live(const std::string& store_id) override;
  Result<std::set<std::string>> LiveStores() override;
  Status Send(const std::string& channel, const std::string& payload) override;
  void Listen(OnMessage) override {}
  void Stop() override {}

 private:
  std::mutex mu_;
  std::map<std::string, uint64_t> held_;        // store -> generation
  std::map<std::string, uint64_t> generation_;  // store -> last taken
};

// A replica id for this process: "host:pid:random" (8 hex digits).
std::string NewReplicaId();
// The LISTEN channel of a replica id: "storecentral_" and its random part
// (lower-case letters, digits and '_' only, so it needs no quoting).
std::string ReplicaChannel(const std::string& replica_id);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_STREAM_LEASES_H_
