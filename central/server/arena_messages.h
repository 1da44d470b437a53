// ArenaMessages: a gRPC callback method's request and response made on one
// protobuf arena per call (grpc::MessageAllocator), for a method whose
// answer is many small messages built in place (FindAvailability: a
// StoreAvailability per store and a SkuFigure per SKU). Their memory comes
// from a few arena blocks and goes in one free when the call ends, instead
// of a malloc and a free each. The arena keeps protobuf's default options
// (docs/pricing.md says why: options of our own made every call allocate a
// block at once).
//
// Thread-safety: AllocateMessages may be called from any thread; each call's
// messages belong to that call.
#ifndef STOREAGENT_CENTRAL_SERVER_ARENA_MESSAGES_H_
#define STOREAGENT_CENTRAL_SERVER_ARENA_MESSAGES_H_

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

namespace storeagent::central {

template <typename Request, typename Response>
class ArenaMessages : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override {
    return new Holder();
  }

 private:
  class Holder : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() {
      this->set_request(
          google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(
          google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    google::protobuf::Arena arena_;
  };
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_ARENA_MESSAGES_H_
