// OneTxnBaseline: the disk's figure for durable sales without group commit.
//
// One thread records sales into a SQLite table shaped like the agent's
// journal (same columns, same unique client key, same SHA-256 chain), one
// sale per transaction: BEGIN; INSERT; COMMIT. The database is opened like
// the agent's (WAL, synchronous=FULL), so every COMMIT waits for an fsync of
// the WAL. What this reaches is what a recorder without group commit could.
//
// Thread-safety: one thread at a time.
#ifndef STOREAGENT_BENCH_ONE_TXN_BASELINE_H_
#define STOREAGENT_BENCH_ONE_TXN_BASELINE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "platform/status.h"
#include "storage/sqlite_handle.h"

namespace storeagent::bench {

struct OneTxnResult {
  uint64_t sales = 0;
  double seconds = 0;
  double SalesPerSecond() const { return seconds > 0 ? sales / seconds : 0; }
};

class OneTxnBaseline {
 public:
  // Creates the database at `db_path` through the SQLite VFS `vfs` (empty:
  // the default). `record` is the serialized sale every row carries.
  static Result<std::unique_ptr<OneTxnBaseline>> Open(
      const std::string& db_path, const std::string& vfs, std::string record);

  // Records sales, each under a new key, for `duration_us`; a later Run()
  // carries on the same journal. Returns this run's count and time.
  Result<OneTxnResult> Run(int64_t duration_us);

 private:
  OneTxnBaseline() = default;
  Status RecordOne();

  storage::Connection conn_;  // declared first: statements close before it
  storage::Statement begin_;
  storage::Statement insert_;
  storage::Statement commit_;
  std::string record_;
  std::string digest_;
  std::string prev_hash_;
  std::string txn_id_;
  uint64_t seq_ = 0;
};

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_ONE_TXN_BASELINE_H_
