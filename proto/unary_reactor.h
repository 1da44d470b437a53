// UnaryReactor: the reactor of a callback unary call whose answer comes
// from another thread (the read pool, the writer, central's workers).
//
// It is gRPC's default reactor plus what ThreadSanitizer needs to know:
// the thread that fills the reply and calls Reply() hands it to gRPC, which
// serialises it and later frees it on one of its own threads, synchronised
// inside uninstrumented libraries. Reply() releases and OnDone() — which
// gRPC runs before it frees the request and the reply — acquires, so TSan
// sees that edge (platform/tsan.h; no-ops outside the TSan build).
// Header-only gRPC glue beside the contract (storeagent_proto), shared by
// the agent and central; platform/ stays free of transport code.
#ifndef STOREAGENT_PROTO_UNARY_REACTOR_H_
#define STOREAGENT_PROTO_UNARY_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <utility>

#include "platform/tsan.h"

namespace storeagent::rpc {

class UnaryReactor final : public grpc::ServerUnaryReactor {
 public:
  // Owned by gRPC from the handler's return to OnDone.
  static UnaryReactor* Create() { return new UnaryReactor(); }

  // Finishes the call. Call once, from any thread.
  void Reply(grpc::Status status) {
    STOREAGENT_TSAN_RELEASE(this);
    Finish(std::move(status));
  }

  void OnDone() override {
    STOREAGENT_TSAN_ACQUIRE(this);
    delete this;
  }

 private:
  UnaryReactor() = default;
};

}  // namespace storeagent::rpc

#endif  // STOREAGENT_PROTO_UNARY_REACTOR_H_
