#include "central/server/admin_service.h"

#include <google/protobuf/descriptor.h>

#include <boost/asio/post.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "central/server/admin_validation.h"
#include "central/server/escrow_book.h"
#include "central/server/escrow_grant.h"
#include "central/server/feed_stream.h"
#include "central/server/grpc_status.h"
#include "central/server/kpi_report.h"
#include "core/price_answer.h"
#include "core/price_book.h"
#include "core/price_validation.h"
#include "core/stock_validation.h"
#include "platform/log.h"
#include "proto/unary_reactor.h"

namespace storeagent::central {
namespace {

// Times an escrow grant decides again after another central process
// recorded an event for the store between its read and its append.
constexpr int kEscrowAttempts = 8;

Status UnknownStore(const std::string& field, const std::string& id) {
  return NotFound(field + ": central has never heard of store " + id);
}

Result<StoreRow> KnownStore(CentralStore& store, const std::string& id,
                            const std::string& field) {
  STOREAGENT_RETURN_IF_ERROR(CheckStoreId(id, field));
  Result<std::optional<StoreRow>> row = store.GetStore(id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return UnknownStore(field, id);
  return **row;
}

// The rows of the stores a request names in `ids` (field "store_ids"), in
// one read: the first id that is malformed or unknown, in order, is the
// error, as KnownStore would name it.
Result<std::vector<StoreRow>> KnownStores(
    CentralStore& store,
    const google::protobuf::RepeatedPtrField<std::string>& ids) {
  auto field = [](int i) { return "store_ids[" + std::to_string(i) + "]"; };
  // Read the ids before the first malformed one; report an unknown one
  // among them first, as one read per id, in order, would.
  int valid = 0;
  Status malformed = Status::Ok();
  for (; valid < ids.size(); ++valid) {
    malformed = CheckStoreId(ids[valid], field(valid));
    if (!malformed.ok()) break;
  }
  const std::vector<std::string> asked(ids.begin(), ids.begin() + valid);
  Result<std::vector<std::optional<StoreRow>>> rows = store.GetStores(asked);
  if (!rows.ok()) return rows.status();
  std::vector<StoreRow> out;
  out.reserve(asked.size());
  for (int i = 0; i < valid; ++i) {
    std::optional<StoreRow>& row = (*rows)[static_cast<size_t>(i)];
    if (!row.has_value()) {
      return UnknownStore(field(i), asked[static_cast<size_t>(i)]);
    }
    out.push_back(*std::move(row));
  }
  if (!malformed.ok()) return malformed;
  return out;
}

// Scratch space of AnswerFigures, reused from store to store.
struct FoundSkus {
  std::vector<const core::SkuFigures*> figures;
  std::vector<const int64_t*> escrow;
};

// The figures and escrow of `skus` in `replay`, in order, into `a`.
void AnswerFigures(const core::StockReplay& replay,
                   const std::vector<std::string>& skus, FoundSkus& found,
                   v1::StoreAvailability* a) {
  replay.FindFigures(skus, &found.figures);
  replay.FindEscrow(skus, &found.escrow);
  a->mutable_figures()->Reserve(static_cast<int>(skus.size()));
  a->mutable_escrow()->Reserve(static_cast<int>(skus.size()));
  for (size_t i = 0; i < skus.size(); ++i) {
    const core::SkuFigures* f = found.figures[i];
    v1::SkuFigure* out = a->add_figures();
    out->set_sku(skus[i]);
    if (f != nullptr) {
      out->set_on_hand(f->on_hand);
      out->set_held(f->held);
      out->set_unavailable(f->unavailable);
    }
    a->add_escrow(found.escrow[i] == nullptr ? 0 : *found.escrow[i]);
  }
}

// "movement", "hold_cancel", ...: the kind of a central event, for audits.
std::string KindOf(const v1::CentralEvent& e) {
  const google::protobuf::FieldDescriptor* f =
      e.GetDescriptor()->FindFieldByNumber(e.kind_case());
  return f == nullptr ? "none" : f->name();
}

}  // namespace

grpc::ServerUnaryReactor* AdminServiceImpl::Serve(
    grpc::CallbackServerContext* context, Call call,
    std::function<void(const std::shared_ptr<Call>&, Done)> work) {
  return Serve(context, std::move(call), std::move(work), Answered::kAnywhere);
}

grpc::ServerUnaryReactor* AdminServiceImpl::Serve(
    grpc::CallbackServerContext* context, Call call,
    std::function<void(const std::shared_ptr<Call>&, Done)> work,
    Answered answered) {
  rpc::UnaryReactor* reactor = rpc::UnaryReactor::Create();
  Result<AdminCaller> caller = AdminCallerFromAuthContext(
      context->auth_context().get(), hub_.context().config.admin_tls);
  Status allowed = Status::Ok();
  if (!caller.ok()) {
    allowed = caller.status();
    call.caller = "unidentified:" + context->peer();
  } else {
    call.caller = AdminCallerName(*caller);
    if (call.write && caller->role != AdminRole::kOperator) {
      allowed = PermissionDenied(
          std::string(call.method) + " writes: " + call.caller +
          " is a reader; writes need an operator certificate");
    }
  }
  auto shared = std::make_shared<Call>(std::move(call));
  boost::asio::io_context& io = hub_.context().io;
  Done done;
  if (answered == Answered::kOnPool) {
    // Already on the pool: audited here, before the caller hears.
    done = [this, reactor, shared](const Status& outcome) {
      Audit(*shared, outcome);
      reactor->Reply(ToGrpc(outcome));
    };
  } else {
    done = [this, reactor, shared, &io](const Status& outcome) {
      // Audited on the pool, whichever thread answered (a hold's answer
      // comes from the store's session), and before the caller hears.
      boost::asio::post(io, [this, reactor, shared, outcome] {
        Audit(*shared, outcome);
        reactor->Reply(ToGrpc(outcome));
      });
    };
  }
  boost::asio::post(io, [shared, allowed, work = std::move(work),
                         done = std::move(done)]() mutable {
    if (!allowed.ok()) return done(allowed);
    work(shared, std::move(done));
  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::Defer(
    grpc::CallbackServerContext* context, Call call,
    std::function<Status()> work) {
  // `done` runs on the pool thread that ran `work`, before it returns: no
  // second hand-off to answer.
  return Serve(
      context, std::move(call),
      [work = std::move(work)](const std::shared_ptr<Call>&, Done done) {
        done(work());
      },
      Answered::kOnPool);
}

void AdminServiceImpl::Audit(const Call& call, const Status& outcome) {
  if (!call.write) {
    if (outcome.code() == StatusCode::kPermissionDenied) {
      Log(LogLevel::kWarn, "admin.denied",
          {{"caller", call.caller},
           {"method", call.method},
           {"why", outcome.message()}});
    }
    return;
  }
  v1::AdminAuditEntry e;
  e.set_at_us(hub_.context().clock.NowMicros());
  e.set_caller(call.caller);
  e.set_method(call.method);
  e.set_store_id(call.store_id);
  e.set_detail(call.detail);
  e.set_code(std::string(StatusCodeName(outcome.code())));
  e.set_message(outcome.ok() ? call.note : outcome.message());
  Log(outcome.code() == StatusCode::kPermissionDenied ? LogLevel::kWarn
                                                      : LogLevel::kInfo,
      "admin.audit",
      {{"caller", e.caller()},
       {"method", e.method()},
       {"store", e.store_id()},
       {"detail", e.detail()},
       {"code", e.code()},
       {"message", e.message()}});
  Status recorded = hub_.context().store.RecordAdminAudit(e);
  if (!recorded.ok()) {
    Log(LogLevel::kError, "admin.audit_failed",
        {{"caller", e.caller()},
         {"method", e.method()},
         {"store", e.store_id()},
         {"error", recorded.ToString()}});
  }
}

std::mutex& AdminServiceImpl::EscrowMutex(const std::string& store_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<std::mutex>& m = escrow_mu_[store_id];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

// ------------------------------------------------------------ push

Status AdminServiceImpl::Push(const v1::PushCentralEventRequest& r,
                              v1::PushCentralEventResponse* reply) {
  STOREAGENT_RETURN_IF_ERROR(ValidatePushCentralEvent(r));
  CentralStore& store = hub_.context().store;
  Result<StoreRow> row = store.GetOrCreateStore(r.store_id());
  if (!row.ok()) return row.status();
  v1::CentralEvent event = r.event();
  event.clear_central_seq();
  event.clear_created_at_us();
  Result<PushResult> pushed =
      store.AppendCentralEvent(r.store_id(), r.request_key(), std::move(event),
                               hub_.context().clock.NowMicros());
  if (!pushed.ok()) return pushed.status();
  reply->set_central_seq(pushed->central_seq);
  reply->set_replayed(pushed->replayed);
  Log(LogLevel::kInfo, "admin.central_event",
      {{"store", r.store_id()},
       {"central_seq", std::to_string(pushed->central_seq)},
       {"replayed", pushed->replayed ? "true" : "false"}});
  hub_.NotifyCentralEvent(r.store_id());
  return Status::Ok();
}

grpc::ServerUnaryReactor* AdminServiceImpl::PushCentralEvent(
    grpc::CallbackServerContext* context,
    const v1::PushCentralEventRequest* request,
    v1::PushCentralEventResponse* reply) {
  return Defer(context,
               Call::Write("PushCentralEvent", request->store_id(),
                           "request_key=" + request->request_key() +
                               " kind=" + KindOf(request->event())),
               [this, request, reply] { return Push(*request, reply); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::CancelHold(
    grpc::CallbackServerContext* context,
    const v1::CentralAdminServiceCancelHoldRequest* request,
    v1::CentralAdminServiceCancelHoldResponse* reply) {
  Call call = Call::Write("CancelHold", request->store_id(),
                          "order_ref=" + request->order_ref());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    STOREAGENT_RETURN_IF_ERROR(CheckStoreId(request->store_id(), "store_id"));
    STOREAGENT_RETURN_IF_ERROR(
        core::ValidateOrderRef(request->order_ref(), "order_ref"));
    v1::PushCentralEventRequest push;
    push.set_store_id(request->store_id());
    push.mutable_event()->mutable_hold_cancel()->set_order_ref(
        request->order_ref());
    push.mutable_event()->mutable_hold_cancel()->set_reason(request->reason());
    // Validated with a placeholder key; recorded under central's own key.
    push.set_request_key("cancel");
    STOREAGENT_RETURN_IF_ERROR(ValidatePushCentralEvent(push));
    Result<StoreRow> row =
        KnownStore(hub_.context().store, request->store_id(), "store_id");
    if (!row.ok()) return row.status();
    Result<PushResult> pushed = hub_.context().store.AppendCentralEvent(
        request->store_id(), HoldCancelKey(request->order_ref()), push.event(),
        hub_.context().clock.NowMicros());
    if (!pushed.ok()) return pushed.status();
    reply->set_central_seq(pushed->central_seq);
    reply->set_replayed(pushed->replayed);
    hub_.NotifyCentralEvent(request->store_id());
    return Status::Ok();
  });
}

// ------------------------------------------------------------ holds

Status AdminServiceImpl::EscrowGrant(
    const std::string& store_id, const v1::HoldPlaced& hold,
    v1::CentralAdminServicePlaceHoldResponse* reply) {
  // The mutex serialises this process's grants; other central processes
  // over the same PostgreSQL database are kept out by appending only at the
  // head the decision was taken on (ABORTED otherwise: decide again).
  std::lock_guard<std::mutex> lock(EscrowMutex(store_id));
  Status last = Status::Ok();
  for (int attempt = 0; attempt < kEscrowAttempts; ++attempt) {
    reply->Clear();
    last = EscrowGrantOnce(store_id, hold, reply);
    if (last.code() != StatusCode::kAborted) return last;
    Log(LogLevel::kInfo, "admin.escrow_retry",
        {{"store", store_id},
         {"order_ref", hold.order_ref()},
         {"why", last.message()}});
  }
  return Unavailable("escrow: central events for store " + store_id +
                     " kept changing while deciding (" +
                     std::to_string(kEscrowAttempts) +
                     " attempts); retry: " + last.message());
}

Status AdminServiceImpl::EscrowGrantOnce(
    const std::string& store_id, const v1::HoldPlaced& hold,
    v1::CentralAdminServicePlaceHoldResponse* reply) {
  STOREAGENT_RETURN_IF_ERROR(GrantFromEscrowOnce(
      hub_.context().store, hub_.context().replicas,
      hub_.context().clock.NowMicros(), store_id, hold, reply));
  if (reply->granted() && reply->granted_by() == "escrow") {
    hub_.NotifyCentralEvent(store_id);
  }
  return Status::Ok();
}

grpc::ServerUnaryReactor* AdminServiceImpl::PlaceHold(
    grpc::CallbackServerContext* context,
    const v1::CentralAdminServicePlaceHoldRequest* request,
    v1::CentralAdminServicePlaceHoldResponse* reply) {
  Call call =
      Call::Write("PlaceHold", request->store_id(),
                  "order_ref=" + request->hold().order_ref() +
                      " lines=" + std::to_string(request->hold().lines_size()));
  return Serve(
      context, std::move(call),
      [this, request, reply](const std::shared_ptr<Call>& c, Done done) {
        // What an OK answer says in the audit: who granted, or why not.
        auto answered = [reply, c, done](const Status& s) {
          if (s.ok()) {
            c->note = reply->granted() ? "granted by " + reply->granted_by()
                                       : "refused: " + reply->reason();
          }
          done(s);
        };
        Result<StoreRow> row =
            KnownStore(hub_.context().store, request->store_id(), "store_id");
        if (!row.ok()) return answered(row.status());
        Status valid = core::ValidateHoldPlaced(
            request->hold(), hub_.context().clock.NowMicros(), "hold");
        if (!valid.ok()) return answered(valid);
        if (request->timeout_ms() > kMaxHoldTimeoutMs) {
          return answered(
              InvalidArgument("timeout_ms: at most 60000, got " +
                              std::to_string(request->timeout_ms())));
        }
        const uint32_t timeout_ms = request->timeout_ms() == 0
                                        ? kDefaultHoldTimeoutMs
                                        : request->timeout_ms();
        auto escrow = [this, request, reply, answered] {
          answered(EscrowGrant(request->store_id(), request->hold(), reply));
        };
        // The store's stream, on this replica or (PostgreSQL) forwarded
        // to the replica holding its lease; none, or no answer in time:
        // the escrow.
        hub_.RequestHold(
            request->store_id(), request->hold(),
            std::chrono::milliseconds(timeout_ms),
            [reply, escrow, answered](std::optional<v1::HoldAnswer> a) {
              if (!a) return escrow();  // no answer in time: the escrow
              reply->set_granted(a->granted());
              reply->set_granted_by(a->granted() ? "store" : "");
              if (a->has_hold()) *reply->mutable_hold() = a->hold();
              *reply->mutable_shortfall() = a->shortfall();
              reply->set_reason(a->error().empty() && !a->granted()
                                    ? "the store refused: not enough stock"
                                    : a->error());
              answered(Status::Ok());
            });
      });
}

// ------------------------------------------------------------ reads

Status AdminServiceImpl::Availability(const v1::FindAvailabilityRequest& r,
                                      v1::FindAvailabilityResponse* reply) {
  const std::vector<std::string> skus(r.skus().begin(), r.skus().end());
  STOREAGENT_RETURN_IF_ERROR(core::ValidateSkuList(skus, "skus"));
  CentralStore& store = hub_.context().store;
  std::vector<StoreRow> rows;
  if (r.store_ids().empty()) {
    Result<std::vector<StoreRow>> all = store.ListStores();
    if (!all.ok()) return all.status();
    rows = *std::move(all);
  } else {
    Result<std::vector<StoreRow>> named = KnownStores(store, r.store_ids());
    if (!named.ok()) return named.status();
    rows = *std::move(named);
  }
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const StoreRow& row : rows) ids.push_back(row.store_id);
  const std::vector<bool> connected = hub_.ConnectedAmong(ids);
  const int64_t now = hub_.context().clock.NowMicros();
  FoundSkus found;
  reply->mutable_stores()->Reserve(static_cast<int>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    const StoreRow& row = rows[i];
    v1::StoreAvailability* a = reply->add_stores();
    a->set_store_id(row.store_id);
    a->set_connected(connected[i]);
    // At what the row says central holds, or later (never behind the
    // cache): the row read above, not a second read per store.
    STOREAGENT_RETURN_IF_ERROR(hub_.context().replicas.Latest(
        row, [&](const core::StockReplay& replay, uint64_t S, uint64_t) {
          AnswerFigures(replay, skus, found, a);
          a->set_store_seq(S);
        }));
    const int64_t as_of = row.store_recorded_at_us != 0
                              ? row.store_recorded_at_us
                              : row.last_exchange_us;
    a->set_replica_age_ms(as_of == 0 ? -1 : (now - as_of) / 1000);
  }
  return Status::Ok();
}

grpc::ServerUnaryReactor* AdminServiceImpl::FindAvailability(
    grpc::CallbackServerContext* context,
    const v1::FindAvailabilityRequest* request,
    v1::FindAvailabilityResponse* reply) {
  return Defer(
      context, Call::Read("FindAvailability", ""),
      [this, request, reply] { return Availability(*request, reply); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListDrift(
    grpc::CallbackServerContext* context, const v1::ListDriftRequest* request,
    v1::ListDriftResponse* reply) {
  Call call = Call::Read("ListDrift", request->store_id());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    if (!request->store_id().empty()) {
      STOREAGENT_RETURN_IF_ERROR(CheckStoreId(request->store_id(), "store_id"));
    }
    Result<size_t> limit = ListLimit(request->limit(), "limit");
    if (!limit.ok()) return limit.status();
    Result<std::vector<v1::Drift>> drift =
        hub_.context().store.ListDrift(request->store_id(), *limit);
    if (!drift.ok()) return drift.status();
    for (v1::Drift& d : *drift) *reply->add_drift() = std::move(d);
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetStoreSyncState(
    grpc::CallbackServerContext* context,
    const v1::GetStoreSyncStateRequest* request,
    v1::GetStoreSyncStateResponse* reply) {
  Call call = Call::Read("GetStoreSyncState", request->store_id());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    Result<StoreRow> row =
        KnownStore(hub_.context().store, request->store_id(), "store_id");
    if (!row.ok()) return row.status();
    reply->set_store_id(row->store_id);
    reply->set_connected(hub_.Connected(row->store_id));
    reply->set_store_seq_held(row->store_seq_held);
    reply->set_central_head_seq(row->central_head_seq);
    reply->set_central_seq_acked(row->central_seq_acked);
    reply->set_last_exchange_us(row->last_exchange_us);
    reply->set_last_digest(row->last_digest);
    reply->set_last_digest_store_seq(row->last_digest_store_seq);
    reply->set_quarantined(row->quarantined);
    reply->set_escrow_breaches(row->escrow_breaches);
    reply->set_agent_version(row->agent_version);
    reply->set_signing_key_id(row->signing_key_id);
    reply->set_last_checkpoint_seq(row->last_checkpoint_seq);
    reply->set_signature_problem(row->signature_problem);
    reply->set_signature_problem_at_us(row->signature_problem_at_us);
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListQuarantine(
    grpc::CallbackServerContext* context,
    const v1::ListQuarantineRequest* request,
    v1::ListQuarantineResponse* reply) {
  Call call = Call::Read("ListQuarantine", request->store_id());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    STOREAGENT_RETURN_IF_ERROR(CheckStoreId(request->store_id(), "store_id"));
    Result<size_t> limit = ListLimit(request->limit(), "limit");
    if (!limit.ok()) return limit.status();
    Result<v1::ListQuarantineResponse> q =
        hub_.context().store.ListQuarantine(request->store_id(), *limit);
    if (!q.ok()) return q.status();
    *reply = *std::move(q);
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListAdminAudit(
    grpc::CallbackServerContext* context,
    const v1::ListAdminAuditRequest* request,
    v1::ListAdminAuditResponse* reply) {
  Call call = Call::Read("ListAdminAudit", request->store_id());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    if (!request->store_id().empty()) {
      STOREAGENT_RETURN_IF_ERROR(CheckStoreId(request->store_id(), "store_id"));
    }
    Result<size_t> limit = ListLimit(request->limit(), "limit");
    if (!limit.ok()) return limit.status();
    Result<std::vector<v1::AdminAuditEntry>> entries =
        hub_.context().store.ListAdminAudit(request->store_id(), *limit);
    if (!entries.ok()) return entries.status();
    for (v1::AdminAuditEntry& e : *entries) {
      *reply->add_entries() = std::move(e);
    }
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListAtRiskOrders(
    grpc::CallbackServerContext* context,
    const v1::ListAtRiskOrdersRequest* request,
    v1::ListAtRiskOrdersResponse* reply) {
  Call call = Call::Read("ListAtRiskOrders", request->store_id());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    if (!request->store_id().empty()) {
      Result<StoreRow> row =
          KnownStore(hub_.context().store, request->store_id(), "store_id");
      if (!row.ok()) return row.status();
    }
    Result<size_t> limit = ListLimit(request->limit(), "limit");
    if (!limit.ok()) return limit.status();
    Result<std::vector<v1::AtRiskOrder>> orders =
        hub_.context().store.ListAtRiskOrders(
            request->store_id(), request->unresolved_only(), *limit);
    if (!orders.ok()) return orders.status();
    for (v1::AtRiskOrder& o : *orders) *reply->add_orders() = std::move(o);
    return Status::Ok();
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::GetKpiReport(
    grpc::CallbackServerContext* context,
    const v1::GetKpiReportRequest* request, v1::GetKpiReportResponse* reply) {
  Call call = Call::Read("GetKpiReport", request->store_id());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    grpc::Status st = ComputeKpiReport(hub_.context().store, *request,
                                       hub_.context().clock.NowMicros(), reply);
    if (st.ok()) return Status::Ok();
    return Status(static_cast<StatusCode>(st.error_code()), st.error_message());
  });
}

grpc::ServerUnaryReactor* AdminServiceImpl::SetStoreRegion(
    grpc::CallbackServerContext* context,
    const v1::SetStoreRegionRequest* request,
    v1::SetStoreRegionResponse* reply) {
  Call call = Call::Write("SetStoreRegion", request->store_id(),
                          "region=" + request->region());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    STOREAGENT_RETURN_IF_ERROR(CheckStoreId(request->store_id(), "store_id"));
    Result<bool> changed = hub_.context().store.SetStoreRegion(
        request->store_id(), request->region(),
        hub_.context().clock.NowMicros());
    if (!changed.ok()) return changed.status();
    reply->set_changed(*changed);
    // The new region's price book may have been queued.
    if (*changed) hub_.NotifyCentralEvent(request->store_id());
    return Status::Ok();
  });
}

// ------------------------------------------------------------ price book

void AdminServiceImpl::NotifyStores(const std::vector<std::string>& stores) {
  for (const std::string& s : stores) hub_.NotifyCentralEvent(s);
}

namespace {

// "price_list=<id> version=<v> scope=...": what an audit names.
std::string Describe(const char* kind, const std::string& id, uint64_t version,
                     const v1::PriceScope& scope) {
  std::string out = std::string(kind) + "=" + id +
                    " version=" + std::to_string(version) + " scope=";
  if (scope.all_stores()) return out + "all_stores";
  if (!scope.region().empty()) return out + "region:" + scope.region();
  return out + std::to_string(scope.store_ids_size()) + " stores";
}

// A publish that went through: its answer (PublishPriceListResponse or
// PublishPromotionResponse, the same fields), and the audit's note.
template <typename Reply>
void AnswerPublish(const PublishResult& r, Reply* reply, std::string* note) {
  reply->set_outcome(std::string(core::ApplyOutcomeName(r.outcome)));
  reply->set_stores_queued(static_cast<uint32_t>(r.stores_queued.size()));
  *note = std::string(core::ApplyOutcomeName(r.outcome)) + ", queued to " +
          std::to_string(r.stores_queued.size()) + " stores";
}

}  // namespace

grpc::ServerUnaryReactor* AdminServiceImpl::PublishPriceList(
    grpc::CallbackServerContext* context,
    const v1::PublishPriceListRequest* request,
    v1::PublishPriceListResponse* reply) {
  const v1::PriceList& l = request->list();
  Call call =
      Call::Write("PublishPriceList", "",
                  Describe("price_list", l.id(), l.version(), l.scope()));
  return Serve(
      context, std::move(call),
      [this, request, reply](const std::shared_ptr<Call>& c, Done done) {
        if (!request->has_list())
          return done(InvalidArgument("list: required"));
        Result<PublishResult> r = hub_.context().store.PublishPriceList(
            request->list(), hub_.context().clock.NowMicros());
        if (!r.ok()) return done(r.status());
        AnswerPublish(*r, reply, &c->note);
        NotifyStores(r->stores_queued);
        done(Status::Ok());
      });
}

grpc::ServerUnaryReactor* AdminServiceImpl::PublishPromotion(
    grpc::CallbackServerContext* context,
    const v1::PublishPromotionRequest* request,
    v1::PublishPromotionResponse* reply) {
  const v1::Promotion& p = request->promotion();
  Call call =
      Call::Write("PublishPromotion", "",
                  Describe("promotion", p.id(), p.version(), p.scope()));
  return Serve(
      context, std::move(call),
      [this, request, reply](const std::shared_ptr<Call>& c, Done done) {
        if (!request->has_promotion()) {
          return done(InvalidArgument("promotion: required"));
        }
        Result<PublishResult> r = hub_.context().store.PublishPromotion(
            request->promotion(), hub_.context().clock.NowMicros());
        if (!r.ok()) return done(r.status());
        AnswerPublish(*r, reply, &c->note);
        NotifyStores(r->stores_queued);
        done(Status::Ok());
      });
}

Status AdminServiceImpl::PriceBookListing(const v1::ListPriceBookRequest& r,
                                          v1::ListPriceBookResponse* reply) {
  if (!r.store_id().empty()) {
    STOREAGENT_RETURN_IF_ERROR(CheckStoreId(r.store_id(), "store_id"));
  }
  const bool pricing = r.skus_size() > 0;
  v1::GetPricesRequest ask;
  if (pricing) {
    if (r.store_id().empty()) {
      return InvalidArgument("skus: need store_id (the store to price for)");
    }
    *ask.mutable_skus() = r.skus();
    ask.set_at_us(r.at_us());
    STOREAGENT_RETURN_IF_ERROR(core::ValidateGetPricesRequest(ask));
  }
  Result<PriceBookRead> held =
      hub_.context().store.ReadPriceBook(r.store_id(), pricing);
  if (!held.ok()) return held.status();
  for (v1::PriceListSummary& s : held->summaries) {
    *reply->add_price_lists() = std::move(s);
  }
  if (!pricing) {
    for (v1::Promotion& p : held->promotions) {
      *reply->add_promotions() = std::move(p);
    }
    return Status::Ok();
  }
  // What the store's PriceService answers from the same versions: core's
  // rule over the book central holds for it (its currency unknown here).
  core::PriceBook book;
  for (const v1::PriceList& l : held->lists) {
    Result<core::ApplyOutcome> a = book.ApplyPriceList(l);
    if (!a.ok()) return Internal("price_book: held " + a.status().message());
  }
  for (const v1::Promotion& p : held->promotions) {
    Result<core::ApplyOutcome> a = book.ApplyPromotion(p);
    if (!a.ok()) return Internal("price_book: held " + a.status().message());
  }
  const core::StoreContext store{r.store_id(), held->region, ""};
  STOREAGENT_RETURN_IF_ERROR(
      core::AnswerGetPrices(book, store, ask, hub_.context().clock.NowMicros(),
                            reply->mutable_prices()));
  for (v1::Promotion& p : held->promotions) {
    *reply->add_promotions() = std::move(p);
  }
  return Status::Ok();
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListPriceBook(
    grpc::CallbackServerContext* context,
    const v1::ListPriceBookRequest* request, v1::ListPriceBookResponse* reply) {
  return Defer(
      context, Call::Read("ListPriceBook", request->store_id()),
      [this, request, reply] { return PriceBookListing(*request, reply); });
}

grpc::ServerUnaryReactor* AdminServiceImpl::ListPriceDeviations(
    grpc::CallbackServerContext* context,
    const v1::ListPriceDeviationsRequest* request,
    v1::ListPriceDeviationsResponse* reply) {
  Call call = Call::Read("ListPriceDeviations", request->store_id());
  return Defer(context, std::move(call), [this, request, reply]() -> Status {
    const v1::ListPriceDeviationsRequest& r = *request;
    if (!r.store_id().empty()) {
      Result<StoreRow> row =
          KnownStore(hub_.context().store, r.store_id(), "store_id");
      if (!row.ok()) return row.status();
    }
    STOREAGENT_RETURN_IF_ERROR(ValidateDeviationFilters(r));
    Result<size_t> limit = ListLimit(static_cast<int32_t>(r.limit()), "limit");
    if (!limit.ok()) return limit.status();
    PriceDeviationQuery q{r.store_id(), r.sku(), r.since_us(), r.until_us(),
                          *limit};
    Result<PriceDeviationList> l = hub_.context().store.ListPriceDeviations(q);
    if (!l.ok()) return l.status();
    for (v1::PriceDeviationEntry& e : l->entries) {
      *reply->add_deviations() = std::move(e);
    }
    reply->set_lines_checked(l->lines_checked);
    reply->set_lines_deviating(l->lines_deviating);
    return Status::Ok();
  });
}

// ------------------------------------------------------------ feed

grpc::ServerWriteReactor<grpc::ByteBuffer>* AdminServiceImpl::StreamEvents(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  // A read: an identified admin caller of either role.
  Result<AdminCaller> caller = AdminCallerFromAuthContext(
      context->auth_context().get(), hub_.context().config.admin_tls);
  if (!caller.ok()) {
    Call call = Call::Read("StreamEvents", "");
    call.caller = "unidentified:" + context->peer();
    Audit(call, caller.status());
    return StartFeedStream(hub_, *request, caller.status());
  }
  return StartFeedStream(hub_, *request, Status::Ok());
}

}  // namespace storeagent::central
