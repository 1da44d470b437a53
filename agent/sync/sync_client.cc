#include "agent/sync/sync_client.h"

#include <algorithm>
#include <deque>
#include <future>

#include "agent/config.h"
#include "agent/sync/tls_probe.h"
#include "core/stock_digest.h"
#include "platform/fs.h"
#include "platform/log.h"
#include "platform/tls.h"
#include "storage/migrations.h"
#include "storage/sync_store.h"

namespace storeagent::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;
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

uint32_t Smaller(uint32_t mine, uint32_t central) {
  return central != 0 && central < mine ? central : mine;
}

std::string Str(uint64_t v) { return std::to_string(v); }

struct HelloState {
  storage::JournalHead head;
  storage::SyncWatermarks marks;
  int schema = 0;
};

}  // namespace

// One stream: Hello to the end. Runs on the client thread.
class SyncClient::Session {
 public:
  Session(SyncClient& c, std::shared_ptr<SessionQueue> q)
      : c_(c), q_(std::move(q)) {}

  Status Run() {
    std::shared_ptr<grpc::Channel> channel = c_.MakeChannel();
    std::unique_ptr<v1::SyncService::Stub> stub =
        v1::SyncService::NewStub(channel);
    auto stream = std::make_shared<SyncStream>(q_);
    stub->async()->Sync(stream->context(), stream.get());
    stream->Begin();
    Status end = Drive(*stream);
    stream->Close();
    // OnDone follows Close(); gRPC guarantees it once every operation
    // completed, and the cancel completes them.
    for (;;) {
      bool woken = false;
      std::optional<SessionEvent> e =
          call_done_
              ? std::optional<SessionEvent>(std::move(done_))
              : q_->Wait(SteadyClock::now() + std::chrono::seconds(1), &woken);
      if (e && e->kind == SessionEvent::Kind::kDone) {
        // When the read side simply ended, the call's status says why
        // (connection refused, TLS, central's error).
        if ((end.ok() || read_ended_ || call_done_) && !stopping() &&
            !e->status.ok()) {
          call_code_ = e->status.error_code();
          call_message_ = e->status.error_message();
          end = Unavailable("stream ended: " + e->status.error_message() +
                            " (gRPC code " +
                            std::to_string(e->status.error_code()) + ")");
        }
        break;
      }
    }
    return end;
  }

  bool welcomed() const { return welcomed_; }
  bool fatal() const { return fatal_; }
  bool stalled() const { return stalled_; }
  // The gRPC status the call ended with when that is why the session
  // ended (OK otherwise), and central's message with it.
  grpc::StatusCode call_code() const { return call_code_; }
  const std::string& call_message() const { return call_message_; }

 private:
  bool stopping() {
    std::lock_guard<std::mutex> lock(c_.mu_);
    return c_.stopping_;
  }

  Status Fatal(Status s) {
    fatal_ = true;
    return s;
  }

  Status Drive(SyncStream& stream) {
    STOREAGENT_RETURN_IF_ERROR(SendHello(stream));
    last_message_ = SteadyClock::now();
    for (;;) {
      if (stopping()) return Status::Ok();
      if (welcomed_ && !reseeding_) {
        STOREAGENT_RETURN_IF_ERROR(FillWindow(stream));
        STOREAGENT_RETURN_IF_ERROR(MaybeDigest(stream));
      }
      bool woken = false;
      std::optional<SessionEvent> e =
          q_->Wait(SteadyClock::now() + c_.options_.poll_interval, &woken);
      if (e) {
        switch (e->kind) {
          case SessionEvent::Kind::kMessage:
            last_message_ = SteadyClock::now();
            c_.health_.Update([this](SyncHealthSnapshot& h) {
              h.last_exchange_us = c_.clock_.NowMicros();
            });
            STOREAGENT_RETURN_IF_ERROR(Handle(stream, e->message));
            break;
          case SessionEvent::Kind::kReadEnded:
            read_ended_ = true;
            return Unavailable("central closed the stream");
          case SessionEvent::Kind::kDone:
            // The only kDone: Run() reads the call's status from here.
            call_done_ = true;
            done_ = std::move(*e);
            return Unavailable("stream ended");
          case SessionEvent::Kind::kSend:
            stream.Send(std::move(e->outgoing));
            break;
        }
      }
      const bool waiting = !welcomed_ || reseeding_ || !inflight_.empty();
      if (waiting &&
          SteadyClock::now() - last_message_ > c_.options_.stall_timeout) {
        stalled_ = true;
        return Unavailable("stalled: no message from central for " +
                           Str(c_.options_.stall_timeout.count()) + " s with " +
                           Str(inflight_.size()) +
                           " batch(es) unacknowledged; cancelling the stream");
      }
    }
  }

  Status SendHello(SyncStream& stream) {
    Result<HelloState> st = ReadSnapshot<HelloState>(
        c_.db_, [](DbContext& ctx) -> Result<HelloState> {
          HelloState s;
          Result<storage::JournalHead> head =
              storage::JournalStore::ReadHead(ctx.db());
          if (!head.ok()) return head.status();
          s.head = *head;
          Result<storage::SyncWatermarks> m = SyncStore::ReadWatermarks(ctx);
          if (!m.ok()) return m.status();
          s.marks = *m;
          Result<int> v = storage::SchemaVersion(ctx.db());
          if (!v.ok()) return v.status();
          s.schema = *v;
          return s;
        });
    if (!st.ok()) return st.status();
    v1::SyncRequest m;
    v1::Hello* h = m.mutable_hello();
    h->set_store_id(c_.options_.store_id);
    h->set_agent_version(c_.options_.agent_version);
    h->set_schema_version(st->schema);
    h->set_journal_head_seq(st->head.seq);
    h->set_journal_head_hash(st->head.hash);
    h->set_central_seq_applied(st->marks.central_seq);
    acked_ = st->marks.central_acked_seq;
    stream.Send(std::move(m));
    return Status::Ok();
  }

  Status Handle(SyncStream& stream, const v1::SyncResponse& m) {
    if (!welcomed_ && !m.has_welcome()) {
      return Unavailable(
          "protocol: central sent another message before "
          "Welcome");
    }
    switch (m.kind_case()) {
      case v1::SyncResponse::kWelcome:
        return OnWelcome(m.welcome());
      case v1::SyncResponse::kAck:
        return OnAck(m.ack());
      case v1::SyncResponse::kCentralEvents:
        return OnCentralBatch(stream, m.central_events());
      case v1::SyncResponse::kHoldRequest:
        OnHoldRequest(m.hold_request());
        return Status::Ok();
      case v1::SyncResponse::kDigestResult:
        OnDigestResult(m.digest_result());
        return Status::Ok();
      case v1::SyncResponse::kDrillDown:
        return OnDrillDown(stream, m.drill_down());
      case v1::SyncResponse::kReseed:
        return OnReseed(stream, m.reseed());
      case v1::SyncResponse::kReseedDone:
        return OnReseedDone(m.reseed_done());
      case v1::SyncResponse::KIND_NOT_SET:
        break;
    }
    return Unavailable("protocol: central sent an empty message");
  }

  Status OnWelcome(const v1::Welcome& w) {
    if (welcomed_) return Unavailable("protocol: a second Welcome");
    welcomed_ = true;
    const SyncClientOptions& o = c_.options_;
    max_events_ = Smaller(o.max_batch_events, w.limits().max_batch_events());
    max_bytes_ = Smaller(o.max_batch_bytes, w.limits().max_batch_bytes());
    window_ = std::max<uint32_t>(1, Smaller(o.window, w.limits().window()));
    buckets_ =
        w.limits().digest_buckets() != 0
            ? std::min(w.limits().digest_buckets(), core::kMaxDigestBuckets)
            : core::kDefaultDigestBuckets;
    const int64_t skew = w.central_time_us() != 0
                             ? w.central_time_us() - c_.clock_.NowMicros()
                             : 0;
    c_.health_.Update([skew](SyncHealthSnapshot& h) {
      h.connected = true;
      ++h.streams_opened;
      h.clock_skew_us = skew;
      h.last_error.clear();
    });
    held_ = w.store_seq_held();
    held_hash_ = w.store_hash_held();
    const uint64_t head = c_.db_.journal().head().seq;
    Log(LogLevel::kInfo, "sync.welcome",
        {{"store_seq_held", Str(held_)},
         {"head", Str(head)},
         {"central_head_seq", Str(w.central_head_seq())},
         {"reseed", w.reseed() ? "true" : "false"}});
    if (held_ > head) {
      if (!w.reseed()) {
        return Fatal(FailedPrecondition(
            "sync: this store's journal is behind central (agent head " +
            Str(head) + ", central holds " + Str(held_) +
            ") and central offered no re-seed; sync stopped. Restore the "
            "database or have central re-seed this store"));
      }
      reseeding_ = true;
      return Status::Ok();
    }
    return Resume();
  }

  // Resumes after central's watermark held_ (its hash must be ours).
  Status Resume() {
    if (held_ > 0) {
      const uint64_t held = held_;
      Result<std::optional<v1::JournalEntry>> mine =
          ReadSnapshot<std::optional<v1::JournalEntry>>(
              c_.db_, [held](DbContext& ctx) {
                return storage::JournalStore::ReadBySeq(ctx.db(), held);
              });
      if (!mine.ok()) return mine.status();
      if (mine->has_value() && !held_hash_.empty() &&
          (*mine)->hash() != held_hash_) {
        return Fatal(DataLoss("sync: central's hash of seq " + Str(held) +
                              " differs from this store's: the journals "
                              "forked; sync stopped"));
      }
    }
    const uint64_t held = held_;
    Status marked = c_.db_.writer().Run([held](DbContext& ctx) {
      Status s = SyncStore::RecordAck(ctx, held);
      return s.ok() ? SyncStore::MarkConfirmed(ctx) : s;
    });
    if (!marked.ok()) return marked;
    if (c_.gate_ != nullptr) c_.gate_->Open();
    acked_ = std::max(acked_, held_);
    sent_ = held_;
    inflight_.clear();
    backlog_ = true;
    // The first caught-up digest may go at once; the periodic one is due
    // an interval later.
    last_digest_ = SteadyClock::now() - c_.options_.digest_min_gap;
    return Status::Ok();
  }

  Status FillWindow(SyncStream& stream) {
    while (inflight_.size() < window_ && c_.db_.journal().head().seq > sent_) {
      const uint64_t after = sent_;
      const size_t events = max_events_;
      const size_t bytes = max_bytes_;
      const bool parsed = c_.options_.send_parsed_records;
      Result<std::vector<v1::JournalEntry>> entries =
          ReadSnapshot<std::vector<v1::JournalEntry>>(
              c_.db_, [after, events, bytes, parsed](DbContext& ctx) {
                return SyncStore::ReadOutbox(ctx.db(), after, events, bytes,
                                             parsed);
              });
      if (!entries.ok()) return entries.status();
      if (entries->empty()) break;
      if (entries->front().record().seq() != after + 1) {
        return Fatal(DataLoss("sync: central needs store events from seq " +
                              Str(after + 1) + " but the journal starts at " +
                              Str(entries->front().record().seq()) +
                              " (pruned?)"));
      }
      v1::SyncRequest m;
      for (v1::JournalEntry& e : *entries) {
        *m.mutable_events()->add_entries() = std::move(e);
      }
      const int n = m.events().entries_size();
      sent_ = m.events().entries(n - 1).record().seq();
      inflight_.push_back(sent_);
      backlog_ = true;
      stream.Send(std::move(m));
      c_.health_.Update([n](SyncHealthSnapshot& h) { h.events_sent += n; });
    }
    return Status::Ok();
  }

  Status OnAck(const v1::BatchAck& a) {
    const uint64_t acked = a.acked_seq();
    if (acked > sent_) {
      return Unavailable("protocol: ack of seq " + Str(acked) +
                         " beyond the last sent " + Str(sent_));
    }
    while (!inflight_.empty() && inflight_.front() <= acked) {
      inflight_.pop_front();
    }
    for (const v1::Quarantined& q : a.quarantined()) {
      Log(LogLevel::kWarn, "sync.quarantined",
          {{"seq", Str(q.seq())}, {"reason", q.reason()}});
    }
    if (acked > acked_) {
      // Recorded without waiting for the commit: the stream goes on with
      // the next batch meanwhile. The mark only ever rises (RecordAck keeps
      // the larger), and one lost in a crash is restated by the next
      // Welcome, so nothing waits on it.
      c_.db_.writer().Submit(
          [acked](DbContext& ctx) { return SyncStore::RecordAck(ctx, acked); },
          [acked](const Status& s) {
            if (!s.ok()) {
              Log(LogLevel::kWarn, "sync.ack_not_recorded",
                  {{"seq", Str(acked)}, {"error", s.ToString()}});
            }
          });
      acked_ = acked;
    }
    return Status::Ok();
  }

  Status OnCentralBatch(SyncStream& stream, const v1::CentralBatch& b) {
    storage::CentralApplied applied;
    storage::JournalStore& journal = c_.db_.journal();
    storage::EscrowKeeper* keeper = c_.keeper_;
    const int64_t now = c_.clock_.NowMicros();
    Status s = c_.db_.writer().Run([&](DbContext& ctx) -> Status {
      Result<storage::CentralApplied> r =
          SyncStore::ApplyCentralBatch(ctx, journal, b, keeper, now);
      if (!r.ok()) return r.status();
      applied = std::move(r).value();
      return Status::Ok();
    });
    if (!s.ok()) {
      return Status(s.code(), "applying central events: " + s.message());
    }
    for (const std::string& note : applied.notes) {
      Log(LogLevel::kWarn, "sync.central_event", {{"note", note}});
    }
    v1::SyncRequest m;
    m.mutable_central_ack()->set_central_seq(applied.watermark);
    stream.Send(std::move(m));
    const int n = applied.applied;
    c_.health_.Update(
        [n](SyncHealthSnapshot& h) { h.central_events_applied += n; });
    return Status::Ok();
  }

  void OnHoldRequest(const v1::HoldRequest& r) {
    std::shared_ptr<SessionQueue> q = q_;
    c_.ops_.PlaceCentralHold(
        r.hold(), [q, id = r.request_id(), ref = r.hold().order_ref()](
                      Result<v1::PlaceHoldResponse> rep) {
          SessionEvent e;
          e.kind = SessionEvent::Kind::kSend;
          v1::HoldAnswer* a = e.outgoing.mutable_hold_answer();
          a->set_request_id(id);
          a->set_order_ref(ref);
          if (!rep.ok()) {
            a->set_granted(false);
            a->set_error(rep.status().message());
          } else {
            a->set_granted(rep->granted());
            if (rep->has_hold()) *a->mutable_hold() = rep->hold();
            *a->mutable_shortfall() = rep->shortfall();
          }
          q->Push(std::move(e));
        });
  }

  void OnDigestResult(const v1::DigestResult& r) {
    const char* what = r.deferred() ? "deferred"
                       : r.match()  ? "match"
                                    : "mismatch";
    c_.health_.Update([&](SyncHealthSnapshot& h) {
      h.last_digest = what;
      h.last_digest_store_seq = r.store_seq();
      h.last_digest_central_seq = r.central_seq();
      if (!r.deferred() && !r.match()) ++h.digest_mismatches;
    });
    if (r.deferred()) backlog_ = true;  // send again once caught up
    if (!r.deferred() && !r.match()) {
      Log(LogLevel::kWarn, "sync.digest_mismatch",
          {{"store_seq", Str(r.store_seq())},
           {"central_seq", Str(r.central_seq())},
           {"buckets",
            Str(static_cast<uint64_t>(r.mismatched_buckets_size()))}});
    }
  }

  Status OnDrillDown(SyncStream& stream, const v1::DrillDown& d) {
    const uint32_t buckets = buckets_;
    const std::vector<uint32_t> asked(d.buckets().begin(), d.buckets().end());
    Result<v1::DrillDownAnswer> a = ReadSnapshot<v1::DrillDownAnswer>(
        c_.db_, [buckets, &asked](DbContext& ctx) {
          return SyncStore::ReadDrillDown(ctx, buckets, asked);
        });
    if (!a.ok()) return a.status();
    v1::SyncRequest m;
    *m.mutable_drill_down_answer() = std::move(a).value();
    stream.Send(std::move(m));
    return Status::Ok();
  }

  Status OnReseed(SyncStream& stream, const v1::ReseedBatch& b) {
    if (!reseeding_) {
      return Unavailable("protocol: ReseedBatch without Welcome.reseed");
    }
    storage::JournalStore& journal = c_.db_.journal();
    uint64_t head = 0;
    Status s = c_.db_.writer().Run([&](DbContext& ctx) -> Status {
      Result<uint64_t> h = SyncStore::Reseed(ctx, journal, b);
      if (!h.ok()) return h.status();
      head = *h;
      return Status::Ok();
    });
    if (!s.ok()) return Fatal(Status(s.code(), "re-seed: " + s.message()));
    Log(LogLevel::kInfo, "sync.reseed", {{"head", Str(head)}});
    v1::SyncRequest m;
    m.mutable_reseed_ack()->set_store_seq(head);
    stream.Send(std::move(m));
    return Status::Ok();
  }

  Status OnReseedDone(const v1::ReseedDone& d) {
    if (!reseeding_) {
      return Unavailable("protocol: ReseedDone without Welcome.reseed");
    }
    const uint64_t head = c_.db_.journal().head().seq;
    if (head < held_ || d.store_seq() < held_) {
      return Unavailable("re-seed ended at seq " + Str(head) +
                         " but central holds " + Str(held_));
    }
    reseeding_ = false;
    return Resume();
  }

  Status MaybeDigest(SyncStream& stream) {
    const auto now = SteadyClock::now();
    const bool periodic = now - last_digest_ >= c_.options_.digest_interval;
    const bool caught_up = backlog_ && inflight_.empty() &&
                           acked_ >= c_.db_.journal().head().seq &&
                           now - last_digest_ >= c_.options_.digest_min_gap;
    if (!periodic && !caught_up) return Status::Ok();
    const uint32_t buckets = buckets_;
    Result<v1::StockDigest> d =
        ReadSnapshot<v1::StockDigest>(c_.db_, [buckets](DbContext& ctx) {
          return SyncStore::ReadStockDigest(ctx, buckets);
        });
    if (!d.ok()) return d.status();
    v1::SyncRequest m;
    *m.mutable_digest() = std::move(d).value();
    stream.Send(std::move(m));
    last_digest_ = now;
    backlog_ = false;
    return Status::Ok();
  }

  SyncClient& c_;
  std::shared_ptr<SessionQueue> q_;
  bool welcomed_ = false;
  bool fatal_ = false;
  bool read_ended_ = false;
  bool stalled_ = false;
  bool call_done_ = false;  // the call ended before the session did
  SessionEvent done_;       // its kDone, when call_done_
  grpc::StatusCode call_code_ = grpc::StatusCode::OK;
  std::string call_message_;
  bool reseeding_ = false;
  uint64_t held_ = 0;
  std::string held_hash_;
  uint64_t sent_ = 0;   // last store seq sent on this stream
  uint64_t acked_ = 0;  // meta central_acked_seq as this session knows it
  std::deque<uint64_t> inflight_;  // last seq of each unacked batch
  uint32_t max_events_ = 500;
  uint32_t max_bytes_ = 1 << 20;
  uint32_t window_ = 4;
  uint32_t buckets_ = core::kDefaultDigestBuckets;
  bool backlog_ = false;  // something was sent since the last digest
  SteadyClock::time_point last_message_;
  SteadyClock::time_point last_digest_{};
};

SyncClient::SyncClient(storage::AgentDatabase& db, StockOps& ops,
                       const Clock& clock, SyncClientOptions options,
                       SyncHealth& health, SyncGate* gate,
                       storage::EscrowKeeper* keeper, Backoff::Random random)
    : db_(db),
      ops_(ops),
      clock_(clock),
      options_(std::move(options)),
      health_(health),
      gate_(gate),
      keeper_(keeper),
      backoff_(options_.backoff, std::move(random)) {}

SyncClient::~SyncClient() { Stop(); }

Status SyncClient::Start() {
  if (options_.central.empty()) {
    return InvalidArgument("sync.central: required (host:port)");
  }
  if (!options_.insecure) {
    for (const auto& [key, path] : {std::pair<const char*, const std::string*>{
                                        "sync.ca_file", &options_.ca_file},
                                    {"sync.cert_file", &options_.cert_file},
                                    {"sync.key_file", &options_.key_file}}) {
      if (path->empty()) {
        return InvalidArgument(std::string(key) +
                               ": required unless sync.insecure = true");
      }
    }
    // Files that went bad (an expired certificate, a replaced key) do not
    // stop the agent: the loop waits for a reload that brings good ones.
    Status tls =
        SwapTls(options_.ca_file, options_.cert_file, options_.key_file);
    if (!tls.ok()) {
      start_problem_ = tls.message() +
                       "; sync stopped until the files are fixed and "
                       "storeagentd is reloaded (SIGHUP) or restarted "
                       "(checked again hourly)";
      // Stopped from the first status call on, not once the thread runs.
      health_.Update([this](SyncHealthSnapshot& h) {
        h.stopped = true;
        h.last_error = start_problem_;
        ++h.errors[SyncErrorReasonIndex("tls_files")];
      });
    }
  }
  health_.Update([](SyncHealthSnapshot& h) { h.enabled = true; });
  commit_listener_ =
      db_.writer().AddCommitListener([this](const storage::CommitInfo&) {
        std::lock_guard<std::mutex> lock(mu_);
        if (current_) current_->Wake();
      });
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

Status SyncClient::ReloadTls(const std::string& ca_file,
                             const std::string& cert_file,
                             const std::string& key_file) {
  Status swapped = SwapTls(ca_file, cert_file, key_file);
  // A reload also resumes a client central refused (the operator may have
  // fixed the certificate, or central's side): only now, so its next dial
  // uses the new files when they were good. A client that has never had
  // usable files stays stopped until a reload brings them.
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tls_loaded_) resume_ = true;
  }
  cv_.notify_all();
  return swapped;
}

Status SyncClient::SwapTls(const std::string& ca_file,
                           const std::string& cert_file,
                           const std::string& key_file) {
  if (options_.insecure) {
    std::lock_guard<std::mutex> lock(mu_);
    tls_loaded_ = true;
    return Status::Ok();
  }
  STOREAGENT_RETURN_IF_ERROR(CheckSyncTlsFiles(
      ca_file, cert_file, key_file, options_.store_id, clock_.NowMicros()));
  std::string pems[3];
  const std::pair<const char*, const std::string*> files[3] = {
      {"sync.ca_file", &ca_file},
      {"sync.cert_file", &cert_file},
      {"sync.key_file", &key_file}};
  for (int i = 0; i < 3; ++i) {
    Result<std::string> pem = fs::ReadFile(*files[i].second, 1 << 20);
    if (!pem.ok()) {
      return Status(pem.status().code(), std::string(files[i].first) + ": " +
                                             pem.status().message());
    }
    pems[i] = std::move(pem).value();
  }
  // CheckSyncTlsFiles parsed this certificate: its expiry for /metrics.
  Result<tls::CertificateInfo> leaf = tls::InspectCertificate(pems[1]);
  const int64_t not_after = leaf.ok() ? leaf->not_after_us : 0;
  health_.Update(
      [not_after](SyncHealthSnapshot& h) { h.cert_not_after_us = not_after; });
  std::lock_guard<std::mutex> lock(mu_);
  ca_pem_ = std::move(pems[0]);
  cert_pem_ = std::move(pems[1]);
  key_pem_ = std::move(pems[2]);
  tls_loaded_ = true;
  return Status::Ok();
}

void SyncClient::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (current_) current_->Wake();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (commit_listener_ != 0) {
    db_.writer().RemoveCommitListener(commit_listener_);
    commit_listener_ = 0;
  }
}

bool SyncClient::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_; });
  return !stopping_;
}

std::shared_ptr<grpc::Channel> SyncClient::MakeChannel() const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              static_cast<int>(options_.keepalive.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetMaxReceiveMessageSize(kSyncMaxMessageBytes);
  args.SetMaxSendMessageSize(kSyncMaxMessageBytes);
  if (options_.insecure) {
    return grpc::CreateCustomChannel(options_.central,
                                     grpc::InsecureChannelCredentials(), args);
  }
  grpc::SslCredentialsOptions tls;
  {
    std::lock_guard<std::mutex> lock(mu_);  // ReloadTls may swap them
    tls.pem_root_certs = ca_pem_;
    tls.pem_cert_chain = cert_pem_;
    tls.pem_private_key = key_pem_;
  }
  if (!options_.server_name.empty()) {
    args.SetSslTargetNameOverride(options_.server_name);
  }
  return grpc::CreateCustomChannel(options_.central, grpc::SslCredentials(tls),
                                   args);
}

std::string SyncClient::Explain(const Session& session, Status* end) {
  if (session.stalled()) return "stalled";
  switch (session.call_code()) {
    case grpc::StatusCode::OK:
      break;
    case grpc::StatusCode::UNAVAILABLE: {
      if (options_.insecure || session.welcomed()) return "unavailable";
      // Before central answered: a refused certificate looks like a
      // central that is down. Ask OpenSSL which it is.
      std::string ca;
      std::string cert;
      std::string key;
      {
        std::lock_guard<std::mutex> lock(mu_);
        ca = ca_pem_;
        cert = cert_pem_;
        key = key_pem_;
      }
      const ProbeResult p =
          ProbeHandshake(options_.central, options_.server_name, ca, cert, key,
                         kTlsProbeTimeout);
      const std::string grpc_said = " (gRPC: " + session.call_message() + ")";
      switch (p.kind) {
        case ProbeResult::Kind::kCentralRefusedUs:
          *end = Unavailable("central refused our certificate (" + p.detail +
                             "): is sync.cert_file issued by the CA central "
                             "trusts, valid, and this store's?" +
                             grpc_said);
          return "tls_central_refused_us";
        case ProbeResult::Kind::kWeRefusedCentral:
          *end = Unavailable("we refused central's certificate: " + p.detail +
                             grpc_said);
          return "tls_we_refused_central";
        case ProbeResult::Kind::kNameMismatch:
          *end = Unavailable(p.detail +
                             ": set sync.server_name, or have central's "
                             "certificate name it" +
                             grpc_said);
          return "tls_we_refused_central";
        case ProbeResult::Kind::kOther:
          *end = Unavailable(end->message() + " (TLS probe: " + p.detail + ")");
          return "unavailable";
        default:
          return "unavailable";
      }
    }
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    default:
      return "other";
  }
  // Ended on our side (a fatal check, a protocol error).
  switch (end->code()) {
    case StatusCode::kDataLoss:
      return "data_loss";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kUnavailable:
      return "unavailable";
    default:
      return "other";
  }
}

bool SyncClient::WaitForResume(const char* event, const std::string& why,
                               bool files_unusable) {
  health_.Update([&why](SyncHealthSnapshot& h) {
    h.stopped = true;
    h.last_error = why;
  });
  const auto retry_s =
      std::chrono::duration_cast<std::chrono::seconds>(options_.stopped_retry);
  Log(LogLevel::kError, event,
      {{"error", why},
       {"central", options_.central},
       {"retry_s", std::to_string(retry_s.count())}});
  const char* resumed = "configuration reloaded; dialling central again";
  std::unique_lock<std::mutex> lock(mu_);
  // resume_ is cleared when a session starts: a reload that came after
  // this session began (even before this wait) resumes at once.
  while (!cv_.wait_for(lock, options_.stopped_retry,
                       [this] { return stopping_ || resume_; })) {
    if (!files_unusable) {
      resumed = "the periodic retry of a stopped client; dialling central";
      break;
    }
    lock.unlock();
    const Status files =
        SwapTls(options_.ca_file, options_.cert_file, options_.key_file);
    lock.lock();
    if (files.ok()) {
      resumed = "the TLS files pass their check now; dialling central";
      break;
    }
  }
  if (stopping_) return false;
  resume_ = false;
  lock.unlock();
  health_.Update([](SyncHealthSnapshot& h) { h.stopped = false; });
  Log(LogLevel::kInfo, "sync.resumed", {{"detail", resumed}});
  backoff_.Reset();
  return true;
}

void SyncClient::Loop() {
  if (!start_problem_.empty()) {
    // The TLS files were unusable at start: no dial can succeed with them.
    if (!WaitForResume("sync.tls_files_unusable", start_problem_,
                       /*files_unusable=*/true)) {
      return;
    }
  }
  bool first = true;
  for (;;) {
    auto q = std::make_shared<SessionQueue>();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      current_ = q;
      resume_ = false;  // a reload from here on resumes a refusal
    }
    if (!first) {
      health_.Update([](SyncHealthSnapshot& h) { ++h.reconnects; });
    }
    first = false;
    Session session(*this, q);
    Status end = session.Run();
    {
      std::lock_guard<std::mutex> lock(mu_);
      current_.reset();
    }
    std::string reason;
    if (!end.ok()) reason = Explain(session, &end);
    health_.Update([&end, &reason](SyncHealthSnapshot& h) {
      h.connected = false;
      if (!end.ok()) {
        h.last_error = end.message();
        ++h.errors[SyncErrorReasonIndex(reason)];
      }
    });
    if (session.call_code() == grpc::StatusCode::PERMISSION_DENIED) {
      // Central refused this store: redialling cannot help until someone
      // changes a certificate or central's side.
      if (!WaitForResume(
              "sync.refused",
              "central refused this store: " + session.call_message() +
                  "; sync stopped until storeagentd is reloaded (SIGHUP) "
                  "or restarted (retried hourly)",
              /*files_unusable=*/false)) {
        break;
      }
      continue;
    }
    if (!end.ok()) {
      Log(session.fatal() ? LogLevel::kError : LogLevel::kWarn, "sync.ended",
          {{"error", end.message()}, {"reason", reason}});
    }
    if (session.fatal()) break;
    if (session.welcomed()) backoff_.Reset();
    if (!SleepFor(backoff_.Next())) break;
  }
}

}  // namespace storeagent::agent
