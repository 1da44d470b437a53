// Happens-before edges ThreadSanitizer cannot see for itself.
//
// gRPC hands a reactor's work from the thread that starts an operation
// (StartRead, StartWrite, Finish) to the thread that runs its callback
// (OnReadDone, OnWriteDone, OnDone) through its completion queue, inside
// uninstrumented libraries: TSan sees our reactor touched on two threads
// and no synchronisation between them. STOREAGENT_TSAN_RELEASE(obj) before
// handing an operation to gRPC, and STOREAGENT_TSAN_ACQUIRE(obj) at the top
// of each callback, tell TSan about the edge gRPC provides, so it keeps
// checking everything else. No-ops outside a -fsanitize=thread build.
#ifndef STOREAGENT_PLATFORM_TSAN_H_
#define STOREAGENT_PLATFORM_TSAN_H_

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define STOREAGENT_TSAN_RELEASE(obj) \
  __tsan_release(const_cast<void*>(static_cast<const void*>(obj)))
#define STOREAGENT_TSAN_ACQUIRE(obj) \
  __tsan_acquire(const_cast<void*>(static_cast<const void*>(obj)))
#else
#define STOREAGENT_TSAN_RELEASE(obj) static_cast<void>(obj)
#define STOREAGENT_TSAN_ACQUIRE(obj) static_cast<void>(obj)
#endif

#endif  // STOREAGENT_PLATFORM_TSAN_H_
