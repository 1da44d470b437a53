// The SQL part of a batched availability lookup on its own: what one core
// can read, with no gRPC, no protobuf on the wire and no other thread, from
// the agent's database as GetAvailability reads it. Set against
// batched_skus_per_s it shows how much of a batched lookup is the database.
#ifndef STOREAGENT_BENCH_AVAILABILITY_FLOOR_H_
#define STOREAGENT_BENCH_AVAILABILITY_FLOOR_H_

#include <cstdint>
#include <string>
#include <vector>

namespace storeagent::bench {

struct SqlFloor {
  double skus_per_s = 0;      // one thread
  double cpu_us_per_sku = 0;  // that thread's CPU
  bool ok = false;
};

// Reads `per_call` distinct random SKUs of `skus` per read transaction
// (storage::StockLedger::AppendFigures, as the gRPC lookup does) on a new
// read-only connection to `db_path`, for `duration_us`. Reports an error
// (bench/report.h) and returns ok=false when a read fails.
SqlFloor MeasureSqlFloor(const std::string& db_path,
                         const std::vector<std::string>& skus, int per_call,
                         int64_t duration_us);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_AVAILABILITY_FLOOR_H_
