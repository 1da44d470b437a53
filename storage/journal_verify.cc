#include "storage/journal_verify.h"

#include "core/journal_chain.h"
#include "storage/journal_store.h"
#include "storage/sqlite_handle.h"

namespace storeagent::storage {

Result<VerifyReport> VerifyJournal(sqlite3* db) {
  Result<JournalHead> anchor = JournalStore::ReadAnchor(db);
  if (!anchor.ok()) return anchor.status();
  VerifyReport report;
  report.anchor_seq = anchor->seq;
  core::ChainVerifier verifier(anchor->seq, anchor->hash);

  Result<Statement> stmt = Statement::Prepare(
      db, "SELECT seq, prev_hash, hash, record FROM journal ORDER BY seq");
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
    ++report.entries_checked;
  }
  report.good_seq = verifier.last_seq();
  report.good_hash = verifier.last_hash();
  return report;
}

}  // namespace storeagent::storage
