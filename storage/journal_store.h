// JournalStore: the store's event journal in SQLite.
//
// Appends give each event the next seq (1, 2, 3 ... without gaps) and chain
// it: hash = SHA-256(prev_hash || canonical bytes). The client key
// (terminal_id, client_txn_id) is unique: appending a key again with the same
// content returns the first answer (replayed); with other content it is
// ALREADY_EXISTS and changes nothing.
//
// Appends run inside a Writer command (on the writer thread); the head is
// cached and reloaded whenever the writer rolls anything back. Reads take
// any connection and are static.
#ifndef STOREAGENT_STORAGE_JOURNAL_STORE_H_
#define STOREAGENT_STORAGE_JOURNAL_STORE_H_

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/writer.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::storage {

class CheckpointKeeper;

struct AppendResult {
  uint64_t seq = 0;
  std::string hash;
  int64_t recorded_at_us = 0;
  bool replayed = false;
};

struct JournalHead {
  uint64_t seq = 0;  // 0: empty journal
  std::string hash;  // the anchor's hash when empty
  int64_t recorded_at_us = 0;
};

class JournalStore {
 public:
  // REQUIRES: `writer` outlives this. Registers a rollback listener, so
  // construct before the first Submit() to the writer.
  JournalStore(Writer& writer, const Clock& clock);

  // Loads the head from the database. Call once before appending.
  Status Open();

  // Appends `record` (body and client key set; seq and recorded_at are
  // filled here). Runs on the writer thread, inside a command.
  // `content_digest` is what a retry is compared on; empty means
  // core::ContentDigest(record), which leaves out what the agent adds
  // (sealed contact details, a sale's price check).
  Result<AppendResult> Append(WriteContext& ctx, v1::JournalRecord record,
                              std::string content_digest = {});
  // The same without copying: fills in `record`'s seq and recorded_at.
  Result<AppendResult> Append(WriteContext& ctx, v1::JournalRecord* record,
                              std::string content_digest = {});

  // Inserts a journal entry central sent back (re-seed) verbatim: its
  // record bytes (canonical_record when set, its record then parsed from
  // them: core::AdoptCanonicalRecord), prev_hash and hash as stored at
  // central. REQUIRES: the
  // entry's seq is head + 1 and its prev_hash the head's hash, and its hash
  // verifies (core::ChainVerifier); DATA_LOSS otherwise, nothing written.
  // Writer thread, inside a command. Does not apply stock effects.
  Status AppendVerbatim(WriteContext& ctx, const v1::JournalEntry& entry);

  // Runs after every new (not replayed) append made through
  // storage::AppendEvent, in the same transaction, with the record as
  // applied; an error fails the command. Used by the escrow keeper.
  // REQUIRES: set before the first Submit() that appends, never changed
  // while appends may run.
  using AfterAppend =
      std::function<Status(WriteContext&, const v1::JournalRecord&,
                           const std::vector<std::string>& touched_skus)>;
  void SetAfterAppend(AfterAppend hook) { after_append_ = std::move(hook); }
  const AfterAppend& after_append() const { return after_append_; }

  // The grand totals and checkpoints kept beside the journal
  // (storage/checkpoint_keeper.h): storage::AppendEvent counts every new
  // event there and lets it checkpoint. Null: neither (tests of the journal
  // alone). Same rules as SetAfterAppend.
  void SetCheckpoints(CheckpointKeeper* keeper) { checkpoints_ = keeper; }
  CheckpointKeeper* checkpoints() const { return checkpoints_; }

  // The business day `record` counts on (docs/pos-api.md, "X and Z
  // reports"): a till transaction's business_day field, or the local date
  // (platform LocalDay) of its recorded_at_us when the POS sent none; ""
  // for every other event. Kept in the journal's business_day column.
  static std::string DayOf(const v1::JournalRecord& record);

  // A consistent copy of the head as of the last append. Any thread.
  JournalHead head() const;

  // New events (not replays) committed since Open(), by kind
  // (core::EventKind). Counted after COMMIT, so a rolled-back append never
  // counts. Any thread.
  std::map<std::string, uint64_t> CommittedKinds() const;

  // Reads. `db` is any connection (a reader's or the writer's). One entry
  // (ReadBySeq, ReadByKey) carries its record parsed and its stored bytes
  // (canonical_record); ReadRange gives the form asked for; ReadWhere the
  // record parsed only (whole-journal passes keep no second copy).
  enum EntryForm {
    kParsed,          // the record parsed
    kParsedAndBytes,  // and its stored bytes
    kBytesOnly,       // the stored bytes and a record holding only its seq
    // What kParsedAndBytes is once sent, without parsing the record here:
    // the stored bytes, a record holding only its seq, and the stored bytes
    // again as a second `record` on the wire (kept as an unknown field,
    // written verbatim after the known ones). A parse of the sent entry
    // merges the two occurrences into the whole record (protobuf's rule for
    // a message field seen twice), so every receiver, 0.3 ones too, reads
    // the entry kParsedAndBytes would have sent. For the sync outbox.
    kParsedOnTheWire,
  };
  static Result<std::optional<v1::JournalEntry>> ReadBySeq(sqlite3* db,
                                                           uint64_t seq);
  static Result<std::optional<v1::JournalEntry>> ReadByKey(
      sqlite3* db, const v1::ClientKey& key);
  // Up to `limit` entries with seq >= from, in seq order.
  static Result<std::vector<v1::JournalEntry>> ReadRange(
      sqlite3* db, uint64_t from, size_t limit, EntryForm form = kParsed);
  // Every entry whose row matches `where`, an SQL condition over journal's
  // columns written by the caller (never from input), in seq order. For the
  // once-per-database passes over the journal (DayCloseStore, ReturnLimits).
  static Result<std::vector<v1::JournalEntry>> ReadWhere(
      sqlite3* db, const std::string& where);
  // The chain's anchor: (0, zeros) unless events were pruned.
  static Result<JournalHead> ReadAnchor(sqlite3* db);
  static Result<JournalHead> ReadHead(sqlite3* db);

 private:
  Status LoadHead(sqlite3* db);

  Writer& writer_;
  const Clock& clock_;
  AfterAppend after_append_;
  CheckpointKeeper* checkpoints_ = nullptr;
  mutable std::mutex mu_;
  JournalHead head_;  // guarded by mu_; written on the writer thread only
  std::map<std::string, uint64_t> committed_kinds_;  // guarded by mu_
  // Appended in the open transaction: (seq, kind). Writer thread only.
  std::vector<std::pair<uint64_t, std::string>> uncommitted_;
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_JOURNAL_STORE_H_
