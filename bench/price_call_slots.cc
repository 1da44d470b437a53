#include "bench/price_call_slots.h"

#include <atomic>
#include <random>
#include <utility>

namespace storeagent::bench {
namespace {

class PriceSlot final : public CallSlot {
 public:
  PriceSlot(v1::PriceService::Stub* stub, const std::vector<std::string>& skus,
            int per_call, ReplyCheck& check, uint64_t seed)
      : stub_(stub),
        skus_(skus),
        per_call_(per_call),
        check_(check),
        rng_(seed),
        pick_(0, skus.size() - 1) {}
  ~PriceSlot() override { CheckLast(); }

  void Start(grpc::CompletionQueue* cq) override {
    CheckLast();
    reader_.reset();  // lives in the last call's arena: before its context
    DrawDistinctSkus(skus_, per_call_, rng_, pick_, drawn_,
                     request_.mutable_skus());
    reader_ = stub_->AsyncGetPrices(NewContext(), request_, cq);
    reader_->Finish(&reply_, &status_, this);
    answered_ = true;
  }

 private:
  void CheckLast() {
    if (!answered_ || !status_.ok()) return;
    answered_ = false;
    if (reply_.prices_size() != request_.skus_size()) {
      return check_.Bad(std::to_string(reply_.prices_size()) + " prices for " +
                        std::to_string(request_.skus_size()) + " SKUs");
    }
    for (int i = 0; i < reply_.prices_size(); ++i) {
      const v1::SkuPrice& p = reply_.prices(i);
      if (p.sku() != request_.skus(i) || !p.found()) {
        return check_.Bad("price " + std::to_string(i) + " is " + p.sku() +
                          (p.found() ? "" : ", not found") + "; asked " +
                          request_.skus(i));
      }
    }
  }

  v1::PriceService::Stub* stub_;
  const std::vector<std::string>& skus_;
  const int per_call_;
  ReplyCheck& check_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<size_t> pick_;
  std::vector<size_t> drawn_;
  bool answered_ = false;
  v1::GetPricesRequest request_;
  v1::GetPricesResponse reply_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::GetPricesResponse>>
      reader_;
};

}  // namespace

SlotFactory PriceSlots(const PriceStubs& stubs,
                       const std::vector<std::string>& skus, int per_call,
                       ReplyCheck& check) {
  static std::atomic<uint64_t> runs{0};
  const uint64_t run = runs.fetch_add(1);
  return [&stubs, &skus, per_call, &check, run](v1::PosService::Stub*,
                                                int thread, int slot) {
    const uint64_t seed = (run << 32) ^ (static_cast<uint64_t>(thread) << 16) ^
                          static_cast<uint64_t>(slot) ^ 0x5eed;
    return std::make_unique<PriceSlot>(stubs.ForThread(thread), skus, per_call,
                                       check, seed);
  };
}

}  // namespace storeagent::bench
