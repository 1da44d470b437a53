// StreamStorage: carries out StreamMachine's storage actions against
// central's store, replica cache and metrics (the SyncContext), and feeds
// each result back (and rings the hub's feed bell after a commit). kSend, kEnd,
// kRegister and the hold timers are the transport's: Run() hands them to its
// Transport.
//
// Used by the gRPC reactor (sync_stream.h), on the stream's strand, and by
// the deterministic simulator; both on the one thread driving the machine.
#ifndef STOREAGENT_CENTRAL_SERVER_STREAM_STORAGE_H_
#define STOREAGENT_CENTRAL_SERVER_STREAM_STORAGE_H_

#include <functional>
#include <optional>

#include "central/server/stream_machine.h"
#include "central/server/sync_hub.h"

namespace storeagent::central {

class StreamStorage {
 public:
  struct Transport {
    std::function<void(v1::SyncResponse)> send;
    std::function<void(const Status&)> end;
    // Registers the stream of `store_id` in the hub.
    std::function<Status(const std::string& store_id)> register_stream;
    std::function<void(uint64_t id, int64_t timeout_us)> start_hold_timer;
    std::function<void(uint64_t id, std::optional<v1::HoldAnswer>)> hold_done;
  };

  explicit StreamStorage(SyncHub& hub) : hub_(hub), ctx_(hub.context()) {}

  // Carries out every action `machine` has decided, feeding results back,
  // until it decides nothing more.
  void Run(StreamMachine& machine, const Transport& transport);

 private:
  void Execute(StreamAction& a, StreamMachine& machine,
               const Transport& transport);
  Result<StoreFacts> LoadStore(const StreamAction& a);
  Result<v1::DigestResult> CheckDigest(const std::string& store_id,
                                       const v1::StockDigest& d);
  void CheckDrillDown(const std::string& store_id, const v1::DrillDownAnswer& a,
                      uint32_t buckets);

  SyncHub& hub_;
  const SyncContext& ctx_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_STREAM_STORAGE_H_
