// PriceServiceImpl: a till's price questions (price.proto, GetPrices),
// answered from the agent's in-memory price book (agent/price_book_holder.h)
// on gRPC's own thread: no database read, no thread hand-off, offline as
// online. Every answer says how old the book is: the central_seq of the last
// price event applied, when, and the last exchange with central.
#ifndef STOREAGENT_AGENT_PRICE_SERVICE_H_
#define STOREAGENT_AGENT_PRICE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "agent/price_book_holder.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"
#include "storeagent/v1/price.grpc.pb.h"

namespace storeagent::agent {

// The request arrives raw (proto/raw_unary.h), like the POS API's.
using RawPriceService = v1::PriceService::WithRawCallbackMethod_GetPrices<
    v1::PriceService::Service>;

class PriceServiceImpl final : public RawPriceService {
 public:
  // REQUIRES: all outlive the service. `sync_health` null: sync is off
  // (synced_at_us stays 0). `clock`: the moment of a request without at_us.
  PriceServiceImpl(const PriceBookHolder& book, const SyncHealth* sync_health,
                   const Clock& clock);

  grpc::ServerUnaryReactor* GetPrices(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* in,
                                      grpc::ByteBuffer* out) override;

 private:
  const PriceBookHolder& book_;
  const SyncHealth* sync_health_;
  const Clock& clock_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_PRICE_SERVICE_H_
