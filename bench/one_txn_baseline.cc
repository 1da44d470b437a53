#include "bench/one_txn_baseline.h"

#include <utility>

#include "platform/clock.h"
#include "platform/crypto.h"

namespace storeagent::bench {
namespace {

// The agent's journal table (storage/migrations.cc, schema step 1).
constexpr char kSchema[] = R"sql(
CREATE TABLE journal (
  seq             INTEGER PRIMARY KEY,
  terminal_id     TEXT    NOT NULL,
  client_txn_id   TEXT    NOT NULL,
  kind            TEXT    NOT NULL,
  recorded_at_us  INTEGER NOT NULL,
  content_digest  BLOB    NOT NULL,
  record          BLOB    NOT NULL,
  prev_hash       BLOB    NOT NULL,
  hash            BLOB    NOT NULL,
  UNIQUE (terminal_id, client_txn_id)
);
)sql";

constexpr char kInsert[] =
    "INSERT INTO journal (seq, terminal_id, client_txn_id, kind, "
    "recorded_at_us, content_digest, record, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

Status Prepare(sqlite3* db, const char* sql, storage::Statement* out) {
  Result<storage::Statement> s = storage::Statement::Prepare(db, sql);
  if (!s.ok()) return s.status();
  *out = std::move(s).value();
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<OneTxnBaseline>> OneTxnBaseline::Open(
    const std::string& db_path, const std::string& vfs, std::string record) {
  storage::ConnectionOptions options;
  options.vfs = vfs;
  Result<storage::Connection> conn =
      storage::Connection::Open(db_path, options);
  if (!conn.ok()) return conn.status();
  std::unique_ptr<OneTxnBaseline> b(new OneTxnBaseline());
  b->conn_ = std::move(conn).value();
  STOREAGENT_RETURN_IF_ERROR(b->conn_.Exec(kSchema));
  sqlite3* db = b->conn_.get();
  STOREAGENT_RETURN_IF_ERROR(Prepare(db, "BEGIN IMMEDIATE", &b->begin_));
  STOREAGENT_RETURN_IF_ERROR(Prepare(db, kInsert, &b->insert_));
  STOREAGENT_RETURN_IF_ERROR(Prepare(db, "COMMIT", &b->commit_));
  b->digest_ = std::string(crypto::AsBytes(crypto::Sha256(record)));
  b->record_ = std::move(record);
  b->prev_hash_.assign(crypto::kSha256Bytes, '\0');
  return b;
}

Status OneTxnBaseline::RecordOne() {
  const uint64_t seq = seq_ + 1;
  const std::string hash(
      crypto::AsBytes(crypto::Sha256Concat(prev_hash_, record_)));
  txn_id_.assign("txn-").append(std::to_string(seq));
  STOREAGENT_RETURN_IF_ERROR(begin_.Run());
  begin_.Reset();
  insert_.BindInt(1, static_cast<int64_t>(seq));
  insert_.BindText(2, "till-01");
  insert_.BindText(3, txn_id_);
  insert_.BindText(4, "sale");
  insert_.BindInt(5, SystemClock().NowMicros());
  insert_.BindBlob(6, digest_);
  insert_.BindBlob(7, record_);
  insert_.BindBlob(8, prev_hash_);
  insert_.BindBlob(9, hash);
  Status s = insert_.Run();
  insert_.Reset();
  if (s.ok()) s = commit_.Run();
  commit_.Reset();
  if (!s.ok()) {
    conn_.Exec("ROLLBACK").IgnoreError();
    return s;
  }
  prev_hash_ = hash;
  seq_ = seq;
  return Status::Ok();
}

Result<OneTxnResult> OneTxnBaseline::Run(int64_t duration_us) {
  const Clock& clock = SystemClock();
  OneTxnResult result;
  const int64_t start = clock.MonotonicMicros();
  int64_t now = start;
  while (now < start + duration_us) {
    STOREAGENT_RETURN_IF_ERROR(RecordOne());
    ++result.sales;
    now = clock.MonotonicMicros();
  }
  result.seconds = static_cast<double>(now - start) / 1e6;
  return result;
}

}  // namespace storeagent::bench
