#include "agent/availability_service.h"

#include <type_traits>
#include <vector>

#include "agent/pos_service.h"
#include "core/limits.h"
#include "platform/tsan.h"
#include "proto/raw_unary.h"
#include "proto/wire_copy.h"

namespace storeagent::agent {
namespace {

// ImportCatalogRequest.products: at most this many per streamed message.
constexpr int kMaxCatalogChunkProducts = 1000;

// A `done` that finishes the unary call with `reply` or the error, from
// StockOps's `Answer`. StockOps answers UpdateHold as GetHold and a stock
// event as a transaction; those RPCs' own responses have the same fields
// (proto/wire_copy.h).
template <typename Answer, typename Reactor, typename Reply>
StockOps::Done<Answer> FinishAs(Reactor* reactor, Reply* reply) {
  return [reactor, reply](Result<Answer> r) {
    if (!r.ok()) {
      reactor->Reply(ToGrpc(r.status()));
      return;
    }
    if constexpr (std::is_same_v<Answer, Reply>) {
      *reply = std::move(r).value();
    } else if (!rpc::CopyWireCompatible(*r, reply)) {
      reactor->Reply(grpc::Status(grpc::StatusCode::INTERNAL,
                                  "reply: " + Reply::descriptor()->full_name() +
                                      " out of step with " +
                                      Answer::descriptor()->full_name()));
      return;
    }
    reactor->Reply(grpc::Status::OK);
  };
}

template <typename Reactor, typename Reply>
StockOps::Done<Reply> Finisher(Reactor* reactor, Reply* reply) {
  return FinishAs<Reply>(reactor, reply);
}

// Collects the streamed chunks, then replaces the catalog in one go.
class ImportReactor : public grpc::ServerReadReactor<v1::ImportCatalogRequest> {
 public:
  ImportReactor(StockOps& ops, v1::ImportCatalogResponse* reply)
      : ops_(ops), reply_(reply) {
    Read();
  }

  void OnReadDone(bool ok) override {
    STOREAGENT_TSAN_ACQUIRE(this);
    if (!ok) {  // the client finished sending
      ops_.ImportCatalog(std::move(products_), first_row_,
                         [this](Result<v1::ImportCatalogResponse> r) {
                           if (!r.ok()) {
                             End(ToGrpc(r.status()));
                             return;
                           }
                           *reply_ = std::move(r).value();
                           End(grpc::Status::OK);
                         });
      return;
    }
    if (chunk_.products_size() > kMaxCatalogChunkProducts) {
      End(ToGrpc(InvalidArgument(
          "products: " + std::to_string(chunk_.products_size()) +
          " in one chunk, too many (max " +
          std::to_string(kMaxCatalogChunkProducts) + ")")));
      return;
    }
    if (products_.size() + chunk_.products_size() >
        static_cast<size_t>(core::kMaxCatalogProducts)) {
      End(ToGrpc(InvalidArgument("products: more than " +
                                 std::to_string(core::kMaxCatalogProducts) +
                                 " in all")));
      return;
    }
    if (products_.empty())
      first_row_ = std::max<int64_t>(1, chunk_.first_row());
    for (v1::Product& p : *chunk_.mutable_products()) {
      products_.push_back(std::move(p));
    }
    chunk_.Clear();
    Read();
  }

  void OnDone() override {
    STOREAGENT_TSAN_ACQUIRE(this);
    delete this;
  }

 private:
  // Every hand-off to gRPC is marked for TSan (see platform/tsan.h): what
  // this thread wrote happens before gRPC's thread runs the next callback.
  void Read() {
    STOREAGENT_TSAN_RELEASE(this);
    StartRead(&chunk_);
  }
  void End(const grpc::Status& status) {
    STOREAGENT_TSAN_RELEASE(this);
    Finish(status);
  }

  StockOps& ops_;
  v1::ImportCatalogResponse* reply_;
  v1::ImportCatalogRequest chunk_;
  std::vector<v1::Product> products_;
  int64_t first_row_ = 1;
};

}  // namespace

grpc::ServerUnaryReactor* AvailabilityServiceImpl::GetAvailability(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  // The reply is built in place, on the call's arena (proto/raw_unary.h).
  using Call = rpc::RawUnary<v1::GetAvailabilityRequest,
                             v1::GetAvailabilityResponse, true>;
  Call* reactor = Call::Start(in, out);
  if (!reactor->ok()) return reactor;
  ops_.GetAvailabilityInto(
      reactor->request().skus(), reactor->reply(),
      [reactor](const Status& s) { reactor->Reply(ToGrpc(s)); });
  return reactor;
}

grpc::ServerUnaryReactor* AvailabilityServiceImpl::SearchProducts(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor = rpc::RawUnary<v1::SearchProductsRequest,
                                v1::SearchProductsResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  const v1::SearchProductsRequest* req = &reactor->request();
  v1::SearchProductsResponse* reply = reactor->reply();
  ops_.SearchProducts(*req, Finisher(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* AvailabilityServiceImpl::PlaceHold(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::PlaceHoldRequest, v1::PlaceHoldResponse>::Start(in,
                                                                        out);
  if (!reactor->ok()) return reactor;
  const v1::PlaceHoldRequest* req = &reactor->request();
  v1::PlaceHoldResponse* reply = reactor->reply();
  ops_.PlaceHold(*req, Finisher(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* AvailabilityServiceImpl::UpdateHold(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::UpdateHoldRequest, v1::UpdateHoldResponse>::Start(in,
                                                                          out);
  if (!reactor->ok()) return reactor;
  const v1::UpdateHoldRequest* req = &reactor->request();
  v1::UpdateHoldResponse* reply = reactor->reply();
  ops_.UpdateHold(*req, FinishAs<v1::GetHoldResponse>(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* AvailabilityServiceImpl::GetHold(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::GetHoldRequest, v1::GetHoldResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  const v1::GetHoldRequest* req = &reactor->request();
  v1::GetHoldResponse* reply = reactor->reply();
  ops_.GetHold(req->order_ref(), Finisher(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* AvailabilityServiceImpl::ListHolds(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::ListHoldsRequest, v1::ListHoldsResponse>::Start(in,
                                                                        out);
  if (!reactor->ok()) return reactor;
  const v1::ListHoldsRequest* req = &reactor->request();
  v1::ListHoldsResponse* reply = reactor->reply();
  ops_.ListHolds(*req, Finisher(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* AvailabilityServiceImpl::RecordStockEvent(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor = rpc::RawUnary<v1::RecordStockEventRequest,
                                v1::RecordStockEventResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  const v1::RecordStockEventRequest* req = &reactor->request();
  v1::RecordStockEventResponse* reply = reactor->reply();
  ops_.RecordStockEvent(
      *req, FinishAs<v1::RecordTransactionResponse>(reactor, reply));
  return reactor;
}

grpc::ServerReadReactor<v1::ImportCatalogRequest>*
AvailabilityServiceImpl::ImportCatalog(grpc::CallbackServerContext*,
                                       v1::ImportCatalogResponse* reply) {
  return new ImportReactor(ops_, reply);
}

}  // namespace storeagent::agent
