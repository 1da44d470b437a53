// The floor under catch-up: the rows central stored for a store's journal,
// inserted again by a plain batched SQLite client into a new database with
// central's schema, as fast as one thread can. No gRPC, no TLS, no hash
// check, no KPI or stock rows; the same durability (WAL,
// synchronous=FULL) and the batch the agent sends (500 entries, one
// transaction each). Set against sync_catchup_events_per_s it shows how
// much of a catch-up is the database's write.
#ifndef STOREAGENT_BENCH_SYNC_RAW_INSERT_H_
#define STOREAGENT_BENCH_SYNC_RAW_INSERT_H_

#include <cstddef>
#include <string>

namespace storeagent::bench {

struct RawInsert {
  double rows_per_s = 0;
  size_t rows = 0;
  bool ok = false;
};

// Reads every store_events row of `central_db` (central's SQLite file,
// central stopped), makes a database with central's schema (the real
// migration) at `scratch_db`.0 and inserts those rows into its
// store_events, `batch` rows a transaction; twice more into .1 and .2; the
// median of the three rates. Times only the inserts and commits. Reports an
// error (bench/report.h) and returns ok=false when anything fails.
RawInsert MeasureRawInsert(const std::string& central_db,
                           const std::string& scratch_db, size_t batch);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_SYNC_RAW_INSERT_H_
