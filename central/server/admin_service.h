// CentralAdminService: head office's API (proto CentralAdmin) on the admin
// listener. Callback unary handlers: each hands its work to the worker pool
// and finishes from there, so no gRPC thread waits on the database or on a
// store's answer to a hold request.
#ifndef STOREAGENT_CENTRAL_SERVER_ADMIN_SERVICE_H_
#define STOREAGENT_CENTRAL_SERVER_ADMIN_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "central/server/sync_hub.h"
#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::central {

class CentralAdminService : public v1::CentralAdmin::CallbackService {
 public:
  explicit CentralAdminService(SyncHub& hub) : hub_(hub) {}

  grpc::ServerUnaryReactor* PushCentralEvent(
      grpc::CallbackServerContext* context,
      const v1::PushCentralEventRequest* request,
      v1::PushCentralEventReply* reply) override;
  grpc::ServerUnaryReactor* FindAvailability(
      grpc::CallbackServerContext* context,
      const v1::FindAvailabilityRequest* request,
      v1::FindAvailabilityReply* reply) override;
  grpc::ServerUnaryReactor* PlaceHold(
      grpc::CallbackServerContext* context,
      const v1::CentralPlaceHoldRequest* request,
      v1::CentralPlaceHoldReply* reply) override;
  grpc::ServerUnaryReactor* CancelHold(
      grpc::CallbackServerContext* context,
      const v1::CentralCancelHoldRequest* request,
      v1::PushCentralEventReply* reply) override;
  grpc::ServerUnaryReactor* ListDrift(grpc::CallbackServerContext* context,
                                      const v1::ListDriftRequest* request,
                                      v1::ListDriftReply* reply) override;
  grpc::ServerUnaryReactor* GetStoreSyncState(
      grpc::CallbackServerContext* context,
      const v1::GetStoreSyncStateRequest* request,
      v1::StoreSyncState* reply) override;
  grpc::ServerUnaryReactor* ListQuarantine(
      grpc::CallbackServerContext* context,
      const v1::ListQuarantineRequest* request,
      v1::ListQuarantineReply* reply) override;

 private:
  // Runs `work` on the pool and finishes the call with its status.
  grpc::ServerUnaryReactor* Defer(grpc::CallbackServerContext* context,
                                  std::function<Status()> work);
  Status Push(const v1::PushCentralEventRequest& r,
              v1::PushCentralEventReply* reply);
  Status Availability(const v1::FindAvailabilityRequest& r,
                      v1::FindAvailabilityReply* reply);
  // Grants `hold` inside the store's escrow or refuses it.
  Status EscrowGrant(const std::string& store_id, const v1::HoldPlaced& hold,
                     v1::CentralPlaceHoldReply* reply);
  Status EscrowGrantOnce(const std::string& store_id,
                         const v1::HoldPlaced& hold,
                         v1::CentralPlaceHoldReply* reply);
  std::mutex& EscrowMutex(const std::string& store_id);

  SyncHub& hub_;
  std::mutex mu_;
  // One escrow decision at a time per store (in this process).
  std::map<std::string, std::unique_ptr<std::mutex>> escrow_mu_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_ADMIN_SERVICE_H_
