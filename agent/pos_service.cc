#include "agent/pos_service.h"

#include <algorithm>
#include <type_traits>

#include "agent/day_report.h"
#include "core/event_validation.h"
#include "proto/raw_unary.h"
#include "proto/wire_copy.h"
#include "storage/journal_store.h"
#include "storage/sync_store.h"

namespace storeagent::agent {
namespace {

// Finishes a recording call with `reply` or the error. The recorder
// answers every call as a transaction; RecordLoyaltySignalResponse has the
// same fields (proto/wire_copy.h).
template <typename Reactor, typename Reply>
Recorder::Done FinishWith(Reactor* reactor, Reply* reply) {
  return [reactor, reply](Result<v1::RecordTransactionResponse> r) {
    if (!r.ok()) {
      reactor->Reply(ToGrpc(r.status()));
      return;
    }
    if constexpr (std::is_same_v<Reply, v1::RecordTransactionResponse>) {
      *reply = std::move(r).value();
    } else if (!rpc::CopyWireCompatible(*r, reply)) {
      reactor->Reply(grpc::Status(
          grpc::StatusCode::INTERNAL,
          "reply: " + Reply::descriptor()->full_name() + " out of step"));
      return;
    }
    reactor->Reply(grpc::Status::OK);
  };
}

}  // namespace

grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), s.message());
}

PosServiceImpl::PosServiceImpl(std::string store_id, storage::AgentDatabase& db,
                               Recorder& recorder,
                               const SyncHealth* sync_health,
                               const Clock& clock)
    : store_id_(std::move(store_id)),
      db_(db),
      recorder_(recorder),
      sync_health_(sync_health),
      clock_(clock) {}

grpc::ServerUnaryReactor* PosServiceImpl::RecordTransaction(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor = rpc::RawUnary<v1::RecordTransactionRequest,
                                v1::RecordTransactionResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  const v1::RecordTransactionRequest* request = &reactor->request();
  v1::RecordTransactionResponse* reply = reactor->reply();
  recorder_.RecordTransaction(*request, FinishWith(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::RecordLoyaltySignal(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::RecordLoyaltySignalRequest,
                    v1::RecordLoyaltySignalResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  const v1::RecordLoyaltySignalRequest* request = &reactor->request();
  v1::RecordLoyaltySignalResponse* reply = reactor->reply();
  recorder_.RecordLoyaltySignal(*request, FinishWith(reactor, reply));
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::GetEvent(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::GetEventRequest, v1::GetEventResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  const v1::GetEventRequest* request = &reactor->request();
  v1::GetEventResponse* reply = reactor->reply();
  if (request->by_case() == v1::GetEventRequest::kClientKey) {
    Status s = core::ValidateClientKey(request->client_key(), "client_key");
    if (!s.ok()) {
      reactor->Reply(ToGrpc(s));
      return reactor;
    }
  } else if (request->by_case() != v1::GetEventRequest::kSeq ||
             request->seq() == 0) {
    reactor->Reply(ToGrpc(InvalidArgument(
        "by: exactly one of seq (>= 1) or client_key is required")));
    return reactor;
  }
  db_.readers().Submit([reactor, reply,
                        req = *request](storage::DbContext* rc) {
    if (rc == nullptr) {
      reactor->Reply(ToGrpc(Unavailable("agent is shutting down")));
      return;
    }
    Result<std::optional<v1::JournalEntry>> r =
        req.by_case() == v1::GetEventRequest::kSeq
            ? storage::JournalStore::ReadBySeq(rc->db(), req.seq())
            : storage::JournalStore::ReadByKey(rc->db(), req.client_key());
    if (!r.ok()) {
      reactor->Reply(ToGrpc(r.status()));
    } else if (!r->has_value()) {
      reactor->Reply(ToGrpc(NotFound(
          req.by_case() == v1::GetEventRequest::kSeq
              ? "seq: no event " + std::to_string(req.seq())
              : "client_key: no event (" + req.client_key().terminal_id() +
                    ", " + req.client_key().client_txn_id() + ")")));
    } else {
      // GetEventResponse is JournalEntry field for field.
      v1::JournalEntry& entry = **r;
      reply->set_allocated_record(entry.release_record());
      reply->set_hash(std::move(*entry.mutable_hash()));
      reply->set_prev_hash(std::move(*entry.mutable_prev_hash()));
      reply->set_canonical_record(std::move(*entry.mutable_canonical_record()));
      reactor->Reply(grpc::Status::OK);
    }
  });
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::GetJournalStatus(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor = rpc::RawUnary<v1::GetJournalStatusRequest,
                                v1::GetJournalStatusResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  v1::GetJournalStatusResponse* reply = reactor->reply();
  db_.readers().Submit([this, reactor, reply](storage::DbContext* rc) {
    if (rc == nullptr) {
      reactor->Reply(ToGrpc(Unavailable("agent is shutting down")));
      return;
    }
    Result<storage::JournalHead> anchor =
        storage::JournalStore::ReadAnchor(rc->db());
    if (!anchor.ok()) {
      reactor->Reply(ToGrpc(anchor.status()));
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
    reactor->Reply(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::Ping(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::PingRequest, v1::PingResponse>::Start(in, out);
  if (!reactor->ok()) return reactor;
  reactor->Reply(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::GetSyncStatus(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::GetSyncStatusRequest, v1::GetSyncStatusResponse>::Start(
          in, out);
  if (!reactor->ok()) return reactor;
  v1::GetSyncStatusResponse* reply = reactor->reply();
  db_.readers().Submit([this, reactor, reply](storage::DbContext* rc) {
    if (rc == nullptr) {
      reactor->Reply(ToGrpc(Unavailable("agent is shutting down")));
      return;
    }
    Result<storage::SyncWatermarks> w = storage::SyncWatermarks{};
    if (int rc_begin =
            sqlite3_exec(rc->db(), "BEGIN", nullptr, nullptr, nullptr);
        rc_begin != SQLITE_OK) {
      w = storage::SqliteStatus(rc->db(), rc_begin, "begin read");
    } else {
      w = storage::SyncStore::ReadWatermarks(*rc);
      rc->ResetBusyStatements();
      sqlite3_exec(rc->db(), "COMMIT", nullptr, nullptr, nullptr);
    }
    if (!w.ok()) {
      reactor->Reply(ToGrpc(w.status()));
      return;
    }
    const SyncHealthSnapshot h =
        sync_health_ != nullptr ? sync_health_->Get() : SyncHealthSnapshot{};
    reply->set_enabled(h.enabled);
    reply->set_connected(h.connected);
    reply->set_last_exchange_us(h.last_exchange_us);
    reply->set_head_seq(w->head_seq);
    reply->set_central_acked_seq(w->central_acked_seq);
    reply->set_outbox_depth(w->head_seq > w->central_acked_seq
                                ? w->head_seq - w->central_acked_seq
                                : 0);
    if (w->oldest_unacked_us != 0) {
      reply->set_oldest_unacked_age_ms(
          std::max<int64_t>(0, clock_.NowMicros() - w->oldest_unacked_us) /
          1000);
    }
    reply->set_central_seq_applied(w->central_seq);
    reply->set_last_digest(h.last_digest);
    reply->set_last_digest_store_seq(h.last_digest_store_seq);
    reply->set_last_digest_central_seq(h.last_digest_central_seq);
    reply->set_digest_mismatches(h.digest_mismatches);
    reply->set_last_error(h.last_error);
    reply->set_stopped(h.stopped);
    reply->set_clock_skew_us(h.clock_skew_us);
    reply->set_streams_opened(h.streams_opened);
    reply->set_events_sent(h.events_sent);
    reply->set_central_events_applied(h.central_events_applied);
    reactor->Reply(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* PosServiceImpl::GetDayReport(
    grpc::CallbackServerContext* /*ctx*/, const grpc::ByteBuffer* in,
    grpc::ByteBuffer* out) {
  auto* reactor =
      rpc::RawUnary<v1::GetDayReportRequest, v1::GetDayReportResponse>::Start(
          in, out);
  if (!reactor->ok()) return reactor;
  const v1::GetDayReportRequest* request = &reactor->request();
  v1::GetDayReportResponse* reply = reactor->reply();
  agent::GetDayReport(db_, clock_, *request,
                      [reactor, reply](Result<v1::GetDayReportResponse> r) {
                        if (!r.ok()) {
                          reactor->Reply(ToGrpc(r.status()));
                          return;
                        }
                        *reply = std::move(r).value();
                        reactor->Reply(grpc::Status::OK);
                      });
  return reactor;
}

}  // namespace storeagent::agent
