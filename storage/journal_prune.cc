#include "storage/journal_prune.h"

#include <charconv>
#include <string>

#include "storage/journal_store.h"
#include "storage/sqlite_handle.h"

namespace storeagent::storage {

Result<uint64_t> ReadCentralAckedSeq(sqlite3* db) {
  Result<Statement> s = Statement::Prepare(
      db, "SELECT value FROM meta WHERE key = 'central_acked_seq'");
  if (!s.ok()) return s.status();
  Result<bool> row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) return uint64_t{0};
  const std::string_view text = s->ColumnText(0);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return DataLoss("meta central_acked_seq: '" + std::string(text) +
                    "' is not a number");
  }
  return v;
}

Result<PruneResult> PruneJournalBatch(WriteContext& ctx, int64_t cutoff_us,
                                      size_t batch) {
  if (batch == 0 || batch > kMaxPruneBatch) {
    return InvalidArgument("retention.prune_batch: must be 1.." +
                           std::to_string(kMaxPruneBatch));
  }
  Result<JournalHead> anchor = JournalStore::ReadAnchor(ctx.db());
  if (!anchor.ok()) return anchor.status();
  Result<uint64_t> acked = ReadCentralAckedSeq(ctx.db());
  if (!acked.ok()) return acked.status();
  PruneResult out;
  out.anchor_seq = anchor->seq;
  if (*acked <= anchor->seq) return out;

  Result<Statement*> scan = ctx.Prepare(
      "SELECT seq, recorded_at_us, hash FROM journal WHERE seq > ?1 "
      "ORDER BY seq LIMIT ?2");
  if (!scan.ok()) return scan.status();
  Statement& s = **scan;
  s.BindInt(1, static_cast<int64_t>(anchor->seq));
  s.BindInt(2, static_cast<int64_t>(batch));
  uint64_t last_seq = anchor->seq;
  std::string last_hash;
  for (;;) {
    Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const uint64_t seq = static_cast<uint64_t>(s.ColumnInt(0));
    if (seq != last_seq + 1) {
      return DataLoss("journal: seq " + std::to_string(last_seq + 1) +
                      " is missing after the anchor; not pruning");
    }
    if (seq > *acked || s.ColumnInt(1) >= cutoff_us) break;
    last_seq = seq;
    last_hash = std::string(s.ColumnBlob(2));
  }
  s.Reset();
  if (last_seq == anchor->seq) return out;

  Result<Statement*> del =
      ctx.Prepare("DELETE FROM journal WHERE seq > ?1 AND seq <= ?2");
  if (!del.ok()) return del.status();
  (*del)->BindInt(1, static_cast<int64_t>(anchor->seq));
  (*del)->BindInt(2, static_cast<int64_t>(last_seq));
  STOREAGENT_RETURN_IF_ERROR((*del)->Run());
  Result<Statement*> move =
      ctx.Prepare("UPDATE journal_anchor SET seq = ?1, hash = ?2 WHERE id = 1");
  if (!move.ok()) return move.status();
  (*move)->BindInt(1, static_cast<int64_t>(last_seq));
  (*move)->BindBlob(2, last_hash);
  STOREAGENT_RETURN_IF_ERROR((*move)->Run());
  out.pruned = last_seq - anchor->seq;
  out.anchor_seq = last_seq;
  return out;
}

}  // namespace storeagent::storage
