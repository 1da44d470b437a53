// bench_kpi's load: a store's business days as journal batches, chained and
// hashed as the agent writes them (mostly sales on every channel, some with
// a member; returns of earlier sales, voids, click-and-collect holds picked
// and collected, enrolments, a daily close), ingested through
// CentralStore::IngestBatch as the sync stream does.
#ifndef STOREAGENT_BENCH_KPI_LOAD_H_
#define STOREAGENT_BENCH_KPI_LOAD_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::bench {

// One store's journal as generated so far.
class StoreDayLoad {
 public:
  explicit StoreDayLoad(std::string store_id);

  // Makes the store's events of day `day` (day 0 starts at `start_us`),
  // `events` of them, in batches of `batch`.
  void MakeDay(int64_t start_us, int day, int events, int batch);
  // Ingests the batches MakeDay made, each committed 30 s after its last
  // event. Returns the events ingested, or an error.
  Result<int64_t> IngestDay(central::CentralStore& store);

 private:
  v1::JournalRecord Next(int64_t at_us);
  void Add(std::vector<v1::JournalEntry>& out, v1::JournalRecord r);

  std::string store_id_;
  std::mt19937 rng_;
  uint64_t seq_ = 0;
  std::string hash_;
  uint64_t txn_ = 0;
  std::vector<v1::ClientKey> recent_sales_;
  std::vector<std::vector<v1::JournalEntry>> batches_;
};

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_KPI_LOAD_H_
