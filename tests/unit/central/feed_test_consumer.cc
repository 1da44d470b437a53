// feed_test_consumer: the consumer docs/feed.md recommends, as a program the
// exactly-once test kills at random points (feed_exactly_once_test.cc).
// It keeps each event it receives and the cursor past it in ONE SQLite
// transaction, so a crash anywhere loses or repeats nothing: on restart it
// asks central for what comes after the cursor it committed.
//
//   feed_test_consumer ADMIN_ADDRESS DB_PATH
//
// Reads the feed to caught_up (exit 0); exit 1 on any failure. The
// database is WAL with synchronous=NORMAL: a committed transaction
// survives the process being killed (not a power cut, which the test does
// not make).
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <cstdio>
#include <string>

#include "storeagent/v1/sync.grpc.pb.h"

namespace v1 = storeagent::v1;

namespace {

bool Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "feed_test_consumer: %s: %s\n", sql, err);
    sqlite3_free(err);
    return false;
  }
  return true;
}

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "feed_test_consumer: prepare %s: %s\n", sql,
                   sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(s_); }
  sqlite3_stmt* get() { return s_; }
  bool ok() const { return s_ != nullptr; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

// Stores the event and moves the cursor, in one transaction.
bool Keep(sqlite3* db, Statement& insert, Statement& cursor,
          const v1::FeedEvent& e) {
  if (!Exec(db, "BEGIN IMMEDIATE")) return false;
  const std::string& id = e.store_id();
  sqlite3_bind_text(insert.get(), 1, id.data(), static_cast<int>(id.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(insert.get(), 2, static_cast<int64_t>(e.seq()));
  sqlite3_bind_int64(insert.get(), 3, static_cast<int64_t>(e.central_seq()));
  sqlite3_bind_text(insert.get(), 4, e.kind().data(),
                    static_cast<int>(e.kind().size()), SQLITE_TRANSIENT);
  const bool inserted = sqlite3_step(insert.get()) == SQLITE_DONE;
  sqlite3_reset(insert.get());
  sqlite3_bind_text(cursor.get(), 1, id.data(), static_cast<int>(id.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_int64(cursor.get(), 2, static_cast<int64_t>(e.seq()));
  sqlite3_bind_int64(cursor.get(), 3, static_cast<int64_t>(e.central_seq()));
  const bool moved = sqlite3_step(cursor.get()) == SQLITE_DONE;
  sqlite3_reset(cursor.get());
  if (!inserted || !moved) {
    std::fprintf(stderr, "feed_test_consumer: write: %s\n", sqlite3_errmsg(db));
    Exec(db, "ROLLBACK");
    return false;
  }
  return Exec(db, "COMMIT");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: feed_test_consumer ADMIN_ADDRESS DB_PATH\n");
    return 2;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[2], &db) != SQLITE_OK) return 1;
  // Another reader (the test) may hold a lock a moment: wait for it.
  sqlite3_busy_timeout(db, 10000);
  if (!Exec(db,
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            "CREATE TABLE IF NOT EXISTS events (store_id TEXT NOT NULL, "
            "seq INTEGER NOT NULL, central_seq INTEGER NOT NULL, "
            "kind TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS cursor (store_id TEXT PRIMARY "
            "KEY, seq INTEGER NOT NULL, central_seq INTEGER NOT NULL);")) {
    return 1;
  }
  v1::StreamEventsRequest request;
  {
    Statement read(db, "SELECT store_id, seq, central_seq FROM cursor");
    if (!read.ok()) return 1;
    while (sqlite3_step(read.get()) == SQLITE_ROW) {
      v1::FeedPosition* p = request.add_after();
      p->set_store_id(
          reinterpret_cast<const char*>(sqlite3_column_text(read.get(), 0)));
      p->set_seq(static_cast<uint64_t>(sqlite3_column_int64(read.get(), 1)));
      p->set_central_seq(
          static_cast<uint64_t>(sqlite3_column_int64(read.get(), 2)));
    }
  }
  Statement insert(db,
                   "INSERT INTO events (store_id, seq, central_seq, kind) "
                   "VALUES (?1, ?2, ?3, ?4)");
  Statement cursor(db,
                   "INSERT INTO cursor (store_id, seq, central_seq) VALUES "
                   "(?1, ?2, ?3) ON CONFLICT (store_id) DO UPDATE SET "
                   "seq = MAX(seq, excluded.seq), "
                   "central_seq = MAX(central_seq, excluded.central_seq)");
  if (!insert.ok() || !cursor.ok()) return 1;

  auto stub = v1::CentralAdminService::NewStub(
      grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  auto reader = stub->StreamEvents(&ctx, request);
  v1::StreamEventsResponse m;
  bool caught_up = false;
  while (!caught_up && reader->Read(&m)) {
    if (m.has_caught_up()) {
      caught_up = true;
    } else if (!Keep(db, insert, cursor, m.event())) {
      return 1;
    }
  }
  ctx.TryCancel();
  (void)reader->Finish();
  sqlite3_close_v2(db);  // closed once the statements are finalized
  if (!caught_up) {
    std::fprintf(stderr, "feed_test_consumer: the feed ended early\n");
    return 1;
  }
  return 0;
}
