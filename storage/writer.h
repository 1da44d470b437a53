// Writer: the one thread that writes the database, with group commit.
//
// Every change to the database is a Command submitted here. The writer
// thread takes every command waiting in the queue (up to max_batch), runs
// them in ONE transaction, each inside its own savepoint, commits once, and
// only then completes each caller. One fsync thus covers a whole batch, and
// a command that fails (bad precondition, duplicate key) rolls back its own
// savepoint without disturbing the others. A failed COMMIT (disk full, I/O
// error) fails every command of the batch and notifies rollback listeners so
// caches can be reloaded.
//
// Exactly one connection writes: SQLite 3.40 has a WAL-reset bug when two
// connections write or checkpoint concurrently, so checkpoints run here too.
//
// Thread-safety: Submit(), pending() and Stop() may be called from any
// thread. Commands and listeners run on the writer thread only.
#ifndef STOREAGENT_STORAGE_WRITER_H_
#define STOREAGENT_STORAGE_WRITER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/sqlite_handle.h"

namespace storeagent::storage {

// A connection plus its prepared-statement cache. The writer's commands get
// one (inside the open transaction), and so does each reader thread.
// Used by one thread at a time.
class DbContext {
 public:
  explicit DbContext(sqlite3* db) : db_(db) {}
  sqlite3* db() const { return db_; }
  // A prepared statement cached for the connection's lifetime, reset and
  // with its bindings cleared. Found by the text without copying it.
  Result<Statement*> Prepare(std::string_view sql);
  // Resets every statement of the connection still positioned on a row, so
  // none keeps a read snapshot (and the WAL) pinned after its transaction.
  void ResetBusyStatements();

 private:
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };

  sqlite3* db_;
  std::unordered_map<std::string, Statement, SqlHash, std::equal_to<>> cache_;
};

// What a writer command sees: the writer's connection inside an open
// transaction.
using WriteContext = DbContext;

// What one successful COMMIT covered, for metrics.
struct CommitInfo {
  size_t commands = 0;
  // BEGIN to COMMIT returned, µs; -1 when WriterOptions::clock is null.
  int64_t micros = -1;
};

struct WriterOptions {
  // Most commands in one transaction. Bounds the latency one commit adds.
  size_t max_batch = 1024;
  // Most commands waiting; Submit() beyond it fails with RESOURCE_EXHAUSTED.
  size_t max_queue = 65536;
  // Measures each transaction for CommitInfo::micros; null: not measured.
  // REQUIRES: outlives the writer.
  const Clock* clock = nullptr;
  // Called on the writer thread after every successful COMMIT, before the
  // batch's callers are completed. Must be quick and must not Submit().
  std::function<void(const CommitInfo&)> on_commit;
};

struct WriterStats {
  uint64_t commits = 0;
  uint64_t commands = 0;
  uint64_t failed_commits = 0;
  uint64_t largest_batch = 0;
};

class Writer {
 public:
  using Command = std::function<Status(WriteContext&)>;
  using Done = std::function<void(const Status&)>;
  using Listener = std::function<void(WriteContext&)>;

  // Takes the one read-write connection. Starts the thread.
  Writer(Connection conn, WriterOptions options);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues `cmd`. `done` runs on the writer thread after the transaction
  // holding the command committed (with the command's own status) or failed
  // (with the commit's status). After Stop() began, or when the queue is
  // full, `done` runs at once, on the calling thread, with an error.
  void Submit(Command cmd, Done done);

  // Submits and waits. Not for use from the writer thread.
  Status Run(Command cmd);

  // Called on the writer thread after anything was rolled back: a failed
  // command's savepoint or a whole batch. Listeners reload whatever they
  // cache from the database. Register before the first Submit().
  void AddRollbackListener(Listener listener);
  // Called on the writer thread after every successful COMMIT (after
  // WriterOptions::on_commit), before the batch's callers are completed.
  // Must not block (e.g. count, or notify a condition variable). May be
  // added and removed from any thread at any time; the id removes it. After
  // RemoveCommitListener returns, it is not running and will not run again.
  int AddCommitListener(std::function<void(const CommitInfo&)> listener);
  void RemoveCommitListener(int id);

  // Commands queued or running and not yet completed.
  uint64_t pending() const { return pending_.load(); }
  WriterStats stats() const;

  // Stops accepting, commits everything already queued, joins the thread.
  // Idempotent.
  void Stop();

 private:
  struct Item {
    Command cmd;
    Done done;
  };
  void Loop();
  void RunBatch(std::vector<Item>& batch);
  // Runs a transaction-control statement (BEGIN, SAVEPOINT, COMMIT ...).
  Status Control(const char* sql);

  Connection conn_;
  WriterOptions options_;
  WriteContext ctx_;
  std::vector<Listener> rollback_listeners_;
  std::mutex commit_mu_;  // held while commit listeners run
  std::unordered_map<int, std::function<void(const CommitInfo&)>>
      commit_listeners_;
  int next_commit_listener_ = 1;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> pending_{0};
  WriterStats stats_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_WRITER_H_
