// Walks the whole journal and checks its hash chain from the anchor to the
// head. Used by `storeagentctl journal verify` and the tests.
#ifndef STOREAGENT_STORAGE_JOURNAL_VERIFY_H_
#define STOREAGENT_STORAGE_JOURNAL_VERIFY_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "core/checkpoint.h"
#include "platform/status.h"

namespace storeagent::storage {

// What checkpoints are verified against: the store and its public keys.
struct SignatureKeys {
  std::string store_id;
  core::StoreKeys keys;
};

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
  // With keys: checkpoints whose signature verified, and the last seq one
  // of them covers (anchor_seq when none). A checkpoint that fails is the
  // problem, at its seq, and `unsigned_from` the first record it should
  // have vouched for (the first unsigned break: records unsigned_from ..
  // first_bad_seq - 1 are not what was signed).
  uint64_t checkpoints_verified = 0;
  uint64_t signed_through_seq = 0;
  uint64_t unsigned_from = 0;
};

// A Result error means the database could not be read at all; a damaged
// chain is reported in VerifyReport::problem. With `keys`, every
// checkpoint's signature is checked too (core::VerifyCheckpoint).
Result<VerifyReport> VerifyJournal(sqlite3* db,
                                   const SignatureKeys* keys = nullptr);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_JOURNAL_VERIFY_H_
