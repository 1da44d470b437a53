#include "storage/writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <vector>

#include "storage/journal_verify.h"
#include "tests/support/fault_vfs.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/storage/storage_test_util.h"

namespace storeagent::storage {
namespace {

// The journal at `path` verifies, `entries` entries long.
void ExpectIntactChain(const std::string& path, uint64_t entries) {
  Result<Connection> conn = Connection::Open(path, {});
  ASSERT_TRUE(conn.ok());
  Result<VerifyReport> v = VerifyJournal(conn->get());
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problem.ok()) << v->problem.ToString();
  EXPECT_EQ(v->entries_checked, entries);
}

TEST(Writer, BatchesQueuedCommandsIntoOneCommit) {
  testing::TempDir dir;
  FakeClock clock;
  auto db = testing::OpenDb(dir.File("a.db"), clock);
  ASSERT_NE(db, nullptr);
  // Hold the writer inside one command while 50 more queue up behind it.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  db->writer().Submit(
      [gate](WriteContext&) {
        gate.wait();
        return Status::Ok();
      },
      [](const Status&) {});
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i) {
    db->writer().Submit(
        [&, i](WriteContext& ctx) {
          return db->journal()
              .Append(ctx, testing::NoSaleRecord("T", std::to_string(i)))
              .status();
        },
        [&](const Status& s) {
          EXPECT_TRUE(s.ok()) << s.ToString();
          done.fetch_add(1);
        });
  }
  const WriterStats before = db->writer().stats();
  EXPECT_EQ(db->writer().pending(), 51u);
  release.set_value();
  db->writer().Stop();
  EXPECT_EQ(done.load(), 50);
  WriterStats after = db->writer().stats();
  EXPECT_EQ(after.commands - before.commands, 51u);
  // The gate's batch may have taken a few of the 50 along; everything else
  // waited and went in one more commit: 51 commands, at most 2 commits.
  EXPECT_LE(after.commits - before.commits, 2u);
  EXPECT_GE(after.largest_batch, 26u);
}

TEST(Writer, OneFailingCommandDoesNotSinkItsBatch) {
  testing::TempDir dir;
  FakeClock clock;
  auto db = testing::OpenDb(dir.File("a.db"), clock);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  db->writer().Submit(
      [gate](WriteContext&) {
        gate.wait();
        return Status::Ok();
      },
      [](const Status&) {});
  std::vector<Status> results(3);
  for (int i = 0; i < 3; ++i) {
    db->writer().Submit(
        [&, i](WriteContext& ctx) -> Status {
          Result<AppendResult> a = db->journal().Append(
              ctx, testing::NoSaleRecord("T", std::to_string(i)));
          if (i == 1) return InvalidArgument("refused on purpose");
          return a.status();
        },
        [&, i](const Status& s) { results[i] = s; });
  }
  release.set_value();
  db->writer().Stop();
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[2].ok());
  db.reset();
  db = testing::OpenDb(dir.File("a.db"), clock);
  EXPECT_EQ(db->journal().head().seq, 2u);
}

TEST(Writer, SubmitAfterStopIsRefused) {
  testing::TempDir dir;
  FakeClock clock;
  auto db = testing::OpenDb(dir.File("a.db"), clock);
  db->writer().Stop();
  Status got;
  db->writer().Submit([](WriteContext&) { return Status::Ok(); },
                      [&](const Status& s) { got = s; });
  EXPECT_EQ(got.code(), StatusCode::kUnavailable);
}

TEST(Writer, DiskFullIsResourceExhaustedAndLeavesNothingHalfWritten) {
  testing::FaultVfsKnobs& knobs = testing::RegisterFaultVfs();
  testing::TempDir dir;
  FakeClock clock;
  auto db = testing::OpenDb(dir.File("a.db"), clock, testing::kFaultVfsName);
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        testing::AppendSync(*db, testing::NoSaleRecord("T", std::to_string(i)))
            .ok());
  }
  knobs.disk_full = true;
  // Enough content that the WAL must grow.
  std::string big(4000, 'x');
  for (int i = 0; i < 20; ++i) {
    Result<AppendResult> r = testing::AppendSync(
        *db, testing::NoSaleRecord("T", "full-" + std::to_string(i), big));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted)
        << r.status().ToString();
    EXPECT_TRUE(r.status().retryable());
  }
  EXPECT_GT(knobs.refused_writes.load(), 0u);
  EXPECT_EQ(db->journal().head().seq, 5u);
  knobs.disk_full = false;

  // Recording resumes, gaplessly, once space returns.
  Result<AppendResult> r =
      testing::AppendSync(*db, testing::NoSaleRecord("T", "after", big));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seq, 6u);
  db.reset();
  db = testing::OpenDb(dir.File("a.db"), clock, testing::kFaultVfsName);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->journal().head().seq, 6u);
  db.reset();
  ExpectIntactChain(dir.File("a.db"), 6);
}

// A sync or a write the disk refuses with an I/O error (SQLITE_IOERR_FSYNC,
// SQLITE_IOERR_WRITE) at COMMIT fails the whole batch: no caller is told
// OK, each gets UNAVAILABLE (retryable, docs/storage.md), the journal head
// reloads, and the same events sent again are recorded, gaplessly.
class WriterIoError : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { testing::ResetFaultVfs(); }
  void TearDown() override { testing::ResetFaultVfs(); }
  bool fail_sync() const { return GetParam(); }
};

TEST_P(WriterIoError, FailsTheWholeBatchAndRecordingResumes) {
  testing::FaultVfsKnobs& knobs = testing::RegisterFaultVfs();
  testing::TempDir dir;
  FakeClock clock;
  auto db = testing::OpenDb(dir.File("a.db"), clock, testing::kFaultVfsName);
  ASSERT_NE(db, nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        testing::AppendSync(*db, testing::NoSaleRecord("T", std::to_string(i)))
            .ok());
  }
  // Hold the writer while three appends queue up behind it: one batch. The
  // writer must be inside the gate before they are sent, or the first of
  // them may share the gate's batch and the other two commit on their own.
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::promise<void> entered;
  db->writer().Submit(
      [gate, &entered](WriteContext&) {
        entered.set_value();
        gate.wait();
        return Status::Ok();
      },
      [](const Status&) {});
  entered.get_future().wait();
  std::vector<std::promise<Status>> done(3);
  std::vector<std::future<Status>> answers;
  for (int k = 0; k < 3; ++k) {
    answers.push_back(done[static_cast<size_t>(k)].get_future());
    db->writer().Submit(
        [&db, k](WriteContext& ctx) -> Status {
          Result<AppendResult> a = db->journal().Append(
              ctx, testing::NoSaleRecord("T", "io-" + std::to_string(k)));
          return a.ok() ? Status::Ok() : a.status();
        },
        [&done, k](const Status& s) {
          done[static_cast<size_t>(k)].set_value(s);
        });
  }
  // The next sync (or write) of the disk fails: the batch's COMMIT.
  if (fail_sync()) {
    knobs.fail_sync_at = knobs.syncs.load() + 1;
  } else {
    knobs.fail_write_at = knobs.writes.load() + 1;
  }
  release.set_value();
  for (std::future<Status>& a : answers) {
    Status s = a.get();
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    EXPECT_TRUE(s.retryable()) << s.ToString();
  }
  EXPECT_EQ(db->journal().head().seq, 3u);

  // The same events again: recorded after the head, gaplessly.
  for (int k = 0; k < 3; ++k) {
    Result<AppendResult> r = testing::AppendSync(
        *db, testing::NoSaleRecord("T", "io-" + std::to_string(k)));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->seq, 4u + static_cast<uint64_t>(k));
    EXPECT_FALSE(r->replayed);
  }
  db.reset();
  ExpectIntactChain(dir.File("a.db"), 6);
}

INSTANTIATE_TEST_SUITE_P(SyncOrWrite, WriterIoError, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Sync" : "Write";
                         });

}  // namespace
}  // namespace storeagent::storage
