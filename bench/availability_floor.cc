#include "bench/availability_floor.h"

#include <sys/resource.h>

#include <random>

#include "bench/availability_call_slots.h"
#include "bench/report.h"
#include "platform/clock.h"
#include "storage/sqlite_handle.h"
#include "storage/stock_ledger.h"
#include "storage/writer.h"
#include "storeagent/v1/availability.pb.h"

namespace storeagent::bench {
namespace {

int64_t ThreadCpuMicros() {
  rusage u{};
  ::getrusage(RUSAGE_THREAD, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * int64_t{1'000'000} +
         u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

}  // namespace

SqlFloor MeasureSqlFloor(const std::string& db_path,
                         const std::vector<std::string>& skus, int per_call,
                         int64_t duration_us) {
  SqlFloor out;
  storage::ConnectionOptions opts;
  opts.read_only = true;
  Result<storage::Connection> conn = storage::Connection::Open(db_path, opts);
  if (!conn.ok()) {
    Error("sql floor", conn.status().ToString());
    return out;
  }
  storage::DbContext ctx(conn->get());
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<size_t> pick(0, skus.size() - 1);
  std::vector<size_t> drawn;
  google::protobuf::RepeatedPtrField<std::string> asked;
  v1::GetAvailabilityResponse reply;
  int64_t read = 0;
  int64_t busy_us = 0;
  int64_t cpu_us = 0;
  const Clock& clock = SystemClock();
  const int64_t end = clock.MonotonicMicros() + duration_us;
  while (clock.MonotonicMicros() < end) {
    DrawDistinctSkus(skus, per_call, rng, pick, drawn, &asked);
    reply.Clear();
    const int64_t t0 = clock.MonotonicMicros();
    const int64_t c0 = ThreadCpuMicros();
    Status s = conn->Exec("BEGIN");
    if (s.ok()) {
      s = storage::StockLedger::AppendFigures(ctx, asked,
                                              reply.mutable_items());
      ctx.ResetBusyStatements();
      const Status c = conn->Exec("COMMIT");
      if (s.ok()) s = c;
    }
    cpu_us += ThreadCpuMicros() - c0;
    busy_us += clock.MonotonicMicros() - t0;
    if (!s.ok() || reply.items_size() != per_call) {
      Error("sql floor", s.ok() ? "wrong number of figures" : s.ToString());
      return out;
    }
    read += per_call;
  }
  out.ok = read > 0 && busy_us > 0;
  if (out.ok) {
    out.skus_per_s = static_cast<double>(read) * 1e6 / busy_us;
    out.cpu_us_per_sku = static_cast<double>(cpu_us) / read;
  }
  return out;
}

}  // namespace storeagent::bench
