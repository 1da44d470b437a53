// SessionStorage: carries out SessionMachine's storage actions on the
// agent's database (storage/sync_store.h), and feeds each result back.
//
// The machine decides; this only reads and writes: the Hello's snapshot,
// the outbox, a hash at a seq, the resume mark (which also opens the POS
// gate), the ack watermark, a central batch and a re-seed batch (each in
// one writer transaction), a digest and a drill-down. kSend, kPlaceHold
// and kEnd are the transport's: Run() hands them to its Transport.
//
// Used by SyncClient's session (over gRPC) and by the deterministic
// simulator; both run it on one thread, the one driving the machine.
#ifndef STOREAGENT_AGENT_SYNC_SESSION_STORAGE_H_
#define STOREAGENT_AGENT_SYNC_SESSION_STORAGE_H_

#include <functional>

#include "agent/sync/session_machine.h"
#include "agent/sync/sync_gate.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storage/escrow_keeper.h"
#include "storeagent/v1/pos.pb.h"

namespace storeagent::agent {

struct SessionStorageOptions {
  // Entries sent up carry their record parsed as well as their bytes
  // (sync.send_parsed_records).
  bool send_parsed_records = true;
  // kRecordAck is submitted to the writer without waiting (the stream
  // goes on meanwhile; the daemon). The simulator waits, so a run's
  // storage is the same at every step whatever the threads do.
  bool wait_for_acks = false;
  // Wall time for central events applied (their applied_at).
  std::function<int64_t()> now_us;
  // Called after a central batch that carried a price list or promotion
  // committed (the in-memory price book reads the stored one again).
  std::function<void()> on_price_book_changed;
};

// The answer to central's hold request `r` from what StockOps said.
v1::HoldAnswer HoldAnswerOf(const v1::HoldRequest& r,
                            const Result<v1::PlaceHoldResponse>& rep);

class SessionStorage {
 public:
  // What the transport does with the actions that are not storage.
  struct Transport {
    std::function<void(v1::SyncRequest)> send;
    std::function<void(v1::HoldRequest)> place_hold;
    std::function<void(const Status&, bool fatal)> end;
  };

  // REQUIRES: `db` outlives this; `gate`, `keeper` may be null.
  SessionStorage(storage::AgentDatabase& db, SyncGate* gate,
                 storage::EscrowKeeper* keeper, SessionStorageOptions options);

  // The Hello's facts, in one read snapshot.
  Result<HelloState> ReadHello();
  // Carries out every action `machine` has decided, feeding results back,
  // until it decides nothing more.
  void Run(SessionMachine& machine, const Transport& transport);

 private:
  void Execute(SessionAction& a, SessionMachine& machine,
               const Transport& transport);

  storage::AgentDatabase& db_;
  SyncGate* gate_;
  storage::EscrowKeeper* keeper_;
  SessionStorageOptions options_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_SESSION_STORAGE_H_
