// RawUnary: a callback unary call whose request arrives as bytes.
//
// A service method marked raw (gRPC's WithRawCallbackMethod_*) gets the
// request's ByteBuffer; RawUnary::Start parses it, and when that fails
// walks its bytes (proto/wire_check.h), so a request with invalid UTF-8 or
// bytes that are not a message is refused with INVALID_ARGUMENT naming the
// field instead of gRPC's bare parse failure. The handler then fills reply()
// and calls Reply(status) once, from any thread, like rpc::UnaryReactor; an OK
// reply is serialised into gRPC's buffer before the call finishes.
//
// The request lives on a protobuf arena the call owns: parsing 50 SKUs is a
// few block allocations instead of one per string, and all of it goes at
// once when the call ends. With `kReplyOnArena` the reply does too, for a
// handler that builds its reply in place (GetPrices, docs/pricing.md
// "Lookups"). Without it the reply is on the heap, so that a handler that
// moves an answer built elsewhere into reply() moves it: protobuf moves only
// within one arena and would copy a 500-SKU availability answer.
#ifndef STOREAGENT_PROTO_RAW_UNARY_H_
#define STOREAGENT_PROTO_RAW_UNARY_H_

#include <google/protobuf/arena.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "platform/tsan.h"
#include "proto/wire_check.h"

namespace storeagent::rpc {

template <typename Req, typename Resp, bool kReplyOnArena = false>
class RawUnary final : public grpc::ServerUnaryReactor {
 public:
  // Starts a call on `in`, answering into `out` (both gRPC's, alive until
  // OnDone). When the request does not check or parse, the call is already
  // finished with INVALID_ARGUMENT and ok() is false: return it to gRPC
  // and do nothing else.
  static RawUnary* Start(const grpc::ByteBuffer* in, grpc::ByteBuffer* out) {
    auto* call = new RawUnary(out);
    if (in == nullptr) {  // no payload: the empty message
      call->ok_ = true;
      return call;
    }
    grpc::ByteBuffer view(*in);  // shares gRPC's slices, copies no bytes
    if (grpc::SerializationTraits<Req>::Deserialize(&view, call->request_)
            .ok()) {
      call->ok_ = true;
    } else {
      call->Refuse(WhyNot(*in));
    }
    return call;
  }

  bool ok() const { return ok_; }
  const Req& request() const { return *request_; }
  Resp* reply() { return reply_; }

  // Finishes the call. Call once, from any thread.
  void Reply(grpc::Status status) {
    if (status.ok()) {
      bool own = false;
      const grpc::Status s =
          grpc::SerializationTraits<Resp>::Serialize(*reply_, out_, &own);
      if (!s.ok()) status = s;
    }
    STOREAGENT_TSAN_RELEASE(this);
    Finish(std::move(status));
  }

  void OnDone() override {
    STOREAGENT_TSAN_ACQUIRE(this);
    delete this;
  }

 private:
  explicit RawUnary(grpc::ByteBuffer* out) : out_(out) {}

  // Why `in` did not parse, naming the field: only refused requests are
  // walked (CheckWire), so a good one is parsed once, from gRPC's slices.
  static std::string WhyNot(const grpc::ByteBuffer& in) {
    std::vector<grpc::Slice> slices;
    if (!in.Dump(&slices).ok()) return "request: unreadable";
    std::string bytes;
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    const Status checked = CheckWire(bytes, *Req::descriptor());
    if (!checked.ok()) return checked.message();
    return "request: not a " + Req::descriptor()->full_name() +
           " protocol buffer message";
  }

  void Refuse(std::string message) {
    Finish(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::move(message)));
  }

  grpc::ByteBuffer* out_;
  // Default options: its first block comes with the first allocation (a
  // Ping's empty request takes none); options of our own would make protobuf
  // allocate a block at once to keep them in.
  google::protobuf::Arena arena_;
  Req* request_ = google::protobuf::Arena::CreateMessage<Req>(&arena_);
  Resp* reply_ = google::protobuf::Arena::CreateMessage<Resp>(
      kReplyOnArena ? &arena_ : nullptr);
  // The reply when it is on the heap (CreateMessage(nullptr) hands it over).
  std::unique_ptr<Resp> heap_reply_{kReplyOnArena ? nullptr : reply_};
  bool ok_ = false;
};

}  // namespace storeagent::rpc

#endif  // STOREAGENT_PROTO_RAW_UNARY_H_
