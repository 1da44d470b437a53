#include "agent/sync/session_storage.h"

#include <future>
#include <utility>

#include "platform/log.h"
#include "storage/migrations.h"
#include "storage/sync_store.h"

namespace storeagent::agent {
namespace {

using storage::DbContext;
using storage::SyncStore;

// Runs `fn` on a reader thread inside one read transaction and waits.
template <typename T>
Result<T> ReadSnapshot(storage::AgentDatabase& db,
                       const std::function<Result<T>(DbContext&)>& fn) {
  std::promise<Result<T>> p;
  std::future<Result<T>> f = p.get_future();
  db.readers().Submit([&p, &fn](DbContext* ctx) {
    if (ctx == nullptr) {
      p.set_value(Unavailable("agent is shutting down"));
      return;
    }
    if (int rc = sqlite3_exec(ctx->db(), "BEGIN", nullptr, nullptr, nullptr);
        rc != SQLITE_OK) {
      p.set_value(storage::SqliteStatus(ctx->db(), rc, "begin read"));
      return;
    }
    Result<T> r = fn(*ctx);
    ctx->ResetBusyStatements();
    sqlite3_exec(ctx->db(), "COMMIT", nullptr, nullptr, nullptr);
    p.set_value(std::move(r));
  });
  return f.get();
}

}  // namespace

v1::HoldAnswer HoldAnswerOf(const v1::HoldRequest& r,
                            const Result<v1::PlaceHoldResponse>& rep) {
  v1::HoldAnswer a;
  a.set_request_id(r.request_id());
  a.set_order_ref(r.hold().order_ref());
  if (!rep.ok()) {
    a.set_granted(false);
    a.set_error(rep.status().message());
  } else {
    a.set_granted(rep->granted());
    if (rep->has_hold()) *a.mutable_hold() = rep->hold();
    *a.mutable_shortfall() = rep->shortfall();
  }
  return a;
}

SessionStorage::SessionStorage(storage::AgentDatabase& db, SyncGate* gate,
                               storage::EscrowKeeper* keeper,
                               SessionStorageOptions options)
    : db_(db), gate_(gate), keeper_(keeper), options_(std::move(options)) {}

Result<HelloState> SessionStorage::ReadHello() {
  return ReadSnapshot<HelloState>(
      db_, [](DbContext& ctx) -> Result<HelloState> {
        HelloState s;
        Result<storage::JournalHead> head =
            storage::JournalStore::ReadHead(ctx.db());
        if (!head.ok()) return head.status();
        s.head_seq = head->seq;
        s.head_hash = head->hash;
        Result<storage::SyncWatermarks> m = SyncStore::ReadWatermarks(ctx);
        if (!m.ok()) return m.status();
        s.central_seq_applied = m->central_seq;
        s.central_acked_seq = m->central_acked_seq;
        Result<int> v = storage::SchemaVersion(ctx.db());
        if (!v.ok()) return v.status();
        s.schema_version = *v;
        return s;
      });
}

void SessionStorage::Run(SessionMachine& machine, const Transport& transport) {
  for (;;) {
    std::vector<SessionAction> actions = machine.TakeActions();
    if (actions.empty()) return;
    for (SessionAction& a : actions) Execute(a, machine, transport);
  }
}

void SessionStorage::Execute(SessionAction& a, SessionMachine& machine,
                             const Transport& transport) {
  using Kind = SessionAction::Kind;
  switch (a.kind) {
    case Kind::kSend:
      transport.send(std::move(a.message));
      return;
    case Kind::kPlaceHold:
      transport.place_hold(std::move(a.hold_request));
      return;
    case Kind::kEnd:
      transport.end(a.status, a.fatal);
      return;
    case Kind::kReadOutbox: {
      const uint64_t after = a.seq;
      const size_t events = a.max_events;
      const size_t bytes = a.max_bytes;
      const bool parsed = options_.send_parsed_records;
      machine.OnOutboxRead(ReadSnapshot<std::vector<v1::JournalEntry>>(
          db_, [after, events, bytes, parsed](DbContext& ctx) {
            return SyncStore::ReadOutbox(ctx.db(), after, events, bytes,
                                         parsed);
          }));
      return;
    }
    case Kind::kReadHashAt: {
      const uint64_t seq = a.seq;
      Result<std::optional<v1::JournalEntry>> mine =
          ReadSnapshot<std::optional<v1::JournalEntry>>(
              db_, [seq](DbContext& ctx) {
                return storage::JournalStore::ReadBySeq(ctx.db(), seq);
              });
      if (!mine.ok()) {
        machine.OnHashRead(mine.status());
      } else if (!mine->has_value()) {
        machine.OnHashRead(std::optional<std::string>());
      } else {
        machine.OnHashRead(std::optional<std::string>((*mine)->hash()));
      }
      return;
    }
    case Kind::kMarkResumed: {
      const uint64_t held = a.seq;
      Status marked = db_.writer().Run([held](DbContext& ctx) {
        Status s = SyncStore::RecordAck(ctx, held);
        return s.ok() ? SyncStore::MarkConfirmed(ctx) : s;
      });
      if (marked.ok() && gate_ != nullptr) gate_->Open();
      machine.OnResumeMarked(marked);
      return;
    }
    case Kind::kRecordAck: {
      const uint64_t acked = a.seq;
      auto record = [acked](DbContext& ctx) {
        return SyncStore::RecordAck(ctx, acked);
      };
      auto report = [acked](const Status& s) {
        if (!s.ok()) {
          Log(LogLevel::kWarn, "sync.ack_not_recorded",
              {{"seq", std::to_string(acked)}, {"error", s.ToString()}});
        }
      };
      if (options_.wait_for_acks) {
        report(db_.writer().Run(record));
      } else {
        // Recorded without waiting for the commit: the stream goes on with
        // the next batch meanwhile (the mark only ever rises).
        db_.writer().Submit(record, report);
      }
      return;
    }
    case Kind::kApplyCentral: {
      storage::CentralApplied applied;
      storage::JournalStore& journal = db_.journal();
      storage::EscrowKeeper* keeper = keeper_;
      const int64_t now = options_.now_us ? options_.now_us() : 0;
      const v1::CentralBatch& b = a.central_batch;
      Status s = db_.writer().Run([&](DbContext& ctx) -> Status {
        Result<storage::CentralApplied> r =
            SyncStore::ApplyCentralBatch(ctx, journal, b, keeper, now);
        if (!r.ok()) return r.status();
        applied = std::move(r).value();
        return Status::Ok();
      });
      if (!s.ok()) {
        machine.OnCentralApplied(s);
        return;
      }
      for (const std::string& note : applied.notes) {
        Log(LogLevel::kWarn, "sync.central_event", {{"note", note}});
      }
      if (applied.price_book_changed && options_.on_price_book_changed) {
        options_.on_price_book_changed();
      }
      machine.OnCentralApplied(
          CentralBatchApplied{applied.watermark, applied.applied});
      return;
    }
    case Kind::kApplyReseed: {
      storage::JournalStore& journal = db_.journal();
      uint64_t head = 0;
      const v1::ReseedBatch& b = a.reseed_batch;
      Status s = db_.writer().Run([&](DbContext& ctx) -> Status {
        Result<uint64_t> h = SyncStore::Reseed(ctx, journal, b);
        if (!h.ok()) return h.status();
        head = *h;
        return Status::Ok();
      });
      if (!s.ok()) {
        machine.OnReseedApplied(s);
      } else {
        machine.OnReseedApplied(head);
      }
      return;
    }
    case Kind::kReadDigest: {
      const uint32_t buckets = a.buckets;
      machine.OnDigestRead(
          ReadSnapshot<v1::StockDigest>(db_, [buckets](DbContext& ctx) {
            return SyncStore::ReadStockDigest(ctx, buckets);
          }));
      return;
    }
    case Kind::kReadDrillDown: {
      const uint32_t buckets = a.buckets;
      const std::vector<uint32_t>& asked = a.asked;
      machine.OnDrillDownRead(ReadSnapshot<v1::DrillDownAnswer>(
          db_, [buckets, &asked](DbContext& ctx) {
            return SyncStore::ReadDrillDown(ctx, buckets, asked);
          }));
      return;
    }
  }
}

}  // namespace storeagent::agent
