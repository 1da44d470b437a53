#include "storage/read_pool.h"

namespace storeagent::storage {

Result<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path,
                                                 int threads,
                                                 const std::string& vfs) {
  std::unique_ptr<ReadPool> pool(new ReadPool());
  ConnectionOptions opts;
  opts.read_only = true;
  opts.vfs = vfs;
  for (int i = 0; i < threads; ++i) {
    Result<Connection> c = Connection::Open(path, opts);
    if (!c.ok()) return c.status();
    pool->conns_.push_back(std::move(c).value());
  }
  for (Connection& c : pool->conns_) {
    pool->contexts_.push_back(std::make_unique<DbContext>(c.get()));
    DbContext* ctx = pool->contexts_.back().get();
    pool->threads_.emplace_back([p = pool.get(), ctx] { p->Loop(ctx); });
  }
  return pool;
}

ReadPool::~ReadPool() { Stop(); }

void ReadPool::Submit(Query fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(fn));
      cv_.notify_one();
      return;
    }
  }
  fn(nullptr);
}

void ReadPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void ReadPool::Loop(DbContext* ctx) {
  for (;;) {
    Query q;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      q = std::move(queue_.front());
      queue_.pop_front();
    }
    q(ctx);
    // A query that stopped mid-result would keep its snapshot open and every
    // later query on this connection would see stale figures.
    ctx->ResetBusyStatements();
  }
}

}  // namespace storeagent::storage
