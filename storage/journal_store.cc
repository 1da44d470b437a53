#include "storage/journal_store.h"

#include <google/protobuf/unknown_field_set.h>

#include "core/day_totals.h"
#include "core/event_kind.h"
#include "core/journal_chain.h"

namespace storeagent::storage {
namespace {

constexpr char kSelectEntry[] =
    "SELECT seq, record, prev_hash, hash FROM journal ";

// The row's entry in `form` (JournalStore::EntryForm).
Result<v1::JournalEntry> EntryFromRow(const Statement& stmt,
                                      JournalStore::EntryForm form) {
  v1::JournalEntry entry;
  std::string_view record = stmt.ColumnBlob(1);
  if (form == JournalStore::kBytesOnly ||
      form == JournalStore::kParsedOnTheWire) {
    entry.mutable_record()->set_seq(static_cast<uint64_t>(stmt.ColumnInt(0)));
    if (form == JournalStore::kParsedOnTheWire) {
      entry.GetReflection()->MutableUnknownFields(&entry)->AddLengthDelimited(
          v1::JournalEntry::kRecordFieldNumber, std::string(record));
    }
  } else if (!entry.mutable_record()->ParseFromArray(
                 record.data(), static_cast<int>(record.size()))) {
    return DataLoss("journal seq " + std::to_string(stmt.ColumnInt(0)) +
                    ": stored record does not parse");
  }
  if (form != JournalStore::kParsed) {
    entry.set_canonical_record(std::string(record));
  }
  entry.set_prev_hash(std::string(stmt.ColumnBlob(2)));
  entry.set_hash(std::string(stmt.ColumnBlob(3)));
  return entry;
}

Result<std::optional<v1::JournalEntry>> ReadOne(Statement& stmt) {
  Result<bool> row = stmt.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<v1::JournalEntry>();
  Result<v1::JournalEntry> e =
      EntryFromRow(stmt, JournalStore::kParsedAndBytes);
  if (!e.ok()) return e.status();
  return std::optional<v1::JournalEntry>(std::move(e).value());
}

// The business_day column: the till transaction's day, NULL otherwise.
void BindDay(Statement& s, int i, const v1::JournalRecord& record) {
  const std::string day = JournalStore::DayOf(record);
  if (day.empty()) {
    s.BindNull(i);
  } else {
    s.BindText(i, day);
  }
}

}  // namespace

std::string JournalStore::DayOf(const v1::JournalRecord& record) {
  if (!record.has_transaction() ||
      record.transaction().kind_case() == v1::Transaction::KIND_NOT_SET) {
    return {};
  }
  std::string_view day = core::TransactionDay(record.transaction());
  if (!day.empty()) return std::string(day);
  return LocalDay(record.recorded_at_us());
}

JournalStore::JournalStore(Writer& writer, const Clock& clock)
    : writer_(writer), clock_(clock) {
  writer_.AddRollbackListener([this](WriteContext& ctx) {
    // Best effort: if even this read fails the next append fails too and
    // reloads again through the same path.
    LoadHead(ctx.db()).IgnoreError();
    // What was rolled back lies above the reloaded head.
    const uint64_t head_seq = head().seq;
    std::erase_if(uncommitted_,
                  [head_seq](const auto& e) { return e.first > head_seq; });
  });
  writer_.AddCommitListener([this](const CommitInfo&) {
    if (uncommitted_.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [seq, kind] : uncommitted_) ++committed_kinds_[kind];
    uncommitted_.clear();
  });
}

std::map<std::string, uint64_t> JournalStore::CommittedKinds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_kinds_;
}

Status JournalStore::Open() {
  return writer_.Run([this](WriteContext& ctx) { return LoadHead(ctx.db()); });
}

Status JournalStore::LoadHead(sqlite3* db) {
  Result<JournalHead> head = ReadHead(db);
  if (!head.ok()) return head.status();
  std::lock_guard<std::mutex> lock(mu_);
  head_ = std::move(head).value();
  return Status::Ok();
}

JournalHead JournalStore::head() const {
  std::lock_guard<std::mutex> lock(mu_);
  return head_;
}

Result<AppendResult> JournalStore::Append(WriteContext& ctx,
                                          v1::JournalRecord record,
                                          std::string content_digest) {
  return Append(ctx, &record, std::move(content_digest));
}

Result<AppendResult> JournalStore::Append(WriteContext& ctx,
                                          v1::JournalRecord* rec,
                                          std::string content_digest) {
  v1::JournalRecord& record = *rec;
  record.clear_seq();
  record.clear_recorded_at_us();
  const std::string digest = content_digest.empty()
                                 ? core::ContentDigest(record)
                                 : std::move(content_digest);
  const v1::ClientKey& key = record.client_key();

  Result<Statement*> find = ctx.Prepare(
      "SELECT seq, hash, recorded_at_us, content_digest FROM journal "
      "WHERE terminal_id = ?1 AND client_txn_id = ?2");
  if (!find.ok()) return find.status();
  Statement& f = **find;
  f.BindText(1, key.terminal_id());
  f.BindText(2, key.client_txn_id());
  Result<bool> found = f.Step();
  if (!found.ok()) return found.status();
  if (*found) {
    const uint64_t seq = static_cast<uint64_t>(f.ColumnInt(0));
    if (f.ColumnBlob(3) != digest) {
      return AlreadyExists(
          "client_key: (" + key.terminal_id() + ", " + key.client_txn_id() +
          ") was already used for a different event (seq " +
          std::to_string(seq) + "); a new event needs a new client_txn_id");
    }
    AppendResult r;
    r.seq = seq;
    r.hash = std::string(f.ColumnBlob(1));
    r.recorded_at_us = f.ColumnInt(2);
    r.replayed = true;
    return r;
  }

  JournalHead prev = head();
  record.set_seq(prev.seq + 1);
  record.set_recorded_at_us(clock_.NowMicros());
  const std::string canonical = core::CanonicalBytes(record);
  const std::string hash = core::ChainHash(prev.hash, canonical);

  Result<Statement*> ins = ctx.Prepare(
      "INSERT INTO journal (seq, terminal_id, client_txn_id, kind, "
      "recorded_at_us, content_digest, record, prev_hash, hash, "
      "business_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!ins.ok()) return ins.status();
  Statement& s = **ins;
  s.BindInt(1, static_cast<int64_t>(record.seq()));
  s.BindText(2, key.terminal_id());
  s.BindText(3, key.client_txn_id());
  s.BindText(4, core::EventKind(record));
  s.BindInt(5, record.recorded_at_us());
  s.BindBlob(6, digest);
  s.BindBlob(7, canonical);
  s.BindBlob(8, prev.hash);
  s.BindBlob(9, hash);
  BindDay(s, 10, record);
  STOREAGENT_RETURN_IF_ERROR(s.Run());
  uncommitted_.emplace_back(record.seq(), std::string(core::EventKind(record)));

  AppendResult r;
  r.seq = record.seq();
  r.hash = hash;
  r.recorded_at_us = record.recorded_at_us();
  {
    std::lock_guard<std::mutex> lock(mu_);
    head_ = JournalHead{r.seq, r.hash, r.recorded_at_us};
  }
  return r;
}

Status JournalStore::AppendVerbatim(WriteContext& ctx,
                                    const v1::JournalEntry& entry) {
  JournalHead prev = head();
  const uint64_t seq = entry.record().seq();
  // The bytes central sent (0.4), verbatim, else the record re-serialized.
  const std::string canonical = core::EntryCanonicalBytes(entry);
  core::ChainVerifier verifier(prev.seq, prev.hash);
  STOREAGENT_RETURN_IF_ERROR(
      verifier.Next(seq, entry.prev_hash(), entry.hash(), canonical));
  const v1::ClientKey& key = entry.record().client_key();
  v1::JournalRecord content = entry.record();
  content.clear_seq();
  content.clear_recorded_at_us();
  Result<Statement*> ins = ctx.Prepare(
      "INSERT INTO journal (seq, terminal_id, client_txn_id, kind, "
      "recorded_at_us, content_digest, record, prev_hash, hash, "
      "business_day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!ins.ok()) return ins.status();
  Statement& s = **ins;
  s.BindInt(1, static_cast<int64_t>(seq));
  s.BindText(2, key.terminal_id());
  s.BindText(3, key.client_txn_id());
  s.BindText(4, core::EventKind(entry.record()));
  s.BindInt(5, entry.record().recorded_at_us());
  s.BindBlob(6, core::ContentDigest(content));
  s.BindBlob(7, canonical);
  s.BindBlob(8, entry.prev_hash());
  s.BindBlob(9, entry.hash());
  BindDay(s, 10, entry.record());
  STOREAGENT_RETURN_IF_ERROR(s.Run());
  std::lock_guard<std::mutex> lock(mu_);
  head_ = JournalHead{seq, entry.hash(), entry.record().recorded_at_us()};
  return Status::Ok();
}

Result<std::optional<v1::JournalEntry>> JournalStore::ReadBySeq(sqlite3* db,
                                                                uint64_t seq) {
  Result<Statement> stmt =
      Statement::Prepare(db, std::string(kSelectEntry) + "WHERE seq = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, static_cast<int64_t>(seq));
  return ReadOne(*stmt);
}

Result<std::optional<v1::JournalEntry>> JournalStore::ReadByKey(
    sqlite3* db, const v1::ClientKey& key) {
  Result<Statement> stmt = Statement::Prepare(
      db, std::string(kSelectEntry) +
              "WHERE terminal_id = ?1 AND client_txn_id = ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->BindText(1, key.terminal_id());
  stmt->BindText(2, key.client_txn_id());
  return ReadOne(*stmt);
}

namespace {

// The entries `stmt` selects (kSelectEntry's columns), in its order, in
// the form asked for.
Result<std::vector<v1::JournalEntry>> ReadAll(
    Statement& stmt, JournalStore::EntryForm form = JournalStore::kParsed) {
  std::vector<v1::JournalEntry> out;
  for (;;) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Result<v1::JournalEntry> e = EntryFromRow(stmt, form);
    if (!e.ok()) return e.status();
    out.push_back(std::move(e).value());
  }
  return out;
}

}  // namespace

Result<std::vector<v1::JournalEntry>> JournalStore::ReadRange(sqlite3* db,
                                                              uint64_t from,
                                                              size_t limit,
                                                              EntryForm form) {
  Result<Statement> stmt = Statement::Prepare(
      db, std::string(kSelectEntry) + "WHERE seq >= ?1 ORDER BY seq LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt(1, static_cast<int64_t>(from));
  stmt->BindInt(2, static_cast<int64_t>(limit));
  return ReadAll(*stmt, form);
}

Result<std::vector<v1::JournalEntry>> JournalStore::ReadWhere(
    sqlite3* db, const std::string& where) {
  Result<Statement> stmt = Statement::Prepare(
      db, std::string(kSelectEntry) + "WHERE " + where + " ORDER BY seq");
  if (!stmt.ok()) return stmt.status();
  return ReadAll(*stmt);
}

Result<JournalHead> JournalStore::ReadAnchor(sqlite3* db) {
  Result<Statement> stmt = Statement::Prepare(
      db, "SELECT seq, hash FROM journal_anchor WHERE id = 1");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return DataLoss("journal_anchor: row missing");
  JournalHead anchor;
  anchor.seq = static_cast<uint64_t>(stmt->ColumnInt(0));
  anchor.hash = std::string(stmt->ColumnBlob(1));
  return anchor;
}

Result<JournalHead> JournalStore::ReadHead(sqlite3* db) {
  Result<Statement> stmt = Statement::Prepare(
      db,
      "SELECT seq, hash, recorded_at_us FROM journal ORDER BY seq DESC "
      "LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  Result<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return ReadAnchor(db);
  JournalHead head;
  head.seq = static_cast<uint64_t>(stmt->ColumnInt(0));
  head.hash = std::string(stmt->ColumnBlob(1));
  head.recorded_at_us = stmt->ColumnInt(2);
  return head;
}

}  // namespace storeagent::storage
