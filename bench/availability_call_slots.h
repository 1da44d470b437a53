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
#include <random>
#include <string>
#include <vector>

#include "bench/load_driver.h"
#include "storeagent/v1/availability.grpc.pb.h"

namespace storeagent::bench {

// The stubs of one gRPC service (AvailabilityService, PriceService) on one
// RunLoad's client threads: the n-th call of Channels()'s factory makes
// client thread n's connection (OwnChannel) and keeps a stub on it, so the
// service's calls travel as the driver's own do.
// Thread-safety: Channels()'s factory is called by RunLoad before the client
// threads start; ForThread() from the client threads after that.
template <typename Service>
class ServiceStubs {
 public:
  explicit ServiceStubs(std::string target) : target_(std::move(target)) {}

  ChannelFactory Channels() {
    return [this] {
      std::shared_ptr<grpc::Channel> channel = OwnChannel(target_);
      stubs_.push_back(Service::NewStub(channel));
      return channel;
    };
  }
  // REQUIRES: RunLoad made client thread `thread`'s channel.
  typename Service::Stub* ForThread(int thread) const {
    return stubs_.at(static_cast<size_t>(thread)).get();
  }

 private:
  std::string target_;
  std::vector<std::unique_ptr<typename Service::Stub>> stubs_;
};

using AvailabilityStubs = ServiceStubs<v1::AvailabilityService>;

// Replaces `out` with `n` distinct SKUs drawn by `pick` from `skus`
// (`drawn` is scratch space).
void DrawDistinctSkus(const std::vector<std::string>& skus, int n,
                      std::mt19937_64& rng,
                      std::uniform_int_distribution<size_t>& pick,
                      std::vector<size_t>& drawn,
                      google::protobuf::RepeatedPtrField<std::string>* out);

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
