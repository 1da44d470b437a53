#include "agent/sync/session_machine.h"

#include <algorithm>
#include <climits>
#include <utility>

#include "core/stock_digest.h"
#include "platform/log.h"

namespace storeagent::agent {
namespace {

uint32_t Smaller(uint32_t mine, uint32_t central) {
  return central != 0 && central < mine ? central : mine;
}

}  // namespace

SessionMachine::SessionMachine(SessionMachineOptions options)
    : options_(std::move(options)),
      max_events_(options_.max_batch_events),
      max_bytes_(options_.max_batch_bytes),
      buckets_(core::kDefaultDigestBuckets) {}

std::vector<SessionAction> SessionMachine::TakeActions() {
  std::vector<SessionAction> out;
  out.swap(actions_);
  return out;
}

void SessionMachine::Send(v1::SyncRequest m) {
  SessionAction a;
  a.kind = SessionAction::Kind::kSend;
  a.message = std::move(m);
  actions_.push_back(std::move(a));
}

void SessionMachine::End(Status status, bool fatal) {
  if (ended_) return;
  ended_ = true;
  SessionAction a;
  a.kind = SessionAction::Kind::kEnd;
  a.status = std::move(status);
  a.fatal = fatal;
  actions_.push_back(std::move(a));
}

void SessionMachine::Start(const HelloState& hello, int64_t now_us) {
  now_us_ = last_message_us_ = now_us;
  head_ = hello.head_seq;
  acked_ = hello.central_acked_seq;
  v1::SyncRequest m;
  v1::Hello* h = m.mutable_hello();
  h->set_store_id(options_.store_id);
  h->set_agent_version(options_.agent_version);
  h->set_schema_version(hello.schema_version);
  h->set_journal_head_seq(hello.head_seq);
  h->set_journal_head_hash(hello.head_hash);
  h->set_central_seq_applied(hello.central_seq_applied);
  h->set_store_public_key(options_.store_public_key);
  Send(std::move(m));
}

void SessionMachine::OnMessage(v1::SyncResponse m, int64_t now_us) {
  if (ended_) return;
  now_us_ = now_us;
  last_message_us_ = now_us;
  if (phase_ == Phase::kHello && !m.has_welcome()) {
    End(Unavailable("protocol: central sent another message before Welcome"));
    return;
  }
  switch (m.kind_case()) {
    case v1::SyncResponse::kWelcome:
      OnWelcome(m.welcome());
      return;
    case v1::SyncResponse::kAck:
      OnAck(m.ack());
      return;
    case v1::SyncResponse::kCentralEvents: {
      // Central sends its events only once the re-seed is over (it pumps
      // them after the last ReseedAck, behind ReseedDone): applied during
      // a re-seed they would move the watermark, and an escrow hold would
      // take a journal seq central is about to re-seed.
      if (phase_ != Phase::kRunning) {
        End(
            Unavailable("protocol: central sent a CentralBatch during the "
                        "re-seed (before ReseedDone); nothing applied"));
        return;
      }
      SessionAction a;
      a.kind = SessionAction::Kind::kApplyCentral;
      a.central_batch = std::move(*m.mutable_central_events());
      actions_.push_back(std::move(a));
      return;
    }
    case v1::SyncResponse::kHoldRequest: {
      if (phase_ != Phase::kRunning) {
        End(
            Unavailable("protocol: central sent a HoldRequest during the "
                        "re-seed (before ReseedDone)"));
        return;
      }
      SessionAction a;
      a.kind = SessionAction::Kind::kPlaceHold;
      a.hold_request = std::move(*m.mutable_hold_request());
      actions_.push_back(std::move(a));
      return;
    }
    case v1::SyncResponse::kDigestResult:
      // Deferred: central had not caught up; send again once caught up.
      if (m.digest_result().deferred()) backlog_ = true;
      return;
    case v1::SyncResponse::kDrillDown: {
      SessionAction a;
      a.kind = SessionAction::Kind::kReadDrillDown;
      a.buckets = buckets_;
      a.asked.assign(m.drill_down().buckets().begin(),
                     m.drill_down().buckets().end());
      actions_.push_back(std::move(a));
      return;
    }
    case v1::SyncResponse::kReseed: {
      if (phase_ != Phase::kReseeding) {
        End(Unavailable("protocol: ReseedBatch without Welcome.reseed"));
        return;
      }
      SessionAction a;
      a.kind = SessionAction::Kind::kApplyReseed;
      a.reseed_batch = std::move(*m.mutable_reseed());
      actions_.push_back(std::move(a));
      return;
    }
    case v1::SyncResponse::kReseedDone:
      OnReseedDone(m.reseed_done());
      return;
    case v1::SyncResponse::KIND_NOT_SET:
      break;
  }
  End(Unavailable("protocol: central sent an empty message"));
}

void SessionMachine::OnWelcome(const v1::Welcome& w) {
  if (phase_ != Phase::kHello) {
    End(Unavailable("protocol: a second Welcome"));
    return;
  }
  max_events_ =
      Smaller(options_.max_batch_events, w.limits().max_batch_events());
  max_bytes_ = Smaller(options_.max_batch_bytes, w.limits().max_batch_bytes());
  window_.Reset(
      0, std::max<uint32_t>(1, Smaller(options_.window, w.limits().window())));
  buckets_ =
      w.limits().digest_buckets() != 0
          ? std::min(w.limits().digest_buckets(), core::kMaxDigestBuckets)
          : core::kDefaultDigestBuckets;
  held_ = w.store_seq_held();
  held_hash_ = w.store_hash_held();
  Log(LogLevel::kInfo, "sync.welcome",
      {{"store_seq_held", std::to_string(held_)},
       {"head", std::to_string(head_)},
       {"central_head_seq", std::to_string(w.central_head_seq())},
       {"reseed", w.reseed() ? "true" : "false"}});
  if (held_ > head_) {
    if (!w.reseed()) {
      End(FailedPrecondition(
              "sync: this store's journal is behind central (agent head " +
              std::to_string(head_) + ", central holds " +
              std::to_string(held_) +
              ") and central offered no re-seed; sync stopped. Restore the "
              "database or have central re-seed this store"),
          /*fatal=*/true);
      return;
    }
    phase_ = Phase::kReseeding;
    return;
  }
  Resume();
}

// Resumes after central's watermark held_ (its hash must be ours).
void SessionMachine::Resume() {
  if (held_ > 0 && held_hash_.empty()) {
    // Without the hash, nothing shows that central holds this store's
    // entries up to held_; taking the watermark would mark them
    // acknowledged (and prunable).
    End(
        Unavailable("protocol: Welcome.store_hash_held is empty but central "
                    "claims to hold store seq " +
                    std::to_string(held_) + "; watermark not taken"));
    return;
  }
  phase_ = Phase::kResuming;
  SessionAction a;
  if (held_ > 0) {
    a.kind = SessionAction::Kind::kReadHashAt;
    a.seq = held_;
  } else {
    a.kind = SessionAction::Kind::kMarkResumed;
    a.seq = 0;
  }
  actions_.push_back(std::move(a));
}

void SessionMachine::OnHashRead(Result<std::optional<std::string>> hash) {
  if (ended_) return;
  if (!hash.ok()) {
    End(hash.status());
    return;
  }
  if (hash->has_value() && **hash != held_hash_) {
    End(DataLoss("sync: central's hash of seq " + std::to_string(held_) +
                 " differs from this store's: the journals forked; sync "
                 "stopped"),
        /*fatal=*/true);
    return;
  }
  SessionAction a;
  a.kind = SessionAction::Kind::kMarkResumed;
  a.seq = held_;
  actions_.push_back(std::move(a));
}

void SessionMachine::OnResumeMarked(const Status& status) {
  if (ended_) return;
  if (!status.ok()) {
    End(status);
    return;
  }
  acked_ = std::max(acked_, held_);
  window_.Reset(held_, window_.limit());
  dry_ = 0;
  backlog_ = true;
  // The first caught-up digest may go at once; the periodic one is due an
  // interval later.
  last_digest_us_ = now_us_ - options_.digest_min_gap_us;
  phase_ = Phase::kRunning;
  Pump();
}

void SessionMachine::Pump() {
  if (ended_ || phase_ != Phase::kRunning) return;
  if (!outbox_pending_ && !window_.full() &&
      head_ > std::max(window_.sent(), dry_)) {
    SessionAction a;
    a.kind = SessionAction::Kind::kReadOutbox;
    a.seq = window_.sent();
    a.max_events = max_events_;
    a.max_bytes = max_bytes_;
    actions_.push_back(std::move(a));
    outbox_pending_ = true;
  }
  if (digest_pending_) return;
  const int64_t since = now_us_ - last_digest_us_;
  const bool periodic = since >= options_.digest_interval_us;
  const bool caught_up = backlog_ && window_.empty() && !outbox_pending_ &&
                         acked_ >= head_ && since >= options_.digest_min_gap_us;
  if (!periodic && !caught_up) return;
  SessionAction a;
  a.kind = SessionAction::Kind::kReadDigest;
  a.buckets = buckets_;
  actions_.push_back(std::move(a));
  digest_pending_ = true;
  digest_asked_us_ = now_us_;
}

void SessionMachine::OnOutboxRead(
    Result<std::vector<v1::JournalEntry>> entries) {
  outbox_pending_ = false;
  if (ended_) return;
  if (!entries.ok()) {
    End(entries.status());
    return;
  }
  const uint64_t after = window_.sent();
  if (entries->empty()) {
    dry_ = head_;
    return;
  }
  if (entries->front().record().seq() != after + 1) {
    End(DataLoss("sync: central needs store events from seq " +
                 std::to_string(after + 1) + " but the journal starts at " +
                 std::to_string(entries->front().record().seq()) +
                 " (pruned?)"),
        /*fatal=*/true);
    return;
  }
  v1::SyncRequest m;
  for (v1::JournalEntry& e : *entries) {
    *m.mutable_events()->add_entries() = std::move(e);
  }
  const int n = m.events().entries_size();
  const uint64_t last = m.events().entries(n - 1).record().seq();
  head_ = std::max(head_, last);
  window_.Sent(last);
  backlog_ = true;
  counters_.events_sent += static_cast<uint64_t>(n);
  Send(std::move(m));
  Pump();
}

void SessionMachine::OnAck(const v1::BatchAck& a) {
  const uint64_t acked = a.acked_seq();
  if (phase_ != Phase::kRunning || !window_.Ack(acked)) {
    End(Unavailable("protocol: ack of seq " + std::to_string(acked) +
                    " beyond the last sent " + std::to_string(window_.sent())));
    return;
  }
  for (const v1::Quarantined& q : a.quarantined()) {
    Log(LogLevel::kWarn, "sync.quarantined",
        {{"seq", std::to_string(q.seq())}, {"reason", q.reason()}});
  }
  if (acked > acked_) {
    SessionAction r;
    r.kind = SessionAction::Kind::kRecordAck;
    r.seq = acked;
    actions_.push_back(std::move(r));
    acked_ = acked;
  }
  Pump();
}

void SessionMachine::OnCentralApplied(Result<CentralBatchApplied> applied) {
  if (ended_) return;
  if (!applied.ok()) {
    End(Status(applied.status().code(),
               "applying central events: " + applied.status().message()));
    return;
  }
  counters_.central_events_applied +=
      static_cast<uint64_t>(std::max(applied->applied, 0));
  v1::SyncRequest m;
  m.mutable_central_ack()->set_central_seq(applied->watermark);
  Send(std::move(m));
}

void SessionMachine::OnReseedApplied(Result<uint64_t> head) {
  if (ended_) return;
  if (!head.ok()) {
    End(Status(head.status().code(), "re-seed: " + head.status().message()),
        /*fatal=*/true);
    return;
  }
  head_ = *head;
  Log(LogLevel::kInfo, "sync.reseed", {{"head", std::to_string(*head)}});
  v1::SyncRequest m;
  m.mutable_reseed_ack()->set_store_seq(*head);
  Send(std::move(m));
}

void SessionMachine::OnReseedDone(const v1::ReseedDone& d) {
  if (phase_ != Phase::kReseeding) {
    End(Unavailable("protocol: ReseedDone without Welcome.reseed"));
    return;
  }
  if (head_ < held_ || d.store_seq() < held_) {
    End(Unavailable("re-seed ended at seq " + std::to_string(head_) +
                    " but central holds " + std::to_string(held_)));
    return;
  }
  Resume();
}

void SessionMachine::OnDigestRead(Result<v1::StockDigest> digest) {
  digest_pending_ = false;
  if (ended_) return;
  if (!digest.ok()) {
    End(digest.status());
    return;
  }
  v1::SyncRequest m;
  *m.mutable_digest() = std::move(digest).value();
  last_digest_us_ = digest_asked_us_;
  backlog_ = false;
  Send(std::move(m));
}

void SessionMachine::OnDrillDownRead(Result<v1::DrillDownAnswer> answer) {
  if (ended_) return;
  if (!answer.ok()) {
    End(answer.status());
    return;
  }
  v1::SyncRequest m;
  *m.mutable_drill_down_answer() = std::move(answer).value();
  Send(std::move(m));
}

void SessionMachine::OnHoldAnswered(v1::HoldAnswer answer) {
  if (ended_) return;
  v1::SyncRequest m;
  *m.mutable_hold_answer() = std::move(answer);
  Send(std::move(m));
}

bool SessionMachine::Waiting() const {
  return phase_ != Phase::kRunning || !window_.empty();
}

void SessionMachine::OnTick(uint64_t journal_head, int64_t now_us) {
  if (ended_) return;
  now_us_ = std::max(now_us_, now_us);
  head_ = std::max(head_, journal_head);
  // An empty read is tried again at the next tick: the journal's head is
  // published before its commit is visible to a reader.
  dry_ = 0;
  if (Waiting() && now_us_ - last_message_us_ > options_.stall_timeout_us) {
    stalled_ = true;
    End(Unavailable("stalled: no message from central for " +
                    std::to_string(static_cast<uint64_t>(
                        options_.stall_timeout_us / 1'000'000)) +
                    " s with " + std::to_string(window_.size()) +
                    " batch(es) unacknowledged; cancelling the stream"));
    return;
  }
  Pump();
}

int64_t SessionMachine::NextDeadline() const {
  if (ended_) return INT64_MAX;
  int64_t next = INT64_MAX;
  if (Waiting()) next = last_message_us_ + options_.stall_timeout_us + 1;
  if (phase_ == Phase::kRunning && !digest_pending_) {
    next = std::min(next, last_digest_us_ + options_.digest_interval_us);
    if (backlog_ && window_.empty() && acked_ >= head_) {
      next = std::min(next, last_digest_us_ + options_.digest_min_gap_us);
    }
  }
  return next;
}

}  // namespace storeagent::agent
