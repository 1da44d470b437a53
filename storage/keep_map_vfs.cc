#include "storage/keep_map_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <mutex>

namespace storeagent::storage {
namespace {

sqlite3_vfs* g_base = nullptr;  // the default VFS, set once
sqlite3_vfs g_vfs;
std::atomic<uint64_t> g_dropped{0};
std::atomic<uint64_t> g_kept{0};

// Our file: the base VFS's file follows it in the same allocation.
struct KeepMapFile {
  sqlite3_file base;
  sqlite3_file* real;
  // The file's size when its current map began (the map is at least this
  // long); -1 when nothing is mapped.
  sqlite3_int64 mapped_from;
};

sqlite3_file* KmReal(sqlite3_file* f) {
  return reinterpret_cast<KeepMapFile*>(f)->real;
}
const sqlite3_io_methods& KmIo(sqlite3_file* f) { return *KmReal(f)->pMethods; }

int KmClose(sqlite3_file* f) { return KmIo(f).xClose(KmReal(f)); }
int KmRead(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return KmIo(f).xRead(KmReal(f), buf, n, off);
}
int KmWrite(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return KmIo(f).xWrite(KmReal(f), buf, n, off);
}
int KmTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return KmIo(f).xTruncate(KmReal(f), size);
}
int KmSync(sqlite3_file* f, int flags) {
  return KmIo(f).xSync(KmReal(f), flags);
}
int KmFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return KmIo(f).xFileSize(KmReal(f), size);
}
int KmLock(sqlite3_file* f, int level) {
  return KmIo(f).xLock(KmReal(f), level);
}
int KmUnlock(sqlite3_file* f, int level) {
  return KmIo(f).xUnlock(KmReal(f), level);
}
int KmCheckReservedLock(sqlite3_file* f, int* out) {
  return KmIo(f).xCheckReservedLock(KmReal(f), out);
}
int KmFileControl(sqlite3_file* f, int op, void* arg) {
  return KmIo(f).xFileControl(KmReal(f), op, arg);
}
int KmSectorSize(sqlite3_file* f) { return KmIo(f).xSectorSize(KmReal(f)); }
int KmDeviceCharacteristics(sqlite3_file* f) {
  return KmIo(f).xDeviceCharacteristics(KmReal(f));
}
int KmShmMap(sqlite3_file* f, int region, int size, int extend,
             void volatile** out) {
  if (KmIo(f).iVersion < 2) return SQLITE_IOERR_SHMMAP;
  return KmIo(f).xShmMap(KmReal(f), region, size, extend, out);
}
int KmShmLock(sqlite3_file* f, int offset, int n, int flags) {
  if (KmIo(f).iVersion < 2) return SQLITE_IOERR_SHMLOCK;
  return KmIo(f).xShmLock(KmReal(f), offset, n, flags);
}
void KmShmBarrier(sqlite3_file* f) {
  if (KmIo(f).iVersion >= 2) KmIo(f).xShmBarrier(KmReal(f));
}
int KmShmUnmap(sqlite3_file* f, int delete_flag) {
  if (KmIo(f).iVersion < 2) return SQLITE_OK;
  return KmIo(f).xShmUnmap(KmReal(f), delete_flag);
}

int KmFetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  *out = nullptr;
  if (KmIo(f).iVersion < 3) return SQLITE_OK;  // read() instead
  auto* k = reinterpret_cast<KeepMapFile*>(f);
  if (k->mapped_from < 0) {
    sqlite3_int64 size = 0;
    if (KmFileSize(f, &size) != SQLITE_OK) return SQLITE_OK;  // read() instead
    k->mapped_from = size;
  }
  return KmIo(f).xFetch(KmReal(f), off, n, out);
}

// `page` null: SQLite asks to drop the whole map (after another connection
// committed). Kept unless the file changed size beyond what the map covers
// well; see the header.
int KmUnfetch(sqlite3_file* f, sqlite3_int64 off, void* page) {
  if (KmIo(f).iVersion < 3) return SQLITE_OK;
  auto* k = reinterpret_cast<KeepMapFile*>(f);
  if (page == nullptr && k->mapped_from >= 0) {
    sqlite3_int64 size = 0;
    if (KmFileSize(f, &size) == SQLITE_OK && size >= k->mapped_from &&
        size - k->mapped_from <= kRemapGrowthBytes) {
      g_kept.fetch_add(1, std::memory_order_relaxed);
      return SQLITE_OK;
    }
    k->mapped_from = -1;
    g_dropped.fetch_add(1, std::memory_order_relaxed);
  }
  return KmIo(f).xUnfetch(KmReal(f), off, page);
}

const sqlite3_io_methods kMethods = {
    3,
    KmClose,
    KmRead,
    KmWrite,
    KmTruncate,
    KmSync,
    KmFileSize,
    KmLock,
    KmUnlock,
    KmCheckReservedLock,
    KmFileControl,
    KmSectorSize,
    KmDeviceCharacteristics,
    KmShmMap,
    KmShmLock,
    KmShmBarrier,
    KmShmUnmap,
    KmFetch,
    KmUnfetch,
};

int KmOpen(sqlite3_vfs* /*vfs*/, const char* name, sqlite3_file* file,
           int flags, int* out_flags) {
  auto* k = reinterpret_cast<KeepMapFile*>(file);
  k->real = reinterpret_cast<sqlite3_file*>(k + 1);
  k->mapped_from = -1;
  const int rc = g_base->xOpen(g_base, name, k->real, flags, out_flags);
  // SQLite closes a file whose methods are set, even after a failed open.
  k->base.pMethods = k->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}

}  // namespace

Status RegisterKeepMapVfs() {
  static std::once_flag once;
  static int rc = SQLITE_OK;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    if (g_base == nullptr) {
      rc = SQLITE_ERROR;
      return;
    }
    // Every other method is the base VFS's own, with its own app data.
    g_vfs = *g_base;
    g_vfs.iVersion = g_base->iVersion;
    g_vfs.szOsFile = static_cast<int>(sizeof(KeepMapFile)) + g_base->szOsFile;
    g_vfs.pNext = nullptr;
    g_vfs.zName = kKeepMapVfsName;
    g_vfs.xOpen = KmOpen;
    rc = sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
  });
  if (rc != SQLITE_OK) {
    return Internal(std::string("sqlite: cannot register the ") +
                    kKeepMapVfsName + " VFS: " + sqlite3_errstr(rc));
  }
  return Status::Ok();
}

KeepMapCounts KeepMapCountsNow() {
  return {g_dropped.load(std::memory_order_relaxed),
          g_kept.load(std::memory_order_relaxed)};
}

}  // namespace storeagent::storage
