// Journal pruning with a FakeClock (storage/journal_prune.h and
// agent/journal_prune_timer.h), the committed-kind counters, and the online
// backup of a database file (storage/online_backup.h).
#include "storage/journal_prune.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/journal_prune_timer.h"
#include "platform/scheduler.h"
#include "storage/journal_store.h"
#include "storage/journal_verify.h"
#include "storage/online_backup.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/storage/storage_test_util.h"

namespace storeagent {
namespace {

using testing::AppendSync;
using ::testing::HasSubstr;
using testing::NoSaleRecord;
using testing::OpenDb;
using testing::TempDir;

constexpr int64_t kDay = int64_t{86'400} * 1'000'000;

class PruneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenDb(dir_.File("agent.db"), clock_);
    ASSERT_NE(db_, nullptr);
  }

  // Appends `n` events at the clock's current time; returns the last seq.
  uint64_t Append(int n) {
    uint64_t last = 0;
    for (int i = 0; i < n; ++i) {
      Result<storage::AppendResult> r = AppendSync(
          *db_, NoSaleRecord("t1", "txn-" + std::to_string(next_++)));
      EXPECT_TRUE(r.ok()) << r.status().ToString();
      if (r.ok()) last = r->seq;
    }
    return last;
  }

  void SetAcked(uint64_t seq) {
    Status s = db_->writer().Run([seq](storage::WriteContext& ctx) {
      Result<storage::Statement*> st = ctx.Prepare(
          "INSERT INTO meta (key, value) VALUES ('central_acked_seq', ?1) "
          "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
      if (!st.ok()) return st.status();
      (*st)->BindText(1, std::to_string(seq));
      return (*st)->Run();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // `n` events, 31 days old, all acknowledged by central.
  void OldAndAcked(uint64_t n) {
    Append(n);
    clock_.Advance(31 * kDay);
    SetAcked(n);
  }

  // A 30-day window pruned `batch` events at a time.
  static agent::PruneOptions Batches(size_t batch) {
    agent::PruneOptions o;
    o.replay_window_days = 30;
    o.batch = batch;
    return o;
  }

  agent::PruneRun Prune(size_t batch = 500) {
    agent::PruneOptions o = Batches(batch);
    Result<agent::PruneRun> r = agent::PruneJournalNow(*db_, clock_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : agent::PruneRun{};
  }

  // The stored hash of `seq`, read through a reader connection.
  std::string HashOf(uint64_t seq) {
    storage::ConnectionOptions o;
    o.read_only = true;
    Result<storage::Connection> c =
        storage::Connection::Open(dir_.File("agent.db"), o);
    EXPECT_TRUE(c.ok());
    Result<std::optional<v1::JournalEntry>> e =
        storage::JournalStore::ReadBySeq(c->get(), seq);
    EXPECT_TRUE(e.ok() && e->has_value());
    return e.ok() && e->has_value() ? (*e)->hash() : "";
  }

  storage::VerifyReport Verify() {
    storage::ConnectionOptions o;
    o.read_only = true;
    Result<storage::Connection> c =
        storage::Connection::Open(dir_.File("agent.db"), o);
    EXPECT_TRUE(c.ok());
    Result<storage::VerifyReport> r = storage::VerifyJournal(c->get());
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : storage::VerifyReport{};
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  int next_ = 1;
};

TEST_F(PruneTest, OldAndAckedArePrunedAnchorMovesVerifyPasses) {
  Append(10);  // seq 1..10, day 0
  clock_.Advance(10 * kDay);
  Append(5);                  // seq 11..15, day 10
  clock_.Advance(25 * kDay);  // now day 35: seq 1..10 are 35 days old
  SetAcked(15);
  const std::string hash10 = HashOf(10);

  agent::PruneRun run = Prune();
  EXPECT_EQ(run.pruned, 10u);
  EXPECT_EQ(run.anchor_seq, 10u);
  storage::VerifyReport v = Verify();
  EXPECT_TRUE(v.problem.ok()) << v.problem.ToString();
  EXPECT_EQ(v.anchor_seq, 10u);
  EXPECT_EQ(v.entries_checked, 5u);
  EXPECT_EQ(v.good_seq, 15u);
  Status anchor = db_->writer().Run([&](storage::WriteContext& ctx) {
    Result<storage::JournalHead> a =
        storage::JournalStore::ReadAnchor(ctx.db());
    if (!a.ok()) return a.status();
    EXPECT_EQ(a->seq, 10u);
    EXPECT_EQ(a->hash, hash10);
    return Status::Ok();
  });
  EXPECT_TRUE(anchor.ok());
  // Recording goes on from the head; the chain still verifies.
  EXPECT_EQ(Append(1), 16u);
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(PruneTest, UnackedIsNeverPrunedWhateverItsAge) {
  Append(10);
  clock_.Advance(400 * kDay);
  EXPECT_EQ(Prune().pruned, 0u);  // nothing acknowledged
  SetAcked(4);
  agent::PruneRun run = Prune();
  EXPECT_EQ(run.pruned, 4u);
  EXPECT_EQ(run.anchor_seq, 4u);
  EXPECT_EQ(Prune().pruned, 0u);  // 5..10 are not acknowledged
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(PruneTest, YoungEventsStayEvenWhenAcked) {
  Append(3);
  clock_.Advance(29 * kDay);
  SetAcked(3);
  EXPECT_EQ(Prune().pruned, 0u);
  clock_.Advance(kDay + 1);
  EXPECT_EQ(Prune().pruned, 3u);
  // An empty journal verifies, and the head survives pruning everything.
  storage::VerifyReport v = Verify();
  EXPECT_TRUE(v.problem.ok());
  EXPECT_EQ(v.good_seq, 3u);
  EXPECT_EQ(Append(1), 4u);
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(PruneTest, StopsAtTheFirstYoungRowEvenIfLaterOnesAreOld) {
  Append(2);  // day 0
  clock_.Advance(20 * kDay);
  Append(1);                                   // seq 3, day 20
  clock_.Set(clock_.NowMicros() - 20 * kDay);  // the clock stepped back
  Append(2);                                   // seq 4..5 stamped day 0 again
  clock_.Advance(35 * kDay);  // now day 35: seq 3 is only 15 days old
  SetAcked(5);
  agent::PruneRun run = Prune();
  EXPECT_EQ(run.pruned, 2u);
  EXPECT_EQ(run.anchor_seq, 2u);
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(PruneTest, SmallBatchesEachTheirOwnCommand) {
  Append(25);
  clock_.Advance(31 * kDay);
  SetAcked(25);
  const uint64_t commits_before = db_->writer().stats().commits;
  agent::PruneRun run = Prune(/*batch=*/10);
  EXPECT_EQ(run.pruned, 25u);
  EXPECT_EQ(run.batches, 3u);  // 10, 10, 5
  EXPECT_GE(db_->writer().stats().commits - commits_before, 3u);
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(PruneTest, PacedRunInterleavesOtherWritesBetweenItsBatches) {
  OldAndAcked(25);
  agent::PruneOptions o = Batches(10);
  o.duty_percent = 10;
  // Each pause, a sale is recorded and the anchor read, each by its own
  // writer command: they commit between the run's batches.
  std::vector<uint64_t> anchors;
  std::vector<int64_t> pauses;
  o.pause = [&](int64_t micros) {
    pauses.push_back(micros);
    Append(1);
    Status s = db_->writer().Run([&](storage::WriteContext& ctx) {
      Result<storage::JournalHead> a =
          storage::JournalStore::ReadAnchor(ctx.db());
      if (!a.ok()) return a.status();
      anchors.push_back(a->seq);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  };
  Result<agent::PruneRun> run = agent::PruneJournalNow(*db_, clock_, o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->pruned, 25u);
  EXPECT_EQ(run->batches, 3u);  // 10, 10, 5
  // A pause after each full batch; none after the last, short one.
  ASSERT_EQ(pauses.size(), 2u);
  EXPECT_THAT(anchors, ::testing::ElementsAre(10u, 20u));
  for (int64_t p : pauses) EXPECT_GE(p, 0);
  // The sales recorded in the pauses (young) stay; the chain verifies from
  // the anchor the last batch moved.
  storage::VerifyReport v = Verify();
  EXPECT_TRUE(v.problem.ok()) << v.problem.ToString();
  EXPECT_EQ(v.anchor_seq, 25u);
  EXPECT_EQ(v.good_seq, 27u);
  EXPECT_EQ(v.entries_checked, 2u);
}

TEST_F(PruneTest, UnpacedRunDoesNotPause) {
  OldAndAcked(25);
  agent::PruneOptions o = Batches(10);
  o.duty_percent = 100;
  int pauses = 0;
  o.pause = [&pauses](int64_t) { ++pauses; };
  Result<agent::PruneRun> run = agent::PruneJournalNow(*db_, clock_, o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->pruned, 25u);
  EXPECT_EQ(pauses, 0);
  EXPECT_EQ(run->paused_micros, 0);
}

TEST_F(PruneTest, StopEndsAPacedRunBetweenBatches) {
  OldAndAcked(25);
  agent::PruneOptions o = Batches(10);
  std::atomic<bool> stop{false};
  o.pause = [&stop](int64_t) { stop.store(true); };
  Result<agent::PruneRun> run = agent::PruneJournalNow(*db_, clock_, o, &stop);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->pruned, 10u);  // the first batch, then the stop
  EXPECT_EQ(run->anchor_seq, 10u);
  EXPECT_TRUE(Verify().problem.ok());
}

// The writer has completed every command submitted before this call.
void WriterBarrier(storage::AgentDatabase& db) {
  ASSERT_TRUE(db.writer()
                  .Run([](storage::WriteContext&) { return Status::Ok(); })
                  .ok());
}

// Runs the timer's batches (each one's completion schedules the next; on
// simulated time their pauses are 0) until `runs` runs have finished.
void DriveRuns(SimScheduler& sched, storage::AgentDatabase& db,
               const agent::JournalPruneTimer& timer, uint64_t runs) {
  for (int i = 0; i < 1000; ++i) {
    WriterBarrier(db);
    if (timer.runs_done() >= runs) return;
    ASSERT_EQ(sched.RunDue(), 1) << "no next batch scheduled";
  }
  FAIL() << "the run did not finish";
}

TEST_F(PruneTest, TimerPrunesOnItsOwnAfterAnInterval) {
  Append(6);
  clock_.Advance(31 * kDay);
  SetAcked(4);
  agent::PruneOptions o;
  o.replay_window_days = 30;
  o.batch = 2;
  o.interval = std::chrono::seconds(1);
  SimScheduler sched;
  agent::JournalPruneTimer timer(*db_, clock_, sched, o);
  sched.Advance(999'999);
  WriterBarrier(*db_);
  EXPECT_EQ(Verify().anchor_seq, 0u) << "pruned before the first interval";
  sched.Advance(1);
  DriveRuns(sched, *db_, timer, 1);
  EXPECT_EQ(Verify().anchor_seq, 4u);  // never past the acknowledged seq 4
  EXPECT_EQ(timer.last_run().pruned, 4u);
  EXPECT_EQ(timer.last_run().batches, 3u);  // 2, 2, then a short one
  EXPECT_TRUE(Verify().problem.ok());

  // The next run comes an interval after the first one.
  SetAcked(6);
  sched.Advance(999'999);
  WriterBarrier(*db_);
  EXPECT_EQ(Verify().anchor_seq, 4u);
  sched.Advance(1);
  DriveRuns(sched, *db_, timer, 2);
  EXPECT_EQ(Verify().anchor_seq, 6u);
  timer.Stop();
  EXPECT_EQ(sched.pending(), 0u);
}

TEST_F(PruneTest, TimerStopEndsARunAfterItsCurrentBatch) {
  OldAndAcked(10);
  agent::PruneOptions o = Batches(2);
  o.interval = std::chrono::seconds(1);
  SimScheduler sched;
  agent::JournalPruneTimer timer(*db_, clock_, sched, o);
  sched.Advance(1'000'000);        // the run starts: batch 1 in the writer
  WriterBarrier(*db_);             // ... done; batch 2 is scheduled
  ASSERT_EQ(sched.pending(), 2u);  // the periodic run and the next batch
  timer.Stop();
  EXPECT_EQ(sched.pending(), 0u);
  sched.Advance(10'000'000);
  WriterBarrier(*db_);
  EXPECT_EQ(Verify().anchor_seq, 2u);  // the one batch, then the stop
  EXPECT_EQ(timer.runs_done(), 1u);
  EXPECT_TRUE(Verify().problem.ok());
}

TEST_F(PruneTest, WindowZeroNeverPrunes) {
  Append(5);
  clock_.Advance(1000 * kDay);
  SetAcked(5);
  agent::PruneOptions o;
  o.replay_window_days = 0;
  Result<agent::PruneRun> r = agent::PruneJournalNow(*db_, clock_, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->pruned, 0u);
}

TEST_F(PruneTest, BadWatermarkIsNamed) {
  Append(1);
  Status s = db_->writer().Run([](storage::WriteContext& ctx) {
    char* err = nullptr;
    int rc = sqlite3_exec(ctx.db(),
                          "INSERT INTO meta VALUES ('central_acked_seq', 'x')",
                          nullptr, nullptr, &err);
    sqlite3_free(err);
    return rc == SQLITE_OK ? Status::Ok() : Internal("insert");
  });
  ASSERT_TRUE(s.ok());
  clock_.Advance(40 * kDay);
  agent::PruneOptions o;
  Result<agent::PruneRun> r = agent::PruneJournalNow(*db_, clock_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("central_acked_seq"));
}

TEST_F(PruneTest, CommittedKindsCountNewEventsNotReplaysOrRollbacks) {
  Append(3);
  // A replay of txn-1 returns the first answer and is not counted.
  ASSERT_TRUE(AppendSync(*db_, NoSaleRecord("t1", "txn-1")).ok());
  // An append whose command then fails is rolled back and not counted.
  Status s = db_->writer().Run([&](storage::WriteContext& ctx) {
    Result<storage::AppendResult> a =
        db_->journal().Append(ctx, NoSaleRecord("t1", "rolled-back"));
    if (!a.ok()) return a.status();
    return FailedPrecondition("test: fail after appending");
  });
  EXPECT_FALSE(s.ok());
  std::map<std::string, uint64_t> kinds = db_->journal().CommittedKinds();
  EXPECT_EQ(kinds["no_sale"], 3u);
  EXPECT_EQ(Append(1), 4u);
  EXPECT_EQ(db_->journal().CommittedKinds()["no_sale"], 4u);
}

TEST_F(PruneTest, BackupCopiesAndChecksThePrunedDatabase) {
  Append(20);
  clock_.Advance(31 * kDay);
  SetAcked(8);
  EXPECT_EQ(Prune().pruned, 8u);
  storage::BackupOptions o;
  o.pages_per_step = 1;
  int pauses = 0;
  o.pause = [&pauses](int64_t) { ++pauses; };
  Result<storage::BackupReport> r =
      storage::BackupDatabase(dir_.File("agent.db"), dir_.File("copy.db"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->facts.store_id, "store-1");
  EXPECT_EQ(r->facts.anchor_seq, 8u);
  EXPECT_EQ(r->facts.head_seq, 20u);
  EXPECT_EQ(r->facts.central_acked_seq, 8u);
  EXPECT_GT(r->steps, 1);  // one page per step
  EXPECT_EQ(pauses, r->steps - 1);
  Result<storage::DatabaseFacts> check =
      storage::CheckDatabaseFile(dir_.File("copy.db"));
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->head_seq, 20u);
}

TEST_F(PruneTest, BackupIsTheSnapshotItBeganWithWhileSalesCommit) {
  Append(20);
  const int before = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  storage::BackupOptions o;
  o.pages_per_step = 1;
  o.pause_micros = 3;
  std::vector<int64_t> pauses;
  // A sale commits in every pause, next to the copy's read snapshot.
  o.pause = [&](int64_t micros) {
    pauses.push_back(micros);
    Append(1);
  };
  Result<storage::BackupReport> r =
      storage::BackupDatabase(dir_.File("agent.db"), dir_.File("copy.db"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ran_low_priority);
  // The caller's own priority is untouched: the copy ran on its own thread.
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())), before);
  ASSERT_GT(r->steps, 2);
  ASSERT_EQ(pauses.size(), static_cast<size_t>(r->steps - 1));
  for (int64_t p : pauses) EXPECT_GE(p, 3);  // never below pause_micros
  EXPECT_EQ(r->facts.head_seq, 20u);  // not one of the sales made meanwhile
  Result<storage::DatabaseFacts> check =
      storage::CheckDatabaseFile(dir_.File("copy.db"));
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->head_seq, 20u);
  EXPECT_EQ(Append(1), 20u + pauses.size() + 1);
}

TEST_F(PruneTest, BackupOnTheCallingThreadWhenAsked) {
  Append(3);
  storage::BackupOptions o;
  o.low_priority = false;
  Result<storage::BackupReport> r =
      storage::BackupDatabase(dir_.File("agent.db"), dir_.File("copy.db"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->ran_low_priority);
  EXPECT_EQ(r->facts.head_seq, 3u);
}

TEST_F(PruneTest, CheckRefusesATamperedCopy) {
  Append(5);
  ASSERT_TRUE(
      storage::BackupDatabase(dir_.File("agent.db"), dir_.File("copy.db"))
          .ok());
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.File("copy.db").c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(raw, "UPDATE journal SET record = x'00' WHERE seq = 3",
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(raw);
  }
  Result<storage::DatabaseFacts> check =
      storage::CheckDatabaseFile(dir_.File("copy.db"));
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(check.status().message(), HasSubstr("seq 3"));
}

}  // namespace
}  // namespace storeagent
