// TuneMalloc: glibc's allocator settings for a long-running daemon on a
// small box.
//
// By default glibc hands freed memory back to the kernel as soon as the top
// of a thread arena has 128 KiB free (madvise or munmap), and serves each
// allocation over its dynamic threshold with a fresh mmap. Every hand-back
// flushes the TLB of every core the process runs on: a profile of
// bench_record found a tenth of all CPU in those flushes, and a sale cost
// 641 us of CPU where it cost 274 us with the settings below (docs/
// storage.md "Memory"). The price is freed memory kept for reuse: at most
// kTrimThresholdBytes per arena above what the process uses.
#ifndef STOREAGENT_PLATFORM_MALLOC_TUNING_H_
#define STOREAGENT_PLATFORM_MALLOC_TUNING_H_

#include <cstddef>

namespace storeagent::platform {

// Freed memory beyond this at the top of an arena goes back to the kernel.
inline constexpr size_t kTrimThresholdBytes = size_t{32} << 20;
// Allocations from this size up get a mapping of their own.
inline constexpr size_t kMmapThresholdBytes = size_t{4} << 20;

// Applies both, once, before the first thread starts (daemons' and
// benchmarks' main). Settings given in GLIBC_TUNABLES win: nothing is
// changed when it names either. Returns false when the allocator refused
// one (a sanitizer's allocator takes none).
bool TuneMalloc();

}  // namespace storeagent::platform

#endif  // STOREAGENT_PLATFORM_MALLOC_TUNING_H_
