#include "agent/sync/sync_client.h"

#include <algorithm>

#include "agent/config.h"
#include "agent/sync/session_machine.h"
#include "agent/sync/session_storage.h"
#include "agent/sync/tls_probe.h"
#include "platform/fs.h"
#include "platform/log.h"
#include "platform/tls.h"

namespace storeagent::agent {
namespace {

int64_t Micros(std::chrono::milliseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

SessionMachineOptions MachineOptions(const SyncClientOptions& o) {
  SessionMachineOptions m;
  m.store_id = o.store_id;
  m.agent_version = o.agent_version;
  m.store_public_key = o.store_public_key;
  m.max_batch_events = o.max_batch_events;
  m.max_batch_bytes = o.max_batch_bytes;
  m.window = o.window;
  m.digest_interval_us = Micros(o.digest_interval);
  m.digest_min_gap_us = Micros(o.digest_min_gap);
  m.stall_timeout_us = Micros(o.stall_timeout);
  return m;
}

}  // namespace

// One stream, Hello to the end: the thin driver of a SessionMachine over
// gRPC. Runs on the client thread; the machine decides, SessionStorage
// reads and writes, this moves messages and time.
class SyncClient::Session {
 public:
  Session(SyncClient& c, std::shared_ptr<SessionQueue> q)
      : c_(c),
        q_(std::move(q)),
        machine_(MachineOptions(c.options_)),
        storage_(c.db_, c.gate_, c.keeper_, StorageOptions(c)) {}

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

  bool welcomed() const { return machine_.welcomed(); }
  bool fatal() const { return fatal_; }
  bool stalled() const { return machine_.stalled(); }
  // The gRPC status the call ended with when that is why the session
  // ended (OK otherwise), and central's message with it.
  grpc::StatusCode call_code() const { return call_code_; }
  const std::string& call_message() const { return call_message_; }

 private:
  using SteadyClock = std::chrono::steady_clock;

  static SessionStorageOptions StorageOptions(SyncClient& c) {
    SessionStorageOptions o;
    o.send_parsed_records = c.options_.send_parsed_records;
    const Clock* clock = &c.clock_;
    o.now_us = [clock] { return clock->NowMicros(); };
    o.on_price_book_changed = c.options_.on_price_book_changed;
    return o;
  }

  bool stopping() {
    std::lock_guard<std::mutex> lock(c_.mu_);
    return c_.stopping_;
  }

  int64_t Now() const { return c_.clock_.MonotonicMicros(); }

  // Carries out what the machine decided; true once it ended the session
  // (`*end` says why).
  bool Act(SyncStream& stream, Status* end) {
    SessionStorage::Transport t;
    t.send = [&stream](v1::SyncRequest m) { stream.Send(std::move(m)); };
    t.place_hold = [this](v1::HoldRequest r) { PlaceHold(r); };
    t.end = [this, end](const Status& s, bool fatal) {
      *end = s;
      fatal_ = fatal;
    };
    const SessionCounters before = machine_.counters();
    storage_.Run(machine_, t);
    const SessionCounters& after = machine_.counters();
    const uint64_t sent = after.events_sent - before.events_sent;
    const uint64_t applied =
        after.central_events_applied - before.central_events_applied;
    if (sent != 0 || applied != 0) {
      c_.health_.Update([sent, applied](SyncHealthSnapshot& h) {
        h.events_sent += sent;
        h.central_events_applied += applied;
      });
    }
    if (!welcome_reported_ && machine_.welcomed()) {
      welcome_reported_ = true;
      const int64_t skew = skew_;
      c_.health_.Update([skew](SyncHealthSnapshot& h) {
        h.connected = true;
        ++h.streams_opened;
        h.clock_skew_us = skew;
        h.last_error.clear();
      });
    }
    return machine_.ended();
  }

  Status Drive(SyncStream& stream) {
    Result<HelloState> hello = storage_.ReadHello();
    if (!hello.ok()) return hello.status();
    machine_.Start(*hello, Now());
    Status end;
    if (Act(stream, &end)) return end;
    for (;;) {
      if (stopping()) return Status::Ok();
      const int64_t now = Now();
      const int64_t next = std::min(machine_.NextDeadline(),
                                    now + Micros(c_.options_.poll_interval));
      bool woken = false;
      std::optional<SessionEvent> e = q_->Wait(
          SteadyClock::now() +
              std::chrono::microseconds(std::max<int64_t>(next - now, 0)),
          &woken);
      if (e) {
        switch (e->kind) {
          case SessionEvent::Kind::kMessage:
            c_.health_.Update([this](SyncHealthSnapshot& h) {
              h.last_exchange_us = c_.clock_.NowMicros();
            });
            Observe(e->message);
            machine_.OnMessage(std::move(e->message), Now());
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
            machine_.OnHoldAnswered(
                std::move(*e->outgoing.mutable_hold_answer()));
            break;
        }
      }
      if (Act(stream, &end)) return end;
      machine_.OnTick(c_.db_.journal().head().seq, Now());
      if (Act(stream, &end)) return end;
    }
  }

  // What the health figures and the log take from central's messages.
  void Observe(const v1::SyncResponse& m) {
    if (m.has_welcome() && m.welcome().central_time_us() != 0) {
      skew_ = m.welcome().central_time_us() - c_.clock_.NowMicros();
    }
    if (m.has_welcome() && c_.options_.on_region) {
      c_.options_.on_region(m.welcome().store_region());
    }
    if (!m.has_digest_result()) return;
    const v1::DigestResult& r = m.digest_result();
    const char* what = r.deferred() ? "deferred"
                       : r.match()  ? "match"
                                    : "mismatch";
    c_.health_.Update([&](SyncHealthSnapshot& h) {
      h.last_digest = what;
      h.last_digest_store_seq = r.store_seq();
      h.last_digest_central_seq = r.central_seq();
      if (!r.deferred() && !r.match()) ++h.digest_mismatches;
    });
    if (!r.deferred() && !r.match()) {
      Log(LogLevel::kWarn, "sync.digest_mismatch",
          {{"store_seq", std::to_string(r.store_seq())},
           {"central_seq", std::to_string(r.central_seq())},
           {"buckets", std::to_string(static_cast<uint64_t>(
                           r.mismatched_buckets_size()))}});
    }
  }

  // Placed through StockOps off this thread; the answer comes back
  // through the queue (kSend) and goes to the machine.
  void PlaceHold(const v1::HoldRequest& r) {
    std::shared_ptr<SessionQueue> q = q_;
    c_.ops_.PlaceCentralHold(
        r.hold(), [q, r](Result<v1::PlaceHoldResponse> rep) {
          SessionEvent e;
          e.kind = SessionEvent::Kind::kSend;
          *e.outgoing.mutable_hold_answer() = HoldAnswerOf(r, rep);
          q->Push(std::move(e));
        });
  }

  SyncClient& c_;
  std::shared_ptr<SessionQueue> q_;
  SessionMachine machine_;
  SessionStorage storage_;
  bool fatal_ = false;
  bool read_ended_ = false;
  bool call_done_ = false;  // the call ended before the session did
  SessionEvent done_;       // its kDone, when call_done_
  grpc::StatusCode call_code_ = grpc::StatusCode::OK;
  std::string call_message_;
  int64_t skew_ = 0;
  bool welcome_reported_ = false;  // health says connected
};

SyncClient::SyncClient(storage::AgentDatabase& db, StockOps& ops,
                       const Clock& clock, Scheduler& scheduler,
                       SyncClientOptions options, SyncHealth& health,
                       SyncGate* gate, storage::EscrowKeeper* keeper,
                       Backoff::Random random)
    : db_(db),
      ops_(ops),
      clock_(clock),
      scheduler_(scheduler),
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

SyncClient::Woke SyncClient::Wait(std::chrono::milliseconds d, bool on_resume) {
  const uint64_t id = ++next_wait_;
  // Scheduled before taking mu_: the task takes it.
  const TimerId timer = scheduler_.Schedule(
      std::chrono::duration_cast<std::chrono::microseconds>(d).count(),
      [this, id] {
        {
          std::lock_guard<std::mutex> lock(mu_);
          timed_out_ = std::max(timed_out_, id);
        }
        cv_.notify_all();
      });
  Woke woke;
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] {
      return stopping_ || (on_resume && resume_) || timed_out_ >= id;
    });
    woke = stopping_                ? Woke::kStopping
           : (on_resume && resume_) ? Woke::kResume
                                    : Woke::kTime;
  }
  scheduler_.Cancel(timer);  // without mu_: a running task takes it
  return woke;
}

bool SyncClient::SleepFor(std::chrono::milliseconds d) {
  return Wait(d, /*on_resume=*/false) != Woke::kStopping;
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
  // resume_ is cleared when a session starts: a reload that came after
  // this session began (even before this wait) resumes at once.
  for (;;) {
    const Woke woke = Wait(options_.stopped_retry, /*on_resume=*/true);
    if (woke == Woke::kStopping) return false;
    if (woke == Woke::kResume) break;
    if (!files_unusable) {
      resumed = "the periodic retry of a stopped client; dialling central";
      break;
    }
    const Status files =
        SwapTls(options_.ca_file, options_.cert_file, options_.key_file);
    if (files.ok()) {
      resumed = "the TLS files pass their check now; dialling central";
      break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    resume_ = false;
  }
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
