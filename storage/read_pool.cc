#include "storage/read_pool.h"

namespace storeagent::storage {

ReadPool::Lease::~Lease() {
  if (ctx_ != nullptr) pool_->GiveBack(ctx_);
}

Result<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path,
                                                 int threads, int connections,
                                                 const std::string& vfs) {
  if (threads < 1 || connections < threads) {
    return InvalidArgument("read pool: " + std::to_string(threads) +
                           " threads over " + std::to_string(connections) +
                           " connections (need 1 <= threads <= connections)");
  }
  std::unique_ptr<ReadPool> pool(new ReadPool());
  ConnectionOptions opts;
  opts.read_only = true;
  opts.vfs = vfs;
  for (int i = 0; i < connections; ++i) {
    Result<Connection> c = Connection::Open(path, opts);
    if (!c.ok()) return c.status();
    pool->conns_.push_back(std::move(c).value());
  }
  for (Connection& c : pool->conns_) {
    pool->contexts_.push_back(std::make_unique<DbContext>(c.get()));
    pool->idle_.push_back(pool->contexts_.back().get());
  }
  for (int i = 0; i < threads; ++i) {
    pool->threads_.emplace_back([p = pool.get()] { p->Loop(); });
  }
  return pool;
}

ReadPool::~ReadPool() { Stop(); }

void ReadPool::Submit(Query fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(fn));
      work_cv_.notify_one();
      return;
    }
  }
  fn(nullptr);
}

ReadPool::Lease ReadPool::TryLease() {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || idle_.empty()) {
    ++refused_;
    return Lease();
  }
  DbContext* ctx = idle_.back();
  idle_.pop_back();
  ++lent_;
  return Lease(this, ctx);
}

void ReadPool::GiveBack(DbContext* ctx) {
  // A query that stopped mid-result would keep its snapshot open and every
  // later query on this connection would see stale figures.
  ctx->ResetBusyStatements();
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(ctx);
  idle_cv_.notify_one();
}

uint64_t ReadPool::leases_lent() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lent_;
}

uint64_t ReadPool::leases_refused() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refused_;
}

void ReadPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  // The connections close with the pool: wait for the lent ones.
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [this] { return idle_.size() == contexts_.size(); });
}

void ReadPool::Loop() {
  for (;;) {
    Query q;
    DbContext* ctx = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      q = std::move(queue_.front());
      queue_.pop_front();
      // More connections than threads: a thread waits only while callers
      // hold every connection, for a few microseconds each.
      idle_cv_.wait(lock, [this] { return !idle_.empty(); });
      ctx = idle_.back();
      idle_.pop_back();
    }
    q(ctx);
    GiveBack(ctx);
  }
}

}  // namespace storeagent::storage
