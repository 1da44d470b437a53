#include "storage/journal_store.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "core/journal_chain.h"
#include "storage/journal_verify.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/storage/storage_test_util.h"

namespace storeagent::storage {
namespace {

using testing::AppendSync;
using testing::NoSaleRecord;
using testing::OpenDb;

class JournalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenDb(path(), clock_);
    ASSERT_NE(db_, nullptr);
  }
  std::string path() const { return dir_.File("agent.db"); }
  void Reopen() {
    db_.reset();
    db_ = OpenDb(path(), clock_);
    ASSERT_NE(db_, nullptr);
  }
  VerifyReport Verify() {
    Result<VerifyReport> r = VerifyJournal(WriterDb());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }
  // Runs a read on the writer's connection, between batches.
  sqlite3* WriterDb() {
    sqlite3* out = nullptr;
    EXPECT_TRUE(db_->writer()
                    .Run([&](WriteContext& ctx) {
                      out = ctx.db();
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<AgentDatabase> db_;
};

TEST_F(JournalStoreTest, AppendsAreNumberedAndChained) {
  std::string prev = core::GenesisHash();
  for (int i = 1; i <= 5; ++i) {
    clock_.Advance(1000);
    Result<AppendResult> r =
        AppendSync(*db_, NoSaleRecord("T1", "txn-" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->seq, static_cast<uint64_t>(i));
    EXPECT_FALSE(r->replayed);
    EXPECT_EQ(r->recorded_at_us, clock_.NowMicros());
    Result<std::optional<v1::JournalEntry>> e =
        JournalStore::ReadBySeq(WriterDb(), r->seq);
    ASSERT_TRUE(e.ok() && e->has_value());
    EXPECT_EQ((*e)->prev_hash(), prev);
    EXPECT_EQ((*e)->hash(),
              core::ChainHash(prev, core::CanonicalBytes((*e)->record())));
    EXPECT_EQ((*e)->hash(), r->hash);
    prev = r->hash;
  }
  EXPECT_EQ(db_->journal().head().seq, 5u);
  VerifyReport v = Verify();
  EXPECT_TRUE(v.problem.ok()) << v.problem.ToString();
  EXPECT_EQ(v.entries_checked, 5u);
  EXPECT_EQ(v.good_hash, prev);
}

TEST_F(JournalStoreTest, RetryReturnsFirstAnswerAlsoAfterRestart) {
  Result<AppendResult> first = AppendSync(*db_, NoSaleRecord("T1", "a"));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(AppendSync(*db_, NoSaleRecord("T1", "b")).ok());
  clock_.Advance(5'000'000);
  Result<AppendResult> again = AppendSync(*db_, NoSaleRecord("T1", "a"));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->seq, first->seq);
  EXPECT_EQ(again->hash, first->hash);
  EXPECT_EQ(again->recorded_at_us, first->recorded_at_us);

  Reopen();
  Result<AppendResult> after = AppendSync(*db_, NoSaleRecord("T1", "a"));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->replayed);
  EXPECT_EQ(after->seq, first->seq);
  EXPECT_EQ(after->hash, first->hash);
  EXPECT_EQ(db_->journal().head().seq, 2u);
}

TEST_F(JournalStoreTest, SameKeyOtherContentIsRefusedAndChangesNothing) {
  ASSERT_TRUE(AppendSync(*db_, NoSaleRecord("T1", "a", "drawer")).ok());
  JournalHead before = db_->journal().head();
  Result<AppendResult> r = AppendSync(*db_, NoSaleRecord("T1", "a", "float"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(r.status().message().find("client_key"), std::string::npos);
  EXPECT_EQ(db_->journal().head().seq, before.seq);
  EXPECT_EQ(db_->journal().head().hash, before.hash);
  // The next event continues without a gap.
  Result<AppendResult> next = AppendSync(*db_, NoSaleRecord("T1", "b"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seq, 2u);
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(JournalStoreTest, HeadSurvivesRestart) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(AppendSync(*db_, NoSaleRecord("T", std::to_string(i))).ok());
  }
  JournalHead h = db_->journal().head();
  Reopen();
  EXPECT_EQ(db_->journal().head().seq, h.seq);
  EXPECT_EQ(db_->journal().head().hash, h.hash);
  Result<AppendResult> r = AppendSync(*db_, NoSaleRecord("T", "next"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 4u);
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(JournalStoreTest, FailedCommandAfterAppendLeavesNoGap) {
  // A command that appends and then fails is rolled back to its savepoint;
  // the cached head must follow, or the next seq would skip one.
  Status s = db_->writer().Run([&](WriteContext& ctx) {
    Result<AppendResult> a =
        db_->journal().Append(ctx, NoSaleRecord("T", "doomed"));
    EXPECT_TRUE(a.ok());
    return FailedPrecondition("later step failed");
  });
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(db_->journal().head().seq, 0u);
  Result<AppendResult> r = AppendSync(*db_, NoSaleRecord("T", "ok"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 1u);
  EXPECT_FALSE(JournalStore::ReadByKey(WriterDb(),
                                       NoSaleRecord("T", "doomed").client_key())
                   ->has_value());
}

TEST_F(JournalStoreTest, GaplessUnder16ConcurrentWriters) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 150;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every third call is a retry of the previous key.
        int n = (i % 3 == 2) ? i - 1 : i;
        Result<AppendResult> r = AppendSync(
            *db_, NoSaleRecord("T" + std::to_string(t), std::to_string(n)));
        if (!r.ok()) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  const uint64_t distinct = kThreads * (kPerThread - kPerThread / 3);
  EXPECT_EQ(db_->journal().head().seq, distinct);
  VerifyReport v = Verify();
  EXPECT_TRUE(v.problem.ok()) << v.problem.ToString();
  EXPECT_EQ(v.entries_checked, distinct);
  std::set<std::pair<std::string, std::string>> keys;
  Result<std::vector<v1::JournalEntry>> all =
      JournalStore::ReadRange(WriterDb(), 1, 1'000'000);
  ASSERT_TRUE(all.ok());
  uint64_t expect_seq = 1;
  for (const v1::JournalEntry& e : *all) {
    EXPECT_EQ(e.record().seq(), expect_seq++);
    keys.insert({e.record().client_key().terminal_id(),
                 e.record().client_key().client_txn_id()});
  }
  EXPECT_EQ(keys.size(), distinct);
  EXPECT_GT(db_->writer().stats().largest_batch, 1u)
      << "16 writers should have shared at least one commit";
}

TEST_F(JournalStoreTest, ReadByKeyAndRange) {
  ASSERT_TRUE(AppendSync(*db_, NoSaleRecord("T1", "a")).ok());
  ASSERT_TRUE(AppendSync(*db_, NoSaleRecord("T2", "a")).ok());
  auto e =
      JournalStore::ReadByKey(WriterDb(), NoSaleRecord("T2", "a").client_key());
  ASSERT_TRUE(e.ok() && e->has_value());
  EXPECT_EQ((*e)->record().seq(), 2u);
  auto none = JournalStore::ReadBySeq(WriterDb(), 3);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto range = JournalStore::ReadRange(WriterDb(), 2, 10);
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 1u);
}

TEST_F(JournalStoreTest, OtherStoresDatabaseIsRefused) {
  db_.reset();
  storage::DatabaseOptions o;
  o.path = path();
  o.store_id = "store-2";
  Result<std::unique_ptr<AgentDatabase>> other = AgentDatabase::Open(o, clock_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find("store-1"), std::string::npos);
}

}  // namespace
}  // namespace storeagent::storage
