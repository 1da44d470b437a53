// LoadDriver: drives unary calls at a gRPC server from a fixed number of
// client threads, each over its own connection with a completion queue and a
// fixed number of calls in flight, and measures throughput and latency.
//
// Two shapes of load:
//   closed loop  (pace_per_s == 0): a finished call is replaced at once, so
//                exactly threads x depth calls are always in flight;
//   paced        (pace_per_s > 0): calls are sent on a fixed schedule spread
//                over the threads. Latency counts from the scheduled send
//                time, so a stalled server is not hidden by a client that
//                waited for it (no coordinated omission).
// A run stops starting calls at its deadline or after `max_calls`, whichever
// comes first, then waits for the calls in flight.
//
// Thread-safety: Run() blocks the caller and is not reentrant.
#ifndef STOREAGENT_BENCH_LOAD_DRIVER_H_
#define STOREAGENT_BENCH_LOAD_DRIVER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storeagent/v1/pos.grpc.pb.h"

namespace storeagent::bench {

// One call slot: starts a call whose completion is posted on a queue with
// the slot itself as the tag. A slot is reused for call after call, one at a
// time.
class CallSlot {
 public:
  virtual ~CallSlot() = default;
  // Starts the next call on `cq`. REQUIRES: no call of this slot in flight.
  virtual void Start(grpc::CompletionQueue* cq) = 0;
  // The status of the call that completed last.
  const grpc::Status& status() const { return status_; }

  int64_t intended_start_us = 0;  // set by the driver

 protected:
  // A fresh context per call, with a generous deadline. Destroys the last
  // call's context: release anything of that call first.
  grpc::ClientContext* NewContext();

  grpc::Status status_;

 private:
  std::unique_ptr<grpc::ClientContext> ctx_;
};

// Makes the slot number `slot` of client thread `thread`.
using SlotFactory = std::function<std::unique_ptr<CallSlot>(
    v1::PosService::Stub* stub, int thread, int slot)>;

// Makes one channel per client thread (each its own connection).
using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>()>;

struct LoadSpec {
  int threads = 8;
  int depth = 1;            // calls in flight per thread
  int64_t duration_us = 0;  // required: stop starting calls after this
                            // long (also bounds a max_calls run)
  uint64_t max_calls = 0;   // 0: no limit
  int64_t pace_per_s = 0;   // 0: closed loop
  bool keep_latencies = true;
};

struct LoadResult {
  uint64_t ok = 0;
  uint64_t failed = 0;
  double seconds = 0;               // first start to last completion
  double cpu_seconds = 0;           // this whole process's, meanwhile
  std::vector<int64_t> latency_us;  // of successful calls
  std::string first_error;          // of a failed call, if any

  double CallsPerSecond() const { return seconds > 0 ? ok / seconds : 0; }
  // CPU time of the process (client and, when in-process, server) per
  // successful call, in microseconds; and CPU cores kept busy on average.
  double CpuMicrosPerCall() const {
    return ok > 0 ? cpu_seconds * 1e6 / ok : 0;
  }
  double CoresBusy() const { return seconds > 0 ? cpu_seconds / seconds : 0; }
  // Adds another run's calls, time and latencies to these.
  void Add(const LoadResult& other);
  // Latency percentile `p` (0..100) in milliseconds; 0 when none.
  double PercentileMs(double p) const;
};

LoadResult RunLoad(const LoadSpec& spec, const ChannelFactory& channels,
                   const SlotFactory& slots);

// A channel to `target` ("unix:/path") with its own connection.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& target);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_LOAD_DRIVER_H_
