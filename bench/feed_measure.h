// The change feed's figures for `bench/run kpi` (issue #11): one consumer
// reading central's whole feed to caught_up, against a plain SELECT of the
// same rows read to the end with libpqxx, in the same run.
#ifndef STOREAGENT_BENCH_FEED_MEASURE_H_
#define STOREAGENT_BENCH_FEED_MEASURE_H_

#include <cstdint>
#include <string>

namespace storeagent::bench {

struct FeedFigures {
  bool ok = false;
  std::string error;  // what failed, when !ok
  // feed_events_per_s: events the feed sent before caught_up, per second
  // from the call to caught_up (max_batch 1000, as a fast consumer asks).
  uint64_t feed_events = 0;
  double feed_seconds = 0;
  double feed_events_per_s = 0;
  // The baseline: SELECT store_id, seq, record FROM store_events and
  // SELECT store_id, central_seq, event FROM central_events, every row
  // read to the end (libpqxx, one connection, one transaction).
  uint64_t raw_rows = 0;
  double raw_seconds = 0;
  double raw_rows_per_s = 0;
  // feed_events_per_s / raw_rows_per_s; the target is >= 0.5.
  double feed_ratio_to_raw_scan = 0;
};

// Measures the feed of the storecentrald whose admin API (plaintext, as on
// a loopback admin.listen) is at `admin_address` ("127.0.0.1:PORT"),
// and the baseline on its PostgreSQL database: `pg_url` with `schema` as
// the search path ("" = the URL's own). The feed is read first, then the
// baseline (so the baseline finds the rows as warm as the feed left them).
FeedFigures MeasureFeed(const std::string& admin_address,
                        const std::string& pg_url, const std::string& schema);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_FEED_MEASURE_H_
