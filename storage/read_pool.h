// ReadPool: read-only connections to the database, and a few threads that
// run queries handed to them so that a caller that must not wait on SQLite
// never does.
//
// A short, bounded read (an availability lookup: at most a few hundred
// indexed rows) is cheaper than the hand-off to another thread and back,
// so the caller can also run it on its own thread: TryLease() lends an
// idle connection, or none when all are busy, and the caller then
// Submit()s instead. Threads and leases share one set of connections, so
// each stays warm (its page cache, its memory map of the file).
//
// Readers see the last committed state (WAL snapshot isolation); they never
// write and never checkpoint. Thread-safety: every method from any thread.
#ifndef STOREAGENT_STORAGE_READ_POOL_H_
#define STOREAGENT_STORAGE_READ_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/status.h"
#include "storage/sqlite_handle.h"
#include "storage/writer.h"

namespace storeagent::storage {

class ReadPool {
 public:
  // `fn` runs on a reader thread with a connection and its statement
  // cache. When the pool is stopping, `fn` runs at once with null.
  using Query = std::function<void(DbContext* ctx)>;

  // An idle connection lent to the caller's thread; handed back, with no
  // statement left holding a snapshot, when the lease is destroyed.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept : pool_(other.pool_), ctx_(other.ctx_) {
      other.pool_ = nullptr;
      other.ctx_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();

    // Null when nothing was lent.
    DbContext* get() const { return ctx_; }
    explicit operator bool() const { return ctx_ != nullptr; }

   private:
    friend class ReadPool;
    Lease(ReadPool* pool, DbContext* ctx) : pool_(pool), ctx_(ctx) {}
    ReadPool* pool_ = nullptr;
    DbContext* ctx_ = nullptr;
  };

  // Opens `connections` read-only connections to `path` and starts
  // `threads` threads. REQUIRES: 1 <= threads <= connections.
  static Result<std::unique_ptr<ReadPool>> Open(const std::string& path,
                                                int threads, int connections,
                                                const std::string& vfs);
  ~ReadPool();

  void Submit(Query fn);
  // An idle connection, or an empty lease when every connection is busy or
  // the pool is stopping. Never waits.
  Lease TryLease();
  // Stops accepting, finishes queued queries, waits for every lease to come
  // back, joins. Idempotent.
  void Stop();

  // Leases lent so far and leases refused (every connection busy), for
  // metrics and tests.
  uint64_t leases_lent() const;
  uint64_t leases_refused() const;

 private:
  ReadPool() = default;
  void Loop();
  void GiveBack(DbContext* ctx);

  std::vector<Connection> conns_;
  std::vector<std::unique_ptr<DbContext>> contexts_;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // a query queued, or stopping
  std::condition_variable idle_cv_;  // a connection came back
  std::deque<Query> queue_;
  std::vector<DbContext*> idle_;
  uint64_t lent_ = 0;
  uint64_t refused_ = 0;
  bool stopping_ = false;
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_READ_POOL_H_
