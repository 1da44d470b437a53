// SimFleet: simulated stores for bench_fleet, each speaking the real sync
// protocol to storecentrald over its own mutual-TLS connection.
//
// Every store has its own client certificate, so every store has its own
// gRPC channel and TCP/TLS connection (a channel's connection presents one
// certificate, and central takes the store id from it): N stores are N
// connections and N streams, driven by gRPC's callback API (one
// ClientBidiReactor per stream) from one process.
//
// A store keeps a journal like an agent's: Record() appends an entry with
// a valid hash chain (core/journal_chain.h) and a 5-line sale; while its
// stream is open, entries go up at once in batches (at most Welcome's
// max_batch_events each, Welcome's window unacknowledged), as the agent's
// commit wake-up does. Acks free them. A stream that ends is reopened with
// a new Hello (the agent resumes from Welcome's watermark) by Maintain().
//
// Threads: Record() from any thread; ConnectAll(), DisconnectAll() and
// Maintain() from one owner thread.
#ifndef STOREAGENT_BENCH_FLEET_SIM_H_
#define STOREAGENT_BENCH_FLEET_SIM_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/test_certs.h"

namespace storeagent::bench {

struct SimStore;

class SimFleet {
 public:
  // `target`: central's sync address; `certs[i]` is store `ids[i]`'s.
  SimFleet(std::string target, std::string ca_pem, std::vector<std::string> ids,
           std::vector<testing::CertAndKey> certs);
  ~SimFleet();  // cancels every stream and waits for them
  SimFleet(const SimFleet&) = delete;
  SimFleet& operator=(const SimFleet&) = delete;

  int size() const { return static_cast<int>(stores_.size()); }
  const std::string& id(int store) const;

  // New channels (new connections) for every store, and a stream on each.
  void ConnectAll();
  // Cancels every stream (the store's connection is lost), waits until
  // gRPC has finished each, and drops the channels. False after
  // `timeout_s` with streams still running.
  bool DisconnectAll(double timeout_s);
  // Reopens the streams that ended while the fleet is connected (an
  // agent's reconnect, without its backoff). Returns how many.
  int Maintain();

  // Appends one event to `store`'s journal, recorded at `recorded_at_us`
  // (wall clock), and sends it when the stream allows.
  void Record(int store, int64_t recorded_at_us);

  // Streams that had their Welcome and have not ended.
  int open_streams() const { return open_.load(); }
  // Streams that ended other than by DisconnectAll, and the last status.
  int streams_failed() const { return failed_.load(); }
  std::string last_failure() const;
  // Events central acknowledged, over all stores and streams.
  uint64_t total_acked() const { return acked_.load(); }
  // Events recorded, over all stores.
  uint64_t total_recorded() const { return recorded_.load(); }
  // True when central acknowledged every event recorded so far.
  bool AllAcked() const { return acked_.load() == recorded_.load(); }

  // Ack lag (ack received minus recorded_at, µs) of the events recorded in
  // [from_us, to_us), from every store; collected from now on.
  void CollectAckLag(int64_t from_us, int64_t to_us);
  std::vector<int64_t> TakeAckLags();
  // recorded_at of `store`'s entry `seq` (1-based), or 0.
  int64_t RecordedAt(int store, uint64_t seq) const;
  // The last seq `store` recorded.
  uint64_t Head(int store) const;

  // Internal (the stream reactor's).
  void StreamWelcomed() { ++open_; }
  void StreamEnded(bool welcomed, bool failed, const std::string& why);
  void Acked(uint64_t n) { acked_ += n; }
  bool LagWanted(int64_t recorded_at_us) const {
    return recorded_at_us >= lag_from_.load() &&
           recorded_at_us < lag_to_.load();
  }

 private:
  void StartStream(SimStore& s);

  std::string target_;
  std::string ca_pem_;
  std::vector<std::unique_ptr<SimStore>> stores_;
  std::atomic<int> open_{0};
  std::atomic<int> failed_{0};
  std::atomic<uint64_t> acked_{0};
  std::atomic<uint64_t> recorded_{0};
  std::atomic<int64_t> lag_from_{0};
  std::atomic<int64_t> lag_to_{0};
  bool connected_ = false;
  mutable std::mutex mu_;
  std::string last_failure_;
};

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_FLEET_SIM_H_
