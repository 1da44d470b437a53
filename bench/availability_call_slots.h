// Call slots for AvailabilityService.GetAvailability, for the LoadDriver:
// one random catalog SKU per call, or a batch of distinct random SKUs.
//
// The LoadDriver hands its slots a PosService stub; AvailabilityStubs keeps
// an AvailabilityService stub on each client thread's own connection, so
// these calls travel exactly as the driver's Ping and RecordTransaction
// calls do (one connection per client thread, made and connected before the
// run starts). Every reply is checked (one item per SKU asked, in the
// catalog); a wrong one is counted in a ReplyCheck.
#ifndef STOREAGENT_BENCH_AVAILABILITY_CALL_SLOTS_H_
#define STOREAGENT_BENCH_AVAILABILITY_CALL_SLOTS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/load_driver.h"
#include "storeagent/v1/availability.grpc.pb.h"

namespace storeagent::bench {

// The AvailabilityService stubs of one RunLoad's client threads.
// Thread-safety: Channels()'s factory is called by RunLoad before the client
// threads start; ForThread() from the client threads after that.
class AvailabilityStubs {
 public:
  explicit AvailabilityStubs(std::string target) : target_(std::move(target)) {}

  // For RunLoad: the n-th call makes client thread n's connection
  // (OwnChannel) and keeps an AvailabilityService stub on it.
  ChannelFactory Channels();
  // REQUIRES: RunLoad made client thread `thread`'s channel.
  v1::AvailabilityService::Stub* ForThread(int thread) const;

 private:
  std::string target_;
  std::vector<std::unique_ptr<v1::AvailabilityService::Stub>> stubs_;
};

// Counts replies that were OK on the wire but wrong. Thread-safe.
class ReplyCheck {
 public:
  void Bad(const std::string& why);
  uint64_t bad() const { return bad_.load(); }
  std::string first() const;

 private:
  std::atomic<uint64_t> bad_{0};
  mutable std::mutex mu_;
  std::string first_;
};

// GetAvailability calls, each of `per_call` distinct SKUs drawn uniformly
// from `skus` (1 <= per_call <= min(500, skus.size())); the random sequence
// is fixed per thread and slot. All arguments must outlive the run.
SlotFactory AvailabilitySlots(const AvailabilityStubs& stubs,
                              const std::vector<std::string>& skus,
                              int per_call, ReplyCheck& check);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_AVAILABILITY_CALL_SLOTS_H_
