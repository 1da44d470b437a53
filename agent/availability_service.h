// AvailabilityServiceImpl: the availability and click-and-collect API over
// gRPC's callback interface, a thin adapter over StockOps.
#ifndef STOREAGENT_AGENT_AVAILABILITY_SERVICE_H_
#define STOREAGENT_AGENT_AVAILABILITY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "agent/stock_ops.h"
#include "storeagent/v1/availability.grpc.pb.h"

namespace storeagent::agent {

// The unary methods take their requests raw (proto/raw_unary.h): invalid
// UTF-8 in a string field, or bytes that are not a message, are refused
// with INVALID_ARGUMENT naming the field. ImportCatalog streams typed.
using RawAvailabilityService =
    v1::AvailabilityService::WithRawCallbackMethod_GetAvailability<
        v1::AvailabilityService::WithRawCallbackMethod_SearchProducts<
            v1::AvailabilityService::WithRawCallbackMethod_PlaceHold<
                v1::AvailabilityService::WithRawCallbackMethod_UpdateHold<
                    v1::AvailabilityService::WithRawCallbackMethod_GetHold<
                        v1::AvailabilityService::
                            WithRawCallbackMethod_ListHolds<
                                v1::AvailabilityService::
                                    WithRawCallbackMethod_RecordStockEvent<
                                        v1::AvailabilityService::
                                            WithCallbackMethod_ImportCatalog<
                                                v1::AvailabilityService::
                                                    Service>>>>>>>>;

class AvailabilityServiceImpl final : public RawAvailabilityService {
 public:
  // REQUIRES: `ops` outlives the service.
  explicit AvailabilityServiceImpl(StockOps& ops) : ops_(ops) {}

  grpc::ServerUnaryReactor* GetAvailability(grpc::CallbackServerContext* ctx,
                                            const grpc::ByteBuffer* in,
                                            grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* SearchProducts(grpc::CallbackServerContext* ctx,
                                           const grpc::ByteBuffer* in,
                                           grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* PlaceHold(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* in,
                                      grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* UpdateHold(grpc::CallbackServerContext* ctx,
                                       const grpc::ByteBuffer* in,
                                       grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* GetHold(grpc::CallbackServerContext* ctx,
                                    const grpc::ByteBuffer* in,
                                    grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* ListHolds(grpc::CallbackServerContext* ctx,
                                      const grpc::ByteBuffer* in,
                                      grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* RecordStockEvent(grpc::CallbackServerContext* ctx,
                                             const grpc::ByteBuffer* in,
                                             grpc::ByteBuffer* out) override;
  grpc::ServerReadReactor<v1::ImportCatalogRequest>* ImportCatalog(
      grpc::CallbackServerContext* ctx,
      v1::ImportCatalogResponse* reply) override;

 private:
  StockOps& ops_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_AVAILABILITY_SERVICE_H_
