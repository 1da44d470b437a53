// FaultVfs: a SQLite VFS shim for tests and benchmarks that wraps the default
// VFS and can slow every fsync down, report a full disk, fail the Nth write
// or sync, and lose power.
//
// Register once per process with RegisterFaultVfs(); open a database with
// ConnectionOptions::vfs = kFaultVfsName. The knobs are process-wide and
// may be flipped at any time from any thread.
//
// Power loss, in the spirit of SQLite's crash test (src/test6.c): with
// `crash_tracking` on, a write to a database, WAL or rollback-journal file
// is kept aside in memory (reads see it) until that file's next xSync,
// which writes it to the real file: the real file holds exactly what a
// disk that lost power would hold. At the sync numbered `crash_at_sync`, or
// at CrashNow(), the power goes: every write still kept aside, of every
// file, is written whole, dropped or torn (a prefix of its 512-byte
// sectors written, the rest dropped), each chosen by a PRNG seeded with
// `crash_seed`, so unsynced writes reach the disk in any subset and order.
// From then on the process is dead to its files: every write, sync, read,
// truncate, open and delete fails with an I/O error, so nothing after the
// crash can be acknowledged. The test then closes every connection, calls
// ResetFaultVfs() and reopens the files (any VFS) to see what survived.
// Truncation takes effect at once (kept-aside writes past the new size are
// dropped); the shared-memory WAL index is not file data and is not kept
// aside (SQLite rebuilds it from the WAL when the last connection reopens).
#ifndef STOREAGENT_TESTS_SUPPORT_FAULT_VFS_H_
#define STOREAGENT_TESTS_SUPPORT_FAULT_VFS_H_

#include <atomic>
#include <cstdint>

namespace storeagent::testing {

inline constexpr char kFaultVfsName[] = "storeagent-fault";

struct FaultVfsKnobs {
  // Every xSync sleeps this long first (emulates a slow eMMC flush).
  std::atomic<int64_t> sync_delay_us{0};
  // While true, every xWrite and xTruncate fails with SQLITE_FULL.
  std::atomic<bool> disk_full{false};
  // The write (xWrite) numbered this (counted in `writes`, from 1) fails
  // once with SQLITE_IOERR_WRITE; 0: none.
  std::atomic<uint64_t> fail_write_at{0};
  // The sync (xSync) numbered this (counted in `syncs`, from 1) fails once
  // with SQLITE_IOERR_FSYNC and makes nothing durable; 0: none.
  std::atomic<uint64_t> fail_sync_at{0};

  // Power loss (see above). Turn on before the files are opened.
  std::atomic<bool> crash_tracking{false};
  // The sync numbered this loses power instead (it fails with
  // SQLITE_IOERR_FSYNC); 0: only CrashNow() does.
  std::atomic<uint64_t> crash_at_sync{0};
  // The sync numbered this answers OK and makes nothing durable (a disk
  // that lies, or a sync the code forgot); 0: none.
  std::atomic<uint64_t> skip_sync_at{0};
  // Seeds the PRNG that picks each kept-aside write's fate at the crash.
  std::atomic<uint64_t> crash_seed{1};

  // Counters, for tests to see that faults were actually hit.
  std::atomic<uint64_t> syncs{0};
  // Of them, syncs of a main database file (checkpoints, in WAL mode).
  std::atomic<uint64_t> database_syncs{0};
  std::atomic<uint64_t> writes{0};
  std::atomic<uint64_t> refused_writes{0};
  // At the crash: kept-aside writes written whole, dropped, torn.
  std::atomic<uint64_t> crash_kept{0};
  std::atomic<uint64_t> crash_dropped{0};
  std::atomic<uint64_t> crash_torn{0};
};

// Registers the VFS (idempotent) and returns its knobs.
FaultVfsKnobs& RegisterFaultVfs();

// Loses power now (see above). Idempotent once crashed.
void CrashNow();
// Whether the power went (crash_at_sync or CrashNow) since the last reset.
bool FaultVfsCrashed();
// Back to a working disk: forgets the crash and every kept-aside write,
// sets every knob and counter to its initial value. REQUIRES: no file is
// open through the VFS (close every connection first); aborts otherwise.
void ResetFaultVfs();

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_FAULT_VFS_H_
