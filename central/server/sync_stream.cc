#include "central/server/sync_stream.h"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <set>
#include <utility>
#include <vector>

#include "central/server/admin_validation.h"
#include "central/server/grpc_status.h"
#include "central/server/peer_identity.h"
#include "core/journal_chain.h"
#include "core/stock_digest.h"
#include "platform/log.h"
#include "platform/tsan.h"
#include "storeagent/v1/services_v02.pb.h"

namespace storeagent::central {

// services_v02.pb.cc registers the 0.2 services' descriptors (reflection
// describes them, the per-method metrics count them), and nothing else in
// it is referenced: this does, or the linker leaves it out of the archive.
extern const void* volatile kServicesV02Descriptors;
const void* volatile kServicesV02Descriptors =
    &::descriptor_table_storeagent_2fv1_2fservices_5fv02_2eproto;
namespace {

v1::SkuFigure FigureOf(const std::string& sku, const core::SkuFigures& f) {
  v1::SkuFigure out;
  out.set_sku(sku);
  out.set_on_hand(f.on_hand);
  out.set_held(f.held);
  out.set_unavailable(f.unavailable);
  return out;
}

bool SameFigures(const v1::SkuFigure& a, const v1::SkuFigure& b) {
  return a.on_hand() == b.on_hand() && a.held() == b.held() &&
         a.unavailable() == b.unavailable();
}

}  // namespace

SyncStream* SyncStream::Start(SyncHub& hub,
                              grpc::CallbackServerContext* context,
                              bool require_peer_id) {
  auto s = std::make_shared<SyncStream>(
      hub, StoreIdFromAuthContext(context->auth_context().get()),
      require_peer_id);
  s->self_ = s;
  s->ReadNext();
  return s.get();
}

SyncStream::SyncStream(SyncHub& hub, std::string peer_store_id,
                       bool require_peer_id)
    : hub_(hub),
      peer_store_id_(std::move(peer_store_id)),
      require_peer_id_(require_peer_id),
      strand_(boost::asio::make_strand(hub.context().io)) {}

// ------------------------------------------------------------ gRPC side

void SyncStream::ReadNext() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (finished_ || done_) return;
  STOREAGENT_TSAN_RELEASE(this);
  StartRead(&in_);
}

void SyncStream::OnReadDone(bool ok) {
  STOREAGENT_TSAN_ACQUIRE(this);
  if (!ok) {
    // The agent closed its side, or the call broke: after what was read.
    boost::asio::post(
        strand_, [self = shared_from_this()] { self->End(grpc::Status::OK); });
    return;
  }
  auto m = std::make_shared<v1::SyncRequest>(std::move(in_));
  in_.Clear();
  bool read_on = false;
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    ++queued_;
    read_on = queued_ < kReadAhead;
    read_paused_ = !read_on;
  }
  boost::asio::post(strand_, [self = shared_from_this(), m] {
    self->Handle(*m);
    bool resume = false;
    {
      std::lock_guard<std::recursive_mutex> lock(self->mu_);
      --self->queued_;
      resume = self->read_paused_;
      self->read_paused_ = false;
    }
    if (resume) self->ReadNext();
  });
  if (read_on) ReadNext();
}

void SyncStream::Send(v1::SyncResponse m) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (finished_ || done_) return;
  out_.push_back(std::move(m));
  if (!writing_) {
    writing_ = true;
    STOREAGENT_TSAN_RELEASE(this);
    StartWrite(&out_.front());
  }
}

void SyncStream::OnWriteDone(bool ok) {
  STOREAGENT_TSAN_ACQUIRE(this);
  std::lock_guard<std::recursive_mutex> lock(mu_);
  out_.pop_front();
  if (ok && !out_.empty()) {
    STOREAGENT_TSAN_RELEASE(this);
    StartWrite(&out_.front());
    return;
  }
  writing_ = false;
  if (!ok) out_.clear();
  STOREAGENT_TSAN_RELEASE(this);
  if (finish_after_writes_) {
    Finish(*finish_after_writes_);
    finish_after_writes_.reset();
  } else if (!ok && !finished_) {
    finished_ = true;
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
  }
}

void SyncStream::End(const grpc::Status& status) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (finished_ || done_) return;
  finished_ = true;
  ended_with_ = status;
  if (writing_) {
    finish_after_writes_ = status;
  } else {
    STOREAGENT_TSAN_RELEASE(this);
    Finish(status);
  }
}

void SyncStream::OnCancel() {
  STOREAGENT_TSAN_ACQUIRE(this);
  End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
}

void SyncStream::OnDone() {
  STOREAGENT_TSAN_ACQUIRE(this);
  std::optional<grpc::Status> ended_with;
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    done_ = true;
    ended_with = ended_with_;
  }
  // The cause: central's own End status, or the agent / the link.
  std::string code = "CANCELLED";
  std::string why = "the agent closed the stream or the connection was lost";
  if (ended_with && !ended_with->ok()) {
    code = StatusCodeName(static_cast<StatusCode>(ended_with->error_code()));
    why = ended_with->error_message();
  } else if (ended_with) {  // the agent's reads ended: End(OK)
    code = "OK";
    why = "the agent closed its side or the connection was lost";
  }
  boost::asio::post(strand_, [self = shared_from_this(), code = std::move(code),
                              why = std::move(why)] {
    // Counted before the store leaves the hub: a scrape never sees it gone
    // from stores_connected and not yet in streams_ended_total.
    self->hub_.context().metrics.StreamEnded(code);
    if (!self->store_id_.empty()) {
      self->hub_.Unregister(self->store_id_, self.get());
    }
    Log(LogLevel::kInfo, "sync.stream_ended",
        {{"store",
          self->store_id_.empty() ? self->peer_store_id_ : self->store_id_},
         {"code", code},
         {"why", why}});
    self->FailHolds();
  });
  std::shared_ptr<SyncStream> me = std::move(self_);
}

void SyncStream::Replace() {
  End(grpc::Status(grpc::StatusCode::ABORTED,
                   "a newer stream of the same store replaced this one"));
}

// ------------------------------------------------------------ strand side

void SyncStream::Handle(v1::SyncRequest& m) {
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (finished_ || done_) return;
  }
  if (phase_ == Phase::kHello) {
    if (!m.has_hello()) {
      End(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                       "the first message must be a Hello"));
      return;
    }
    OnHello(m.hello());
    return;
  }
  switch (m.kind_case()) {
    case v1::SyncRequest::kHello:
      End(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                       "hello: sent twice on one stream"));
      return;
    case v1::SyncRequest::kEvents:
      OnEvents(*m.mutable_events());
      return;
    case v1::SyncRequest::kCentralAck:
      OnCentralAck(m.central_ack());
      return;
    case v1::SyncRequest::kHoldAnswer:
      OnHoldAnswer(m.hold_answer());
      return;
    case v1::SyncRequest::kDigest:
      OnDigest(m.digest());
      return;
    case v1::SyncRequest::kDrillDownAnswer:
      OnDrillDownAnswer(m.drill_down_answer());
      return;
    case v1::SyncRequest::kReseedAck:
      OnReseedAck(m.reseed_ack());
      return;
    case v1::SyncRequest::KIND_NOT_SET:
      break;
  }
  End(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "message: no kind set"));
}

void SyncStream::OnHello(const v1::Hello& h) {
  Status valid = CheckStoreId(h.store_id(), "hello.store_id");
  if (!valid.ok()) {
    End(ToGrpc(valid));
    return;
  }
  if (require_peer_id_ && peer_store_id_.empty()) {
    End(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                     "the client certificate names no store (URI SAN " +
                         std::string(kStoreUriPrefix) +
                         "<id> or CN; an admin certificate never syncs)"));
    return;
  }
  if (!peer_store_id_.empty() && h.store_id() != peer_store_id_) {
    Log(LogLevel::kWarn, "sync.hello_refused",
        {{"hello_store", h.store_id()}, {"cert_store", peer_store_id_}});
    End(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                     "hello.store_id: names store " + h.store_id() +
                         " but the client certificate is for store " +
                         peer_store_id_));
    return;
  }
  const int64_t now = hub_.context().clock.NowMicros();
  Result<StoreRow> row = store().GetOrCreateStore(h.store_id());
  Status touched =
      row.ok() ? store().TouchExchange(h.store_id(), now, h.agent_version())
               : row.status();
  if (!touched.ok()) {
    Log(LogLevel::kError, "sync.hello_failed",
        {{"store", h.store_id()}, {"error", touched.ToString()}});
    End(ToGrpc(Unavailable("central store: " + touched.message())));
    return;
  }
  store_id_ = h.store_id();
  held_ = row->store_seq_held;

  // The agent lost part of its journal that central holds: re-seed it when
  // its head is one central knows.
  bool reseed = false;
  if (h.journal_head_seq() < held_) {
    std::string ours = core::GenesisHash();
    if (h.journal_head_seq() > 0) {
      Result<std::vector<v1::JournalEntry>> at = store().ReadStoreEvents(
          store_id_, h.journal_head_seq() - 1, h.journal_head_seq(), 1);
      ours = at.ok() && at->size() == 1 ? (*at)[0].hash() : std::string();
    }
    reseed = !ours.empty() && ours == h.journal_head_hash();
    if (!reseed) {
      Log(LogLevel::kError, "sync.head_diverged",
          {{"store", store_id_},
           {"agent_head", std::to_string(h.journal_head_seq())},
           {"central_held", std::to_string(held_)}});
    }
  }
  // The agent applied central events up to central_seq_applied: record it
  // (an ack may have been lost with the last stream).
  central_sent_ = central_acked_ = h.central_seq_applied();
  if (h.central_seq_applied() > row->central_head_seq) {
    // Central lost events the store applied (restored from an older
    // backup). Number the next ones after what the store has, or it would
    // skip them as applied; the lost ones are named for head office.
    Result<uint64_t> before =
        store().RaiseCentralHead(store_id_, h.central_seq_applied());
    if (!before.ok()) {
      Log(LogLevel::kError, "sync.hello_failed",
          {{"store", store_id_}, {"error", before.status().ToString()}});
      End(ToGrpc(Unavailable("central store: " + before.status().message())));
      return;
    }
    Log(LogLevel::kError, "sync.central_events_lost",
        {{"store", store_id_},
         {"agent_applied", std::to_string(h.central_seq_applied())},
         {"central_head", std::to_string(*before)},
         {"lost", std::to_string(*before + 1) + ".." +
                      std::to_string(h.central_seq_applied())},
         {"action",
          "central holds fewer events than the store applied (restored "
          "from an older backup?): new events are numbered after the "
          "store's; push the lost ones again"}});
    hub_.context().replicas.OnCentralAck(store_id_, h.central_seq_applied());
  } else if (h.central_seq_applied() > row->central_seq_acked) {
    Status s = store().AckCentralAt(store_id_, h.central_seq_applied(),
                                    hub_.context().clock.NowMicros());
    if (s.ok())
      hub_.context().replicas.OnCentralAck(store_id_, h.central_seq_applied());
  }

  v1::SyncResponse out;
  v1::Welcome* w = out.mutable_welcome();
  w->set_store_seq_held(row->store_seq_held);
  w->set_store_hash_held(row->store_seq_held == 0 ? core::GenesisHash()
                                                  : row->store_hash_held);
  w->set_central_time_us(now);
  v1::SyncLimits* l = w->mutable_limits();
  l->set_max_batch_events(config().max_batch_events);
  l->set_max_batch_bytes(config().max_batch_bytes);
  l->set_window(config().window);
  l->set_min_keepalive_s(config().min_keepalive_s);
  l->set_digest_buckets(config().digest_buckets);
  w->set_central_head_seq(row->central_head_seq);
  w->set_reseed(reseed);
  // Registered before the Welcome is queued: once the agent has its
  // Welcome, a hold request finds the stream (it is posted to this strand,
  // so it still goes out after the Welcome).
  Status registered = hub_.Register(store_id_, shared_from_this());
  if (!registered.ok()) {
    End(ToGrpc(Unavailable("central store: taking the stream's lease: " +
                           registered.message())));
    return;
  }
  Send(std::move(out));
  Log(LogLevel::kInfo, "sync.hello",
      {{"store", store_id_},
       {"agent_version", h.agent_version()},
       {"agent_head", std::to_string(h.journal_head_seq())},
       {"held", std::to_string(held_)},
       {"reseed", reseed ? "true" : "false"}});
  if (reseed) {
    phase_ = Phase::kReseeding;
    reseed_sent_ = reseed_acked_ = h.journal_head_seq();
    SendReseed();
  } else {
    phase_ = Phase::kRunning;
    Pump();
  }
}

void SyncStream::SendReseed() {
  while (reseed_sent_ < held_ && reseed_in_flight_.size() < config().window) {
    Result<std::vector<v1::JournalEntry>> page = store().ReadStoreEvents(
        store_id_, reseed_sent_, held_, config().max_batch_events);
    if (!page.ok() || page->empty()) {
      End(ToGrpc(Unavailable(
          "central store: reading store events after " +
          std::to_string(reseed_sent_) + ": " +
          (page.ok() ? std::string("none") : page.status().message()))));
      return;
    }
    v1::SyncResponse out;
    size_t bytes = 0;
    for (v1::JournalEntry& e : *page) {
      // Within max_batch_bytes (a larger entry travels alone); the rest of
      // the page is read again for the next batch.
      bytes += e.ByteSizeLong();
      if (out.reseed().entries_size() > 0 && bytes > config().max_batch_bytes)
        break;
      *out.mutable_reseed()->add_entries() = std::move(e);
    }
    reseed_sent_ = out.reseed().entries().rbegin()->record().seq();
    reseed_in_flight_.push_back(reseed_sent_);
    Send(std::move(out));
  }
  if (reseed_sent_ >= held_ && !reseed_done_sent_) {
    reseed_done_sent_ = true;
    v1::SyncResponse out;
    out.mutable_reseed_done()->set_store_seq(held_);
    Send(std::move(out));
  }
}

void SyncStream::OnReseedAck(const v1::ReseedAck& a) {
  if (phase_ != Phase::kReseeding) return;  // late or duplicate: harmless
  reseed_acked_ = std::max(reseed_acked_, a.store_seq());
  while (!reseed_in_flight_.empty() &&
         reseed_in_flight_.front() <= reseed_acked_) {
    reseed_in_flight_.pop_front();
  }
  if (reseed_acked_ >= held_) {
    Log(LogLevel::kInfo, "sync.reseeded",
        {{"store", store_id_}, {"store_seq", std::to_string(held_)}});
    phase_ = Phase::kRunning;
    Pump();
    return;
  }
  SendReseed();
}

void SyncStream::OnEvents(v1::EventBatch& b) {
  if (static_cast<uint32_t>(b.entries_size()) > config().max_batch_events) {
    End(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     "events.entries: " + std::to_string(b.entries_size()) +
                         " entries, more than sync.max_batch_events " +
                         std::to_string(config().max_batch_events)));
    return;
  }
  // The entries move out of the message (no copy of hundreds of sales).
  std::vector<v1::JournalEntry> entries;
  entries.reserve(static_cast<size_t>(b.entries_size()));
  for (v1::JournalEntry& e : *b.mutable_entries()) {
    entries.push_back(std::move(e));
  }
  // A 0.4 agent's entries carry their canonical bytes: what the hash covers
  // and what is stored is those bytes, and every check reads them parsed
  // here, once (docs/sync-protocol.md, "Record bytes").
  for (size_t i = 0; i < entries.size(); ++i) {
    Status adopted = core::AdoptCanonicalRecord(
        entries[i], "events.entries[" + std::to_string(i) + "]");
    if (!adopted.ok()) {
      Log(LogLevel::kError, "sync.chain_broken",
          {{"store", store_id_}, {"error", adopted.message()}});
      End(ToGrpc(adopted));
      return;
    }
  }
  const int64_t now = hub_.context().clock.NowMicros();
  const Clock& clock = hub_.context().clock;
  const int64_t started = clock.MonotonicMicros();
  Result<IngestResult> r = store().IngestBatch(store_id_, entries, now);
  const double commit_seconds =
      static_cast<double>(clock.MonotonicMicros() - started) / 1e6;
  if (!r.ok()) {
    const Status& s = r.status();
    if (s.code() == StatusCode::kFailedPrecondition) {
      // A gap: nothing is acked; the agent resumes from Welcome's watermark.
      Log(LogLevel::kWarn, "sync.batch_gap",
          {{"store", store_id_}, {"error", s.message()}});
      End(ToGrpc(s));
    } else if (s.code() == StatusCode::kDataLoss) {
      Log(LogLevel::kError, "sync.chain_broken",
          {{"store", store_id_}, {"error", s.message()}});
      End(ToGrpc(s));
    } else {
      Log(LogLevel::kError, "sync.ingest_failed",
          {{"store", store_id_}, {"error", s.ToString()}});
      End(ToGrpc(Unavailable("central store: " + s.message())));
    }
    return;
  }
  const uint64_t prev = held_;
  held_ = std::max(held_, r->acked_seq);
  hub_.context().replicas.OnIngest(store_id_, prev, entries, *r);
  if (!r->applied.empty() || !r->quarantined.empty()) {
    hub_.feed_bell().Ring();  // the change feed's following streams
    // The newest entry central did not hold before: the batch's last.
    const double lag_seconds =
        static_cast<double>(hub_.context().clock.NowMicros() -
                            entries.back().record().recorded_at_us()) /
        1e6;
    hub_.context().metrics.BatchCommitted(
        r->applied.size(), r->quarantined.size(), r->escrow_breaches,
        commit_seconds, std::max(lag_seconds, 0.0));
  }
  for (const v1::Quarantined& q : r->quarantined) {
    Log(LogLevel::kWarn, "sync.quarantined",
        {{"store", store_id_},
         {"seq", std::to_string(q.seq())},
         {"reason", q.reason()}});
  }
  v1::SyncResponse out;
  out.mutable_ack()->set_acked_seq(r->acked_seq);
  for (const v1::Quarantined& q : r->quarantined) {
    *out.mutable_ack()->add_quarantined() = q;
  }
  Send(std::move(out));
  // A batch that committed stamped the exchange in its own transaction.
  if (r->acked_seq <= prev) (void)store().TouchExchange(store_id_, now, "");
}

void SyncStream::PumpDown() {
  boost::asio::post(strand_, [self = shared_from_this()] { self->Pump(); });
}

void SyncStream::Pump() {
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    if (finished_ || done_) return;
  }
  if (phase_ != Phase::kRunning) return;
  while (central_in_flight_.size() < config().window) {
    Result<std::vector<v1::CentralEvent>> page = store().ReadCentralEvents(
        store_id_, central_sent_, 0, config().central_batch_events);
    if (!page.ok()) {
      Log(LogLevel::kError, "sync.read_central_failed",
          {{"store", store_id_}, {"error", page.status().ToString()}});
      return;
    }
    if (page->empty()) return;
    v1::SyncResponse out;
    size_t bytes = 0;
    for (v1::CentralEvent& e : *page) {
      bytes += e.ByteSizeLong();  // as for re-seed batches
      if (out.central_events().events_size() > 0 &&
          bytes > config().max_batch_bytes)
        break;
      *out.mutable_central_events()->add_events() = std::move(e);
    }
    central_sent_ = out.central_events().events().rbegin()->central_seq();
    central_in_flight_.push_back(central_sent_);
    Send(std::move(out));
  }
}

void SyncStream::OnCentralAck(const v1::CentralAck& a) {
  if (a.central_seq() > central_acked_) {
    Status s = store().AckCentralAt(store_id_, a.central_seq(),
                                    hub_.context().clock.NowMicros());
    if (!s.ok()) {
      Log(LogLevel::kWarn, "sync.central_ack_refused",
          {{"store", store_id_}, {"error", s.ToString()}});
      End(ToGrpc(s.code() == StatusCode::kFailedPrecondition
                     ? s
                     : Unavailable("central store: " + s.message())));
      return;
    }
    central_acked_ = a.central_seq();
    hub_.context().replicas.OnCentralAck(store_id_, central_acked_);
  }
  while (!central_in_flight_.empty() &&
         central_in_flight_.front() <= central_acked_) {
    central_in_flight_.pop_front();
  }
  Pump();
}

void SyncStream::RequestHold(const v1::HoldPlaced& hold,
                             std::chrono::milliseconds timeout,
                             HoldCallback done) {
  boost::asio::post(strand_, [self = shared_from_this(), hold, timeout,
                              done = std::move(done)]() mutable {
    boost::asio::io_context& io = self->hub_.context().io;
    bool open = true;
    {
      std::lock_guard<std::recursive_mutex> lock(self->mu_);
      open = !self->finished_ && !self->done_;
    }
    if (!open || self->holds_failed_ || self->phase_ != Phase::kRunning) {
      boost::asio::post(io, [done = std::move(done)] { done(std::nullopt); });
      return;
    }
    const uint64_t id = ++self->next_request_id_;
    PendingHold& p = self->holds_[id];
    p.done = std::move(done);
    p.timer = std::make_unique<boost::asio::steady_timer>(io, timeout);
    p.timer->async_wait(boost::asio::bind_executor(
        self->strand_, [self, id](const boost::system::error_code& ec) {
          if (ec) return;
          auto it = self->holds_.find(id);
          if (it == self->holds_.end()) return;
          HoldCallback cb = std::move(it->second.done);
          self->holds_.erase(it);
          Log(LogLevel::kWarn, "sync.hold_timeout",
              {{"store", self->store_id_}, {"request_id", std::to_string(id)}});
          boost::asio::post(self->hub_.context().io,
                            [cb = std::move(cb)] { cb(std::nullopt); });
        }));
    v1::SyncResponse out;
    out.mutable_hold_request()->set_request_id(id);
    *out.mutable_hold_request()->mutable_hold() = hold;
    self->Send(std::move(out));
  });
}

void SyncStream::OnHoldAnswer(const v1::HoldAnswer& a) {
  auto it = holds_.find(a.request_id());
  if (it == holds_.end()) {
    Log(LogLevel::kInfo, "sync.hold_answer_late",
        {{"store", store_id_},
         {"request_id", std::to_string(a.request_id())},
         {"order_ref", a.order_ref()},
         {"granted", a.granted() ? "true" : "false"}});
    return;
  }
  it->second.timer->cancel();
  HoldCallback cb = std::move(it->second.done);
  holds_.erase(it);
  boost::asio::post(hub_.context().io, [cb = std::move(cb), a] { cb(a); });
}

void SyncStream::FailHolds() {
  holds_failed_ = true;
  for (auto& [id, p] : holds_) {
    p.timer->cancel();
    boost::asio::post(hub_.context().io,
                      [cb = std::move(p.done)] { cb(std::nullopt); });
  }
  holds_.clear();
}

void SyncStream::OnDigest(const v1::StockDigest& d) {
  const auto n = static_cast<uint32_t>(d.buckets_size());
  if (n == 0 || n > core::kMaxDigestBuckets) {
    End(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                     "digest.buckets: 1.." +
                         std::to_string(core::kMaxDigestBuckets) +
                         " buckets, got " + std::to_string(n)));
    return;
  }
  v1::SyncResponse out;
  v1::DigestResult* r = out.mutable_digest_result();
  r->set_store_seq(d.store_seq());
  r->set_central_seq(d.central_seq());
  Result<std::optional<StoreRow>> row = store().GetStore(store_id_);
  if (!row.ok() || !row->has_value()) {
    End(ToGrpc(Unavailable("central store: reading store " + store_id_)));
    return;
  }
  if (d.store_seq() > (*row)->store_seq_held ||
      d.central_seq() > (*row)->central_head_seq) {
    r->set_deferred(true);
    (void)store().RecordDigest(store_id_, "deferred", d.store_seq());
    Send(std::move(out));
    return;
  }
  std::vector<std::string> ours;
  Status s = hub_.context().replicas.At(
      store_id_, d.store_seq(), d.central_seq(),
      [&](const core::StockReplay& replay, uint64_t, uint64_t) {
        core::StockDigestBuilder b(n);
        for (const auto& [sku, f] : replay.figures()) {
          b.Add({sku, f.on_hand, f.held, f.unavailable});
        }
        ours = b.Finish();
      });
  if (!s.ok()) {
    Log(LogLevel::kError, "sync.digest_failed",
        {{"store", store_id_}, {"error", s.ToString()}});
    r->set_deferred(true);
    Send(std::move(out));
    return;
  }
  const std::vector<std::string> theirs(d.buckets().begin(), d.buckets().end());
  const std::vector<uint32_t> diff = core::MismatchedBuckets(ours, theirs);
  r->set_match(diff.empty());
  for (uint32_t b : diff) r->add_mismatched_buckets(b);
  (void)store().RecordDigest(store_id_, diff.empty() ? "match" : "mismatch",
                             d.store_seq());
  (void)store().TouchExchange(store_id_, hub_.context().clock.NowMicros(), "");
  Send(std::move(out));
  Log(diff.empty() ? LogLevel::kDebug : LogLevel::kWarn, "sync.digest",
      {{"store", store_id_},
       {"store_seq", std::to_string(d.store_seq())},
       {"central_seq", std::to_string(d.central_seq())},
       {"mismatched_buckets", std::to_string(diff.size())}});
  if (!diff.empty()) {
    digest_buckets_ = n;
    v1::SyncResponse drill;
    for (uint32_t b : diff) drill.mutable_drill_down()->add_buckets(b);
    Send(std::move(drill));
  }
}

void SyncStream::OnDrillDownAnswer(const v1::DrillDownAnswer& a) {
  const uint32_t n =
      digest_buckets_ != 0 ? digest_buckets_ : config().digest_buckets;
  if (a.store_seq() > held_) {
    Log(LogLevel::kInfo, "sync.drill_down_deferred",
        {{"store", store_id_},
         {"store_seq", std::to_string(a.store_seq())},
         {"held", std::to_string(held_)}});
    return;
  }
  const std::set<uint32_t> asked(a.buckets().begin(), a.buckets().end());
  std::map<std::string, v1::SkuFigure> theirs;
  for (const v1::SkuFigure& f : a.figures()) theirs[f.sku()] = f;
  std::map<std::string, v1::SkuFigure> ours;
  Status s = hub_.context().replicas.At(
      store_id_, a.store_seq(), a.central_seq(),
      [&](const core::StockReplay& replay, uint64_t, uint64_t) {
        for (const auto& [sku, f] : replay.figures()) {
          if (asked.count(core::DigestBucketOf(sku, n))) {
            ours[sku] = FigureOf(sku, f);
          }
        }
        for (const auto& [sku, f] : theirs) {
          if (!ours.count(sku)) ours[sku] = FigureOf(sku, replay.Figures(sku));
        }
      });
  if (!s.ok()) {
    Log(LogLevel::kError, "sync.drill_down_failed",
        {{"store", store_id_}, {"error", s.ToString()}});
    return;
  }
  const int64_t now = hub_.context().clock.NowMicros();
  std::vector<v1::Drift> drift;
  for (const auto& [sku, central] : ours) {
    v1::SkuFigure store_fig;
    store_fig.set_sku(sku);
    if (auto it = theirs.find(sku); it != theirs.end()) store_fig = it->second;
    if (SameFigures(store_fig, central)) continue;
    v1::Drift d;
    d.set_store_id(store_id_);
    d.set_sku(sku);
    d.set_store_seq(a.store_seq());
    d.set_central_seq(a.central_seq());
    *d.mutable_store() = store_fig;
    *d.mutable_central() = central;
    d.set_found_at_us(now);
    Log(LogLevel::kWarn, "sync.drift",
        {{"store", store_id_},
         {"sku", sku},
         {"store_seq", std::to_string(a.store_seq())},
         {"central_seq", std::to_string(a.central_seq())},
         {"store_on_hand", std::to_string(store_fig.on_hand())},
         {"central_on_hand", std::to_string(central.on_hand())},
         {"store_held", std::to_string(store_fig.held())},
         {"central_held", std::to_string(central.held())},
         {"store_unavailable", std::to_string(store_fig.unavailable())},
         {"central_unavailable", std::to_string(central.unavailable())}});
    drift.push_back(std::move(d));
  }
  if (drift.empty()) return;
  hub_.context().metrics.DriftFound(drift.size());
  Status rec = store().RecordDrift(drift);
  if (!rec.ok()) {
    Log(LogLevel::kError, "sync.record_drift_failed",
        {{"store", store_id_}, {"error", rec.ToString()}});
  }
}

grpc::ServerBidiReactor<v1::SyncRequest, v1::SyncResponse>*
SyncServiceImpl::Sync(grpc::CallbackServerContext* context) {
  return SyncStream::Start(hub_, context, require_peer_id_);
}

}  // namespace storeagent::central
