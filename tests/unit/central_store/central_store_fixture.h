// The conformance suite's fixture: one fresh CentralStore per test on the
// backend under test, and a builder of valid journal chains.
//
// Each backend file (sqlite_backend_test.cc, pg_backend_test.cc) instantiates
// the suite with its Backend. A Backend opens fresh storage per test (a temp
// file, or a PostgreSQL schema with a random suffix dropped at the end).
#ifndef STOREAGENT_TESTS_UNIT_CENTRAL_STORE_CENTRAL_STORE_FIXTURE_H_
#define STOREAGENT_TESTS_UNIT_CENTRAL_STORE_CENTRAL_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "core/journal_chain.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::testing {

// The fixed "now" of the central store tests, in microseconds.
inline constexpr int64_t kNow = 1'700'000'000'000'000;

// Storage for one test: Open() may be called several times and returns
// another CentralStore over the same data (another replica, or a reopen).
class BackendInstance {
 public:
  virtual ~BackendInstance() = default;
  virtual Result<std::unique_ptr<central::CentralStore>> Open() = 0;
  // True when several open stores may write the same data at once (PG
  // replicas). SQLite has one writer per file: threads share one store.
  virtual bool multi_writer() const = 0;
};

struct Backend {
  std::string name;
  // A fresh instance, or a Status: the suite fails the test with it (or,
  // for SKIPPED_, skips it with the message).
  std::function<Result<std::unique_ptr<BackendInstance>>()> make;
};

inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

// Backends put this first in the message of a status that means "skip".
inline constexpr char kSkipPrefix[] = "SKIPPED_: ";

class CentralStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;

  Result<std::unique_ptr<central::CentralStore>> Reopen() {
    return instance_->Open();
  }

  // A store for each of `n` threads: with a multi-writer backend a
  // connection of its own each (replicas over one database), else store_
  // for all. A failed open fails the test and leaves the vector short.
  std::vector<central::CentralStore*> StoresForThreads(int n) {
    std::vector<central::CentralStore*> out;
    for (int t = 0; t < n; ++t) {
      if (!instance_->multi_writer()) {
        out.push_back(store_.get());
        continue;
      }
      Result<std::unique_ptr<central::CentralStore>> s = Reopen();
      if (!s.ok()) {
        ADD_FAILURE() << s.status().ToString();
        return out;
      }
      replicas_.push_back(std::move(s).value());
      out.push_back(replicas_.back().get());
    }
    return out;
  }

  std::unique_ptr<BackendInstance> instance_;
  std::unique_ptr<central::CentralStore> store_;
  std::vector<std::unique_ptr<central::CentralStore>> replicas_;
};

// Builds a valid chain: each Next() numbers the record, stamps recorded_at
// and hashes it after the previous entry, as the agent's journal does.
class ChainBuilder {
 public:
  v1::JournalEntry Next(v1::JournalRecord record);
  // `n` valid no-sale entries.
  std::vector<v1::JournalEntry> NoSales(int n);
  uint64_t seq() const { return seq_; }
  const std::string& hash() const { return hash_; }

 private:
  uint64_t seq_ = 0;
  std::string hash_ = core::GenesisHash();
};

// Records for the tests: a valid no-sale, and one with client key `txn`.
v1::JournalRecord NoSale(const std::string& txn);
// A sale with client key `txn`, its receipt number and (non-empty: a
// click-and-collect sale) its order reference.
v1::JournalRecord KpiSale(const std::string& txn, const std::string& receipt,
                          const std::string& order_ref);
// A return with client key `txn` naming its original by `store` (empty:
// its own), client key `orig_txn` (empty: none), `reference` and
// `channel`.
v1::JournalRecord KpiReturn(const std::string& txn, const std::string& store,
                            const std::string& orig_txn,
                            const std::string& reference,
                            const std::string& channel);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_UNIT_CENTRAL_STORE_CENTRAL_STORE_FIXTURE_H_
