#include "tests/support/fault_vfs.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace storeagent::testing {
namespace {

constexpr int64_t kSectorBytes = 512;

FaultVfsKnobs g_knobs;
sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;

// A write kept aside until its file's next sync.
struct PendingWrite {
  int64_t offset;
  std::string bytes;
};

// One file's kept-aside writes, shared by every handle open on its path
// (the writer's and each reader's connection see the same unsynced bytes,
// as they would see one page cache).
struct FileState {
  std::string path;
  std::vector<PendingWrite> pending;
  int open_handles = 0;
  // Our own descriptor for writing kept-aside bytes through, opened once
  // and closed only at reset or delete: closing a descriptor of a file
  // drops every POSIX lock the process holds on it, SQLite's included.
  int fd = -1;
};

// Guards g_files, every FileState and g_crashed.
std::mutex g_mu;
std::map<std::string, std::unique_ptr<FileState>> g_files;
std::atomic<bool> g_crashed{false};

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;  // allocated right after this struct
  FileState* state;    // null: not tracked (temp files, or tracking off)
  bool main_db;        // opened as a main database file
};

FaultFile* Ff(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f); }
sqlite3_file* Real(sqlite3_file* f) { return Ff(f)->real; }

// Writes `bytes` at `offset` of the real file of `s`, outside SQLite (the
// crash may come after the last handle closed). g_mu held. Aborts on
// failure: a test whose disk cannot be written has no result to give.
void WriteThrough(FileState& s, int64_t offset, std::string_view bytes) {
  if (bytes.empty()) return;
  if (s.fd < 0) s.fd = ::open(s.path.c_str(), O_WRONLY | O_CLOEXEC);
  if (s.fd < 0) std::abort();
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(s.fd, bytes.data() + done, bytes.size() - done,
                         static_cast<off_t>(offset) + static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
}

// g_mu held.
void CloseThrough(FileState& s) {
  if (s.fd >= 0) ::close(s.fd);
  s.fd = -1;
}

// g_mu held.
void MakeDurable(FileState& s) {
  for (const PendingWrite& w : s.pending) WriteThrough(s, w.offset, w.bytes);
  s.pending.clear();
}

// g_mu held. The power goes: each kept-aside write is written whole,
// dropped or torn.
void CrashLocked() {
  if (g_crashed.load()) return;
  std::mt19937_64 rng(g_knobs.crash_seed.load());
  for (auto& [path, s] : g_files) {
    for (const PendingWrite& w : s->pending) {
      switch (rng() % 3) {
        case 0:
          g_knobs.crash_dropped.fetch_add(1);
          break;
        case 1:
          WriteThrough(*s, w.offset, w.bytes);
          g_knobs.crash_kept.fetch_add(1);
          break;
        default: {
          const int64_t sectors =
              (static_cast<int64_t>(w.bytes.size()) + kSectorBytes - 1) /
              kSectorBytes;
          const int64_t kept =
              static_cast<int64_t>(rng() % static_cast<uint64_t>(sectors)) *
              kSectorBytes;
          WriteThrough(
              *s, w.offset,
              std::string_view(w.bytes).substr(0, static_cast<size_t>(kept)));
          g_knobs.crash_torn.fetch_add(1);
          break;
        }
      }
    }
    s->pending.clear();
  }
  g_crashed = true;
}

// g_mu held. The file's size with its kept-aside writes.
int FileSizeLocked(sqlite3_file* f, sqlite3_int64* size) {
  int rc = Real(f)->pMethods->xFileSize(Real(f), size);
  if (rc != SQLITE_OK) return rc;
  for (const PendingWrite& w : Ff(f)->state->pending) {
    *size = std::max<sqlite3_int64>(
        *size, w.offset + static_cast<sqlite3_int64>(w.bytes.size()));
  }
  return SQLITE_OK;
}

int Close(sqlite3_file* f) {
  if (Ff(f)->state != nullptr) {
    std::lock_guard<std::mutex> lock(g_mu);
    --Ff(f)->state->open_handles;
  }
  return Real(f)->pMethods->xClose(Real(f));
}

int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  if (g_crashed.load()) return SQLITE_IOERR_READ;
  FileState* s = Ff(f)->state;
  if (s == nullptr) return Real(f)->pMethods->xRead(Real(f), buf, n, off);
  std::lock_guard<std::mutex> lock(g_mu);
  int rc = Real(f)->pMethods->xRead(Real(f), buf, n, off);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
  // The kept-aside writes over what the disk holds, oldest first.
  auto* out = static_cast<char*>(buf);
  for (const PendingWrite& w : s->pending) {
    const int64_t from = std::max<int64_t>(off, w.offset);
    const int64_t to = std::min<int64_t>(
        off + n, w.offset + static_cast<int64_t>(w.bytes.size()));
    if (from >= to) continue;
    std::memcpy(out + (from - off), w.bytes.data() + (from - w.offset),
                static_cast<size_t>(to - from));
  }
  if (rc == SQLITE_IOERR_SHORT_READ) {
    sqlite3_int64 size = 0;
    int src = FileSizeLocked(f, &size);
    if (src != SQLITE_OK) return src;
    if (off + n <= size) rc = SQLITE_OK;
  }
  return rc;
}

int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (g_crashed.load()) return SQLITE_IOERR_WRITE;
  if (g_knobs.disk_full.load()) {
    g_knobs.refused_writes.fetch_add(1);
    return SQLITE_FULL;
  }
  const uint64_t number = g_knobs.writes.fetch_add(1) + 1;
  if (number == g_knobs.fail_write_at.load()) {
    g_knobs.refused_writes.fetch_add(1);
    return SQLITE_IOERR_WRITE;
  }
  FileState* s = Ff(f)->state;
  if (s == nullptr) return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_crashed.load()) return SQLITE_IOERR_WRITE;
  s->pending.push_back({off, std::string(static_cast<const char*>(buf),
                                         static_cast<size_t>(n))});
  return SQLITE_OK;
}

int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (g_crashed.load()) return SQLITE_IOERR_TRUNCATE;
  if (g_knobs.disk_full.load()) {
    g_knobs.refused_writes.fetch_add(1);
    return SQLITE_FULL;
  }
  FileState* s = Ff(f)->state;
  if (s == nullptr) return Real(f)->pMethods->xTruncate(Real(f), size);
  std::lock_guard<std::mutex> lock(g_mu);
  // At once: kept-aside bytes past the new end go with it.
  std::vector<PendingWrite> kept;
  for (PendingWrite& w : s->pending) {
    if (w.offset >= size) continue;
    if (w.offset + static_cast<int64_t>(w.bytes.size()) > size) {
      w.bytes.resize(static_cast<size_t>(size - w.offset));
    }
    kept.push_back(std::move(w));
  }
  s->pending = std::move(kept);
  return Real(f)->pMethods->xTruncate(Real(f), size);
}

int Sync(sqlite3_file* f, int flags) {
  if (g_crashed.load()) return SQLITE_IOERR_FSYNC;
  const uint64_t number = g_knobs.syncs.fetch_add(1) + 1;
  if (Ff(f)->main_db) g_knobs.database_syncs.fetch_add(1);
  int64_t delay = g_knobs.sync_delay_us.load();
  if (delay > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay));
  if (number == g_knobs.fail_sync_at.load()) return SQLITE_IOERR_FSYNC;
  FileState* s = Ff(f)->state;
  if (number == g_knobs.crash_at_sync.load()) {
    std::lock_guard<std::mutex> lock(g_mu);
    CrashLocked();
    return SQLITE_IOERR_FSYNC;
  }
  if (number == g_knobs.skip_sync_at.load()) return SQLITE_OK;
  if (s == nullptr) return Real(f)->pMethods->xSync(Real(f), flags);
  // The real file is the simulated disk: what is written to it survives
  // the simulated power loss, so it needs no real fsync.
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_crashed.load()) return SQLITE_IOERR_FSYNC;
  MakeDurable(*s);
  return SQLITE_OK;
}

int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  if (g_crashed.load()) return SQLITE_IOERR_FSTAT;
  if (Ff(f)->state == nullptr) {
    return Real(f)->pMethods->xFileSize(Real(f), size);
  }
  std::lock_guard<std::mutex> lock(g_mu);
  return FileSizeLocked(f, size);
}
int Lock(sqlite3_file* f, int l) {
  return Real(f)->pMethods->xLock(Real(f), l);
}
int Unlock(sqlite3_file* f, int l) {
  return Real(f)->pMethods->xUnlock(Real(f), l);
}
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) {
  return Real(f)->pMethods->xSectorSize(Real(f));
}
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int pg, int sz, int extend, void volatile** pp) {
  return Real(f)->pMethods->xShmMap(Real(f), pg, sz, extend, pp);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) {
  return Real(f)->pMethods->xShmUnmap(Real(f), del);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** pp) {
  // A memory map would show the disk without the kept-aside writes: a
  // tracked file is read through xRead only.
  if (Ff(f)->state != nullptr) {
    *pp = nullptr;
    return SQLITE_OK;
  }
  return Real(f)->pMethods->xFetch(Real(f), off, amt, pp);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  if (Ff(f)->state != nullptr) return SQLITE_OK;
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

constexpr int kTrackedKinds =
    SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL;

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags,
         int* out_flags) {
  auto* ff = reinterpret_cast<FaultFile*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  ff->state = nullptr;
  ff->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  f->pMethods = nullptr;
  if (g_crashed.load()) return SQLITE_CANTOPEN;
  int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set, so set it only on success.
  if (rc != SQLITE_OK || ff->real->pMethods == nullptr) return rc;
  f->pMethods = &kMethods;
  if (g_knobs.crash_tracking.load() && name != nullptr &&
      (flags & kTrackedKinds) != 0) {
    std::lock_guard<std::mutex> lock(g_mu);
    std::unique_ptr<FileState>& s = g_files[name];
    if (s == nullptr) {
      s = std::make_unique<FileState>();
      s->path = name;
    }
    ++s->open_handles;
    ff->state = s.get();
  }
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (g_crashed.load()) return SQLITE_IOERR_DELETE;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = g_files.find(name);
    if (it != g_files.end()) {
      it->second->pending.clear();
      CloseThrough(*it->second);
    }
  }
  return g_real->xDelete(g_real, name, sync_dir);
}

}  // namespace

FaultVfsKnobs& RegisterFaultVfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    g_vfs = *g_real;
    g_vfs.zName = kFaultVfsName;
    g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
    g_vfs.xOpen = Open;
    g_vfs.xDelete = Delete;
    g_vfs.pNext = nullptr;
    sqlite3_vfs_register(&g_vfs, 0);
  });
  return g_knobs;
}

void CrashNow() {
  std::lock_guard<std::mutex> lock(g_mu);
  CrashLocked();
}

bool FaultVfsCrashed() { return g_crashed.load(); }

void ResetFaultVfs() {
  std::lock_guard<std::mutex> lock(g_mu);
  for (const auto& [path, s] : g_files) {
    if (s->open_handles != 0) std::abort();  // REQUIRES: nothing open
  }
  for (auto& [path, s] : g_files) CloseThrough(*s);
  g_files.clear();
  g_crashed = false;
  g_knobs.sync_delay_us = 0;
  g_knobs.disk_full = false;
  g_knobs.fail_write_at = 0;
  g_knobs.fail_sync_at = 0;
  g_knobs.crash_tracking = false;
  g_knobs.crash_at_sync = 0;
  g_knobs.skip_sync_at = 0;
  g_knobs.crash_seed = 1;
  g_knobs.syncs = 0;
  g_knobs.database_syncs = 0;
  g_knobs.writes = 0;
  g_knobs.refused_writes = 0;
  g_knobs.crash_kept = 0;
  g_knobs.crash_dropped = 0;
  g_knobs.crash_torn = 0;
}

}  // namespace storeagent::testing
