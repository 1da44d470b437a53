#include "bench/pos_call_slots.h"

#include <atomic>
#include <memory>
#include <string>
#include <utility>

namespace storeagent::bench {
namespace {

class PingSlot final : public CallSlot {
 public:
  explicit PingSlot(v1::PosService::Stub* stub) : stub_(stub) {}

  void Start(grpc::CompletionQueue* cq) override {
    reader_.reset();  // lives in the last call's arena: before its context
    reader_ = stub_->AsyncPing(NewContext(), request_, cq);
    reader_->Finish(&reply_, &status_, this);
  }

 private:
  v1::PosService::Stub* stub_;
  v1::PingRequest request_;
  v1::PingResponse reply_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::PingResponse>> reader_;
};

class RecordSlot final : public CallSlot {
 public:
  RecordSlot(v1::PosService::Stub* stub, v1::RecordTransactionRequest request,
             std::string terminal_id, std::string txn_prefix)
      : stub_(stub),
        request_(std::move(request)),
        prefix_(std::move(txn_prefix)) {
    request_.mutable_client_key()->set_terminal_id(terminal_id);
  }

  void Start(grpc::CompletionQueue* cq) override {
    reader_.reset();  // lives in the last call's arena: before its context
    request_.mutable_client_key()->set_client_txn_id(prefix_ +
                                                     std::to_string(next_++));
    reader_ = stub_->AsyncRecordTransaction(NewContext(), request_, cq);
    reader_->Finish(&reply_, &status_, this);
  }

 private:
  v1::PosService::Stub* stub_;
  v1::RecordTransactionRequest request_;
  std::string prefix_;
  uint64_t next_ = 0;
  v1::RecordTransactionResponse reply_;
  std::unique_ptr<
      grpc::ClientAsyncResponseReader<v1::RecordTransactionResponse>>
      reader_;
};

}  // namespace

SlotFactory PingSlots() {
  return [](v1::PosService::Stub* stub, int, int) {
    return std::make_unique<PingSlot>(stub);
  };
}

SlotFactory RecordSlots(const v1::RecordTransactionRequest& sale) {
  static std::atomic<int> runs{0};
  const int run = runs.fetch_add(1);
  return [sale, run](v1::PosService::Stub* stub, int thread, int slot) {
    // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict)
    // about "literal" + std::string&&.
    std::string terminal = thread + 1 < 10 ? "till-0" : "till-";
    terminal += std::to_string(thread + 1);
    std::string prefix = "r";
    prefix += std::to_string(run);
    prefix += "-s";
    prefix += std::to_string(slot);
    prefix += '-';
    return std::make_unique<RecordSlot>(stub, sale, std::move(terminal),
                                        std::move(prefix));
  };
}

}  // namespace storeagent::bench
