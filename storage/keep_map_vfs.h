// KeepMapVfs: the default SQLite VFS, except that a read connection keeps
// its memory map of the database file when another connection commits.
//
// SQLite drops a connection's whole map (munmap) at the start of every read
// transaction that follows a commit elsewhere, and faults every page back in
// afterwards. At 200 sales a second every lookup pays for that; on a
// virtual machine a page fault costs as much as the lookup itself
// (docs/storage.md "Readers keep their map"). Content read through the map is
// the file's current content either way (MAP_SHARED over the kernel's page
// cache, the same bytes a read() returns); what the drop is for is a file
// that changed size. So this VFS lets the drop through only when the file
// grew by more than kRemapGrowthBytes since the map was made (pages beyond
// the map are read with read() meanwhile) or when it shrank.
//
// REQUIRES: nothing truncates the database file while readers run, beyond
// what the check above sees: the agent never runs VACUUM and has no
// auto_vacuum, so its file only grows (storage/migrations.cc).
#ifndef STOREAGENT_STORAGE_KEEP_MAP_VFS_H_
#define STOREAGENT_STORAGE_KEEP_MAP_VFS_H_

#include <cstdint>

#include "platform/status.h"

namespace storeagent::storage {

inline constexpr const char* kKeepMapVfsName = "storeagent-keep-map";
inline constexpr int64_t kRemapGrowthBytes = 4 << 20;

// Registers the VFS over the default one (not as the default). Idempotent,
// thread-safe.
Status RegisterKeepMapVfs();

// Maps dropped since the process started (growth or shrink), and drops kept:
// for tests.
struct KeepMapCounts {
  uint64_t dropped = 0;
  uint64_t kept = 0;
};
KeepMapCounts KeepMapCountsNow();

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_KEEP_MAP_VFS_H_
