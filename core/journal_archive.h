// The auditor's archive (docs/security.md, "The auditor's archive"): a run
// of a store's journal in one self-contained text file, and its offline
// verification. `storeagentctl journal export` writes one;
// `storeagent-verify` checks one without the agent, its database or
// central.
//
// The file is JSON Lines. Line 1, the manifest:
//   {"format": "storeagent-journal-archive/1", "store_id": ...,
//    "from_day": "YYYY-MM-DD", "to_day": ..., "created_at_us": ...,
//    "first_seq": N, "last_seq": M, "records": M - N + 1,
//    "public_keys": [{"key_id": ..., "public_key": <64 hex>}, ...]}
// then one line per journal record, in seq order, without gaps:
//   {"seq": N, "kind": "sale", "recorded_at_us": ...,
//    "prev_hash": <hex>, "hash": <hex>, "record": <hex of the stored
//    canonical bytes>}
// Checkpoints are records like any other. The run starts at the last
// checkpoint at or before the period's first record and ends at the first
// checkpoint at or after its last, when the journal holds them, so every
// record of the period lies between two signatures.
#ifndef STOREAGENT_CORE_JOURNAL_ARCHIVE_H_
#define STOREAGENT_CORE_JOURNAL_ARCHIVE_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/checkpoint.h"
#include "platform/status.h"

namespace storeagent::core {

inline constexpr std::string_view kArchiveFormat =
    "storeagent-journal-archive/1";

struct ArchiveManifest {
  std::string store_id;
  std::string from_day;
  std::string to_day;
  int64_t created_at_us = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  StoreKeys keys;  // the store's public keys, by key id
};

// One stored journal row.
struct ArchiveEntry {
  uint64_t seq = 0;
  std::string kind;
  int64_t recorded_at_us = 0;
  std::string prev_hash;
  std::string hash;
  std::string canonical;
};

// The manifest line, and one line per entry (each ending in '\n').
std::string ArchiveManifestLine(const ArchiveManifest& m);
std::string ArchiveEntryLine(const ArchiveEntry& e);

struct ArchiveReport {
  ArchiveManifest manifest;
  uint64_t records = 0;
  // The chain: intact from first_seq's prev_hash through the last record
  // unless `problem` says otherwise.
  uint64_t checkpoints_verified = 0;
  uint64_t signed_from_seq = 0;     // first record a checkpoint covers
  uint64_t signed_through_seq = 0;  // last record a checkpoint covers
  // Spans between two checkpoints whose grand totals were recomputed from
  // the records between them and agreed; and spans that could not be
  // recomputed (with why, in `notes`).
  uint64_t totals_spans_checked = 0;
  std::vector<std::string> notes;
  // OK, or DATA_LOSS / INVALID_ARGUMENT naming the line or seq.
  Status problem;
  uint64_t first_bad_seq = 0;
};

// Reads and checks an archive: its format, every record's hash and chain,
// every checkpoint's signature against `trusted` (when not empty: the keys
// the auditor got from head office; else the manifest's own, which proves
// integrity but not origin), and the grand totals between consecutive
// checkpoints. A Result error means the input could not be read at all.
Result<ArchiveReport> VerifyArchive(std::istream& in, const StoreKeys& trusted);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_JOURNAL_ARCHIVE_H_
