#include "bench/central_find_slots.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <utility>

namespace storeagent::bench {
namespace {

constexpr const char* kHealthCheck = "/grpc.health.v1.Health/Check";

// `n` distinct indices below `bound`, in the order drawn.
void DrawDistinct(int n, std::mt19937_64& rng,
                  std::uniform_int_distribution<int>& pick,
                  std::vector<int>& out) {
  out.clear();
  while (static_cast<int>(out.size()) < n) {
    const int i = pick(rng);
    if (std::find(out.begin(), out.end(), i) == out.end()) out.push_back(i);
  }
}

class FindSlot final : public CallSlot {
 public:
  FindSlot(v1::CentralAdminService::Stub* stub, const FindStock& stock,
           const std::vector<uint64_t>& heads, FindAsk ask, ReplyCheck& check,
           uint64_t seed)
      : stub_(stub),
        stock_(stock),
        heads_(heads),
        ask_(ask),
        check_(check),
        rng_(seed),
        pick_store_(0, stock.stores() - 1),
        pick_sku_(0, stock.catalog_skus() - 1) {}
  ~FindSlot() override { CheckLast(); }

  void Start(grpc::CompletionQueue* cq) override {
    CheckLast();
    reader_.reset();  // lives in the last call's arena: before its context
    DrawDistinct(ask_.stores, rng_, pick_store_, stores_);
    DrawDistinct(ask_.skus, rng_, pick_sku_, skus_);
    request_.clear_store_ids();
    request_.clear_skus();
    for (int s : stores_) request_.add_store_ids(stock_.StoreId(s));
    for (int k : skus_) request_.add_skus(stock_.Sku(k));
    reply_.Clear();
    reader_ = stub_->AsyncFindAvailability(NewContext(), request_, cq);
    reader_->Finish(&reply_, &status_, this);
    answered_ = true;
  }

 private:
  // Checks the reply of the call that completed last, if it was OK (the
  // driver counts failed calls).
  void CheckLast() {
    if (!answered_ || !status_.ok()) return;
    answered_ = false;
    if (reply_.stores_size() != ask_.stores) {
      return check_.Bad(std::to_string(reply_.stores_size()) + " stores for " +
                        std::to_string(ask_.stores));
    }
    for (int i = 0; i < ask_.stores; ++i) {
      const v1::StoreAvailability& a = reply_.stores(i);
      const int s = stores_[static_cast<size_t>(i)];
      // Named only for a wrong reply: this client's own CPU counts
      // against the ratio it measures.
      auto where = [&] { return "store " + request_.store_ids(i) + ": "; };
      if (a.store_id() != request_.store_ids(i)) {
        return check_.Bad(where() + "answered as " + a.store_id());
      }
      if (a.store_seq() != heads_[static_cast<size_t>(s)] || !a.connected() ||
          a.replica_age_ms() < 0) {
        return check_.Bad(
            where() + "store_seq " + std::to_string(a.store_seq()) +
            (a.connected() ? ", connected" : ", not connected") +
            ", replica_age_ms " + std::to_string(a.replica_age_ms()));
      }
      if (a.figures_size() != ask_.skus || a.escrow_size() != ask_.skus) {
        return check_.Bad(where() + std::to_string(a.figures_size()) +
                          " figures, " + std::to_string(a.escrow_size()) +
                          " escrow for " + std::to_string(ask_.skus) + " SKUs");
      }
      for (int j = 0; j < ask_.skus; ++j) {
        const v1::SkuFigure& f = a.figures(j);
        const int k = skus_[static_cast<size_t>(j)];
        if (f.sku() != request_.skus(j) || f.on_hand() != stock_.OnHand(s, k) ||
            f.held() != 0 || f.unavailable() != 0 ||
            a.escrow(j) != stock_.Escrow(s, k)) {
          return check_.Bad(where() + request_.skus(j) + " answered as " +
                            f.ShortDebugString() + " escrow " +
                            std::to_string(a.escrow(j)));
        }
      }
    }
  }

  v1::CentralAdminService::Stub* stub_;
  const FindStock& stock_;
  const std::vector<uint64_t>& heads_;
  const FindAsk ask_;
  ReplyCheck& check_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<int> pick_store_;
  std::uniform_int_distribution<int> pick_sku_;
  std::vector<int> stores_;
  std::vector<int> skus_;
  bool answered_ = false;
  v1::FindAvailabilityRequest request_;
  v1::FindAvailabilityResponse reply_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::FindAvailabilityResponse>>
      reader_;
};

class HealthSlot final : public CallSlot {
 public:
  HealthSlot(grpc::GenericStub* stub, ReplyCheck& check)
      : stub_(stub), check_(check) {
    // HealthCheckRequest { service = "" }: no bytes.
    grpc::Slice empty;
    request_ = grpc::ByteBuffer(&empty, 1);
  }
  ~HealthSlot() override { CheckLast(); }

  void Start(grpc::CompletionQueue* cq) override {
    CheckLast();
    reader_.reset();
    reply_.Clear();
    reader_ = stub_->PrepareUnaryCall(NewContext(), kHealthCheck, request_, cq);
    reader_->StartCall();
    reader_->Finish(&reply_, &status_, this);
    answered_ = true;
  }

 private:
  void CheckLast() {
    if (!answered_ || !status_.ok()) return;
    answered_ = false;
    // HealthCheckResponse { status = SERVING (1) }: 08 01.
    grpc::Slice flat;
    if (!reply_.DumpToSingleSlice(&flat).ok() || flat.size() != 2 ||
        flat.begin()[0] != 0x08 || flat.begin()[1] != 0x01) {
      check_.Bad("health: not SERVING (" + std::to_string(flat.size()) +
                 " bytes)");
    }
  }

  grpc::GenericStub* stub_;
  ReplyCheck& check_;
  bool answered_ = false;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer reply_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader_;
};

// A new random sequence per factory, so rounds do not repeat each other.
uint64_t NextRun() {
  static std::atomic<uint64_t> runs{0};
  return runs.fetch_add(1);
}

}  // namespace

ChannelFactory AdminStubs::Channels() {
  return [this] {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ca_pem_;
    o.pem_cert_chain = admin_.cert_pem;
    o.pem_private_key = admin_.key_pem;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    // Each client thread is its own web front end: its own connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    std::shared_ptr<grpc::Channel> channel =
        grpc::CreateCustomChannel(target_, grpc::SslCredentials(o), args);
    admin_stubs_.push_back(v1::CentralAdminService::NewStub(channel));
    generic_stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
    return channel;
  };
}

SlotFactory FindSlots(const AdminStubs& stubs, const FindStock& stock,
                      const std::vector<uint64_t>& heads, FindAsk ask,
                      ReplyCheck& check) {
  const uint64_t run = NextRun();
  return [&stubs, &stock, &heads, ask, &check, run](v1::PosService::Stub*,
                                                    int thread, int slot) {
    const uint64_t seed = (run << 32) ^ (static_cast<uint64_t>(thread) << 16) ^
                          static_cast<uint64_t>(slot) ^ 0xf1d;
    return std::make_unique<FindSlot>(stubs.Admin(thread), stock, heads, ask,
                                      check, seed);
  };
}

SlotFactory HealthSlots(const AdminStubs& stubs, ReplyCheck& check) {
  return [&stubs, &check](v1::PosService::Stub*, int thread, int) {
    return std::make_unique<HealthSlot>(stubs.Generic(thread), check);
  };
}

}  // namespace storeagent::bench
