#include "bench/sync_raw_insert.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "bench/report.h"
#include "central/store/sqlite_central_store.h"
#include "storage/sqlite_handle.h"

namespace storeagent::bench {
namespace {

// One store_events row as central wrote it.
struct Row {
  std::string store_id;
  int64_t seq = 0;
  int64_t recorded_at_us = 0;
  std::string kind;
  std::string record;
  std::string prev_hash;
  std::string hash;
  std::optional<std::string> quarantined;
  int64_t ingested_at_us = 0;
};

Result<std::vector<Row>> ReadRows(const std::string& path) {
  storage::ConnectionOptions opts;
  opts.read_only = true;
  Result<storage::Connection> conn = storage::Connection::Open(path, opts);
  if (!conn.ok()) return conn.status();
  Result<storage::Statement> s = storage::Statement::Prepare(
      conn->get(),
      "SELECT store_id, seq, recorded_at_us, kind, record, prev_hash, hash, "
      "quarantined, ingested_at_us FROM store_events ORDER BY store_id, seq");
  if (!s.ok()) return s.status();
  std::vector<Row> rows;
  for (;;) {
    Result<bool> more = s->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    Row r;
    r.store_id = s->ColumnText(0);
    r.seq = s->ColumnInt(1);
    r.recorded_at_us = s->ColumnInt(2);
    r.kind = s->ColumnText(3);
    r.record = s->ColumnBlob(4);
    r.prev_hash = s->ColumnBlob(5);
    r.hash = s->ColumnBlob(6);
    if (!s->ColumnIsNull(7)) r.quarantined = std::string(s->ColumnText(7));
    r.ingested_at_us = s->ColumnInt(8);
    rows.push_back(std::move(r));
  }
  return rows;
}

Status InsertAll(const std::string& path, const std::vector<Row>& rows,
                 size_t batch, double* seconds) {
  // Central's own migration makes the schema, then closes: the client
  // below is a plain one.
  {
    Result<std::unique_ptr<central::CentralStore>> store =
        central::OpenSqliteCentralStore(path, "");
    if (!store.ok()) return store.status();
  }
  Result<storage::Connection> conn =
      storage::Connection::Open(path, storage::ConnectionOptions{});
  if (!conn.ok()) return conn.status();
  Result<storage::Statement> insert = storage::Statement::Prepare(
      conn->get(),
      "INSERT INTO store_events (store_id, seq, recorded_at_us, kind, record, "
      "prev_hash, hash, quarantined, ingested_at_us) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!insert.ok()) return insert.status();
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t at = 0; at < rows.size(); at += batch) {
    STOREAGENT_RETURN_IF_ERROR(conn->Exec("BEGIN IMMEDIATE"));
    const size_t end = std::min(rows.size(), at + batch);
    for (size_t i = at; i < end; ++i) {
      const Row& r = rows[i];
      insert->BindText(1, r.store_id);
      insert->BindInt(2, r.seq);
      insert->BindInt(3, r.recorded_at_us);
      insert->BindText(4, r.kind);
      insert->BindBlob(5, r.record);
      insert->BindBlob(6, r.prev_hash);
      insert->BindBlob(7, r.hash);
      if (r.quarantined.has_value()) {
        insert->BindText(8, *r.quarantined);
      } else {
        insert->BindNull(8);
      }
      insert->BindInt(9, r.ingested_at_us);
      Status ran = insert->Run();
      insert->Reset();
      if (!ran.ok()) {
        (void)conn->Exec("ROLLBACK");
        return ran;
      }
    }
    STOREAGENT_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  }
  *seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  return Status::Ok();
}

}  // namespace

RawInsert MeasureRawInsert(const std::string& central_db,
                           const std::string& scratch_db, size_t batch) {
  RawInsert out;
  Result<std::vector<Row>> rows = ReadRows(central_db);
  if (!rows.ok()) {
    Error("raw insert",
          "reading " + central_db + ": " + rows.status().ToString());
    return out;
  }
  if (rows->empty() || batch == 0) {
    Error("raw insert", "no store_events rows in " + central_db);
    return out;
  }
  // Three rounds, each into a new database, and the median: one round
  // varied by half between runs (the kernel still writing back the
  // catch-up's pages, the WAL's checkpoints falling differently).
  std::vector<double> rates;
  for (int round = 0; round < 3; ++round) {
    const std::string path = scratch_db + "." + std::to_string(round);
    double seconds = 0;
    Status s = InsertAll(path, *rows, batch, &seconds);
    if (!s.ok() || seconds <= 0) {
      Error("raw insert", s.ok() ? "no time measured" : s.ToString());
      return out;
    }
    rates.push_back(static_cast<double>(rows->size()) / seconds);
  }
  std::sort(rates.begin(), rates.end());
  out.rows = rows->size();
  out.rows_per_s = rates[1];
  out.ok = true;
  return out;
}

}  // namespace storeagent::bench
