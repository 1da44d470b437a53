// PosServiceImpl: the POS API over gRPC's callback interface.
//
// Recording calls hand the request to the Recorder and finish when the
// writer's commit completes; reads run on the storage read pool. No reaction
// ever blocks on the database.
#ifndef STOREAGENT_AGENT_POS_SERVICE_H_
#define STOREAGENT_AGENT_POS_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "agent/recorder.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"
#include "storage/agent_database.h"
#include "storeagent/v1/pos.grpc.pb.h"

namespace storeagent::agent {

// Maps our Status to grpc::Status (same codes, same message).
grpc::Status ToGrpc(const Status& s);

// Every method takes its request raw (proto/raw_unary.h): a request with
// invalid UTF-8 in a string field, or bytes that are not a message, is
// refused with INVALID_ARGUMENT naming the field.
using RawPosService = v1::PosService::WithRawCallbackMethod_RecordTransaction<
    v1::PosService::WithRawCallbackMethod_RecordLoyaltySignal<
        v1::PosService::WithRawCallbackMethod_GetEvent<
            v1::PosService::WithRawCallbackMethod_GetJournalStatus<
                v1::PosService::WithRawCallbackMethod_Ping<
                    v1::PosService::WithRawCallbackMethod_GetSyncStatus<
                        v1::PosService::WithRawCallbackMethod_GetDayReport<
                            v1::PosService::Service>>>>>>>;

class PosServiceImpl final : public RawPosService {
 public:
  // REQUIRES: all outlive the service. `sync_health` null: sync is off.
  // `clock`: the ages in GetStatus and the default day of GetDayReport.
  PosServiceImpl(std::string store_id, storage::AgentDatabase& db,
                 Recorder& recorder, const SyncHealth* sync_health,
                 const Clock& clock);

  grpc::ServerUnaryReactor* RecordTransaction(grpc::CallbackServerContext* ctx,
                                              const grpc::ByteBuffer* in,
                                              grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* RecordLoyaltySignal(
      grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
      grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* GetEvent(grpc::CallbackServerContext* ctx,
                                     const grpc::ByteBuffer* in,
                                     grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* GetJournalStatus(grpc::CallbackServerContext* ctx,
                                             const grpc::ByteBuffer* in,
                                             grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* ctx,
                                 const grpc::ByteBuffer* in,
                                 grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* GetSyncStatus(grpc::CallbackServerContext* ctx,
                                          const grpc::ByteBuffer* in,
                                          grpc::ByteBuffer* out) override;
  grpc::ServerUnaryReactor* GetDayReport(grpc::CallbackServerContext* ctx,
                                         const grpc::ByteBuffer* in,
                                         grpc::ByteBuffer* out) override;

 private:
  std::string store_id_;
  storage::AgentDatabase& db_;
  Recorder& recorder_;
  const SyncHealth* sync_health_;
  const Clock& clock_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_POS_SERVICE_H_
