// StreamMachine: central's end of one store's sync stream as a state
// machine with no I/O (issue #12 step 3; docs/sync-protocol.md, central
// side).
//
// It holds the protocol's rules: the Hello's checks and what Welcome
// says, when a re-seed runs, the windows of central batches and re-seed
// batches (core::SyncWindow), what an ingest error ends the stream with,
// hold requests and their timeouts, digest checks and drill-downs. It
// never touches gRPC, the central store or a clock. Inputs are method
// calls (a message from the agent, a wake-up for new central events, a
// hold to request, a timer that fired, the answer to an action); outputs
// are StreamActions the driver carries out:
//
//   kSend             write `message` to the agent
//   kEnd              end the stream with `status` (never OK)
//   kLoadStore        the store's row for `store_id` (created at first
//                     sight), its exchange stamped; with central's hash
//                     of the agent's head `seq` when that is below what
//                     central holds -> OnStoreLoaded
//   kRaiseCentralHead number central events after `seq` (the store
//                     applied more than central holds) -> OnHeadRaised
//   kAckCentral       record the store applied up to `seq`; answered by
//                     OnCentralAckRecorded when `answer` (a CentralAck),
//                     not for the Hello's restatement
//   kRegister         register the stream in the hub (its lease)
//                     -> OnRegistered
//   kReadReseed       store events after `seq` up to `upto`, at most `max`
//                     -> OnReseedPage
//   kIngest           commit `entries` (records adopted from their bytes,
//                     `checks` = CheckEntries of them) after `seq` held
//                     -> OnIngested
//   kReadCentral      central events after `seq`, at most `max`
//                     -> OnCentralPage
//   kCheckDigest      compare `digest` with central's replica
//                     -> OnDigestChecked
//   kCheckDrillDown   compare `drill_down` (`buckets` buckets) with the
//                     replica and record drift; no answer
//   kStartHoldTimer   call OnHoldTimeout(`hold_id`) after `timeout_us`
//   kHoldDone         hold request `hold_id` is over: `hold_answer`, or
//                     none (timeout, stream ended); its timer is moot
//
// Driver contract: each action with an answer is answered before the
// machine gets the next message (the reactor's strand runs them in order;
// the simulator likewise). After the stream ended (OnEnded) no message is
// taken and every pending hold is done.
#ifndef STOREAGENT_CENTRAL_SERVER_STREAM_MACHINE_H_
#define STOREAGENT_CENTRAL_SERVER_STREAM_MACHINE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "central/server/central_config.h"
#include "central/store/central_store.h"
#include "core/checkpoint.h"
#include "core/sync_window.h"
#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// The largest store seq or central_seq a Hello may state: central keeps
// sequence numbers in signed 64-bit columns.
inline constexpr uint64_t kMaxSyncSeq = 0x7fff'ffff'ffff'ffff;

struct StreamMachineOptions {
  // The store the client certificate names ("" with none).
  std::string peer_store_id;
  // The listener has mTLS: every stream must name a store.
  bool require_peer_id = false;
  uint32_t max_batch_events = 500;
  uint32_t max_batch_bytes = 1 << 20;
  uint32_t window = 4;
  uint32_t min_keepalive_s = 10;
  uint32_t digest_buckets = 256;
  uint32_t central_batch_events = 500;
};

// The options of a stream of this central: its configured limits, and the
// store the client certificate names.
StreamMachineOptions StreamOptionsFor(const CentralConfig& config,
                                      std::string peer_store_id,
                                      bool require_peer_id);

// kLoadStore's answer.
struct StoreFacts {
  StoreRow row;
  // Central's hash of the agent's head entry, when the agent's head is
  // below what central holds (GenesisHash at 0; "" when central has none).
  std::string hash_at_agent_head;
  // Every checkpoint key central registered for the store, by key id
  // (CentralStore::RegisterSigningKey): what its checkpoints verify with.
  core::StoreKeys keys;
  // Not OK when the key the Hello presented was refused: the stream ends
  // with it (the rest of the facts are then not loaded).
  Status key_refused;
};

struct StreamAction {
  enum class Kind {
    kSend,
    kEnd,
    kLoadStore,
    kRaiseCentralHead,
    kAckCentral,
    kRegister,
    kReadReseed,
    kIngest,
    kReadCentral,
    kCheckDigest,
    kCheckDrillDown,
    kStartHoldTimer,
    kHoldDone,
    kSignatureProblem,
  };
  Kind kind = Kind::kSend;
  v1::SyncResponse message;   // kSend
  Status status;              // kEnd
  std::string store_id;       // kLoadStore
  std::string agent_version;  // kLoadStore
  std::string public_key;     // kLoadStore: Hello.store_public_key
  // kIngest: the last checkpoint of the batch, verified (0: none);
  // kSignatureProblem: what failed (in `status`).
  uint64_t checkpoint_seq = 0;
  uint64_t seq = 0;
  // kLoadStore: the Hello's central_seq_applied.
  uint64_t upto = 0;                          // kReadReseed
  uint32_t max = 0;                           // kReadReseed, kReadCentral
  bool answer = false;                        // kAckCentral
  std::vector<v1::JournalEntry> entries;      // kIngest
  std::vector<EntryCheck> checks;             // kIngest, one per entry
  v1::StockDigest digest;                     // kCheckDigest
  v1::DrillDownAnswer drill_down;             // kCheckDrillDown
  uint32_t buckets = 0;                       // kCheckDrillDown
  uint64_t hold_id = 0;                       // kStartHoldTimer, kHoldDone
  int64_t timeout_us = 0;                     // kStartHoldTimer
  std::optional<v1::HoldAnswer> hold_answer;  // kHoldDone
};

// An EventBatch's checks that need no state: each entry's bytes adopted
// (parsed once, core::AdoptCanonicalRecord) and checked on its own
// (CheckEntries). `status` is DATA_LOSS naming the entry whose bytes do not
// parse; then `checks` is empty.
struct CheckedEvents {
  Status status;
  std::vector<EntryCheck> checks;
};

// Pure and thread-safe: a driver may run it on a message before handing
// the message to the machine, in parallel with the machine's previous
// actions (sync_stream.cc does, so a batch is checked while the one before
// it commits).
CheckedEvents CheckEvents(v1::EventBatch& batch);

class StreamMachine {
 public:
  explicit StreamMachine(StreamMachineOptions options);

  // A message from the agent. `checked`: for an events message, what
  // CheckEvents found on it, when the driver ran it already; null, the
  // machine runs it.
  void OnMessage(v1::SyncRequest& m, CheckedEvents* checked = nullptr);
  // New central events may be waiting for the store.
  void OnPumpDown();
  // Head office asks the store to place `hold`. Returns the request's id,
  // or 0 when the stream cannot carry it (not running, ended): the caller
  // answers "no answer" itself.
  uint64_t RequestHold(const v1::HoldPlaced& hold, int64_t timeout_us);
  void OnHoldTimeout(uint64_t hold_id);
  // The stream has been open `timeout_s` (sync.hello_timeout_s): still
  // without a Hello, it ends with DEADLINE_EXCEEDED.
  void OnHelloTimeout(uint32_t timeout_s);
  // The stream is over (whoever ended it): pending holds are done.
  void OnEnded();

  // Answers to actions.
  void OnStoreLoaded(Result<StoreFacts> facts);
  void OnHeadRaised(Result<uint64_t> before);
  // `now_us`: wall time, for Welcome.central_time_us.
  void OnRegistered(const Status& status, int64_t now_us);
  void OnReseedPage(Result<std::vector<v1::JournalEntry>> page);
  void OnIngested(Result<IngestResult> result);
  void OnCentralPage(Result<std::vector<v1::CentralEvent>> page);
  void OnCentralAckRecorded(const Status& status);
  // A DigestResult to send (deferred when central could not compare), or
  // the error that ends the stream.
  void OnDigestChecked(Result<v1::DigestResult> result);

  std::vector<StreamAction> TakeActions();

  bool ended() const { return ended_; }
  bool running() const { return phase_ == Phase::kRunning; }
  // The store named by the Hello ("" before).
  const std::string& store_id() const { return store_id_; }
  uint64_t held() const { return held_; }
  const core::SyncWindow& central_window() const { return central_; }

 private:
  enum class Phase { kHello, kLoading, kReseeding, kRunning };

  void OnHello(const v1::Hello& h);
  void OnEvents(v1::EventBatch& b, CheckedEvents* checked);
  void OnCentralAck(const v1::CentralAck& a);
  void OnHoldAnswer(const v1::HoldAnswer& a);
  void OnDigest(const v1::StockDigest& d);
  void OnDrillDownAnswer(const v1::DrillDownAnswer& a);
  void OnReseedAck(const v1::ReseedAck& a);
  // After the store's row (and a raised head): register, then Welcome.
  void Register();
  void SendReseed();
  void Pump();
  void Send(v1::SyncResponse m);
  void End(Status status);
  void Push(StreamAction a) { actions_.push_back(std::move(a)); }

  StreamMachineOptions options_;
  std::vector<StreamAction> actions_;
  Phase phase_ = Phase::kHello;
  bool ended_ = false;
  std::string store_id_;
  v1::Hello hello_;
  StoreFacts facts_;
  bool reseed_wanted_ = false;
  uint64_t held_ = 0;
  core::SyncWindow central_;  // central batches down
  bool central_read_pending_ = false;
  bool pump_again_ = false;
  uint64_t ack_pending_ = 0;  // a CentralAck being recorded
  core::SyncWindow reseed_;
  bool reseed_read_pending_ = false;
  bool reseed_done_sent_ = false;
  uint32_t digest_buckets_ = 0;  // of the last digest
  uint64_t next_hold_id_ = 0;
  std::map<uint64_t, bool> holds_;  // pending hold requests
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_STREAM_MACHINE_H_
