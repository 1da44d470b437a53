#include "storage/journal_verify.h"

#include "core/journal_chain.h"
#include "storage/journal_store.h"
#include "storage/sqlite_handle.h"

namespace storeagent::storage {

Result<VerifyReport> VerifyJournal(sqlite3* db, const SignatureKeys* keys) {
  Result<JournalHead> anchor = JournalStore::ReadAnchor(db);
  if (!anchor.ok()) return anchor.status();
  VerifyReport report;
  report.anchor_seq = anchor->seq;
  report.signed_through_seq = anchor->seq;
  std::string signed_hash = anchor->hash;
  core::ChainVerifier verifier(anchor->seq, anchor->hash);

  Result<Statement> stmt = Statement::Prepare(
      db,
      "SELECT seq, prev_hash, hash, record, kind FROM journal ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  for (;;) {
    Result<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const uint64_t seq = static_cast<uint64_t>(stmt->ColumnInt(0));
    Status s = verifier.Next(seq, stmt->ColumnBlob(1), stmt->ColumnBlob(2),
                             stmt->ColumnBlob(3));
    if (!s.ok()) {
      report.problem = s;
      // A gap is reported at the missing seq, anything else at this row.
      report.first_bad_seq =
          seq > verifier.last_seq() + 1 ? verifier.last_seq() + 1 : seq;
      break;
    }
    if (keys != nullptr && stmt->ColumnText(4) == "checkpoint") {
      v1::JournalRecord r;
      const std::string_view bytes = stmt->ColumnBlob(3);
      Status c = r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))
                     ? Status::Ok()
                     : DataLoss("seq " + std::to_string(seq) +
                                ": checkpoint record does not parse");
      if (c.ok()) {
        c = core::VerifyCheckpoint(r.checkpoint(), seq, stmt->ColumnBlob(1),
                                   keys->store_id, keys->keys)
                .status();
      }
      if (!c.ok()) {
        report.problem = c;
        report.first_bad_seq = seq;
        report.unsigned_from = report.signed_through_seq + 1;
        // The chain hashes, but what follows the last good checkpoint is
        // not what was signed: good only up to that checkpoint's cover.
        report.good_seq = report.signed_through_seq;
        report.good_hash = signed_hash;
        return report;
      }
      ++report.checkpoints_verified;
      report.signed_through_seq = seq - 1;
      signed_hash = std::string(stmt->ColumnBlob(1));
    }
    ++report.entries_checked;
  }
  report.good_seq = verifier.last_seq();
  report.good_hash = verifier.last_hash();
  return report;
}

}  // namespace storeagent::storage
