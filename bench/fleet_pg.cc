#include "bench/fleet_pg.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "central/store/central_store.h"
#include "central/store/pg_pool.h"  // libpqxx, its warnings kept out
#include "platform/clock.h"

namespace storeagent::bench {

std::string WithSearchPath(const std::string& url, const std::string& schema) {
  const char sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + "options=-csearch_path%3D" + schema;
}

bool PgExec(const std::string& url, const std::string& sql,
            std::string* error) {
  try {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    tx.exec(sql);
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
}

bool CreateCentralSchema(const std::string& url, const std::string& schema,
                         std::string* error) {
  if (!PgExec(url,
              "DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " +
                  schema,
              error)) {
    return false;
  }
  Result<std::unique_ptr<central::CentralStore>> store =
      central::OpenCentralStore(WithSearchPath(url, schema), SystemClock());
  if (!store.ok()) {
    *error = store.status().ToString();
    return false;
  }
  return true;
}

RawInsert RawInsertStoreEvents(const std::string& url, int stores,
                               int per_store, int batch, int connections,
                               const std::string& record) {
  RawInsert out;
  std::atomic<int> next{0};
  std::mutex mu;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t now_us = SystemClock().NowMicros();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&] {
      try {
        pqxx::connection conn(url);
        std::string record_lit;
        {
          pqxx::nontransaction q(conn);
          record_lit = q.quote_raw(record);
        }
        for (int s = next++; s < stores; s = next++) {
          const std::string id = conn.quote("raw-" + std::to_string(s));
          for (int from = 1; from <= per_store; from += batch) {
            const int to = std::min(per_store, from + batch - 1);
            std::string sql =
                "INSERT INTO store_events (store_id, seq, recorded_at_us, "
                "kind, record, prev_hash, hash, quarantined, ingested_at_us) "
                "VALUES ";
            pqxx::work tx(conn);
            for (int seq = from; seq <= to; ++seq) {
              // Two 32-byte values that differ per row, as hashes do.
              std::string h(32, '\0');
              for (size_t i = 0; i < h.size(); ++i) {
                h[i] = static_cast<char>((seq * 31 + s * 7 + i) & 0xff);
              }
              const std::string hash = tx.quote_raw(h);
              if (seq != from) sql += ',';
              sql += '(' + id + ',' + std::to_string(seq) + ',' +
                     std::to_string(now_us - per_store + seq) + ",'sale'," +
                     record_lit + ',' + hash + ',' + hash + ",NULL," +
                     std::to_string(now_us) + ')';
            }
            tx.exec(sql);
            tx.commit();
          }
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        out.error = e.what();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  out.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  out.ok = out.error.empty();
  if (out.ok && out.seconds > 0) {
    out.rows_per_s = static_cast<double>(stores) * per_store / out.seconds;
  }
  return out;
}

}  // namespace storeagent::bench
