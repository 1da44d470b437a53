// SyncStore: the agent's side of the sync stream in SQLite (schema v4):
// the outbox (journal entries central has not acknowledged), the inbox of
// central events applied, and the watermarks in `meta`:
//   central_seq        last central_seq applied (down watermark)
//   central_acked_seq  highest store seq central acknowledged (up watermark;
//                      pruning, restore and metrics read it too)
//   sync_confirmed     "1" once central answered a Hello (empty-DB gate)
// All decimal text. Writes run on the writer thread inside a command, so a
// central batch, its effects and its watermark commit together or not at
// all; reads take any connection. docs/sync-protocol.md has the protocol.
#ifndef STOREAGENT_STORAGE_SYNC_STORE_H_
#define STOREAGENT_STORAGE_SYNC_STORE_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"
#include "storage/escrow_keeper.h"
#include "storage/journal_store.h"
#include "storage/writer.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::storage {

inline constexpr char kMetaCentralSeq[] = "central_seq";
inline constexpr char kMetaCentralAckedSeq[] = "central_acked_seq";
inline constexpr char kMetaSyncConfirmed[] = "sync_confirmed";

struct SyncWatermarks {
  uint64_t central_seq = 0;        // last central event applied
  uint64_t central_acked_seq = 0;  // last store seq central acknowledged
  bool confirmed = false;          // central answered a Hello once
  uint64_t head_seq = 0;           // journal head (same snapshot)
  // recorded_at of the oldest unacknowledged event, 0 when none.
  int64_t oldest_unacked_us = 0;
};

// What applying a CentralBatch did.
struct CentralApplied {
  uint64_t watermark = 0;  // meta central_seq after the batch
  int applied = 0;         // events new to this store
  int skipped = 0;         // at or below the watermark already
  // Things applied with a remark (unknown SKU in a price change, a cancel
  // of a hold that is not open, an escrow hold for an order that has one).
  std::vector<std::string> notes;
  // A price list or promotion was among the events: the in-memory price
  // book must be read again after the commit.
  bool price_book_changed = false;
};

class SyncStore {
 public:
  // Unsigned decimal meta value, 0 when absent. Any context.
  static Result<uint64_t> ReadMetaU64(DbContext& ctx, const std::string& key);
  static Status WriteMetaU64(DbContext& ctx, const std::string& key,
                             uint64_t value);

  // Every watermark, read in the caller's snapshot (call inside a read
  // transaction for a consistent set).
  static Result<SyncWatermarks> ReadWatermarks(DbContext& ctx);

  // Journal entries with seq > after, in seq order, at most `max_events`
  // and, counting each entry's serialized size, at most `max_bytes` — but
  // always the first one when there is one (an entry larger than max_bytes
  // travels alone). Each carries its stored bytes (canonical_record) and,
  // with `parsed_records`, its record as well (what a 0.3 central reads),
  // in JournalStore::kParsedOnTheWire's form: whole once sent and parsed,
  // never parsed here; without, a record holding only its seq
  // (docs/sync-protocol.md, "Record bytes").
  static Result<std::vector<v1::JournalEntry>> ReadOutbox(
      sqlite3* db, uint64_t after, size_t max_events, size_t max_bytes,
      bool parsed_records = true);

  // Raises central_acked_seq to `acked`; never lowers it. Writer thread.
  static Status RecordAck(DbContext& ctx, uint64_t acked);
  static Status MarkConfirmed(DbContext& ctx);

  // Applies `batch` (contiguous, oldest first) in the caller's writer
  // transaction, together with meta central_seq. Events at or below the
  // watermark are skipped (a resent batch); a gap or an event that fails
  // validation is an error naming it, and the command's rollback undoes
  // the whole batch. Effects: movement -> stock (StockLedger::ApplyCentral);
  // catalog -> CatalogStore::Upsert; prices -> CatalogStore::SetPrice;
  // escrow_hold -> HoldPlaced(from_escrow) appended through AppendEvent,
  // whatever is available; hold_cancel -> HoldCancelled if the hold is
  // open. Each applied event is kept in `inbox`. `keeper` (may be null)
  // re-checks the escrow of SKUs central moved.
  static Result<CentralApplied> ApplyCentralBatch(WriteContext& ctx,
                                                  JournalStore& journal,
                                                  const v1::CentralBatch& batch,
                                                  EscrowKeeper* keeper,
                                                  int64_t now_us);

  // Re-seed: inserts central's copy of store journal entries verbatim
  // (JournalStore::AppendVerbatim, which verifies the chain) and applies
  // their stock effects and closes (DayCloseStore::Remember), in the
  // caller's transaction. Entries at or below
  // the head must match the stored hash (skipped) or it is DATA_LOSS.
  // Returns the head after the batch.
  static Result<uint64_t> Reseed(WriteContext& ctx, JournalStore& journal,
                                 const v1::ReseedBatch& batch);

  // The stock digest (core/stock_digest.h) of the `stock` table at the
  // snapshot's watermark (journal head, central_seq). REQUIRES: called
  // inside one read transaction, so figures and watermark agree.
  static Result<v1::StockDigest> ReadStockDigest(DbContext& ctx,
                                                 uint32_t buckets);
  // The figures of every SKU in `asked` (bucket numbers of a `buckets`
  // digest), with the snapshot's watermark. Same REQUIRES.
  static Result<v1::DrillDownAnswer> ReadDrillDown(
      DbContext& ctx, uint32_t buckets, const std::vector<uint32_t>& asked);

  // Every central event in the inbox with central_seq > after, in order.
  static Result<std::vector<v1::CentralEvent>> ReadInbox(sqlite3* db,
                                                         uint64_t after,
                                                         size_t limit);
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_SYNC_STORE_H_
