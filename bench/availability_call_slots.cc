#include "bench/availability_call_slots.h"

#include <algorithm>
#include <random>
#include <utility>

namespace storeagent::bench {
namespace {

class AvailabilitySlot final : public CallSlot {
 public:
  AvailabilitySlot(v1::AvailabilityService::Stub* stub,
                   const std::vector<std::string>& skus, int per_call,
                   ReplyCheck& check, uint64_t seed)
      : stub_(stub),
        skus_(skus),
        per_call_(per_call),
        check_(check),
        rng_(seed),
        pick_(0, skus.size() - 1) {}
  ~AvailabilitySlot() override { CheckLast(); }

  void Start(grpc::CompletionQueue* cq) override {
    CheckLast();
    reader_.reset();  // lives in the last call's arena: before its context
    DrawSkus();
    reader_ = stub_->AsyncGetAvailability(NewContext(), request_, cq);
    reader_->Finish(&reply_, &status_, this);
    answered_ = true;
  }

 private:
  void DrawSkus() {
    if (per_call_ == 1) {
      request_.clear_skus();
      request_.add_skus(skus_[pick_(rng_)]);
      return;
    }
    DrawDistinctSkus(skus_, per_call_, rng_, pick_, drawn_,
                     request_.mutable_skus());
  }

  // Checks the reply of the call that completed last, if it was OK (the
  // driver counts failed calls).
  void CheckLast() {
    if (!answered_ || !status_.ok()) return;
    answered_ = false;
    if (reply_.items_size() != request_.skus_size()) {
      return check_.Bad(std::to_string(reply_.items_size()) + " items for " +
                        std::to_string(request_.skus_size()) + " SKUs");
    }
    for (int i = 0; i < reply_.items_size(); ++i) {
      const v1::SkuAvailability& a = reply_.items(i);
      if (a.sku() != request_.skus(i) || !a.in_catalog()) {
        return check_.Bad("item " + std::to_string(i) + " is " + a.sku() +
                          (a.in_catalog() ? "" : ", not in the catalog") +
                          "; asked " + request_.skus(i));
      }
    }
  }

  v1::AvailabilityService::Stub* stub_;
  const std::vector<std::string>& skus_;
  const int per_call_;
  ReplyCheck& check_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<size_t> pick_;
  std::vector<size_t> drawn_;
  bool answered_ = false;
  v1::GetAvailabilityRequest request_;
  v1::GetAvailabilityResponse reply_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::GetAvailabilityResponse>>
      reader_;
};

}  // namespace

void DrawDistinctSkus(const std::vector<std::string>& skus, int n,
                      std::mt19937_64& rng,
                      std::uniform_int_distribution<size_t>& pick,
                      std::vector<size_t>& drawn,
                      google::protobuf::RepeatedPtrField<std::string>* out) {
  out->Clear();
  drawn.clear();
  // A scan, not a hash set: at most 500 draws, and no allocation per draw
  // (the client's own cost counts against the ratios it measures).
  while (out->size() < n) {
    const size_t i = pick(rng);
    if (std::find(drawn.begin(), drawn.end(), i) != drawn.end()) continue;
    drawn.push_back(i);
    *out->Add() = skus[i];
  }
}

void ReplyCheck::Bad(const std::string& why) {
  if (bad_.fetch_add(1) == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    first_ = why;
  }
}

std::string ReplyCheck::first() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_;
}

SlotFactory AvailabilitySlots(const AvailabilityStubs& stubs,
                              const std::vector<std::string>& skus,
                              int per_call, ReplyCheck& check) {
  // A new random sequence per factory, so rounds do not repeat each other.
  static std::atomic<uint64_t> runs{0};
  const uint64_t run = runs.fetch_add(1);
  return [&stubs, &skus, per_call, &check, run](v1::PosService::Stub*,
                                                int thread, int slot) {
    const uint64_t seed = (run << 32) ^ (static_cast<uint64_t>(thread) << 16) ^
                          static_cast<uint64_t>(slot);
    return std::make_unique<AvailabilitySlot>(stubs.ForThread(thread), skus,
                                              per_call, check, seed);
  };
}

}  // namespace storeagent::bench
