// AdminServiceImpl: head office's API (proto CentralAdminService) on the admin
// listener. Callback unary handlers: each identifies its caller (an admin
// certificate's role, peer_identity.h), hands its work to the worker pool
// and finishes from there, so no gRPC thread waits on the database or on a
// store's answer to a hold request. A reader may read, an operator also
// write; every write, allowed or refused, is audited (a log line and a row
// in admin_audit) before its answer is sent.
#ifndef STOREAGENT_CENTRAL_SERVER_ADMIN_SERVICE_H_
#define STOREAGENT_CENTRAL_SERVER_ADMIN_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "central/server/arena_messages.h"
#include "central/server/peer_identity.h"
#include "central/server/sync_hub.h"
#include "storeagent/v1/services_v02.grpc.pb.h"
#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::central {

// StreamEvents is registered raw (ByteBuffer in and out, feed_stream.h): the
// feed writes responses it encoded itself; a client sees the same messages.
class AdminServiceImpl
    : public v1::CentralAdminService::WithRawCallbackMethod_StreamEvents<
          v1::CentralAdminService::CallbackService> {
 public:
  explicit AdminServiceImpl(SyncHub& hub) : hub_(hub) {
    SetMessageAllocatorFor_FindAvailability(&find_messages_);
  }

  grpc::ServerUnaryReactor* PushCentralEvent(
      grpc::CallbackServerContext* context,
      const v1::PushCentralEventRequest* request,
      v1::PushCentralEventResponse* reply) override;
  grpc::ServerUnaryReactor* FindAvailability(
      grpc::CallbackServerContext* context,
      const v1::FindAvailabilityRequest* request,
      v1::FindAvailabilityResponse* reply) override;
  grpc::ServerUnaryReactor* PlaceHold(
      grpc::CallbackServerContext* context,
      const v1::CentralAdminServicePlaceHoldRequest* request,
      v1::CentralAdminServicePlaceHoldResponse* reply) override;
  grpc::ServerUnaryReactor* CancelHold(
      grpc::CallbackServerContext* context,
      const v1::CentralAdminServiceCancelHoldRequest* request,
      v1::CentralAdminServiceCancelHoldResponse* reply) override;
  grpc::ServerUnaryReactor* ListDrift(grpc::CallbackServerContext* context,
                                      const v1::ListDriftRequest* request,
                                      v1::ListDriftResponse* reply) override;
  grpc::ServerUnaryReactor* GetStoreSyncState(
      grpc::CallbackServerContext* context,
      const v1::GetStoreSyncStateRequest* request,
      v1::GetStoreSyncStateResponse* reply) override;
  grpc::ServerUnaryReactor* ListQuarantine(
      grpc::CallbackServerContext* context,
      const v1::ListQuarantineRequest* request,
      v1::ListQuarantineResponse* reply) override;
  grpc::ServerUnaryReactor* ListAdminAudit(
      grpc::CallbackServerContext* context,
      const v1::ListAdminAuditRequest* request,
      v1::ListAdminAuditResponse* reply) override;
  // Escrow-granted orders a breach left uncovered (a read).
  grpc::ServerUnaryReactor* ListAtRiskOrders(
      grpc::CallbackServerContext* context,
      const v1::ListAtRiskOrdersRequest* request,
      v1::ListAtRiskOrdersResponse* reply) override;
  // Head office's KPIs (docs/kpis.md): a reader's report, an operator's
  // store region.
  grpc::ServerUnaryReactor* GetKpiReport(
      grpc::CallbackServerContext* context,
      const v1::GetKpiReportRequest* request,
      v1::GetKpiReportResponse* reply) override;
  grpc::ServerUnaryReactor* SetStoreRegion(
      grpc::CallbackServerContext* context,
      const v1::SetStoreRegionRequest* request,
      v1::SetStoreRegionResponse* reply) override;
  // Head office's price book (docs/central.md, "The price book"): an
  // operator's publishes, audited; a reader's listings of the book and of
  // the sale lines charged otherwise ("Price deviations").
  grpc::ServerUnaryReactor* PublishPriceList(
      grpc::CallbackServerContext* context,
      const v1::PublishPriceListRequest* request,
      v1::PublishPriceListResponse* reply) override;
  grpc::ServerUnaryReactor* PublishPromotion(
      grpc::CallbackServerContext* context,
      const v1::PublishPromotionRequest* request,
      v1::PublishPromotionResponse* reply) override;
  grpc::ServerUnaryReactor* ListPriceBook(
      grpc::CallbackServerContext* context,
      const v1::ListPriceBookRequest* request,
      v1::ListPriceBookResponse* reply) override;
  grpc::ServerUnaryReactor* ListPriceDeviations(
      grpc::CallbackServerContext* context,
      const v1::ListPriceDeviationsRequest* request,
      v1::ListPriceDeviationsResponse* reply) override;
  // The change feed (a read: any admin role): feed_stream.h. `request` is
  // a serialized StreamEventsRequest.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* StreamEvents(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;

 private:
  // One admin call as it is authorised and audited.
  struct Call {
    static Call Read(const char* method, std::string store_id) {
      return Call{method, false, std::move(store_id), "", "", ""};
    }
    static Call Write(const char* method, std::string store_id,
                      std::string detail) {
      return Call{method, true, std::move(store_id), std::move(detail), "", ""};
    }
    const char* method;
    bool write;
    std::string store_id;  // as the request named it
    std::string detail;    // what: order reference, request key, kind
    std::string caller;    // AdminCallerName, or the peer when unidentified
    std::string note;      // set by a write that succeeded but was refused
                           // by the store or escrow ("refused: ...")
  };
  using Done = std::function<void(const Status&)>;
  // Where a call's Done may be called: from any thread (posted to the pool
  // to audit and answer), or only on the pool thread that runs its work
  // (audits and answers there).
  enum class Answered { kAnywhere, kOnPool };
  // Identifies and authorises the caller of `call`, then runs `work` on
  // the pool; `work` (or Serve itself, when the caller may not) calls the
  // Done it is given exactly once, which audits a write and finishes the
  // call.
  grpc::ServerUnaryReactor* Serve(
      grpc::CallbackServerContext* context, Call call,
      std::function<void(const std::shared_ptr<Call>&, Done)> work);
  grpc::ServerUnaryReactor* Serve(
      grpc::CallbackServerContext* context, Call call,
      std::function<void(const std::shared_ptr<Call>&, Done)> work,
      Answered answered);
  // Serve for work that finishes when it returns: audited and answered on
  // the pool thread that ran it.
  grpc::ServerUnaryReactor* Defer(grpc::CallbackServerContext* context,
                                  Call call, std::function<Status()> work);
  // The log line and the admin_audit row of a write; a log line of a
  // refused read.
  void Audit(const Call& call, const Status& outcome);
  Status Push(const v1::PushCentralEventRequest& r,
              v1::PushCentralEventResponse* reply);
  Status Availability(const v1::FindAvailabilityRequest& r,
                      v1::FindAvailabilityResponse* reply);
  // Wakes the stream of each store a publish or a region change queued
  // price book versions to.
  void NotifyStores(const std::vector<std::string>& store_ids);
  Status PriceBookListing(const v1::ListPriceBookRequest& r,
                          v1::ListPriceBookResponse* reply);
  // Grants `hold` inside the store's escrow or refuses it.
  Status EscrowGrant(const std::string& store_id, const v1::HoldPlaced& hold,
                     v1::CentralAdminServicePlaceHoldResponse* reply);
  Status EscrowGrantOnce(const std::string& store_id,
                         const v1::HoldPlaced& hold,
                         v1::CentralAdminServicePlaceHoldResponse* reply);
  std::mutex& EscrowMutex(const std::string& store_id);

  SyncHub& hub_;
  // FindAvailability's request and answer on an arena per call.
  ArenaMessages<v1::FindAvailabilityRequest, v1::FindAvailabilityResponse>
      find_messages_;
  std::mutex mu_;
  // One escrow decision at a time per store (in this process).
  std::map<std::string, std::unique_ptr<std::mutex>> escrow_mu_;
};

// The same API under its 0.2 name (/storeagent.v1.CentralAdmin/...), for
// head-office tools not yet moved to CentralAdminService: each call is
// AdminServiceImpl's, with its authorisation and audit.
class AdminServiceV02 : public v1::CentralAdmin::CallbackService {
 public:
  explicit AdminServiceV02(AdminServiceImpl& impl) : impl_(impl) {}

  grpc::ServerUnaryReactor* PushCentralEvent(
      grpc::CallbackServerContext* context,
      const v1::PushCentralEventRequest* request,
      v1::PushCentralEventResponse* reply) override {
    return impl_.PushCentralEvent(context, request, reply);
  }
  grpc::ServerUnaryReactor* FindAvailability(
      grpc::CallbackServerContext* context,
      const v1::FindAvailabilityRequest* request,
      v1::FindAvailabilityResponse* reply) override {
    return impl_.FindAvailability(context, request, reply);
  }
  grpc::ServerUnaryReactor* PlaceHold(
      grpc::CallbackServerContext* context,
      const v1::CentralAdminServicePlaceHoldRequest* request,
      v1::CentralAdminServicePlaceHoldResponse* reply) override {
    return impl_.PlaceHold(context, request, reply);
  }
  grpc::ServerUnaryReactor* CancelHold(
      grpc::CallbackServerContext* context,
      const v1::CentralAdminServiceCancelHoldRequest* request,
      v1::CentralAdminServiceCancelHoldResponse* reply) override {
    return impl_.CancelHold(context, request, reply);
  }
  grpc::ServerUnaryReactor* ListDrift(grpc::CallbackServerContext* context,
                                      const v1::ListDriftRequest* request,
                                      v1::ListDriftResponse* reply) override {
    return impl_.ListDrift(context, request, reply);
  }
  grpc::ServerUnaryReactor* GetStoreSyncState(
      grpc::CallbackServerContext* context,
      const v1::GetStoreSyncStateRequest* request,
      v1::GetStoreSyncStateResponse* reply) override {
    return impl_.GetStoreSyncState(context, request, reply);
  }
  grpc::ServerUnaryReactor* ListQuarantine(
      grpc::CallbackServerContext* context,
      const v1::ListQuarantineRequest* request,
      v1::ListQuarantineResponse* reply) override {
    return impl_.ListQuarantine(context, request, reply);
  }
  grpc::ServerUnaryReactor* ListAdminAudit(
      grpc::CallbackServerContext* context,
      const v1::ListAdminAuditRequest* request,
      v1::ListAdminAuditResponse* reply) override {
    return impl_.ListAdminAudit(context, request, reply);
  }

 private:
  AdminServiceImpl& impl_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_ADMIN_SERVICE_H_
