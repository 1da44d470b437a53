#include "central/store/pg_pool.h"

namespace storeagent::central {

Status PgStatus(std::exception_ptr error, const std::string& what) {
  const std::string at = what + ": ";
  try {
    std::rethrow_exception(error);
  } catch (const pqxx::in_doubt_error& e) {
    return Unavailable(at +
                       "commit outcome unknown (retry is safe): " + e.what());
  } catch (const pqxx::broken_connection& e) {
    return Unavailable(at + "PostgreSQL connection broken: " + e.what());
  } catch (const pqxx::statement_completion_unknown& e) {
    return Unavailable(at + "statement outcome unknown: " + e.what());
  } catch (const pqxx::transaction_rollback& e) {
    return Status(StatusCode::kAborted,
                  at + "aborted by PostgreSQL (retry): " + e.what());
  } catch (const pqxx::unique_violation& e) {
    return AlreadyExists(at + e.what());
  } catch (const pqxx::disk_full& e) {
    return ResourceExhausted(at + "disk full: " + e.what());
  } catch (const std::exception& e) {
    return Internal(at + e.what());
  } catch (...) {
    return Internal(at + "unknown error");
  }
}

std::unique_ptr<pqxx::connection> PgPool::Connect() const {
  auto conn = std::make_unique<pqxx::connection>(url_);
  if (on_connect_) on_connect_(*conn);
  return conn;
}

Result<std::unique_ptr<PgPool>> PgPool::Open(const std::string& url,
                                             size_t size, const Clock& clock,
                                             OnConnect on_connect) {
  if (size == 0) return InvalidArgument("pool size: must be at least 1");
  std::unique_ptr<PgPool> pool(
      new PgPool(url, size, clock, std::move(on_connect)));
  for (size_t i = 0; i < size; ++i) {
    try {
      pool->idle_.push_back(pool->Connect());
    } catch (...) {
      return PgStatus(std::current_exception(), "connect to PostgreSQL");
    }
  }
  return pool;
}

Result<std::unique_ptr<pqxx::connection>> PgPool::Acquire() {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto available = [&] { return lent_ < size_ && !idle_.empty(); };
    if (!available()) {
      const int64_t since_us = clock_.MonotonicMicros();
      cv_.wait(lock, available);
      ++waits_;
      wait_seconds_ +=
          static_cast<double>(clock_.MonotonicMicros() - since_us) / 1e6;
    }
    conn = std::move(idle_.back());
    idle_.pop_back();
    ++lent_;
  }
  if (conn == nullptr) {
    try {
      conn = Connect();
    } catch (...) {
      Release(nullptr);
      return PgStatus(std::current_exception(), "reconnect to PostgreSQL");
    }
  }
  return conn;
}

PoolFigures PgPool::figures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return PoolFigures{size_, waits_, wait_seconds_};
}

void PgPool::Release(std::unique_ptr<pqxx::connection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(conn));
    --lent_;
  }
  cv_.notify_one();
}

}  // namespace storeagent::central
