// SessionMachine: the agent's end of one sync stream as a state machine
// with no I/O (issue #12 step 3; docs/sync-protocol.md).
//
// It holds the protocol's rules and nothing else: what to send when, the
// window of unacknowledged batches, the stall and digest timers, when the
// stream must end and whether that is fatal. It never touches gRPC,
// SQLite or a clock. Its inputs are method calls (a message from central,
// time passing with the journal's head, the result of something it asked
// for); its outputs are SessionActions the driver carries out:
//
//   kSend          write `message` on the stream
//   kReadOutbox    read journal entries after `seq` (at most max_events,
//                  about max_bytes) -> OnOutboxRead
//   kReadHashAt    read this store's hash of entry `seq` -> OnHashRead
//   kMarkResumed   record `seq` acknowledged, mark the store confirmed and
//                  open the POS gate -> OnResumeMarked
//   kRecordAck     record central_acked_seq = `seq`; no answer (it only
//                  rises, and one lost in a crash is restated by Welcome)
//   kApplyCentral  apply `central_batch` with its watermark in one local
//                  transaction -> OnCentralApplied
//   kApplyReseed   write `reseed_batch` into the empty journal
//                  -> OnReseedApplied
//   kReadDigest    a stock digest of `buckets` buckets -> OnDigestRead
//   kReadDrillDown the figures of `asked` buckets -> OnDrillDownRead
//   kPlaceHold     place `hold_request`'s hold -> OnHoldAnswered, any time
//   kEnd           the session is over: `status` (never OK), `fatal` when
//                  redialling cannot help (forked or lost journal)
//
// Driver contract: each action but kPlaceHold is answered before the
// machine gets its next message (the agent's driver runs them in order on
// its one thread; the simulator does the same). Any order of answers to
// kPlaceHold is fine. After kEnd every input is ignored.
//
// Two drivers run it: SyncClient's session over gRPC (sync_client.cc) and
// the deterministic simulator (tests/simulation/), both through
// SessionStorage (session_storage.h) for the storage actions.
#ifndef STOREAGENT_AGENT_SYNC_SESSION_MACHINE_H_
#define STOREAGENT_AGENT_SYNC_SESSION_MACHINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sync_window.h"
#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::agent {

struct SessionMachineOptions {
  std::string store_id;
  std::string agent_version = "0.0.0";
  // Sent in Hello.store_public_key (raw 32 bytes; "" for none).
  std::string store_public_key;
  // This agent's limits; central's Welcome may lower each.
  uint32_t max_batch_events = 500;
  uint32_t max_batch_bytes = 1 << 20;
  uint32_t window = 4;
  int64_t digest_interval_us = 300'000'000;
  // A caught-up digest waits at least this long after the previous one.
  int64_t digest_min_gap_us = 10'000'000;
  // No message from central for this long while waiting for one ends the
  // stream (stalled).
  int64_t stall_timeout_us = 60'000'000;
};

// What the Hello states, read in one snapshot.
struct HelloState {
  uint64_t head_seq = 0;
  std::string head_hash;
  uint64_t central_seq_applied = 0;
  uint64_t central_acked_seq = 0;
  int schema_version = 0;
};

struct SessionAction {
  enum class Kind {
    kSend,
    kReadOutbox,
    kReadHashAt,
    kMarkResumed,
    kRecordAck,
    kApplyCentral,
    kApplyReseed,
    kReadDigest,
    kReadDrillDown,
    kPlaceHold,
    kEnd,
  };
  Kind kind = Kind::kSend;
  v1::SyncRequest message;         // kSend
  uint64_t seq = 0;                // kReadOutbox (after), kReadHashAt,
                                   // kMarkResumed, kRecordAck
  uint32_t max_events = 0;         // kReadOutbox
  uint32_t max_bytes = 0;          // kReadOutbox
  uint32_t buckets = 0;            // kReadDigest, kReadDrillDown
  std::vector<uint32_t> asked;     // kReadDrillDown
  v1::CentralBatch central_batch;  // kApplyCentral
  v1::ReseedBatch reseed_batch;    // kApplyReseed
  v1::HoldRequest hold_request;    // kPlaceHold
  Status status;                   // kEnd
  bool fatal = false;              // kEnd
};

// What applying a CentralBatch did (kApplyCentral's answer).
struct CentralBatchApplied {
  uint64_t watermark = 0;
  int applied = 0;
};

// Counters since the session began, for the driver's health figures.
struct SessionCounters {
  uint64_t events_sent = 0;
  uint64_t central_events_applied = 0;
};

class SessionMachine {
 public:
  explicit SessionMachine(SessionMachineOptions options);

  // The stream is open: sends the Hello. `now_us` is monotonic time (every
  // now_us below is on the same clock).
  void Start(const HelloState& hello, int64_t now_us);
  // A message from central.
  void OnMessage(v1::SyncResponse m, int64_t now_us);
  // Time passed and/or the journal grew: `journal_head` is its head seq
  // now. Checks the stall timeout, fills the window, sends a due digest.
  void OnTick(uint64_t journal_head, int64_t now_us);

  // Answers to actions.
  void OnOutboxRead(Result<std::vector<v1::JournalEntry>> entries);
  void OnHashRead(Result<std::optional<std::string>> hash);
  void OnResumeMarked(const Status& status);
  void OnCentralApplied(Result<CentralBatchApplied> applied);
  void OnReseedApplied(Result<uint64_t> head);
  void OnDigestRead(Result<v1::StockDigest> digest);
  void OnDrillDownRead(Result<v1::DrillDownAnswer> answer);
  void OnHoldAnswered(v1::HoldAnswer answer);

  // The actions decided since the last call, in order.
  std::vector<SessionAction> TakeActions();

  // When OnTick next has something to do on its own (a stall deadline, a
  // digest due); the driver ticks by then. INT64_MAX when nothing is due.
  int64_t NextDeadline() const;

  bool ended() const { return ended_; }
  bool welcomed() const { return phase_ != Phase::kHello; }
  bool running() const { return phase_ == Phase::kRunning; }
  bool stalled() const { return stalled_; }
  const SessionCounters& counters() const { return counters_; }
  // The window of journal batches up (for tests and the simulator).
  const core::SyncWindow& window() const { return window_; }
  // central_acked_seq as this session knows it.
  uint64_t acked() const { return acked_; }

 private:
  enum class Phase { kHello, kReseeding, kResuming, kRunning };

  void OnWelcome(const v1::Welcome& w);
  void OnAck(const v1::BatchAck& a);
  void OnReseedDone(const v1::ReseedDone& d);
  void Resume();
  // Asks for the next batch and a due digest, when running.
  void Pump();
  void Send(v1::SyncRequest m);
  void End(Status status, bool fatal = false);
  // Waiting for central: before Welcome, re-seeding, or batches unacked.
  bool Waiting() const;

  SessionMachineOptions options_;
  std::vector<SessionAction> actions_;
  Phase phase_ = Phase::kHello;
  bool ended_ = false;
  bool stalled_ = false;
  int64_t now_us_ = 0;
  int64_t last_message_us_ = 0;
  uint64_t head_ = 0;  // the journal's head as last told
  uint64_t held_ = 0;  // central's watermark from Welcome
  std::string held_hash_;
  uint64_t acked_ = 0;
  core::SyncWindow window_;
  // The outbox read came back empty at head `dry_`: not read again before
  // the next tick (OnTick clears it) or a higher head.
  uint64_t dry_ = 0;
  bool outbox_pending_ = false;
  bool digest_pending_ = false;
  uint32_t max_events_ = 500;
  uint32_t max_bytes_ = 1 << 20;
  uint32_t buckets_ = 0;
  bool backlog_ = false;  // something was sent since the last digest
  int64_t last_digest_us_ = 0;
  int64_t digest_asked_us_ = 0;
  SessionCounters counters_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_SESSION_MACHINE_H_
