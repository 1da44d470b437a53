#include "storage/writer.h"

#include <future>

namespace storeagent::storage {

Result<Statement*> DbContext::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    Result<Statement> stmt = Statement::Prepare(db_, sql);
    if (!stmt.ok()) return stmt.status();
    it = cache_.emplace(std::string(sql), std::move(stmt).value()).first;
  }
  it->second.Reset();
  return &it->second;
}

void DbContext::ResetBusyStatements() {
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr;
       s = sqlite3_next_stmt(db_, s)) {
    if (sqlite3_stmt_busy(s) != 0) sqlite3_reset(s);
  }
}

Writer::Writer(Connection conn, WriterOptions options)
    : conn_(std::move(conn)), options_(options), ctx_(conn_.get()) {
  thread_ = std::thread([this] { Loop(); });
}

Writer::~Writer() { Stop(); }

int Writer::AddCommitListener(std::function<void(const CommitInfo&)> listener) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  const int id = next_commit_listener_++;
  commit_listeners_.emplace(id, std::move(listener));
  return id;
}

void Writer::RemoveCommitListener(int id) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  commit_listeners_.erase(id);
}

void Writer::AddRollbackListener(Listener listener) {
  rollback_listeners_.push_back(std::move(listener));
}

void Writer::Submit(Command cmd, Done done) {
  Status refused;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      refused = Unavailable("storage writer is shutting down");
    } else if (queue_.size() >= options_.max_queue) {
      refused = ResourceExhausted("storage writer queue is full (" +
                                  std::to_string(options_.max_queue) +
                                  " commands waiting); retry");
    } else {
      pending_.fetch_add(1);
      queue_.push_back(Item{std::move(cmd), std::move(done)});
    }
  }
  if (!refused.ok()) {
    done(refused);
    return;
  }
  cv_.notify_one();
}

Status Writer::Run(Command cmd) {
  std::promise<Status> promise;
  std::future<Status> future = promise.get_future();
  Submit(std::move(cmd), [&promise](const Status& s) { promise.set_value(s); });
  return future.get();
}

WriterStats Writer::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Writer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Writer::Loop() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    batch.clear();
  }
}

Status Writer::Control(const char* sql) {
  // Prepared once and cached: these run several times per command.
  Result<Statement*> s = ctx_.Prepare(sql);
  if (!s.ok()) return s.status();
  Status st = (*s)->Run();
  (*s)->Reset();
  return st;
}

void Writer::RunBatch(std::vector<Item>& batch) {
  std::vector<Status> results(batch.size());
  sqlite3* db = conn_.get();
  const int64_t started =
      options_.clock != nullptr ? options_.clock->MonotonicMicros() : 0;
  Status txn = Control("BEGIN IMMEDIATE");
  if (txn.ok()) {
    for (size_t i = 0; i < batch.size(); ++i) {
      Status sp = Control("SAVEPOINT cmd");
      if (!sp.ok()) {
        txn = sp;
        break;
      }
      results[i] = batch[i].cmd(ctx_);
      if (sqlite3_get_autocommit(db) != 0) {
        // SQLite rolled the whole transaction back by itself (disk full,
        // I/O error): nothing of this batch survived.
        txn = results[i].ok() ? Internal("transaction rolled back by SQLite")
                              : results[i];
        break;
      }
      if (!results[i].ok()) {
        Status rb = Control("ROLLBACK TO cmd");
        if (!rb.ok()) {
          txn = rb;
          break;
        }
        for (const Listener& l : rollback_listeners_) l(ctx_);
      }
      Status rel = Control("RELEASE cmd");
      if (!rel.ok()) {
        txn = rel;
        break;
      }
    }
  }
  ctx_.ResetBusyStatements();
  if (txn.ok()) txn = Control("COMMIT");
  const bool committed = txn.ok();
  if (!committed) {
    if (sqlite3_get_autocommit(db) == 0) Control("ROLLBACK").IgnoreError();
    for (const Listener& l : rollback_listeners_) l(ctx_);
  }
  CommitInfo info;
  if (committed) {
    info.commands = batch.size();
    if (options_.clock != nullptr) {
      info.micros = options_.clock->MonotonicMicros() - started;
    }
    if (options_.on_commit) options_.on_commit(info);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (committed) {
      ++stats_.commits;
      stats_.commands += batch.size();
      stats_.largest_batch =
          std::max<uint64_t>(stats_.largest_batch, batch.size());
    } else {
      ++stats_.failed_commits;
    }
  }
  if (committed) {
    std::lock_guard<std::mutex> lock(commit_mu_);
    for (const auto& [id, l] : commit_listeners_) l(info);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const Status& s = committed ? results[i] : txn;
    pending_.fetch_sub(1);
    batch[i].done(s);
  }
}

}  // namespace storeagent::storage
