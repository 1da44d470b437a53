// The change feed's two documented clients against a real storecentrald on
// loopback: docs/examples/feed_consumer.py (the worked example of
// docs/feed.md, so the docs cannot rot) and `storecentralctl feed` with
// its cursor file.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "platform/clock.h"
#include "platform/fs.h"
#include "tests/support/central_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/central/feed_history.h"

namespace storeagent::central::testing {
namespace {

using ::testing::HasSubstr;
using Key = std::tuple<std::string, uint64_t, uint64_t>;
using storeagent::testing::RunProgram;
using storeagent::testing::RunResult;

// Debian's python3-grpcio is for the system interpreter.
std::string PythonBin() {
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

// (store_id, seq, central_seq) of every row of `table`; also counts rows.
std::multiset<Key> Rows(const std::string& path, const std::string& table) {
  std::multiset<Key> out;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
      SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    const std::string sql = "SELECT store_id, seq, central_seq FROM " + table;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK) {
      while (sqlite3_step(s) == SQLITE_ROW) {
        out.emplace(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                    static_cast<uint64_t>(sqlite3_column_int64(s, 1)),
                    static_cast<uint64_t>(sqlite3_column_int64(s, 2)));
      }
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

// (store_id, seq, central_seq) of each JSON line storecentralctl printed.
std::multiset<Key> Printed(const std::string& out) {
  std::multiset<Key> keys;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    v1::FeedEvent e;
    if (!google::protobuf::util::JsonStringToMessage(line, &e).ok()) {
      ADD_FAILURE() << "not a FeedEvent: " << line;
      continue;
    }
    keys.emplace(e.store_id(), e.seq(), e.central_seq());
  }
  return keys;
}

class FeedCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::EnsureDirectory(dir_.path() + "/central", 0700).ok());
    central_ = std::make_unique<storeagent::testing::CentralProcess>(
        dir_.path() + "/central");
    ASSERT_TRUE(central_->Start()) << central_->log_path();
    admin_ = central_->NewAdminStub();
    history_ = std::make_unique<FeedHistory>(
        grpc::CreateChannel(central_->sync_address(),
                            grpc::InsecureChannelCredentials()),
        *admin_);
    address_ = "127.0.0.1:" + std::to_string(central_->admin_port());
  }

  RunResult RunExample(const std::string& db) {
    return RunProgram(
        {PythonBin(),
         std::string(STOREAGENT_SOURCE_DIR) + "/docs/examples/feed_consumer.py",
         "--admin", address_, "--db", db, "--proto-dir",
         std::string(STOREAGENT_SOURCE_DIR) + "/proto"},
        120000);
  }

  // The example with --follow, in the background, its output in `log`.
  pid_t StartFollowingExample(const std::string& db, const std::string& log) {
    const std::string script =
        std::string(STOREAGENT_SOURCE_DIR) + "/docs/examples/feed_consumer.py";
    const std::string protos = std::string(STOREAGENT_SOURCE_DIR) + "/proto";
    const std::string python = PythonBin();
    const pid_t pid = fork();
    if (pid == 0) {
      FILE* out = std::fopen(log.c_str(), "a");
      if (out != nullptr) {
        dup2(fileno(out), 1);
        dup2(fileno(out), 2);
      }
      execlp(python.c_str(), python.c_str(), script.c_str(), "--admin",
             address_.c_str(), "--db", db.c_str(), "--proto-dir",
             protos.c_str(), "--follow", static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  RunResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        storeagent::testing::CentralProcess::BinDir() + "/storecentralctl",
        "--admin", address_, "feed"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, 60000);
  }

  storeagent::testing::TempDir dir_;
  std::unique_ptr<storeagent::testing::CentralProcess> central_;
  std::unique_ptr<v1::CentralAdminService::Stub> admin_;
  std::unique_ptr<FeedHistory> history_;
  std::string address_;
};

TEST_F(FeedCliTest, ThePythonExampleGetsEveryEventOnceAndResumes) {
  ASSERT_TRUE(history_->Upload("store-1", 1200));
  ASSERT_TRUE(history_->Upload("store-2", 40));
  ASSERT_TRUE(history_->Push("store-2", 7));
  const std::string db = dir_.path() + "/feed.db";
  RunResult r = RunExample(db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("caught up"));
  std::multiset<Key> rows = Rows(db, "feed_events");
  EXPECT_EQ(std::set<Key>(rows.begin(), rows.end()), history_->Keys());
  EXPECT_EQ(rows.size(), history_->size());

  // Later events: the next run reads only those.
  ASSERT_TRUE(history_->Upload("store-1", 5));
  ASSERT_TRUE(history_->Push("store-3", 2));
  r = RunExample(db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = Rows(db, "feed_events");
  EXPECT_EQ(std::set<Key>(rows.begin(), rows.end()), history_->Keys());
  EXPECT_EQ(rows.size(), history_->size());
  EXPECT_EQ(Rows(db, "feed_cursor").size(), 3u);
}

TEST_F(FeedCliTest, ThePythonExampleFollowingCommitsNewEventsSoon) {
  // Following, the example commits what arrives after caught_up without
  // waiting for 500 more events (central's caught_up after each pass, and
  // its own timer): rows show up in its database while it runs.
  ASSERT_TRUE(history_->Upload("store-1", 30));
  const std::string db = dir_.path() + "/follow.db";
  const std::string log = dir_.path() + "/follow.log";
  pid_t pid = StartFollowingExample(db, log);
  ASSERT_GT(pid, 0);
  struct Reaper {  // the example never ends on its own: kill it (only it)
    pid_t* pid;
    ~Reaper() {
      if (*pid <= 0) return;
      kill(*pid, SIGKILL);
      int status = 0;
      waitpid(*pid, &status, 0);
    }
  } reaper{&pid};
  // Bounded (generous: a slow box generates the stubs first): 60 s of
  // 50 ms polls for the database to hold every event so far.
  auto wait_for_all = [&] {
    for (int poll = 0; poll < 1200; ++poll) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return false;  // it must not end while following
      }
      if (access(db.c_str(), F_OK) == 0 &&
          Rows(db, "feed_events").size() == history_->size()) {
        return true;
      }
      SleepMicros(50'000);
    }
    return false;
  };
  auto log_text = [&] {
    Result<std::string> text = fs::ReadFile(log);
    return text.ok() ? *text : text.status().ToString();
  };
  EXPECT_TRUE(wait_for_all()) << log_text();
  // A few events after caught_up: far fewer than the example's 500.
  ASSERT_TRUE(history_->Upload("store-1", 3));
  ASSERT_TRUE(history_->Push("store-2", 2));
  EXPECT_TRUE(wait_for_all()) << log_text();
  const std::multiset<Key> rows = Rows(db, "feed_events");
  EXPECT_EQ(std::set<Key>(rows.begin(), rows.end()), history_->Keys());
  EXPECT_EQ(rows.size(), history_->size());
  EXPECT_GT(pid, 0) << "the example ended while following: " << log_text();
}

TEST_F(FeedCliTest, CtlFeedFollowingSavesTheCursorWhileTheStreamIsQuiet) {
  ASSERT_TRUE(history_->Upload("store-1", 5));
  const std::string cursor = dir_.path() + "/follow.cursor";
  const std::string out = dir_.path() + "/follow.out";
  const std::string ctl =
      storeagent::testing::CentralProcess::BinDir() + "/storecentralctl";
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::fopen(out.c_str(), "a");
    if (f != nullptr) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    execl(ctl.c_str(), ctl.c_str(), "--admin", address_.c_str(), "feed",
          "--cursor", cursor.c_str(), "--follow", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(pid, 0);
  struct Reaper {  // it never ends on its own: kill it (only it)
    pid_t pid;
    ~Reaper() {
      kill(pid, SIGKILL);
      int status = 0;
      waitpid(pid, &status, 0);
    }
  } reaper{pid};
  // Bounded: 60 s of 50 ms polls for the file to name `seq`.
  auto saved = [&](const std::string& seq) {
    for (int poll = 0; poll < 1200; ++poll) {
      Result<std::string> text = fs::ReadFile(cursor);
      if (text.ok() &&
          text->find("\"seq\":\"" + seq + "\"") != std::string::npos) {
        return true;
      }
      SleepMicros(50'000);
    }
    return false;
  };
  auto output = [&] {
    Result<std::string> text = fs::ReadFile(out);
    return text.ok() ? *text : text.status().ToString();
  };
  EXPECT_TRUE(saved("5")) << output();
  // Two events after caught_up, then nothing: saved while it waits.
  ASSERT_TRUE(history_->Upload("store-1", 2));
  EXPECT_TRUE(saved("7")) << output();
}

TEST_F(FeedCliTest, CtlFeedPrintsEachEventAndKeepsTheCursorFile) {
  ASSERT_TRUE(history_->Upload("store-1", 1500));
  ASSERT_TRUE(history_->Push("store-1", 3));
  const std::string cursor = dir_.path() + "/feed.cursor";
  RunResult r = Ctl({"--cursor", cursor});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("caught up (1503 events)"));
  std::multiset<Key> printed = Printed(r.out);
  EXPECT_EQ(printed.size(), 1503u);
  EXPECT_EQ(std::set<Key>(printed.begin(), printed.end()), history_->Keys());
  Result<std::string> saved = fs::ReadFile(cursor);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_THAT(*saved, HasSubstr("\"store_id\":\"store-1\""));
  EXPECT_THAT(*saved, HasSubstr("\"seq\":\"1500\""));
  EXPECT_THAT(*saved, HasSubstr("\"central_seq\":\"3\""));

  // Nothing new: nothing printed. Then only what came since.
  r = Ctl({"--cursor", cursor});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_TRUE(history_->Upload("store-2", 2));
  r = Ctl({"--cursor", cursor, "--kind", "stock.movement"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  printed = Printed(r.out);
  EXPECT_EQ(printed,
            (std::multiset<Key>{{"store-2", 1, 0}, {"store-2", 2, 0}}));

  // Filters reach central; its refusal names the field.
  r = Ctl({"--store", "store-1", "--kind", "central.movement"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Printed(r.out).size(), 3u);
  r = Ctl({"--kind", "salez"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("kinds[0]"));
  r = Ctl({"--from", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--from"));
  r = Ctl({"--from", "2026-12-02", "--to", "2026-12-01"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("from_us"));
}

}  // namespace
}  // namespace storeagent::central::testing
