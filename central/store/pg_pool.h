// A small pool of libpqxx connections to one PostgreSQL database, and the
// one place where libpqxx's exceptions become Status values.
//
// Thread-safe. Acquire() waits (mutex + condition variable) while all N
// connections are lent out. A connection that broke is dropped and opened
// again on its next use. Only pg_central_store.cc (the PostgreSQL adapter),
// pg_stream_leases.cc (stream leases and NOTIFY) and their tests include
// this header.
#ifndef STOREAGENT_CENTRAL_STORE_PG_POOL_H_
#define STOREAGENT_CENTRAL_STORE_PG_POOL_H_

// libpqxx 6.4's headers predate C++20 and -Wpedantic; keep their warnings
// out of our -Werror build.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wdeprecated-copy"
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <pqxx/pqxx>
#pragma GCC diagnostic pop

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "central/store/sql_seam.h"
#include "platform/clock.h"
#include "platform/status.h"

namespace storeagent::central {

// Attempts of one transaction that PostgreSQL aborted for a serialization
// failure or a deadlock before the caller gets ABORTED.
inline constexpr int kPgMaxAttempts = 5;

// The Status for a libpqxx / libpq failure: a broken connection or an
// unknown commit outcome is UNAVAILABLE, a serialization failure or deadlock
// ABORTED (both retryable), a unique violation ALREADY_EXISTS, a full disk
// RESOURCE_EXHAUSTED, anything else INTERNAL. `what` prefixes the message.
Status PgStatus(std::exception_ptr error, const std::string& what);

class PgPool {
 public:
  // What every new connection gets before its first use (the backend's
  // prepared statements: libpqxx prepares each on its first execution on
  // that connection, one round trip once, none afterwards).
  using OnConnect = std::function<void(pqxx::connection&)>;

  // Opens `size` connections to `url` (a libpq URI or key=value string).
  // `clock` (MonotonicMicros) times the waits for a connection.
  static Result<std::unique_ptr<PgPool>> Open(const std::string& url,
                                              size_t size, const Clock& clock,
                                              OnConnect on_connect = nullptr);

  // Runs body(pqxx::work&) -> Status in one transaction on a pooled
  // connection and commits when it returns OK (else rolls back). Retried,
  // up to kPgMaxAttempts in all, when PostgreSQL aborts it for a
  // serialization failure or deadlock: `body` must set its outputs afresh
  // on every call.
  template <typename Fn>
  Status InTransaction(const std::string& what, Fn&& body);

  // Size, and the acquisitions that had to wait for a connection.
  PoolFigures figures() const;

 private:
  PgPool(std::string url, size_t size, const Clock& clock, OnConnect on_connect)
      : url_(std::move(url)),
        size_(size),
        clock_(clock),
        on_connect_(std::move(on_connect)) {}

  // A new connection, with on_connect_ applied. Throws as libpqxx does.
  std::unique_ptr<pqxx::connection> Connect() const;

  // A connection lent out; nullptr slots are reopened on lease.
  Result<std::unique_ptr<pqxx::connection>> Acquire();
  void Release(std::unique_ptr<pqxx::connection> conn);

  const std::string url_;
  const size_t size_;
  const Clock& clock_;
  const OnConnect on_connect_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t waits_ = 0;                                   // guarded by mu_
  double wait_seconds_ = 0;                              // guarded by mu_
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  size_t lent_ = 0;                                      // guarded by mu_
};

template <typename Fn>
Status PgPool::InTransaction(const std::string& what, Fn&& body) {
  return RetryOnAborted(kPgMaxAttempts, [&](bool& engine_aborted) -> Status {
    Result<std::unique_ptr<pqxx::connection>> conn = Acquire();
    if (!conn.ok()) return conn.status();
    std::unique_ptr<pqxx::connection> c = std::move(conn).value();
    Status st;
    try {
      pqxx::work tx(*c);
      st = body(tx);
      if (st.ok()) tx.commit();
    } catch (const pqxx::transaction_rollback&) {
      st = PgStatus(std::current_exception(), what);
      engine_aborted = true;
    } catch (...) {
      st = PgStatus(std::current_exception(), what);
    }
    if (!c->is_open()) c.reset();  // reopened on the next lease
    Release(std::move(c));
    return st;
  });
}

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_PG_POOL_H_
