#include "agent/agent_metrics.h"

#include <charconv>

#include "core/stock_rule.h"
#include "storage/journal_prune.h"
#include "storage/journal_store.h"
#include "storage/sqlite_handle.h"

namespace storeagent::agent {
namespace {

// Every kind core::EventKind names, so each counter exists from the start.
constexpr const char* kEventKinds[] = {
    "sale",
    "return",
    "post_void",
    "no_sale",
    "daily_close",
    "loyalty.identified",
    "loyalty.enrolled",
    "loyalty.points_earned",
    "loyalty.points_redeemed",
    "loyalty.consent_changed",
    "stock.movement",
    "stock.count",
    "hold.placed",
    "hold.picked",
    "hold.collected",
    "hold.cancelled",
    "hold.expired",
    "hold.short_picked",
    "escrow.changed",
    "checkpoint",
};

Result<DbFigures> ReadInSnapshot(sqlite3* db) {
  DbFigures f;
  Result<storage::JournalHead> head = storage::JournalStore::ReadHead(db);
  if (!head.ok()) return head.status();
  f.head_seq = head->seq;
  Result<uint64_t> acked = storage::ReadCentralAckedSeq(db);
  if (!acked.ok()) return acked.status();
  f.central_acked_seq = *acked;
  if (f.head_seq > f.central_acked_seq) {
    Result<storage::Statement> s = storage::Statement::Prepare(
        db, "SELECT recorded_at_us FROM journal WHERE seq = ?1");
    if (!s.ok()) return s.status();
    s->BindInt(1, static_cast<int64_t>(f.central_acked_seq + 1));
    Result<bool> row = s->Step();
    if (!row.ok()) return row.status();
    if (*row) f.oldest_unacked_us = s->ColumnInt(0);
  }
  Result<storage::Statement> h = storage::Statement::Prepare(
      db, "SELECT state, count(*) FROM holds GROUP BY state");
  if (!h.ok()) return h.status();
  for (int s = v1::HoldState_MIN + 1; s <= v1::HoldState_MAX; ++s) {
    if (v1::HoldState_IsValid(s)) f.holds[HoldStateLabel(s)] = 0;
  }
  for (;;) {
    Result<bool> row = h->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    f.holds[HoldStateLabel(static_cast<int>(h->ColumnInt(0)))] +=
        static_cast<uint64_t>(h->ColumnInt(1));
  }
  return f;
}

}  // namespace

const char* HoldStateLabel(int state) {
  if (state == v1::HOLD_STATE_UNSPECIFIED || !v1::HoldState_IsValid(state)) {
    return "unknown";
  }
  return core::HoldStateLabel(static_cast<v1::HoldState>(state));
}

Result<DbFigures> ReadDbFigures(sqlite3* db) {
  if (int rc = sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      rc != SQLITE_OK) {
    return storage::SqliteStatus(db, rc, "metrics: begin read");
  }
  Result<DbFigures> f = ReadInSnapshot(db);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  return f;
}

AgentMetrics::AgentMetrics(const Clock& clock)
    : clock_(clock),
      batch_size_(
          {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536}),
      commit_seconds_({0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
                       0.25, 0.5, 1, 2.5, 10}),
      grpc_("storeagent_grpc_server_handled_total",
            {"storeagent.v1.PosService", "storeagent.v1.AvailabilityService",
             "grpc.reflection.v1alpha.ServerReflection"}),
      http_requests_("storeagent_http_requests_total",
                     "Staff HTTP requests answered, by route pattern and "
                     "HTTP status code.",
                     {"route", "code"}) {}

void AgentMetrics::OnCommit(const storage::CommitInfo& info) {
  batch_size_.Observe(static_cast<double>(info.commands));
  if (info.micros >= 0) {
    commit_seconds_.Observe(static_cast<double>(info.micros) / 1e6);
  }
}

void AgentMetrics::SetStaffPageSource(
    std::function<StaffPageFigures()> source) {
  staff_page_ = std::move(source);
}

void AgentMetrics::SetSources(storage::AgentDatabase* db, const DiskGuard* disk,
                              const SyncHealth* sync) {
  db_ = db;
  disk_ = disk;
  sync_ = sync;
}

void AgentMetrics::Scrape(std::function<void(Result<std::string>)> done) {
  if (db_ == nullptr) {
    done(Unavailable("metrics: the database is not open"));
    return;
  }
  db_->readers().Submit(
      [this, done = std::move(done)](storage::DbContext* ctx) {
        if (ctx == nullptr) {
          done(Unavailable("metrics: the agent is stopping"));
          return;
        }
        Result<DbFigures> f = ReadDbFigures(ctx->db());
        if (!f.ok()) {
          done(f.status());
          return;
        }
        // Without /proc the process_* figures read zero; the rest counts.
        Result<platform::ProcessFigures> p = platform::ReadProcessFigures();
        done(Render(*f, p.ok() ? *p : platform::ProcessFigures{}));
      });
}

std::string AgentMetrics::Render(
    const DbFigures& f, const platform::ProcessFigures& process) const {
  platform::MetricsText m;
  m.Family("storeagent_up", "gauge", "1 while storeagentd answers scrapes.");
  m.Sample("storeagent_up", 1);
  m.Family("storeagent_build_info", "gauge",
           "Always 1; the version of storeagentd is in the label.");
  m.Sample("storeagent_build_info", {{"version", STOREAGENT_VERSION}}, 1);

  m.Family("storeagent_events_recorded_total", "counter",
           "New events committed to the journal since start, by kind "
           "(retries that returned the first answer are not counted).");
  std::map<std::string, uint64_t> kinds;
  for (const char* k : kEventKinds) kinds[k] = 0;
  if (db_ != nullptr) {
    for (const auto& [k, n] : db_->journal().CommittedKinds()) kinds[k] += n;
  }
  for (const auto& [k, n] : kinds) {
    m.Sample("storeagent_events_recorded_total", {{"kind", k}},
             static_cast<double>(n));
  }
  m.Family("storeagent_commit_batch_size", "histogram",
           "Commands committed per group commit (one fsync each).");
  m.HistogramSamples("storeagent_commit_batch_size", {},
                     batch_size_.Snapshot());
  m.Family("storeagent_commit_seconds", "histogram",
           "Time of one group commit, BEGIN to COMMIT returned, seconds.");
  m.HistogramSamples("storeagent_commit_seconds", {},
                     commit_seconds_.Snapshot());
  m.Family("storeagent_writer_pending", "gauge",
           "Writer commands queued or running.");
  m.Sample("storeagent_writer_pending",
           db_ != nullptr ? static_cast<double>(db_->writer().pending()) : 0);

  m.Family("storeagent_journal_head_seq", "gauge",
           "Seq of the newest journal event.");
  m.Sample("storeagent_journal_head_seq", static_cast<double>(f.head_seq));
  m.Family("storeagent_sync_outbox_depth", "gauge",
           "Events central has not acknowledged yet (head seq minus "
           "central_acked_seq).");
  m.Sample("storeagent_sync_outbox_depth",
           f.head_seq > f.central_acked_seq
               ? static_cast<double>(f.head_seq - f.central_acked_seq)
               : 0);
  m.Family("storeagent_sync_oldest_unacked_age_seconds", "gauge",
           "Age of the oldest event central has not acknowledged, seconds; "
           "0 when the outbox is empty.");
  const int64_t now = clock_.NowMicros();
  m.Sample("storeagent_sync_oldest_unacked_age_seconds",
           f.oldest_unacked_us > 0 && now > f.oldest_unacked_us
               ? static_cast<double>(now - f.oldest_unacked_us) / 1e6
               : 0);
  const SyncHealthSnapshot sync =
      sync_ != nullptr ? sync_->Get() : SyncHealthSnapshot{};
  m.Family("storeagent_sync_enabled", "gauge", "1 when [sync] is configured.");
  m.Sample("storeagent_sync_enabled", sync.enabled ? 1 : 0);
  m.Family("storeagent_sync_connected", "gauge",
           "1 while a sync stream to central is open and greeted.");
  m.Sample("storeagent_sync_connected", sync.connected ? 1 : 0);
  m.Family("storeagent_sync_last_exchange_timestamp_seconds", "gauge",
           "When central last sent anything, Unix seconds; 0 = never.");
  m.Sample("storeagent_sync_last_exchange_timestamp_seconds",
           static_cast<double>(sync.last_exchange_us) / 1e6);
  m.Family("storeagent_sync_digest_mismatches_total", "counter",
           "Stock digest comparisons with central that disagreed, since "
           "start.");
  m.Sample("storeagent_sync_digest_mismatches_total",
           static_cast<double>(sync.digest_mismatches));
  // Sync errors by reason (#15): every reason rendered, 0 until it happens.
  m.Family("storeagent_sync_reconnects_total", "counter",
           "Dials to central after the first (a stream ended or a connect "
           "failed), since start.");
  m.Sample("storeagent_sync_reconnects_total",
           static_cast<double>(sync.reconnects));
  m.Family("storeagent_sync_errors_total", "counter",
           "Sync streams ended and connects failed, by reason, since start.");
  for (size_t i = 0; i < kSyncErrorReasons.size(); ++i) {
    m.Sample("storeagent_sync_errors_total",
             {{"reason", std::string(kSyncErrorReasons[i])}},
             static_cast<double>(sync.errors[i]));
  }
  m.Family("storeagent_sync_stopped", "gauge",
           "1 while the sync client has stopped dialling: central refused "
           "this store (PERMISSION_DENIED), or the sync TLS files were "
           "unusable at start; a SIGHUP (with usable files) resumes it.");
  m.Sample("storeagent_sync_stopped", sync.stopped ? 1 : 0);
  const StaffPageFigures staff =
      staff_page_ ? staff_page_() : StaffPageFigures{};
  m.Family("storeagent_staff_page_off", "gauge",
           "1 while http.listen is set but the staff page is off: its HTTPS "
           "pair, or plain HTTP off loopback, is unusable (log event "
           "http.disabled); a SIGHUP with good files starts it.");
  m.Sample("storeagent_staff_page_off", staff.off ? 1 : 0);
  // Only certificates in use: none sampled when sync is insecure or off and
  // the page is off or plain.
  m.Family("storeagent_tls_cert_not_after_timestamp_seconds", "gauge",
           "notAfter of a certificate in use, Unix seconds, by use: sync "
           "(sync.cert_file) or staff (http.tls_cert_file).");
  if (sync.cert_not_after_us > 0) {
    m.Sample("storeagent_tls_cert_not_after_timestamp_seconds",
             {{"use", "sync"}},
             static_cast<double>(sync.cert_not_after_us / 1000000));
  }
  if (staff.cert_not_after_us > 0) {
    m.Sample("storeagent_tls_cert_not_after_timestamp_seconds",
             {{"use", "staff"}},
             static_cast<double>(staff.cert_not_after_us / 1000000));
  }

  m.Family("storeagent_holds", "gauge",
           "Click-and-collect holds in the database, by state.");
  for (const auto& [state, n] : f.holds) {
    m.Sample("storeagent_holds", {{"state", state}}, static_cast<double>(n));
  }
  m.Family("storeagent_disk_free_bytes", "gauge",
           "Free bytes on the data directory's file system, last sample.");
  m.Sample(
      "storeagent_disk_free_bytes",
      disk_ != nullptr ? static_cast<double>(disk_->last_free_bytes()) : 0);
  m.Family("storeagent_disk_reserve_reached", "gauge",
           "1 while free space is below storage.min_free_mib and new events "
           "are refused.");
  m.Sample("storeagent_disk_reserve_reached",
           disk_ != nullptr && disk_->reserve_reached() ? 1 : 0);
  m.Family("storeagent_db_size_bytes", "gauge",
           "agent.db plus its WAL, bytes.");
  m.Sample("storeagent_db_size_bytes",
           db_ != nullptr ? static_cast<double>(db_->SizeBytes()) : 0);
  grpc_.Render(m);
  http_requests_.Render(m);
  platform::RenderProcessMetrics(process, m);
  return m.Take();
}

}  // namespace storeagent::agent
