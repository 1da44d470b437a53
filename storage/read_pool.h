// ReadPool: a few threads, each owning a read-only connection, that run
// queries handed to them so that RPC handlers never wait on SQLite.
//
// Readers see the last committed state (WAL snapshot isolation); they never
// write and never checkpoint. Thread-safety: Submit() from any thread.
#ifndef STOREAGENT_STORAGE_READ_POOL_H_
#define STOREAGENT_STORAGE_READ_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
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
  // `fn` runs on a reader thread with that thread's connection and
  // statement cache. When the pool is stopping, `fn` runs at once with null.
  using Query = std::function<void(DbContext* ctx)>;

  // Opens `threads` read-only connections to `path`.
  static Result<std::unique_ptr<ReadPool>> Open(const std::string& path,
                                                int threads,
                                                const std::string& vfs);
  ~ReadPool();

  void Submit(Query fn);
  // Stops accepting, finishes queued queries, joins. Idempotent.
  void Stop();

 private:
  ReadPool() = default;
  void Loop(DbContext* ctx);

  std::vector<Connection> conns_;
  std::vector<std::unique_ptr<DbContext>> contexts_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Query> queue_;
  bool stopping_ = false;
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_READ_POOL_H_
