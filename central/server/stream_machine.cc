#include "central/server/stream_machine.h"

#include <algorithm>
#include <utility>

#include "central/server/admin_validation.h"
#include "central/server/peer_identity.h"
#include "core/journal_chain.h"
#include "core/stock_digest.h"
#include "platform/log.h"

namespace storeagent::central {

StreamMachineOptions StreamOptionsFor(const CentralConfig& config,
                                      std::string peer_store_id,
                                      bool require_peer_id) {
  StreamMachineOptions o;
  o.peer_store_id = std::move(peer_store_id);
  o.require_peer_id = require_peer_id;
  o.max_batch_events = config.max_batch_events;
  o.max_batch_bytes = config.max_batch_bytes;
  o.window = config.window;
  o.min_keepalive_s = config.min_keepalive_s;
  o.digest_buckets = config.digest_buckets;
  o.central_batch_events = config.central_batch_events;
  return o;
}

StreamMachine::StreamMachine(StreamMachineOptions options)
    : options_(std::move(options)) {}

std::vector<StreamAction> StreamMachine::TakeActions() {
  std::vector<StreamAction> out;
  out.swap(actions_);
  return out;
}

void StreamMachine::Send(v1::SyncResponse m) {
  if (ended_) return;
  StreamAction a;
  a.kind = StreamAction::Kind::kSend;
  a.message = std::move(m);
  Push(std::move(a));
}

void StreamMachine::End(Status status) {
  if (ended_) return;
  StreamAction a;
  a.kind = StreamAction::Kind::kEnd;
  a.status = std::move(status);
  Push(std::move(a));
  OnEnded();
}

CheckedEvents CheckEvents(v1::EventBatch& batch) {
  CheckedEvents out;
  // A 0.4 agent's entries carry their canonical bytes: what the hash covers
  // and what is stored is those bytes, and every check reads them parsed
  // here, once (docs/sync-protocol.md, "Record bytes").
  for (int i = 0; i < batch.entries_size(); ++i) {
    v1::JournalEntry& e = *batch.mutable_entries(i);
    // The path is built only for the error (adopting again fails the same
    // way: a failed adoption changes nothing).
    if (core::AdoptCanonicalRecord(e, "").ok()) continue;
    out.status = core::AdoptCanonicalRecord(
        e, "events.entries[" + std::to_string(i) + "]");
    return out;
  }
  out.checks.reserve(static_cast<size_t>(batch.entries_size()));
  for (const v1::JournalEntry& e : batch.entries()) {
    out.checks.push_back(CheckEntry(e));
  }
  return out;
}

void StreamMachine::OnEnded() {
  ended_ = true;
  for (const auto& [id, pending] : holds_) {
    StreamAction a;
    a.kind = StreamAction::Kind::kHoldDone;
    a.hold_id = id;
    Push(std::move(a));
  }
  holds_.clear();
}

void StreamMachine::OnMessage(v1::SyncRequest& m, CheckedEvents* checked) {
  if (ended_) return;
  if (phase_ == Phase::kHello) {
    if (!m.has_hello()) {
      End(FailedPrecondition("the first message must be a Hello"));
      return;
    }
    OnHello(m.hello());
    return;
  }
  switch (m.kind_case()) {
    case v1::SyncRequest::kHello:
      End(FailedPrecondition("hello: sent twice on one stream"));
      return;
    case v1::SyncRequest::kEvents:
      OnEvents(*m.mutable_events(), checked);
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
  End(InvalidArgument("message: no kind set"));
}

// ------------------------------------------------------------ Hello

void StreamMachine::OnHelloTimeout(uint32_t timeout_s) {
  if (ended_ || phase_ != Phase::kHello) return;
  End(Status(StatusCode::kDeadlineExceeded,
             "hello: none within " + std::to_string(timeout_s) +
                 " s of the stream's start (sync.hello_timeout_s)"));
}

void StreamMachine::OnHello(const v1::Hello& h) {
  Status valid = CheckStoreId(h.store_id(), "hello.store_id");
  if (!valid.ok()) {
    End(valid);
    return;
  }
  if (options_.require_peer_id && options_.peer_store_id.empty()) {
    End(PermissionDenied("the client certificate names no store (URI SAN " +
                         std::string(kStoreUriPrefix) +
                         "<id> or CN; an admin certificate never syncs)"));
    return;
  }
  if (!options_.peer_store_id.empty() &&
      h.store_id() != options_.peer_store_id) {
    Log(LogLevel::kWarn, "sync.hello_refused",
        {{"hello_store", h.store_id()},
         {"cert_store", options_.peer_store_id}});
    End(PermissionDenied("hello.store_id: names store " + h.store_id() +
                         " but the client certificate is for store " +
                         options_.peer_store_id));
    return;
  }
  // Central's tables keep sequence numbers as signed 64-bit integers: a
  // larger one would be stored negative and break every comparison (a
  // lying Hello would wedge the store's flow down for good).
  for (const auto& [field, seq] :
       {std::pair<const char*, uint64_t>{"hello.journal_head_seq",
                                         h.journal_head_seq()},
        {"hello.central_seq_applied", h.central_seq_applied()}}) {
    if (seq > kMaxSyncSeq) {
      End(InvalidArgument(std::string(field) + ": " + std::to_string(seq) +
                          " is beyond the largest sequence number " +
                          std::to_string(kMaxSyncSeq)));
      return;
    }
  }
  hello_ = h;
  phase_ = Phase::kLoading;
  StreamAction a;
  a.kind = StreamAction::Kind::kLoadStore;
  a.store_id = h.store_id();
  a.agent_version = h.agent_version();
  a.public_key = h.store_public_key();
  a.seq = h.journal_head_seq();
  a.upto = h.central_seq_applied();
  Push(std::move(a));
}

void StreamMachine::OnStoreLoaded(Result<StoreFacts> facts) {
  if (ended_) return;
  if (!facts.ok()) {
    Log(LogLevel::kError, "sync.hello_failed",
        {{"store", hello_.store_id()}, {"error", facts.status().ToString()}});
    End(Unavailable("central store: " + facts.status().message()));
    return;
  }
  if (!facts->key_refused.ok()) {
    // The store's checkpoint key was refused (RegisterSigningKey): a final
    // answer, recorded on the store by the storage.
    Log(LogLevel::kError, "sync.signing_key_refused",
        {{"store", hello_.store_id()},
         {"error", facts->key_refused.message()}});
    End(facts->key_refused);
    return;
  }
  facts_ = std::move(facts).value();
  store_id_ = hello_.store_id();
  held_ = facts_.row.store_seq_held;
  // The agent lost part of its journal that central holds: re-seed it when
  // its head is one central knows.
  reseed_wanted_ = false;
  if (hello_.journal_head_seq() < held_) {
    const std::string& ours = facts_.hash_at_agent_head;
    reseed_wanted_ = !ours.empty() && ours == hello_.journal_head_hash();
    if (!reseed_wanted_) {
      Log(LogLevel::kError, "sync.head_diverged",
          {{"store", store_id_},
           {"agent_head", std::to_string(hello_.journal_head_seq())},
           {"central_held", std::to_string(held_)}});
    }
  }
  // The agent applied central events up to central_seq_applied: resume
  // the flow down after them (an ack may have been lost with the last
  // stream).
  const uint64_t applied = hello_.central_seq_applied();
  central_.Reset(applied, options_.window);
  if (applied > facts_.row.central_head_seq) {
    // Central lost events the store applied (restored from an older
    // backup): number the next ones after what the store has.
    StreamAction a;
    a.kind = StreamAction::Kind::kRaiseCentralHead;
    a.seq = applied;
    Push(std::move(a));
    return;
  }
  if (applied > facts_.row.central_seq_acked) {
    StreamAction a;
    a.kind = StreamAction::Kind::kAckCentral;
    a.seq = applied;
    a.answer = false;
    Push(std::move(a));
  }
  Register();
}

void StreamMachine::OnHeadRaised(Result<uint64_t> before) {
  if (ended_) return;
  if (!before.ok()) {
    Log(LogLevel::kError, "sync.hello_failed",
        {{"store", store_id_}, {"error", before.status().ToString()}});
    End(Unavailable("central store: " + before.status().message()));
    return;
  }
  const uint64_t applied = hello_.central_seq_applied();
  Log(LogLevel::kError, "sync.central_events_lost",
      {{"store", store_id_},
       {"agent_applied", std::to_string(applied)},
       {"central_head", std::to_string(*before)},
       {"lost", std::to_string(*before + 1) + ".." + std::to_string(applied)},
       {"action",
        "central holds fewer events than the store applied (restored "
        "from an older backup?): new events are numbered after the "
        "store's; push the lost ones again"}});
  Register();
}

void StreamMachine::Register() {
  // Registered before the Welcome is queued: once the agent has its
  // Welcome, a hold request finds the stream.
  StreamAction a;
  a.kind = StreamAction::Kind::kRegister;
  a.store_id = store_id_;
  Push(std::move(a));
}

void StreamMachine::OnRegistered(const Status& status, int64_t now_us) {
  if (ended_) return;
  if (!status.ok()) {
    End(Unavailable("central store: taking the stream's lease: " +
                    status.message()));
    return;
  }
  const StoreRow& row = facts_.row;
  v1::SyncResponse out;
  v1::Welcome* w = out.mutable_welcome();
  w->set_store_seq_held(row.store_seq_held);
  w->set_store_hash_held(row.store_seq_held == 0 ? core::GenesisHash()
                                                 : row.store_hash_held);
  w->set_central_time_us(now_us);
  v1::SyncLimits* l = w->mutable_limits();
  l->set_max_batch_events(options_.max_batch_events);
  l->set_max_batch_bytes(options_.max_batch_bytes);
  l->set_window(options_.window);
  l->set_min_keepalive_s(options_.min_keepalive_s);
  l->set_digest_buckets(options_.digest_buckets);
  w->set_central_head_seq(row.central_head_seq);
  w->set_reseed(reseed_wanted_);
  // The agent prices with it (docs/pricing.md, "At central").
  w->set_store_region(row.region);
  Send(std::move(out));
  Log(LogLevel::kInfo, "sync.hello",
      {{"store", store_id_},
       {"agent_version", hello_.agent_version()},
       {"agent_head", std::to_string(hello_.journal_head_seq())},
       {"held", std::to_string(held_)},
       {"reseed", reseed_wanted_ ? "true" : "false"}});
  if (reseed_wanted_) {
    phase_ = Phase::kReseeding;
    reseed_.Reset(hello_.journal_head_seq(), options_.window);
    SendReseed();
  } else {
    phase_ = Phase::kRunning;
    Pump();
  }
}

// ------------------------------------------------------------ re-seed

void StreamMachine::SendReseed() {
  if (ended_ || phase_ != Phase::kReseeding || reseed_read_pending_) return;
  if (reseed_.sent() < held_ && !reseed_.full()) {
    StreamAction a;
    a.kind = StreamAction::Kind::kReadReseed;
    a.seq = reseed_.sent();
    a.upto = held_;
    a.max = options_.max_batch_events;
    Push(std::move(a));
    reseed_read_pending_ = true;
    return;
  }
  if (reseed_.sent() >= held_ && !reseed_done_sent_) {
    reseed_done_sent_ = true;
    v1::SyncResponse out;
    out.mutable_reseed_done()->set_store_seq(held_);
    Send(std::move(out));
  }
}

void StreamMachine::OnReseedPage(Result<std::vector<v1::JournalEntry>> page) {
  reseed_read_pending_ = false;
  if (ended_) return;
  if (!page.ok() || page->empty()) {
    End(Unavailable(
        "central store: reading store events after " +
        std::to_string(reseed_.sent()) + ": " +
        (page.ok() ? std::string("none") : page.status().message())));
    return;
  }
  v1::SyncResponse out;
  size_t bytes = 0;
  for (v1::JournalEntry& e : *page) {
    // Within max_batch_bytes (a larger entry travels alone); the rest of
    // the page is read again for the next batch.
    bytes += e.ByteSizeLong();
    if (out.reseed().entries_size() > 0 && bytes > options_.max_batch_bytes)
      break;
    *out.mutable_reseed()->add_entries() = std::move(e);
  }
  reseed_.Sent(out.reseed().entries().rbegin()->record().seq());
  Send(std::move(out));
  SendReseed();
}

void StreamMachine::OnReseedAck(const v1::ReseedAck& a) {
  if (phase_ != Phase::kReseeding) return;  // late or duplicate: harmless
  if (!reseed_.Ack(a.store_seq())) {
    End(InvalidArgument(
        "reseed_ack.store_seq: " + std::to_string(a.store_seq()) +
        " beyond the last re-seeded " + std::to_string(reseed_.sent())));
    return;
  }
  if (reseed_.acked() >= held_) {
    Log(LogLevel::kInfo, "sync.reseeded",
        {{"store", store_id_}, {"store_seq", std::to_string(held_)}});
    phase_ = Phase::kRunning;
    Pump();
    return;
  }
  SendReseed();
}

// ------------------------------------------------------------ up

void StreamMachine::OnEvents(v1::EventBatch& b, CheckedEvents* checked) {
  if (phase_ != Phase::kRunning) {
    // The agent sends its journal only after ReseedDone; central's chain
    // is being copied down to it meanwhile.
    End(FailedPrecondition("events: sent during the re-seed (re-seeded up to " +
                           std::to_string(reseed_.acked()) + " of " +
                           std::to_string(held_) +
                           "); send events only after ReseedDone"));
    return;
  }
  if (static_cast<uint32_t>(b.entries_size()) > options_.max_batch_events) {
    End(ResourceExhausted(
        "events.entries: " + std::to_string(b.entries_size()) +
        " entries, more than sync.max_batch_events " +
        std::to_string(options_.max_batch_events)));
    return;
  }
  CheckedEvents own;
  if (checked == nullptr) {
    own = CheckEvents(b);
    checked = &own;
  }
  if (!checked->status.ok()) {
    Log(LogLevel::kError, "sync.chain_broken",
        {{"store", store_id_}, {"error", checked->status.message()}});
    End(checked->status);
    return;
  }
  // Checkpoints are verified before anything of the batch is stored: one
  // that fails ends the stream with nothing of the batch kept
  // (docs/security.md, "Signed checkpoints").
  uint64_t checkpoint_seq = 0;
  for (const v1::JournalEntry& e : b.entries()) {
    if (!e.record().has_checkpoint()) continue;
    Result<v1::CheckpointStatement> st =
        core::VerifyCheckpoint(e.record().checkpoint(), e.record().seq(),
                               e.prev_hash(), store_id_, facts_.keys);
    if (!st.ok()) {
      Log(LogLevel::kError, "sync.checkpoint_refused",
          {{"store", store_id_},
           {"seq", std::to_string(e.record().seq())},
           {"error", st.status().message()}});
      StreamAction p;
      p.kind = StreamAction::Kind::kSignatureProblem;
      p.status = st.status();
      p.checkpoint_seq = e.record().seq();
      Push(std::move(p));
      End(st.status());
      return;
    }
    checkpoint_seq = e.record().seq();
  }
  // The entries move out of the message (no copy of hundreds of sales).
  StreamAction a;
  a.kind = StreamAction::Kind::kIngest;
  a.checkpoint_seq = checkpoint_seq;
  a.seq = held_;
  a.entries.reserve(static_cast<size_t>(b.entries_size()));
  for (v1::JournalEntry& e : *b.mutable_entries()) {
    a.entries.push_back(std::move(e));
  }
  a.checks = std::move(checked->checks);
  Push(std::move(a));
}

void StreamMachine::OnIngested(Result<IngestResult> r) {
  if (ended_) return;
  if (!r.ok()) {
    const Status& s = r.status();
    if (s.code() == StatusCode::kFailedPrecondition) {
      // A gap: nothing is acked; the agent resumes from Welcome's watermark.
      Log(LogLevel::kWarn, "sync.batch_gap",
          {{"store", store_id_}, {"error", s.message()}});
      End(s);
    } else if (s.code() == StatusCode::kDataLoss) {
      Log(LogLevel::kError, "sync.chain_broken",
          {{"store", store_id_}, {"error", s.message()}});
      End(s);
    } else {
      Log(LogLevel::kError, "sync.ingest_failed",
          {{"store", store_id_}, {"error", s.ToString()}});
      End(Unavailable("central store: " + s.message()));
    }
    return;
  }
  held_ = std::max(held_, r->acked_seq);
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
}

// ------------------------------------------------------------ down

void StreamMachine::OnPumpDown() {
  if (central_read_pending_) {
    pump_again_ = true;
    return;
  }
  Pump();
}

void StreamMachine::Pump() {
  if (ended_ || phase_ != Phase::kRunning || central_read_pending_ ||
      central_.full()) {
    return;
  }
  StreamAction a;
  a.kind = StreamAction::Kind::kReadCentral;
  a.seq = central_.sent();
  a.max = options_.central_batch_events;
  Push(std::move(a));
  central_read_pending_ = true;
  pump_again_ = false;
}

void StreamMachine::OnCentralPage(Result<std::vector<v1::CentralEvent>> page) {
  central_read_pending_ = false;
  if (ended_) return;
  if (!page.ok()) {
    Log(LogLevel::kError, "sync.read_central_failed",
        {{"store", store_id_}, {"error", page.status().ToString()}});
    return;  // the next wake-up or ack reads again
  }
  if (page->empty()) {
    if (pump_again_) Pump();
    return;
  }
  v1::SyncResponse out;
  size_t bytes = 0;
  for (v1::CentralEvent& e : *page) {
    bytes += e.ByteSizeLong();  // as for re-seed batches
    if (out.central_events().events_size() > 0 &&
        bytes > options_.max_batch_bytes)
      break;
    *out.mutable_central_events()->add_events() = std::move(e);
  }
  central_.Sent(out.central_events().events().rbegin()->central_seq());
  Send(std::move(out));
  Pump();
}

void StreamMachine::OnCentralAck(const v1::CentralAck& a) {
  if (phase_ != Phase::kRunning || a.central_seq() > central_.sent()) {
    End(InvalidArgument(
        "central_ack.central_seq: " + std::to_string(a.central_seq()) +
        " beyond the last sent " + std::to_string(central_.sent())));
    return;
  }
  if (a.central_seq() > central_.acked()) {
    ack_pending_ = a.central_seq();
    StreamAction r;
    r.kind = StreamAction::Kind::kAckCentral;
    r.seq = a.central_seq();
    r.answer = true;
    Push(std::move(r));
    return;
  }
  Pump();
}

void StreamMachine::OnCentralAckRecorded(const Status& s) {
  if (ended_) return;
  if (!s.ok()) {
    Log(LogLevel::kWarn, "sync.central_ack_refused",
        {{"store", store_id_}, {"error", s.ToString()}});
    End(s.code() == StatusCode::kFailedPrecondition
            ? s
            : Unavailable("central store: " + s.message()));
    return;
  }
  central_.Ack(ack_pending_);
  Pump();
}

// ------------------------------------------------------------ holds

uint64_t StreamMachine::RequestHold(const v1::HoldPlaced& hold,
                                    int64_t timeout_us) {
  if (ended_ || phase_ != Phase::kRunning) return 0;
  const uint64_t id = ++next_hold_id_;
  holds_[id] = true;
  StreamAction t;
  t.kind = StreamAction::Kind::kStartHoldTimer;
  t.hold_id = id;
  t.timeout_us = timeout_us;
  Push(std::move(t));
  v1::SyncResponse out;
  out.mutable_hold_request()->set_request_id(id);
  *out.mutable_hold_request()->mutable_hold() = hold;
  Send(std::move(out));
  return id;
}

void StreamMachine::OnHoldTimeout(uint64_t hold_id) {
  if (holds_.erase(hold_id) == 0) return;
  Log(LogLevel::kWarn, "sync.hold_timeout",
      {{"store", store_id_}, {"request_id", std::to_string(hold_id)}});
  StreamAction a;
  a.kind = StreamAction::Kind::kHoldDone;
  a.hold_id = hold_id;
  Push(std::move(a));
}

void StreamMachine::OnHoldAnswer(const v1::HoldAnswer& answer) {
  if (holds_.erase(answer.request_id()) == 0) {
    Log(LogLevel::kInfo, "sync.hold_answer_late",
        {{"store", store_id_},
         {"request_id", std::to_string(answer.request_id())},
         {"order_ref", answer.order_ref()},
         {"granted", answer.granted() ? "true" : "false"}});
    return;
  }
  StreamAction a;
  a.kind = StreamAction::Kind::kHoldDone;
  a.hold_id = answer.request_id();
  a.hold_answer = answer;
  Push(std::move(a));
}

// ------------------------------------------------------------ digests

void StreamMachine::OnDigest(const v1::StockDigest& d) {
  const auto n = static_cast<uint32_t>(d.buckets_size());
  if (n == 0 || n > core::kMaxDigestBuckets) {
    End(InvalidArgument("digest.buckets: 1.." +
                        std::to_string(core::kMaxDigestBuckets) +
                        " buckets, got " + std::to_string(n)));
    return;
  }
  digest_buckets_ = n;
  StreamAction a;
  a.kind = StreamAction::Kind::kCheckDigest;
  a.digest = d;
  Push(std::move(a));
}

void StreamMachine::OnDigestChecked(Result<v1::DigestResult> result) {
  if (ended_) return;
  if (!result.ok()) {
    End(result.status());
    return;
  }
  v1::SyncResponse out;
  *out.mutable_digest_result() = *result;
  Send(std::move(out));
  if (!result->deferred() && !result->match() &&
      result->mismatched_buckets_size() > 0) {
    v1::SyncResponse drill;
    for (uint32_t b : result->mismatched_buckets()) {
      drill.mutable_drill_down()->add_buckets(b);
    }
    Send(std::move(drill));
  }
}

void StreamMachine::OnDrillDownAnswer(const v1::DrillDownAnswer& a) {
  if (a.store_seq() > held_) {
    Log(LogLevel::kInfo, "sync.drill_down_deferred",
        {{"store", store_id_},
         {"store_seq", std::to_string(a.store_seq())},
         {"held", std::to_string(held_)}});
    return;
  }
  StreamAction c;
  c.kind = StreamAction::Kind::kCheckDrillDown;
  c.drill_down = a;
  c.buckets = digest_buckets_ != 0 ? digest_buckets_ : options_.digest_buckets;
  Push(std::move(c));
}

}  // namespace storeagent::central
