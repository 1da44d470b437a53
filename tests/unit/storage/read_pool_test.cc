// ReadPool: leases of idle connections beside the pool's threads, and
// KeepMapVfs: a reader that keeps its map of the file still reads what
// other connections committed.
#include "storage/read_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/keep_map_vfs.h"
#include "storage/sqlite_handle.h"
#include "tests/support/temp_dir.h"

namespace storeagent::storage {
namespace {

// A database at `path` with table t(k, v) of `rows` rows, v = "v<k>".
Connection MakeDb(const std::string& path, int rows) {
  Result<Connection> c = Connection::Open(path, {});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  EXPECT_TRUE(c->Exec("WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT "
                      "k + 1 FROM n WHERE k < " +
                      std::to_string(rows) +
                      ") INSERT INTO t SELECT k, 'v' || k FROM n")
                  .ok());
  return std::move(c).value();
}

// One integer from `sql` on `ctx`, -1 on error.
int64_t ReadInt(DbContext& ctx, const std::string& sql) {
  Result<Statement*> s = ctx.Prepare(sql);
  if (!s.ok()) return -1;
  Result<bool> row = (*s)->Step();
  if (!row.ok() || !*row) return -1;
  const int64_t v = (*s)->ColumnInt(0);
  (*s)->Reset();
  return v;
}

TEST(ReadPool, LendsEachIdleConnectionOnceThenRefuses) {
  testing::TempDir dir;
  Connection w = MakeDb(dir.File("a.db"), 10);
  Result<std::unique_ptr<ReadPool>> pool =
      ReadPool::Open(dir.File("a.db"), 1, 3, "");
  ASSERT_TRUE(pool.ok()) << pool.status().ToString();
  std::vector<ReadPool::Lease> leases;
  std::set<DbContext*> distinct;
  for (int i = 0; i < 3; ++i) {
    leases.push_back((*pool)->TryLease());
    ASSERT_TRUE(leases.back());
    distinct.insert(leases.back().get());
    EXPECT_EQ(ReadInt(*leases.back().get(), "SELECT count(*) FROM t"), 10);
  }
  EXPECT_EQ(distinct.size(), 3u);
  EXPECT_FALSE((*pool)->TryLease());
  EXPECT_EQ((*pool)->leases_lent(), 3u);
  EXPECT_EQ((*pool)->leases_refused(), 1u);

  // Every connection lent: a submitted query waits for one to come back.
  std::promise<int64_t> answered;
  std::future<int64_t> answer = answered.get_future();
  (*pool)->Submit([&](DbContext* ctx) {
    answered.set_value(ctx == nullptr ? -2
                                      : ReadInt(*ctx, "SELECT max(k) FROM t"));
  });
  EXPECT_EQ(answer.wait_for(std::chrono::milliseconds(50)),
            std::future_status::timeout);
  leases.pop_back();
  EXPECT_EQ(answer.get(), 10);
  leases.clear();  // handed back at once, on this thread
  EXPECT_TRUE((*pool)->TryLease());
}

TEST(ReadPool, RefusesMoreThreadsThanConnections) {
  testing::TempDir dir;
  Connection w = MakeDb(dir.File("a.db"), 1);
  Result<std::unique_ptr<ReadPool>> pool =
      ReadPool::Open(dir.File("a.db"), 3, 2, "");
  ASSERT_FALSE(pool.ok());
  EXPECT_EQ(pool.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pool.status().message().find("3 threads over 2 connections"),
            std::string::npos)
      << pool.status().message();
}

TEST(ReadPool, StopWaitsForLentConnectionsAndLendsNoMore) {
  testing::TempDir dir;
  Connection w = MakeDb(dir.File("a.db"), 1);
  Result<std::unique_ptr<ReadPool>> pool =
      ReadPool::Open(dir.File("a.db"), 1, 2, "");
  ASSERT_TRUE(pool.ok());
  std::atomic<bool> given_back{false};
  std::promise<void> leased;
  std::thread holder([&] {
    ReadPool::Lease lease = (*pool)->TryLease();
    ASSERT_TRUE(lease);
    leased.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(ReadInt(*lease.get(), "SELECT count(*) FROM t"), 1);
    given_back = true;
  });
  leased.get_future().wait();
  (*pool)->Stop();
  EXPECT_TRUE(given_back.load());  // Stop returned only after the lease
  holder.join();
  EXPECT_FALSE((*pool)->TryLease());
  bool ran_with_null = false;
  (*pool)->Submit([&](DbContext* ctx) { ran_with_null = ctx == nullptr; });
  EXPECT_TRUE(ran_with_null);
}

// The reader keeps its map across the writer's commits and checkpoints, and
// still reads the new content; it drops the map once the file has grown by
// more than kRemapGrowthBytes, and reads the pages beyond the old map too.
TEST(KeepMapVfs, ReaderSeesEveryCommitThroughAKeptMap) {
  testing::TempDir dir;
  const std::string path = dir.File("a.db");
  Connection w = MakeDb(path, 2000);
  ASSERT_TRUE(w.Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  ConnectionOptions ro;
  ro.read_only = true;  // the keep-map VFS (storage/sqlite_handle.cc)
  Result<Connection> r = Connection::Open(path, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  DbContext reader(r->get());
  const std::string sum = "SELECT sum(length(v)) FROM t";
  const int64_t before = ReadInt(reader, sum);
  ASSERT_GT(before, 0);

  const KeepMapCounts start = KeepMapCountsNow();
  for (int round = 1; round <= 5; ++round) {
    // Changed rows, moved into the database file itself by a checkpoint:
    // the mapped pages change under the reader.
    ASSERT_TRUE(w.Exec("UPDATE t SET v = v || 'x' WHERE k % 7 = " +
                       std::to_string(round))
                    .ok());
    ASSERT_TRUE(w.Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    Result<Statement> count =
        Statement::Prepare(w.get(), "SELECT sum(length(v)) FROM t");
    ASSERT_TRUE(count.ok());
    ASSERT_TRUE(*count->Step());
    EXPECT_EQ(ReadInt(reader, sum), count->ColumnInt(0)) << "round " << round;
  }
  const KeepMapCounts kept = KeepMapCountsNow();
  EXPECT_GE(kept.kept, start.kept + 5);

  // 6 MiB more: beyond what the map covers; the reader drops it and maps
  // again, and reads every new row.
  ASSERT_TRUE(w.Exec("CREATE TABLE big (b BLOB)").ok());
  ASSERT_TRUE(w.Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                     "FROM n WHERE i < 1536) INSERT INTO big SELECT "
                     "randomblob(4096) FROM n")
                  .ok());
  ASSERT_TRUE(w.Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  EXPECT_EQ(ReadInt(reader, "SELECT sum(length(b)) FROM big"),
            int64_t{1536} * 4096);
  EXPECT_GT(KeepMapCountsNow().dropped, kept.dropped);
  EXPECT_EQ(ReadInt(reader, "SELECT count(*) FROM t"), 2000);
}

}  // namespace
}  // namespace storeagent::storage
