// The PostgreSQL side of bench_fleet: fresh schemas for one run, and the
// raw-insert baseline central's catch-up is compared with.
#ifndef STOREAGENT_BENCH_FLEET_PG_H_
#define STOREAGENT_BENCH_FLEET_PG_H_

#include <string>

namespace storeagent::bench {

// `url` with `?options=-csearch_path=<schema>` (or `&options=...`), so
// every table a client creates or uses lands in `schema`.
std::string WithSearchPath(const std::string& url, const std::string& schema);

// Runs one statement on its own connection. False, with `error` set, on
// any failure.
bool PgExec(const std::string& url, const std::string& sql, std::string* error);

// Creates central's tables in `schema` (drops it first), through central's
// own schema code (OpenCentralStore), so the baseline writes exactly the
// tables storecentrald writes.
bool CreateCentralSchema(const std::string& url, const std::string& schema,
                         std::string* error);

struct RawInsert {
  double rows_per_s = 0;
  double seconds = 0;
  bool ok = false;
  std::string error;
};

// Inserts `stores` x `per_store` rows into `schema`.store_events, each row
// shaped as central writes it (the store id, seq, recorded_at, kind "sale",
// `record` as the canonical record bytes, two 32-byte hashes, no
// quarantine, ingested_at), with `connections` libpqxx connections in
// parallel (central's pool size), each store's rows in transactions of at
// most `batch` rows, one multi-row INSERT each. The plainest fast client:
// no row lock, no watermark update, no chain check.
RawInsert RawInsertStoreEvents(const std::string& url, int stores,
                               int per_store, int batch, int connections,
                               const std::string& record);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_FLEET_PG_H_
