#include "storage/journal_verify.h"

#include <gtest/gtest.h>

#include "core/journal_chain.h"
#include "storage/sqlite_handle.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/storage/storage_test_util.h"

namespace storeagent::storage {
namespace {

// Builds a 10-event journal, closes the agent's handles, and lets each test
// tamper with the file through a plain connection.
class JournalVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeClock clock;
    auto db = testing::OpenDb(dir_.File("a.db"), clock);
    ASSERT_NE(db, nullptr);
    for (int i = 1; i <= 10; ++i) {
      clock.Advance(1000);
      ASSERT_TRUE(testing::AppendSync(
                      *db, testing::NoSaleRecord("T", std::to_string(i)))
                      .ok());
    }
    db.reset();
    Result<Connection> c = Connection::Open(dir_.File("a.db"), {});
    ASSERT_TRUE(c.ok());
    conn_ = std::move(c).value();
  }
  VerifyReport Verify() {
    Result<VerifyReport> r = VerifyJournal(conn_.get());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }
  void Exec(const std::string& sql) {
    Status s = conn_.Exec(sql);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  testing::TempDir dir_;
  Connection conn_;
};

TEST_F(JournalVerifyTest, IntactChainVerifies) {
  VerifyReport r = Verify();
  EXPECT_TRUE(r.problem.ok()) << r.problem.ToString();
  EXPECT_EQ(r.entries_checked, 10u);
  EXPECT_EQ(r.good_seq, 10u);
  EXPECT_EQ(r.first_bad_seq, 0u);
}

TEST_F(JournalVerifyTest, EditedRowIsNamed) {
  // Re-encode seq 4 with another reason, keeping its stored hashes.
  Result<Statement> s =
      Statement::Prepare(conn_.get(), "SELECT record FROM journal WHERE seq=4");
  ASSERT_TRUE(s.ok() && *s->Step());
  v1::JournalRecord rec;
  ASSERT_TRUE(rec.ParseFromString(std::string(s->ColumnBlob(0))));
  rec.mutable_transaction()->mutable_no_sale()->set_reason("edited");
  Result<Statement> u = Statement::Prepare(
      conn_.get(), "UPDATE journal SET record=?1 WHERE seq=4");
  u->BindBlob(1, core::CanonicalBytes(rec));
  ASSERT_TRUE(u->Run().ok());
  VerifyReport r = Verify();
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.first_bad_seq, 4u);
  EXPECT_EQ(r.good_seq, 3u);
  EXPECT_NE(r.problem.message().find("seq 4"), std::string::npos)
      << r.problem.message();
}

TEST_F(JournalVerifyTest, DeletedRowIsNamed) {
  Exec("DELETE FROM journal WHERE seq=6");
  VerifyReport r = Verify();
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.first_bad_seq, 6u);
  EXPECT_NE(r.problem.message().find("missing"), std::string::npos);
}

TEST_F(JournalVerifyTest, DeletedTailRowBreaksNothingButShortensHead) {
  // Losing the newest row cannot be seen from the chain alone; the head
  // moves back. (Central's watermark catches this; see docs/storage.md.)
  Exec("DELETE FROM journal WHERE seq=10");
  VerifyReport r = Verify();
  EXPECT_TRUE(r.problem.ok());
  EXPECT_EQ(r.good_seq, 9u);
}

TEST_F(JournalVerifyTest, ReorderedRowsAreNamed) {
  // Swap the contents of seq 3 and 7, each keeping its own seq number.
  Exec(
      "CREATE TEMP TABLE t AS SELECT * FROM journal WHERE seq IN (3,7);"
      "UPDATE journal SET record=(SELECT record FROM t WHERE seq=7),"
      " prev_hash=(SELECT prev_hash FROM t WHERE seq=7),"
      " hash=(SELECT hash FROM t WHERE seq=7),"
      " terminal_id='x3', client_txn_id='x3' WHERE seq=3;"
      "UPDATE journal SET record=(SELECT record FROM t WHERE seq=3),"
      " prev_hash=(SELECT prev_hash FROM t WHERE seq=3),"
      " hash=(SELECT hash FROM t WHERE seq=3),"
      " terminal_id='x7', client_txn_id='x7' WHERE seq=7;");
  VerifyReport r = Verify();
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.first_bad_seq, 3u);
}

TEST_F(JournalVerifyTest, InsertedRowIsNamed) {
  // Shift seq 5.. up by one and insert a forged event at 5 whose hash
  // correctly continues from seq 4.
  Exec(
      "UPDATE journal SET seq = -seq WHERE seq >= 5;"
      "UPDATE journal SET seq = 1 - seq WHERE seq < 0;");
  Result<Statement> s =
      Statement::Prepare(conn_.get(), "SELECT hash FROM journal WHERE seq=4");
  ASSERT_TRUE(s.ok() && *s->Step());
  std::string prev(s->ColumnBlob(0));
  v1::JournalRecord forged = testing::NoSaleRecord("T", "forged");
  forged.set_seq(5);
  std::string bytes = core::CanonicalBytes(forged);
  Result<Statement> ins = Statement::Prepare(
      conn_.get(),
      "INSERT INTO journal (seq, terminal_id, client_txn_id, kind, "
      "recorded_at_us, content_digest, record, prev_hash, hash) "
      "VALUES (5,'T','forged','no_sale',0,x'00',?1,?2,?3)");
  ins->BindBlob(1, bytes);
  ins->BindBlob(2, prev);
  ins->BindBlob(3, core::ChainHash(prev, bytes));
  ASSERT_TRUE(ins->Run().ok());
  VerifyReport r = Verify();
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  // The forgery itself chains; the row after it no longer does.
  EXPECT_EQ(r.first_bad_seq, 6u);
  EXPECT_EQ(r.good_seq, 5u);
}

}  // namespace
}  // namespace storeagent::storage
