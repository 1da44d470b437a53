#include "agent/pos_service.h"

#include "core/event_validation.h"
#include "storage/journal_store.h"

namespace storeagent::agent {
namespace {

// Finishes a recording call with `reply` or the error.
Recorder::Done FinishWith(grpc::ServerUnaryReactor* reactor,
                          v1::RecordReply* reply) {
  return [reactor, reply](Result<v1::RecordReply> r) {
    if (!r.ok()) {
      reactor->Finish(ToGrpc(r.status()));
      return;
    }
    *reply = std::move(r).value();
    reactor->Finish(grpc::Status::OK);
  };
}

}  // namespace

grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), s.message());
}

PosServiceImpl::PosServiceImpl(std::string store_id, storage::AgentDatabase& db,
                               Recorder& recorder)
    : store_id_(std::move(store_id)), db_(db), recorder_(recorder) {}

grpc::ServerUnaryReactor* PosServiceImpl::RecordTransaction(
    grpc::CallbackServerContext* ctx,
    const v1::RecordTransactionRequest* request, v1::RecordReply* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  recorder_.RecordTransaction(*request, FinishWith(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::RecordLoyaltySignal(
    grpc::CallbackServerContext* ctx,
    const v1::RecordLoyaltySignalRequest* request, v1::RecordReply* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  recorder_.RecordLoyaltySignal(*request, FinishWith(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::GetEvent(
    grpc::CallbackServerContext* ctx, const v1::GetEventRequest* request,
    v1::JournalEntry* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (request->by_case() == v1::GetEventRequest::kClientKey) {
    Status s = core::ValidateClientKey(request->client_key(), "client_key");
    if (!s.ok()) {
      reactor->Finish(ToGrpc(s));
      return reactor;
    }
  } else if (request->by_case() != v1::GetEventRequest::kSeq ||
             request->seq() == 0) {
    reactor->Finish(ToGrpc(InvalidArgument(
        "by: exactly one of seq (>= 1) or client_key is required")));
    return reactor;
  }
  db_.readers().Submit(
      [reactor, reply, req = *request](storage::DbContext* rc) {
        if (rc == nullptr) {
          reactor->Finish(ToGrpc(Unavailable("agent is shutting down")));
          return;
        }
        Result<std::optional<v1::JournalEntry>> r =
            req.by_case() == v1::GetEventRequest::kSeq
                ? storage::JournalStore::ReadBySeq(rc->db(), req.seq())
                : storage::JournalStore::ReadByKey(rc->db(), req.client_key());
        if (!r.ok()) {
          reactor->Finish(ToGrpc(r.status()));
        } else if (!r->has_value()) {
          reactor->Finish(ToGrpc(NotFound(
              req.by_case() == v1::GetEventRequest::kSeq
                  ? "seq: no event " + std::to_string(req.seq())
                  : "client_key: no event (" + req.client_key().terminal_id() +
                        ", " + req.client_key().client_txn_id() + ")")));
        } else {
          *reply = std::move(**r);
          reactor->Finish(grpc::Status::OK);
        }
      });
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::GetJournalStatus(
    grpc::CallbackServerContext* ctx, const v1::GetJournalStatusRequest*,
    v1::JournalStatus* reply) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  db_.readers().Submit([this, reactor, reply](storage::DbContext* rc) {
    if (rc == nullptr) {
      reactor->Finish(ToGrpc(Unavailable("agent is shutting down")));
      return;
    }
    Result<storage::JournalHead> anchor =
        storage::JournalStore::ReadAnchor(rc->db());
    if (!anchor.ok()) {
      reactor->Finish(ToGrpc(anchor.status()));
      return;
    }
    storage::JournalHead head = db_.journal().head();
    reply->set_store_id(store_id_);
    reply->set_head_seq(head.seq);
    reply->set_head_hash(head.hash);
    reply->set_head_recorded_at_us(head.recorded_at_us);
    reply->set_pending_writes(db_.writer().pending());
    reply->set_db_bytes(db_.SizeBytes());
    reply->set_first_seq(anchor->seq + 1);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::Ping(grpc::CallbackServerContext* ctx,
                                               const v1::PingRequest*,
                                               v1::PingReply*) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace storeagent::agent
