// A generated four-week history of five stores for the KPI tests
// (docs/kpis.md): sales on every channel with and without a member, voids,
// returns of same-store, other-store, online and unknown originals,
// click-and-collect holds collected, short-picked, cancelled by the store
// and by central, expired; enrolments, daily closes (one with a
// discrepancy), central events and their acks, drift findings, sales
// checked against a price book with lines flagged as deviating (and stores
// and weeks without a book), and a store offline for two days whose events
// and acks arrive late. Deterministic.
#ifndef STOREAGENT_TESTS_UNIT_CENTRAL_STORE_KPI_HISTORY_H_
#define STOREAGENT_TESTS_UNIT_CENTRAL_STORE_KPI_HISTORY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::testing {

// 2026-11-02T00:00:00Z, the Monday of ISO week 2026-W45.
inline constexpr int64_t kHistoryStartUs = 1'793'577'600'000'000;
inline constexpr int kHistoryDays = 28;

// A store event as it happened: recorded at the store, committed at central.
struct HistoryEvent {
  std::string store_id;
  v1::JournalEntry entry;
  int64_t ingested_at_us = 0;
};

// A central event: created, and acknowledged by the store (first ack
// covering it).
struct HistoryCentralEvent {
  std::string store_id;
  uint64_t central_seq = 0;
  int64_t created_at_us = 0;
  int64_t acked_at_us = 0;
};

// What is done to central, in time order.
struct HistoryAction {
  enum Kind { kIngest, kAppend, kAck, kDrift } kind = kIngest;
  int64_t at_us = 0;
  std::string store_id;
  std::vector<v1::JournalEntry> entries;  // kIngest
  uint64_t central_seq = 0;               // kAppend (expected), kAck
  std::vector<v1::Drift> drift;           // kDrift
};

struct History {
  std::map<std::string, std::string> regions;  // store -> region ("": none)
  std::vector<HistoryEvent> events;            // every store event
  std::vector<HistoryCentralEvent> central;
  std::vector<v1::Drift> drift;
  std::vector<HistoryAction> actions;  // sorted by at_us (stable)
};

History GenerateHistory(uint32_t seed);

// Replays the actions on `store` (regions set once every store exists);
// a failure is a gtest failure. Returns false on the first one.
bool Replay(const History& h, central::CentralStore& store);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_UNIT_CENTRAL_STORE_KPI_HISTORY_H_
