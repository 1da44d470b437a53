// Walks the whole journal and checks its hash chain from the anchor to the
// head. Used by `storeagentctl journal verify` and the tests.
#ifndef STOREAGENT_STORAGE_JOURNAL_VERIFY_H_
#define STOREAGENT_STORAGE_JOURNAL_VERIFY_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "platform/status.h"

namespace storeagent::storage {

struct VerifyReport {
  uint64_t entries_checked = 0;
  uint64_t anchor_seq = 0;
  // The last entry that checked out.
  uint64_t good_seq = 0;
  std::string good_hash;
  // OK, or DATA_LOSS naming the first bad seq and what is wrong with it.
  Status problem;
  // 0 when the chain is intact.
  uint64_t first_bad_seq = 0;
};

// A Result error means the database could not be read at all; a damaged
// chain is reported in VerifyReport::problem.
Result<VerifyReport> VerifyJournal(sqlite3* db);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_JOURNAL_VERIFY_H_
