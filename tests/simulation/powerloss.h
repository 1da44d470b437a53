// The power-loss sweep (issue #12, step 5): does an event the till was told
// was recorded survive the power going at any moment?
//
// A scripted workload (sales of 1 to 200 lines, each appended through the
// agent's writer with its stock effects, as the POS API records them) runs
// on the fault VFS with crash tracking (tests/support/fault_vfs.h). A dry
// run counts the workload's syncs, S. Then for every crash point N in
// 1..S, and once more at the end of the workload (the power goes after the
// last acknowledgement), a fresh database runs the workload until the
// power goes at sync N: the writes not yet synced are written, dropped or
// torn (seeded), the process is dead to its files, its connections close.
// The database is reopened as the agent opens it, and checked:
//  * the agent opens it (no corruption stops it);
//  * every acknowledged event is there, at its seq, with its client key
//    and hash (a missing or different one counts as a lost ack);
//  * the journal chain verifies (VerifyJournal) and PRAGMA integrity_check
//    says ok.
// The same sweep is the test of itself: with the writer at
// synchronous=NORMAL, or with the sync before each crash point skipped
// (the disk lied), it must lose acknowledged events.
#ifndef STOREAGENT_TESTS_SIMULATION_POWERLOSS_H_
#define STOREAGENT_TESTS_SIMULATION_POWERLOSS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace storeagent::sim {

struct PowerlossOptions {
  // Seeds the fate of each unsynced write at each crash point.
  uint64_t seed = 1;
  // Events in the workload: enough (at the default) that the WAL passes
  // SQLite's automatic checkpoint, so the database file's own syncs are
  // crash points too.
  int events = 160;
  // The writer at synchronous=NORMAL (the sweep must see the loss).
  bool synchronous_normal = false;
  // The sync before each crash point answers OK and makes nothing durable
  // (the sweep must see the loss).
  bool skip_sync_before_crash = false;
  // Every how many crash points one is run (1: all of them); the end of
  // the workload always is.
  int stride = 1;
};

struct PowerlossFigures {
  uint64_t crash_points = 0;
  // Syncs of the database file itself (checkpoints) in the workload: crash
  // points when every point is run (stride 1).
  uint64_t database_crash_points = 0;
  // Acknowledged events missing or changed after a crash, over all points.
  uint64_t lost_acks = 0;
  // Crash points after which the agent could not open its database, or
  // the chain or SQLite's integrity check failed.
  uint64_t unrecoverable = 0;
  uint64_t acks = 0;  // acknowledgements given, over all points
  // Unsynced writes at the crashes: written whole, dropped, torn.
  uint64_t writes_kept = 0;
  uint64_t writes_dropped = 0;
  uint64_t writes_torn = 0;
  // The first few failures, each naming the crash point and what is wrong.
  std::vector<std::string> failures;
  // The workload did not run as scripted (a harness fault, not a loss).
  std::string harness_error;
};

// Runs the sweep, one fresh directory under $TMPDIR per crash point
// (removed after). REQUIRES: nothing else uses the fault VFS meanwhile.
PowerlossFigures RunPowerlossSweep(const PowerlossOptions& options);

}  // namespace storeagent::sim

#endif  // STOREAGENT_TESTS_SIMULATION_POWERLOSS_H_
