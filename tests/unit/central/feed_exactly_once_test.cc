// The change feed's promise (docs/feed.md, "Exactly once"): a consumer that
// keeps each event and its cursor in one transaction, killed with SIGKILL
// at random points and started again from its cursor, ends with every
// event of central exactly once. The consumer is a program of its own
// (feed_test_consumer.cc); central runs in this process on SQLite.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <tuple>

#include "platform/clock.h"
#include "platform/fs.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/central/fake_agent.h"
#include "tests/unit/central/feed_history.h"

namespace storeagent::central::testing {
namespace {

using Key = std::tuple<std::string, uint64_t, uint64_t>;

// Starts the consumer; its output goes to `log`.
pid_t Spawn(const std::string& admin, const std::string& db,
            const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::fopen(log.c_str(), "a");
    if (out != nullptr) {
      dup2(fileno(out), 1);
      dup2(fileno(out), 2);
    }
    execl(FEED_TEST_CONSUMER, FEED_TEST_CONSUMER, admin.c_str(), db.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

std::string ReadLog(const std::string& path) {
  Result<std::string> text = fs::ReadFile(path);
  return text.ok() ? *text : text.status().ToString();
}

// What the consumer's database holds: every row, and how many rows.
struct Kept {
  std::multiset<Key> rows;
  std::set<Key> distinct;
};

Kept ReadKept(const std::string& db_path) {
  Kept out;
  if (access(db_path.c_str(), F_OK) != 0) return out;  // killed before it
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    ADD_FAILURE() << "open " << db_path;
    sqlite3_close(db);
    return out;
  }
  // The consumer may hold a lock a moment (switching to WAL): wait for it.
  sqlite3_busy_timeout(db, 10000);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT store_id, seq, central_seq FROM events",
                         -1, &s, nullptr) == SQLITE_OK) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      Key k{reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
            static_cast<uint64_t>(sqlite3_column_int64(s, 1)),
            static_cast<uint64_t>(sqlite3_column_int64(s, 2))};
      out.rows.insert(k);
      out.distinct.insert(k);
    }
  } else if (std::string(sqlite3_errmsg(db)).find("no such table") ==
             std::string::npos) {  // else killed before it made the table
    ADD_FAILURE() << "events: " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

TEST(FeedExactlyOnceTest, AConsumerKilledAtRandomPointsGetsEveryEventOnce) {
  CentralFixture central;
  central.Start();
  FeedHistory history(central.SyncChannel(), central.admin());
  for (const char* store : {"store-a", "store-b", "store-c", "store-d"}) {
    ASSERT_TRUE(history.Upload(store, 700));
    ASSERT_TRUE(history.Push(store, 40));
  }
  ASSERT_TRUE(history.Upload("store-a", 300));  // a later batch of a store
  const std::set<Key> expected = history.Keys();
  ASSERT_EQ(expected.size(), 4u * 740u + 300u);

  storeagent::testing::TempDir dir;
  const std::string db = dir.path() + "/consumer.db";
  const std::string log = dir.path() + "/consumer.log";
  const std::string admin =
      "127.0.0.1:" + std::to_string(central.server().admin_port());
  // Each run is killed once the consumer has kept a random (seeded) number
  // of events more than the run before, plus a random few milliseconds,
  // so the kills land mid-stream however fast this machine is: the steps
  // add up to at most half the history, so every run has well over a
  // thousand events (one transaction each) still to keep when it is
  // killed.
  std::mt19937 rng(20261203);
  constexpr int kKills = 15;
  std::uniform_int_distribution<size_t> step(1, expected.size() / (2 * kKills));
  std::uniform_int_distribution<int> extra_us(0, 3000);
  size_t before = 0;
  int mid_stream = 0;  // kills that left the consumer partway
  for (int k = 0; k < kKills; ++k) {
    const size_t target = before + step(rng);
    const pid_t pid = Spawn(admin, db, log);
    ASSERT_GT(pid, 0);
    bool exited = false;
    // Bounded: 60 s of 1 ms polls.
    for (int poll = 0; poll < 60000 && !exited; ++poll) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        // On its own: only ever by reaching caught_up.
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "consumer run " << k << " failed: status " << status << "\n"
            << ReadLog(log);
        exited = true;
        break;
      }
      if (ReadKept(db).rows.size() >= target) break;
      SleepMicros(1000);
    }
    if (!exited) {
      SleepMicros(extra_us(rng));
      ASSERT_EQ(kill(pid, SIGKILL), 0);
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
    }
    const Kept kept = ReadKept(db);
    // Never a repeat, whenever it died.
    ASSERT_EQ(kept.rows.size(), kept.distinct.size()) << "after kill " << k;
    if (!exited && kept.rows.size() < expected.size()) ++mid_stream;
    std::printf("run %d: target %zu, kept %zu%s\n", k, target, kept.rows.size(),
                exited ? " (finished)" : "");
    before = kept.rows.size();
  }
  // The check below holds wherever the kills landed; this says where.
  std::printf(
      "feed_exactly_once: %d of %d kills mid-stream, %zu of %zu "
      "events kept before the last run\n",
      mid_stream, kKills, before, expected.size());
  // Else the test proves little: most kills must have cut a run short.
  EXPECT_GE(mid_stream, kKills / 2 + 1)
      << "too few kills landed mid-stream to test exactly once";

  storeagent::testing::RunResult last =
      storeagent::testing::RunProgram({FEED_TEST_CONSUMER, admin, db}, 120000);
  ASSERT_EQ(last.exit_code, 0) << last.err;
  const Kept kept = ReadKept(db);
  EXPECT_EQ(kept.rows.size(), kept.distinct.size());
  EXPECT_EQ(kept.distinct, expected);
}

}  // namespace
}  // namespace storeagent::central::testing
