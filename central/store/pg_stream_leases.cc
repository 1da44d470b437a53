#include "central/store/pg_stream_leases.h"

#include <atomic>
#include <condition_variable>
#include <thread>
#include <utility>

#include "central/store/pg_pool.h"
#include "platform/log.h"

namespace storeagent::central {
namespace {

// Connections for lease statements and NOTIFYs (the listener has its own).
constexpr size_t kLeasePoolSize = 2;
// How long Listen waits for the first LISTEN.
constexpr std::chrono::seconds kListenWait{5};
// The database's clock, microseconds: every replica's expiry uses it.
#define STOREAGENT_PG_NOW_US \
  "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT"

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::string& channel,
           const StreamLeases::OnMessage& on_message)
      : pqxx::notification_receiver(c, channel), on_message_(on_message) {}
  void operator()(const std::string& payload, int) override {
    on_message_(payload);
  }

 private:
  const StreamLeases::OnMessage& on_message_;
};

class PgStreamLeases final : public StreamLeases {
 public:
  PgStreamLeases(std::string url, std::string replica_id,
                 std::chrono::seconds lease_time, std::unique_ptr<PgPool> pool)
      : StreamLeases(replica_id, ReplicaChannel(replica_id)),
        url_(std::move(url)),
        lease_us_(static_cast<int64_t>(lease_time.count()) * 1000000),
        pool_(std::move(pool)) {}
  ~PgStreamLeases() override { Stop(); }

  bool shared() const override { return true; }

  Result<LeaseTaken> Take(const std::string& store_id) override {
    LeaseTaken out;
    Status s = pool_->InTransaction("take stream lease", [&](pqxx::work& tx) {
      out = LeaseTaken{};
      pqxx::result old = tx.exec_params(
          "SELECT replica_id, channel, generation, "
          "expires_at_us > " STOREAGENT_PG_NOW_US
          " FROM stream_leases WHERE store_id = $1 FOR UPDATE",
          store_id);
      if (!old.empty() && old[0][3].as<bool>() &&
          old[0][0].as<std::string>() != replica_id()) {
        out.previous =
            StreamLease{old[0][0].as<std::string>(),
                        old[0][1].as<std::string>(), old[0][2].as<uint64_t>()};
      }
      pqxx::row r = tx.exec_params1(
          "INSERT INTO stream_leases AS l (store_id, replica_id, channel, "
          "generation, taken_at_us, expires_at_us) VALUES ($1, $2, $3, "
          "1, " STOREAGENT_PG_NOW_US ", " STOREAGENT_PG_NOW_US
          " + $4) ON CONFLICT (store_id) DO UPDATE SET "
          "replica_id = excluded.replica_id, channel = excluded.channel, "
          "generation = l.generation + 1, taken_at_us = excluded.taken_at_us, "
          "expires_at_us = excluded.expires_at_us RETURNING generation",
          store_id, replica_id(), channel(), lease_us_);
      out.generation = r[0].as<uint64_t>();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<bool> Renew(const std::string& store_id,
                     uint64_t generation) override {
    bool kept = false;
    Status s = pool_->InTransaction("renew stream lease", [&](pqxx::work& tx) {
      pqxx::result r = tx.exec_params(
          "UPDATE stream_leases SET expires_at_us = " STOREAGENT_PG_NOW_US
          " + $4 WHERE store_id = $1 AND replica_id = $2 AND generation = $3",
          store_id, replica_id(), static_cast<int64_t>(generation), lease_us_);
      kept = r.affected_rows() == 1;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return kept;
  }

  Status Release(const std::string& store_id, uint64_t generation) override {
    return pool_->InTransaction(
        "release stream lease", [&](pqxx::work& tx) -> Status {
          tx.exec_params(
              "DELETE FROM stream_leases WHERE store_id = $1 AND "
              "replica_id = $2 AND generation = $3",
              store_id, replica_id(), static_cast<int64_t>(generation));
          return Status::Ok();
        });
  }

  Result<std::optional<StreamLease>> Live(
      const std::string& store_id) override {
    std::optional<StreamLease> out;
    Status s = pool_->InTransaction("read stream lease", [&](pqxx::work& tx) {
      out.reset();
      pqxx::result r = tx.exec_params(
          "SELECT replica_id, channel, generation FROM stream_leases "
          "WHERE store_id = $1 AND expires_at_us > " STOREAGENT_PG_NOW_US,
          store_id);
      if (!r.empty()) {
        out = StreamLease{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                          r[0][2].as<uint64_t>()};
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::set<std::string>> LiveStores() override {
    std::set<std::string> out;
    Status s = pool_->InTransaction("read stream leases", [&](pqxx::work& tx) {
      out.clear();
      pqxx::result r = tx.exec(
          "SELECT store_id FROM stream_leases WHERE expires_at_us "
          "> " STOREAGENT_PG_NOW_US);
      for (const pqxx::row& row : r) out.insert(row[0].as<std::string>());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Status Send(const std::string& to, const std::string& payload) override {
    if (payload.size() > kMaxNotifyPayload) {
      return InvalidArgument(
          "notify payload: " + std::to_string(payload.size()) +
          " bytes, more than " + std::to_string(kMaxNotifyPayload));
    }
    return pool_->InTransaction("notify replica", [&](pqxx::work& tx) {
      tx.exec_params("SELECT pg_notify($1, $2)", to, payload);
      return Status::Ok();
    });
  }

  void Listen(OnMessage on_message) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (listener_.joinable() || stopping_) return;
      on_message_ = std::move(on_message);
      listener_ = std::thread([this] { ListenLoop(); });
    }
    // Waits up to kListenWait for the first LISTEN, so a replica that says
    // READY hears forwarded requests (a failure is logged by the thread,
    // which keeps trying).
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kListenWait,
                   [&] { return listening_ || listen_failed_ || stopping_; });
    }
  }

  void Stop() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (listener_.joinable()) listener_.join();
  }

 private:
  bool stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  }

  // One connection at a time: LISTEN, wait for notifications (a second at
  // a time, to see Stop), reconnect a second after it breaks.
  void ListenLoop() {
    bool failed_before = false;
    while (!stopping()) {
      try {
        pqxx::connection conn(url_);
        Receiver receiver(conn, channel(), on_message_);
        Log(LogLevel::kInfo, "replica.listening",
            {{"replica", replica_id()}, {"channel", channel()}});
        failed_before = false;
        {
          std::lock_guard<std::mutex> lock(mu_);
          listening_ = true;
        }
        cv_.notify_all();
        while (!stopping()) conn.await_notification(1, 0);
      } catch (const std::exception& e) {
        if (!failed_before) {
          Log(LogLevel::kError, "replica.listen_failed",
              {{"replica", replica_id()},
               {"channel", channel()},
               {"error", e.what()},
               {"action",
                "reconnecting every second; requests forwarded to this "
                "replica meanwhile fall back to escrow"}});
        }
        failed_before = true;
        std::unique_lock<std::mutex> lock(mu_);
        listen_failed_ = true;
        cv_.notify_all();
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
      }
    }
  }

  const std::string url_;
  const int64_t lease_us_;
  std::unique_ptr<PgPool> pool_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;       // guarded by mu_
  bool listening_ = false;      // guarded by mu_: LISTEN ran once
  bool listen_failed_ = false;  // guarded by mu_
  OnMessage on_message_;        // set before the thread starts
  std::thread listener_;
};

#undef STOREAGENT_PG_NOW_US

}  // namespace

Result<std::unique_ptr<StreamLeases>> OpenPgStreamLeases(
    const std::string& url, const std::string& replica_id,
    std::chrono::seconds lease_time, const Clock& clock) {
  Result<std::unique_ptr<PgPool>> pool =
      PgPool::Open(url, kLeasePoolSize, clock);
  if (!pool.ok()) return pool.status();
  return std::unique_ptr<StreamLeases>(std::make_unique<PgStreamLeases>(
      url, replica_id, lease_time, std::move(pool).value()));
}

}  // namespace storeagent::central
