// AvailabilityServiceImpl: the availability and click-and-collect API over
// gRPC's callback interface, a thin adapter over StockOps.
#ifndef STOREAGENT_AGENT_AVAILABILITY_SERVICE_H_
#define STOREAGENT_AGENT_AVAILABILITY_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "agent/stock_ops.h"
#include "storeagent/v1/availability.grpc.pb.h"

namespace storeagent::agent {

class AvailabilityServiceImpl final
    : public v1::AvailabilityService::CallbackService {
 public:
  // REQUIRES: `ops` outlives the service.
  explicit AvailabilityServiceImpl(StockOps& ops) : ops_(ops) {}

  grpc::ServerUnaryReactor* GetAvailability(
      grpc::CallbackServerContext* ctx, const v1::GetAvailabilityRequest* req,
      v1::GetAvailabilityResponse* reply) override;
  grpc::ServerUnaryReactor* SearchProducts(
      grpc::CallbackServerContext* ctx, const v1::SearchProductsRequest* req,
      v1::SearchProductsResponse* reply) override;
  grpc::ServerUnaryReactor* PlaceHold(grpc::CallbackServerContext* ctx,
                                      const v1::PlaceHoldRequest* req,
                                      v1::PlaceHoldResponse* reply) override;
  grpc::ServerUnaryReactor* UpdateHold(grpc::CallbackServerContext* ctx,
                                       const v1::UpdateHoldRequest* req,
                                       v1::UpdateHoldResponse* reply) override;
  grpc::ServerUnaryReactor* GetHold(grpc::CallbackServerContext* ctx,
                                    const v1::GetHoldRequest* req,
                                    v1::GetHoldResponse* reply) override;
  grpc::ServerUnaryReactor* ListHolds(grpc::CallbackServerContext* ctx,
                                      const v1::ListHoldsRequest* req,
                                      v1::ListHoldsResponse* reply) override;
  grpc::ServerUnaryReactor* RecordStockEvent(
      grpc::CallbackServerContext* ctx, const v1::RecordStockEventRequest* req,
      v1::RecordStockEventResponse* reply) override;
  grpc::ServerReadReactor<v1::ImportCatalogRequest>* ImportCatalog(
      grpc::CallbackServerContext* ctx,
      v1::ImportCatalogResponse* reply) override;

 private:
  StockOps& ops_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_AVAILABILITY_SERVICE_H_
