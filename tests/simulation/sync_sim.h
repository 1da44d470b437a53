// The deterministic sync simulation (issue #12 step 4).
//
// One central and a few stores, each side's real protocol state machine
// (agent/sync/session_machine.h, central/server/stream_machine.h) over its
// real storage (SessionStorage on an AgentDatabase on the fault VFS;
// StreamStorage on the SQLite CentralStore, also on the fault VFS, replica
// cache and hub), joined
// by a simulated network instead of gRPC. Everything is driven by one
// seeded PRNG and one simulated clock: the same seed runs the same steps,
// delivers the same messages at the same simulated times and prints the
// same trace, bit for bit.
//
// The network carries each stream's messages in order after a random
// delay, and injects: a message lost (TCP then gives up: the connection
// breaks), a message duplicated (each is harmless or ends the stream,
// never wrong); a direction stalled for seconds (the agent's stall
// timeout); the stream cut; a store partitioned (no dial) for a while.
// The sides crash and
// restart (kill -9: what was committed stays, the stream and every
// message in flight go); a store's disk dies (central re-seeds it). The
// workload: sales recorded at the stores, deliveries pushed by central,
// hold requests from central, holds head office asks for while a store is
// unreachable (granted from the store's escrow or refused, by central's
// own decision, and now and then asked again as a client retries), digests
// (the agent's own timers, on the simulated clock).
//
// After the run the faults stop and the world heals; then, checked:
//  * each store event once at central, with the agent's seq and hash, and
//    every sale the till was told was recorded there (unless its store's
//    disk died before central held it);
//  * each central event once at its store (the store's inbox), none
//    skipped;
//  * no BatchAck above what central had committed for the store (checked
//    at every ack delivered);
//  * digests equal once healed, and no digest mismatch at any time;
//  * each hold request central sends a store ends exactly once (answer,
//    timeout or stream end);
//  * no hold beyond escrow: at every escrow grant, what central's open
//    escrow holds take of each SKU fits the escrow the store last granted,
//    computed from central's tables alone; a retried order records
//    nothing new.
#ifndef STOREAGENT_TESTS_SIMULATION_SYNC_SIM_H_
#define STOREAGENT_TESTS_SIMULATION_SYNC_SIM_H_

#include <cstdint>
#include <string>
#include <vector>

namespace storeagent::sim {

struct SyncSimOptions {
  uint64_t seed = 1;
  int stores = 2;
  // Workload and fault steps before the heal.
  int steps = 120;
  // Keep every trace line (for --trace); the trace's hash is always kept.
  bool keep_trace = false;
};

struct SyncSimResult {
  // What went wrong, each naming the check; empty when the run passed.
  std::vector<std::string> failures;
  std::vector<std::string> trace;  // with keep_trace
  uint64_t trace_hash = 0;         // FNV-1a over every trace line
  uint64_t faults_injected = 0;
  uint64_t messages_delivered = 0;
  uint64_t sales = 0;
  uint64_t central_events = 0;
  // The harness itself failed (a directory, a database that would not
  // open): not a finding about the product.
  std::string harness_error;
};

// Runs one seed in a fresh directory under $TMPDIR (removed after).
// REQUIRES: nothing else in the process uses the fault VFS meanwhile.
SyncSimResult RunSyncSim(const SyncSimOptions& options);

}  // namespace storeagent::sim

#endif  // STOREAGENT_TESTS_SIMULATION_SYNC_SIM_H_
