#include "storage/migrations.h"

#include <gtest/gtest.h>

#include "storage/sqlite_handle.h"
#include "tests/support/temp_dir.h"

namespace storeagent::storage {
namespace {

int64_t QueryInt(const Connection& c, const std::string& sql) {
  Result<Statement> s = Statement::Prepare(c.get(), sql);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  Result<bool> row = s->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return s->ColumnInt(0);
}

Connection OpenRw(const std::string& path) {
  Result<Connection> c = Connection::Open(path, {});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

TEST(Migrations, FromEmptyToLatest) {
  testing::TempDir dir;
  Connection c = OpenRw(dir.File("a.db"));
  ASSERT_EQ(*SchemaVersion(c.get()), 0);
  ASSERT_TRUE(Migrate(c.get()).ok());
  EXPECT_EQ(*SchemaVersion(c.get()), LatestSchemaVersion());
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM journal"), 0);
  EXPECT_EQ(QueryInt(c, "SELECT seq FROM journal_anchor"), 0);
  EXPECT_EQ(QueryInt(c, "SELECT length(hash) FROM journal_anchor"), 32);
  // Durability settings of a writer connection.
  EXPECT_EQ(QueryInt(c, "PRAGMA synchronous"), 2);  // FULL
  Result<Statement> jm = Statement::Prepare(c.get(), "PRAGMA journal_mode");
  ASSERT_TRUE(jm->Step().ok());
  EXPECT_EQ(jm->ColumnText(0), "wal");
}

TEST(Migrations, FromEachEarlierVersionKeepsData) {
  for (int from = 1; from < LatestSchemaVersion(); ++from) {
    testing::TempDir dir;
    Connection c = OpenRw(dir.File("a.db"));
    ASSERT_TRUE(Migrate(c.get(), from).ok());
    ASSERT_EQ(*SchemaVersion(c.get()), from);
    ASSERT_TRUE(c.Exec("INSERT INTO journal (seq, terminal_id, "
                       "client_txn_id, kind, recorded_at_us, content_digest, "
                       "record, prev_hash, hash) VALUES (1,'t','x','no_sale',"
                       "5,x'00',x'01',zeroblob(32),zeroblob(32))")
                    .ok())
        << "from " << from;
    ASSERT_TRUE(Migrate(c.get()).ok()) << "from " << from;
    EXPECT_EQ(*SchemaVersion(c.get()), LatestSchemaVersion());
    EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM journal"), 1);
    EXPECT_EQ(QueryInt(c, "SELECT recorded_at_us FROM journal"), 5);
    EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM journal_anchor"), 1);
  }
}

TEST(Migrations, Version4AddsInboxAndEscrowAndKeepsMeta) {
  testing::TempDir dir;
  Connection c = OpenRw(dir.File("a.db"));
  ASSERT_TRUE(Migrate(c.get(), 3).ok());
  ASSERT_TRUE(
      c.Exec("INSERT INTO meta VALUES ('store_id','s1'),('central_seq','7')")
          .ok());
  ASSERT_TRUE(c.Exec("INSERT INTO stock (sku, on_hand) VALUES ('A', 3)").ok());
  ASSERT_TRUE(Migrate(c.get(), 4).ok());
  EXPECT_EQ(*SchemaVersion(c.get()), 4);
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM inbox"), 0);
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM escrow"), 0);
  EXPECT_EQ(QueryInt(c, "SELECT value FROM meta WHERE key='central_seq'"), 7);
  EXPECT_EQ(QueryInt(c, "SELECT on_hand FROM stock WHERE sku='A'"), 3);
  ASSERT_TRUE(c.Exec("INSERT INTO inbox VALUES (1,'movement',5,x'00',6)").ok());
  // central_seq is the key: an event is kept once.
  EXPECT_FALSE(
      c.Exec("INSERT INTO inbox VALUES (1,'movement',5,x'00',6)").ok());
  ASSERT_TRUE(c.Exec("INSERT INTO escrow VALUES ('A', 2)").ok());
  EXPECT_FALSE(c.Exec("INSERT INTO escrow VALUES ('A', 3)").ok());
}

TEST(Migrations, SecondRunIsNoOp) {
  testing::TempDir dir;
  Connection c = OpenRw(dir.File("a.db"));
  ASSERT_TRUE(Migrate(c.get()).ok());
  ASSERT_TRUE(Migrate(c.get()).ok());
  EXPECT_EQ(QueryInt(c, "SELECT count(*) FROM journal_anchor"), 1);
}

TEST(Migrations, NewerFileIsRefused) {
  testing::TempDir dir;
  Connection c = OpenRw(dir.File("a.db"));
  ASSERT_TRUE(Migrate(c.get()).ok());
  ASSERT_TRUE(c.Exec("PRAGMA user_version=99").ok());
  Status s = Migrate(c.get());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("99"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace storeagent::storage
