#include "storage/checkpoint_keeper.h"

#include <gtest/gtest.h>

#include "core/day_totals.h"
#include "core/journal_chain.h"
#include "platform/crypto.h"
#include "storage/agent_database.h"
#include "storage/day_close_store.h"
#include "storage/event_store.h"
#include "storage/journal_verify.h"
#include "storage/sqlite_handle.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::storage {
namespace {

v1::JournalRecord Sale(int i) {
  v1::JournalRecord r;
  *r.mutable_client_key() = test::SampleClientKey("s" + std::to_string(i));
  *r.mutable_transaction() = test::SampleSale(2 + i % 3);
  return r;
}

class CheckpointKeeperTest : public ::testing::Test {
 protected:
  CheckpointKeeperTest() : key_(crypto::SigningKey::Generate()) {}

  std::unique_ptr<AgentDatabase> Open(uint64_t every = 10,
                                      bool with_key = true) {
    DatabaseOptions o;
    o.path = dir_.File("a.db");
    o.store_id = "store-1";
    o.checkpoints.key = with_key ? &key_ : nullptr;
    o.checkpoints.every_events = every;
    Result<std::unique_ptr<AgentDatabase>> db = AgentDatabase::Open(o, clock_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  // Appends `record` as the till would (storage::AppendEvent).
  Status Append(AgentDatabase& db, v1::JournalRecord record) {
    clock_.Advance(1000);
    return db.writer().Run([&](WriteContext& ctx) {
      return AppendEvent(ctx, db.journal(), std::move(record)).status();
    });
  }

  // The entry at `seq`, read on the writer's connection.
  std::optional<v1::JournalEntry> Entry(AgentDatabase& db, uint64_t seq) {
    std::optional<v1::JournalEntry> out;
    EXPECT_TRUE(db.writer()
                    .Run([&](WriteContext& ctx) -> Status {
                      Result<std::optional<v1::JournalEntry>> e =
                          JournalStore::ReadBySeq(ctx.db(), seq);
                      if (!e.ok()) return e.status();
                      out = std::move(e).value();
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  SignatureKeys Keys() const {
    SignatureKeys k;
    k.store_id = "store-1";
    k.keys.emplace(key_.key_id(), key_.public_key());
    return k;
  }

  VerifyReport VerifyFile(const SignatureKeys& keys) {
    Result<Connection> c = Connection::Open(dir_.File("a.db"), {});
    EXPECT_TRUE(c.ok());
    Result<VerifyReport> r = VerifyJournal(c->get(), &keys);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  crypto::SigningKey key_;
};

TEST_F(CheckpointKeeperTest, EveryTenRecordsACheckpointThatVerifies) {
  auto db = Open(10);
  ASSERT_NE(db, nullptr);
  for (int i = 1; i <= 25; ++i) ASSERT_TRUE(Append(*db, Sale(i)).ok());
  // 10 sales, a checkpoint (11), 10 more, a checkpoint (22), 5 more.
  EXPECT_EQ(db->journal().head().seq, 27u);
  EXPECT_EQ(db->checkpoints().checkpoint_seq(), 22u);
  std::optional<v1::JournalEntry> cp = Entry(*db, 11);
  ASSERT_TRUE(cp.has_value());
  ASSERT_TRUE(cp->record().has_checkpoint());
  Result<v1::CheckpointStatement> st = core::VerifyCheckpoint(
      cp->record().checkpoint(), 11, cp->prev_hash(), "store-1", Keys().keys);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->covered_seq(), 10u);
  EXPECT_EQ(st->reason(), "events");
  EXPECT_EQ(st->grand_totals().sale_count(), 10);
  db.reset();
  VerifyReport r = VerifyFile(Keys());
  EXPECT_TRUE(r.problem.ok()) << r.problem.ToString();
  EXPECT_EQ(r.checkpoints_verified, 2u);
  EXPECT_EQ(r.signed_through_seq, 21u);
}

TEST_F(CheckpointKeeperTest, GrandTotalsAreEveryDaysSumAndSurviveAReopen) {
  auto db = Open(0);
  ASSERT_NE(db, nullptr);
  core::DayTotalsBuilder expected("", "");
  for (int i = 1; i <= 12; ++i) {
    v1::JournalRecord r = Sale(i);
    // Two business days: grand totals never reset.
    r.mutable_transaction()->mutable_sale()->set_business_day(
        i % 2 ? "2026-03-14" : "2026-03-15");
    expected.Add(r, nullptr);
    ASSERT_TRUE(Append(*db, r).ok());
  }
  // A post-void takes the voided sale's money back out.
  v1::JournalRecord v;
  *v.mutable_client_key() = test::SampleClientKey("void-1");
  *v.mutable_transaction() = test::SamplePostVoid();
  *v.mutable_transaction()->mutable_post_void()->mutable_original() =
      test::SampleClientKey("s3");
  ASSERT_TRUE(Append(*db, v).ok());
  const v1::DayTotals got = db->checkpoints().totals();
  EXPECT_EQ(got.sale_count(), 12);
  EXPECT_EQ(got.void_count(), 1);
  EXPECT_EQ(got.sales_amount().minor_units(),
            expected.Totals().sales_amount().minor_units());
  const v1::JournalRecord s3 = Sale(3);
  EXPECT_EQ(got.voids_amount().minor_units(),
            s3.transaction().sale().totals().total().minor_units());
  db.reset();
  auto again = Open(0);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->checkpoints().totals().SerializeAsString(),
            got.SerializeAsString());
  // An older database (schema 8) had no totals: counted from the journal
  // on the first open, to the same figures.
  again.reset();
  {
    Result<Connection> c = Connection::Open(dir_.File("a.db"), {});
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Exec("UPDATE grand_totals SET counted_seq = 0, "
                        "totals = x''")
                    .ok());
  }
  auto recounted = Open(0);
  ASSERT_NE(recounted, nullptr);
  EXPECT_EQ(recounted->checkpoints().totals().SerializeAsString(),
            got.SerializeAsString());
}

TEST_F(CheckpointKeeperTest,
       ADailyCloseIsFollowedByACheckpointAndCarriesTotals) {
  auto db = Open(1000);
  ASSERT_NE(db, nullptr);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(Append(*db, Sale(i)).ok());
  v1::JournalRecord close;
  *close.mutable_client_key() = test::SampleClientKey("close-1");
  *close.mutable_transaction() = test::SampleDailyClose();
  ASSERT_TRUE(db->writer()
                  .Run([&](WriteContext& ctx) {
                    return AppendDailyClose(ctx, db->journal(), close).status();
                  })
                  .ok());
  EXPECT_EQ(db->journal().head().seq, 5u);
  EXPECT_EQ(db->checkpoints().checkpoint_seq(), 5u);
  std::optional<v1::JournalEntry> c = Entry(*db, 4);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->record().transaction().daily_close().grand_totals().sale_count(),
            3);
  std::optional<v1::JournalEntry> cp = Entry(*db, 5);
  ASSERT_TRUE(cp.has_value());
  v1::CheckpointStatement st;
  ASSERT_TRUE(st.ParseFromString(cp->record().checkpoint().statement()));
  EXPECT_EQ(st.reason(), "daily_close");
  EXPECT_EQ(st.covered_seq(), 4u);
}

TEST_F(CheckpointKeeperTest, TheTimerCheckpointsOnlyWhenSomethingIsNew) {
  auto db = Open(0);
  ASSERT_NE(db, nullptr);
  auto tick = [&]() -> bool {
    bool appended = false;
    EXPECT_TRUE(db->writer()
                    .Run([&](WriteContext& ctx) -> Status {
                      Result<bool> r =
                          db->checkpoints().CheckpointIfBehind(ctx);
                      if (!r.ok()) return r.status();
                      appended = *r;
                      return Status::Ok();
                    })
                    .ok());
    return appended;
  };
  EXPECT_FALSE(tick()) << "an empty journal";
  ASSERT_TRUE(Append(*db, Sale(1)).ok());
  EXPECT_TRUE(tick());
  EXPECT_EQ(db->checkpoints().checkpoint_seq(), 2u);
  EXPECT_FALSE(tick()) << "nothing since the last checkpoint";
}

TEST_F(CheckpointKeeperTest, WithoutAKeyTotalsAreKeptAndNothingIsSigned) {
  auto db = Open(2, /*with_key=*/false);
  ASSERT_NE(db, nullptr);
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(Append(*db, Sale(i)).ok());
  EXPECT_EQ(db->journal().head().seq, 5u);
  EXPECT_EQ(db->checkpoints().checkpoint_seq(), 0u);
  EXPECT_EQ(db->checkpoints().totals().sale_count(), 5);
}

TEST_F(CheckpointKeeperTest, ARolledBackEventIsNotCounted) {
  auto db = Open(0);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(Append(*db, Sale(1)).ok());
  Status failed = db->writer().Run([&](WriteContext& ctx) -> Status {
    Result<AppendResult> a = AppendEvent(ctx, db->journal(), Sale(2));
    if (!a.ok()) return a.status();
    return Aborted("the command fails after its append");
  });
  EXPECT_EQ(failed.code(), StatusCode::kAborted);
  EXPECT_EQ(db->checkpoints().totals().sale_count(), 1);
  ASSERT_TRUE(Append(*db, Sale(3)).ok());
  EXPECT_EQ(db->checkpoints().totals().sale_count(), 2);
}

// The test, at the storage level: a record the store has not sent
// is edited and the chain re-hashed from it; the chain verifies, the
// signature does not, and verify names the first unsigned break.
TEST_F(CheckpointKeeperTest, ARewrittenAndRehashedTailFailsItsCheckpoint) {
  auto db = Open(10);
  ASSERT_NE(db, nullptr);
  for (int i = 1; i <= 15; ++i) ASSERT_TRUE(Append(*db, Sale(i)).ok());
  db.reset();
  {
    Result<Connection> c = Connection::Open(dir_.File("a.db"), {});
    ASSERT_TRUE(c.ok());
    Result<Statement> rows = Statement::Prepare(
        c->get(), "SELECT seq, record, prev_hash FROM journal ORDER BY seq");
    ASSERT_TRUE(rows.ok());
    std::vector<std::pair<uint64_t, std::string>> records;
    std::string genesis;
    for (;;) {
      Result<bool> row = rows->Step();
      ASSERT_TRUE(row.ok());
      if (!*row) break;
      if (records.empty()) genesis = std::string(rows->ColumnBlob(2));
      records.emplace_back(rows->ColumnInt(0),
                           std::string(rows->ColumnBlob(1)));
    }
    rows = Statement::Prepare(c->get(), "SELECT 1");  // release the read
    // Seq 3's sale now paid less, and every hash from it on recomputed.
    v1::JournalRecord r3;
    ASSERT_TRUE(r3.ParseFromString(records[2].second));
    r3.mutable_transaction()->mutable_sale()->set_receipt_number("EDITED");
    records[2].second = core::CanonicalBytes(r3);
    std::string prev = genesis;
    for (const auto& [seq, bytes] : records) {
      const std::string hash = core::ChainHash(prev, bytes);
      Result<Statement> u = Statement::Prepare(
          c->get(),
          "UPDATE journal SET record=?2, prev_hash=?3, hash=?4 WHERE seq=?1");
      ASSERT_TRUE(u.ok());
      u->BindInt(1, static_cast<int64_t>(seq));
      u->BindBlob(2, bytes);
      u->BindBlob(3, prev);
      u->BindBlob(4, hash);
      ASSERT_TRUE(u->Run().ok());
      prev = hash;
    }
  }
  // The plain chain is intact...
  {
    Result<Connection> c = Connection::Open(dir_.File("a.db"), {});
    ASSERT_TRUE(c.ok());
    Result<VerifyReport> plain = VerifyJournal(c->get());
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(plain->problem.ok()) << plain->problem.ToString();
  }
  // ...the checkpoint at 11 is not.
  VerifyReport r = VerifyFile(Keys());
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.first_bad_seq, 11u);
  EXPECT_EQ(r.unsigned_from, 1u);
  EXPECT_EQ(r.good_seq, 0u);
  EXPECT_NE(r.problem.message().find("records up to seq 10 were changed"),
            std::string::npos)
      << r.problem.message();
  // A key that is not the store's: nothing verifies.
  SignatureKeys wrong;
  wrong.store_id = "store-1";
  crypto::SigningKey other = crypto::SigningKey::Generate();
  wrong.keys.emplace(other.key_id(), other.public_key());
  EXPECT_NE(VerifyFile(wrong).problem.message().find("never registered"),
            std::string::npos);
}

}  // namespace
}  // namespace storeagent::storage
