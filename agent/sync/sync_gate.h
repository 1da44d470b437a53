// SyncGate: the empty-database gate (docs/sync-protocol.md "Empty-DB gate").
//
// A store whose disk died comes back with an empty database. If the POS
// recorded a sale before central had a chance to re-seed the journal, that
// sale would take seq 1 and fork the store's chain from central's copy. So
// when [sync] is configured, the journal is empty and the database never got
// a Welcome (meta 'sync_confirmed'), the recorder refuses POS writes with
// UNAVAILABLE until the sync client's first Welcome (and re-seed, if any)
// opens the gate. Thread-safe.
#ifndef STOREAGENT_AGENT_SYNC_SYNC_GATE_H_
#define STOREAGENT_AGENT_SYNC_SYNC_GATE_H_

#include <atomic>

#include "platform/status.h"

namespace storeagent::agent {

class SyncGate {
 public:
  explicit SyncGate(bool closed) : closed_(closed) {}

  // OK when open; UNAVAILABLE (retryable) while waiting for central.
  Status Admit() const {
    if (!closed_.load()) return Status::Ok();
    return Unavailable(
        "waiting for central to confirm this store's journal (re-seed "
        "check)");
  }
  bool closed() const { return closed_.load(); }
  void Open() { closed_.store(false); }

 private:
  std::atomic<bool> closed_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_SYNC_SYNC_GATE_H_
