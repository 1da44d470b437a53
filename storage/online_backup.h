// Online backup and checking of the agent's database file, for
// `storeagentctl backup` and `storeagentctl restore`.
//
// BackupDatabase copies a live database with SQLite's online backup API from
// a read-only connection of its own, next to a running storeagentd: the
// copy is taken inside one read transaction, so it is one consistent
// snapshot (WAL: the writer goes on committing meanwhile and is never
// blocked), in steps of `pages_per_step` pages with a pause between them so
// the copy's reads do not crowd the writer's fsyncs off the disk. It writes
// DEST.tmp, fsyncs it, checks it (integrity_check and the journal chain)
// and only then renames it to DEST and fsyncs the directory: DEST is either
// a checked backup or absent/untouched.
//
// Pacing, so sales next to it keep their rate: the pause after each step
// grows with the step's time (duty_percent), each step's pages are written
// out to DEST.tmp before the pause (no large flush at the end for the
// agent's fsyncs to queue behind), and by default the copy and its checks
// run on a thread of their own at nice 19.
#ifndef STOREAGENT_STORAGE_ONLINE_BACKUP_H_
#define STOREAGENT_STORAGE_ONLINE_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "platform/clock.h"
#include "platform/status.h"

namespace storeagent::storage {

struct BackupOptions {
  // Pages copied per sqlite3_backup_step (4 KiB pages: 1 MiB).
  int pages_per_step = 256;
  // Least pause between steps, µs.
  int64_t pause_micros = 2000;
  // 1..100: the share of the copy's time spent copying. After a step that
  // took T (copy and write-out), the pause is at least T x (100 - d) / d
  // (1 s at most), so a slow, busy disk or CPU slows the copy down.
  int duty_percent = 10;
  // Time, for the pacing: `clock` measures each step (null: a step counts
  // as taking 0, so every pause is pause_micros) and `pause` waits between
  // steps (null: no pause). storeagentctl passes the real clock and
  // platform's SleepMicros; tests pass their own.
  const Clock* clock = nullptr;
  std::function<void(int64_t micros)> pause;
  // Copy and check on a thread of their own at nice 19 (false: on the
  // calling thread, at its priority).
  bool low_priority = true;
};

// What a database file holds, from CheckDatabaseFile.
struct DatabaseFacts {
  std::string store_id;
  uint64_t anchor_seq = 0;  // events up to it were pruned
  uint64_t head_seq = 0;
  uint64_t central_acked_seq = 0;
  uint64_t bytes = 0;  // the file (plus its WAL, if any)
};

struct BackupReport {
  DatabaseFacts facts;  // of the copy
  uint64_t pages = 0;
  int steps = 0;
  int64_t paused_micros = 0;  // between steps
  // The thread's priority was lowered (false when not asked or refused).
  bool ran_low_priority = false;
};

// REQUIRES: `source` is an agent database; `dest`'s directory exists.
// FAILED_PRECONDITION if DEST.tmp cannot be created; DATA_LOSS if the copy
// fails its checks (DEST is then not written).
Result<BackupReport> BackupDatabase(const std::string& source,
                                    const std::string& dest,
                                    const BackupOptions& options = {});

// Opens `path` read-only and checks it: PRAGMA integrity_check and the
// journal's hash chain from the anchor to the head. DATA_LOSS naming what
// is wrong; NOT_FOUND if there is no such file.
Result<DatabaseFacts> CheckDatabaseFile(const std::string& path);

// Reads the facts without checking (for the live database before restore).
Result<DatabaseFacts> ReadDatabaseFacts(const std::string& path);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_ONLINE_BACKUP_H_
