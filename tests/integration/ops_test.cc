// Operations against the real storeagentd and storeagentctl: /metrics
// checked by promtool, SIGHUP reload, online backup under load, restore and
// its refusal behind central's watermark, and `journal verify` of a pruned
// database.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/journal_prune_timer.h"
#include "platform/clock.h"
#include "platform/crypto.h"
#include "storage/agent_database.h"
#include "tests/integration/staff_page/staff_test_env.h"
#include "tests/support/agent_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent {
namespace {

using agent::test::Auth;
using agent::test::HttpClient;
using agent::test::HttpReply;
using testing::AgentProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunProgram;
using testing::RunResult;
using testing::TempDir;

using testing::ReadText;
using testing::WriteText;

// The first log line with `event=EVENT` and, if given, holding `also`;
// polls the log for up to 10 s. "" when none came.
std::string WaitForLogLine(const std::string& log, const std::string& event,
                           const std::string& also = "") {
  for (int i = 0; i < 500; ++i) {
    std::istringstream in(ReadText(log));
    for (std::string line; std::getline(in, line);) {
      if (line.find("event=" + event + " ") != std::string::npos &&
          line.find(also) != std::string::npos) {
        return line;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "";
}

// The `port=` of the `nth` (1-based) `event=EVENT` log line, waiting up to
// 10 s for it to be written; 0 if it was not.
int PortFromLog(const std::string& log, const std::string& event, int nth = 1) {
  for (int i = 0; i < 500; ++i) {
    std::istringstream in(ReadText(log));
    int seen = 0;
    for (std::string line; std::getline(in, line);) {
      const size_t at = line.find(" port=");
      if (line.find("event=" + event + " ") == std::string::npos ||
          at == std::string::npos) {
        continue;
      }
      if (++seen == nth) return std::atoi(line.c_str() + at + 6);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// Runs SQL on a database file of a stopped agent.
void ExecSql(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string what = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << what;
}

// One integer from a query on a database file; -1 on error.
int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

std::string IntegrityCheck(const std::string& db_path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

grpc::Status RecordSale(v1::PosService::Stub& stub, const v1::ClientKey& key) {
  v1::RecordTransactionRequest req;
  *req.mutable_client_key() = key;
  *req.mutable_transaction() = test::SampleSale();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::RecordTransactionResponse reply;
  return stub.RecordTransaction(&ctx, req, &reply);
}

using testing::MetricValue;

class OpsTest : public ::testing::Test {
 protected:
  void Start(AgentProcess& agent) {
    ASSERT_TRUE(agent.Start()) << ReadText(agent.log_path());
  }
  RunResult RunCtl(const AgentProcess& agent, std::vector<std::string> args) {
    args.insert(args.begin(),
                {AgentProcess::CtlPath(), "--config", agent.config_path()});
    return RunProgram(args, 60000);
  }
  TempDir dir_;
};

// ---- /metrics -------------------------------------------------------------

TEST_F(OpsTest, MetricsPassPromtoolAndFollowTheJournal) {
  AgentProcess agent(dir_.path(), "store-0001",
                     "[http]\nlisten = \"127.0.0.1:0\"\n"
                     "[metrics]\nlisten = \"127.0.0.1:0\"\n");
  Start(agent);
  const int metrics_port = PortFromLog(agent.log_path(), "metrics.started");
  const int http_port = PortFromLog(agent.log_path(), "http.started");
  ASSERT_GT(metrics_port, 0) << ReadText(agent.log_path());
  ASSERT_GT(http_port, 0);

  HttpClient client(metrics_port);
  HttpReply first = client.Send("GET", "/metrics");
  ASSERT_EQ(first.status, 200) << first.error << first.body;
  EXPECT_THAT(first.headers["content-type"], HasSubstr("version=0.0.4"));
  const std::string file = dir_.File("scrape.txt");
  WriteText(file, first.body);
  RunResult lint =
      RunProgram({"/bin/sh", "-c", "promtool check metrics < '" + file + "'"});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err << first.body;
  EXPECT_EQ(lint.out + lint.err, "") << "promtool found problems";
  EXPECT_EQ(MetricValue(first.body, "storeagent_journal_head_seq"), 0);
  EXPECT_EQ(MetricValue(first.body,
                        "storeagent_events_recorded_total{kind=\"sale\"}"),
            0);
  EXPECT_EQ(MetricValue(first.body, "storeagent_up"), 1);
  EXPECT_EQ(MetricValue(first.body, "storeagent_sync_connected"), 0);

  auto stub = agent.NewStub();
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(
        RecordSale(*stub, test::SampleClientKey("m-" + std::to_string(i)))
            .ok());
  }
  // The staff port serves /metrics too, without a token; the other paths
  // of the metrics port are not served.
  HttpClient staff(http_port);
  HttpReply after = staff.Send("GET", "/metrics");
  ASSERT_EQ(after.status, 200) << after.error;
  EXPECT_EQ(MetricValue(after.body, "storeagent_journal_head_seq"), 3);
  EXPECT_EQ(MetricValue(after.body,
                        "storeagent_events_recorded_total{kind=\"sale\"}"),
            3);
  EXPECT_EQ(MetricValue(after.body, "storeagent_sync_outbox_depth"), 3);
  EXPECT_GT(MetricValue(after.body, "storeagent_commit_batch_size_count"), 0);
  EXPECT_GT(MetricValue(after.body, "storeagent_db_size_bytes"), 0);
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami").status, 404);

  // Central acknowledged seq 1 (the sync client keeps this key).
  stub.reset();
  ASSERT_EQ(agent.Terminate(), 0) << ReadText(agent.log_path());
  ExecSql(agent.db_path(),
          "INSERT INTO meta VALUES ('central_acked_seq', '1')");
  Start(agent);
  // The log holds both runs: this run's line is the second.
  const int port2 = PortFromLog(agent.log_path(), "metrics.started", 2);
  ASSERT_GT(port2, 0) << ReadText(agent.log_path());
  HttpClient again(port2);
  HttpReply acked = again.Send("GET", "/metrics");
  ASSERT_EQ(acked.status, 200) << acked.error;
  EXPECT_EQ(MetricValue(acked.body, "storeagent_sync_outbox_depth"), 2);
  EXPECT_GE(
      MetricValue(acked.body, "storeagent_sync_oldest_unacked_age_seconds"), 0);
  WriteText(file, acked.body);
  lint =
      RunProgram({"/bin/sh", "-c", "promtool check metrics < '" + file + "'"});
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
}

// ---- SIGHUP ---------------------------------------------------------------

constexpr char kTokenA[] = "token-of-ana-0001";
constexpr char kTokenB[] = "token-of-bob-0002";

std::string UserToml(const std::string& name, const std::string& token) {
  return "[[http.users]]\nname = \"" + name +
         "\"\nrole = \"staff\"\ntoken_sha256 = \"" +
         crypto::ToHex(crypto::AsBytes(crypto::Sha256(token))) + "\"\n";
}

TEST_F(OpsTest, SighupAppliesTokensAndNamesKeysNeedingARestart) {
  const std::string http = "[http]\nlisten = \"127.0.0.1:0\"\n";
  AgentProcess agent(dir_.path(), "store-0001",
                     http + UserToml("ana", kTokenA));
  const std::string original = ReadText(agent.config_path());
  Start(agent);
  const int port = PortFromLog(agent.log_path(), "http.started");
  ASSERT_GT(port, 0);
  HttpClient client(port);
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kTokenA)).status,
            200);
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kTokenB)).status,
            401);

  // Bob replaces Ana; read_threads changes too (needs a restart).
  std::string edited = original;
  edited.replace(edited.find("[[http.users]]"), std::string::npos,
                 UserToml("bob", kTokenB));
  edited.replace(edited.find("[storage]\n"), 10,
                 "[storage]\nread_threads = 3\n");
  WriteText(agent.config_path(), edited);
  ASSERT_EQ(::kill(agent.pid(), SIGHUP), 0);
  const std::string line = WaitForLogLine(agent.log_path(), "agent.reloaded");
  ASSERT_NE(line, "") << ReadText(agent.log_path());
  EXPECT_THAT(line, HasSubstr("applied=http.users"));
  EXPECT_THAT(line, HasSubstr("restart_needed=storage.read_threads"));
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kTokenB)).status,
            200);
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kTokenA)).status,
            401);

  // A broken file: an error naming the key, the agent keeps running with
  // what it had.
  std::string broken = edited;
  broken.replace(broken.find("read_threads = 3"), 16, "read_threads = 99");
  WriteText(agent.config_path(), broken);
  ASSERT_EQ(::kill(agent.pid(), SIGHUP), 0);
  const std::string failed =
      WaitForLogLine(agent.log_path(), "agent.reload_failed");
  ASSERT_NE(failed, "") << ReadText(agent.log_path());
  EXPECT_THAT(failed, HasSubstr("storage.read_threads"));
  EXPECT_TRUE(agent.running());
  EXPECT_EQ(::kill(agent.pid(), 0), 0);
  EXPECT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kTokenB)).status,
            200);
  auto stub = agent.NewStub();
  EXPECT_TRUE(RecordSale(*stub, test::SampleClientKey("after-hup")).ok());
  stub.reset();
  EXPECT_EQ(agent.Terminate(), 0) << ReadText(agent.log_path());
}

// ---- backup and restore ---------------------------------------------------

TEST_F(OpsTest, BackupUnderLoadHoldsEverySaleAckedBeforeItBegan) {
  AgentProcess agent(dir_.path());
  Start(agent);
  constexpr int kClients = 8;
  std::atomic<bool> stop{false};
  std::atomic<int> acked_total{0};
  std::mutex mu;
  // Client keys acknowledged, with the steady time of the acknowledgement.
  std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>>
      acked;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto stub = agent.NewStub();
      for (int i = 0; i < 100000 && !stop.load(); ++i) {
        const std::string txn =
            "c" + std::to_string(c) + "-" + std::to_string(i);
        if (RecordSale(*stub, test::SampleClientKey(txn)).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acked.emplace_back(txn, std::chrono::steady_clock::now());
          ++acked_total;
        }
      }
    });
  }
  // Let the load build up (bounded wait), then back up while it goes on.
  for (int i = 0; i < 1000 && acked_total.load() < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string backup = dir_.File("backup.db");
  const auto began = std::chrono::steady_clock::now();
  const int acked_at_start = acked_total.load();
  // Small steps with pauses, so sales commit while it runs; not so small
  // that the copy's time grows with how busy the machine is: the copy runs
  // at nice 19, and with 2-page steps and the default 10 % duty a loaded
  // box (ASan, another build) starved it past the 60 s limit.
  RunResult r = RunCtl(agent, {"backup", backup, "--pages-per-step", "64",
                               "--pause-ms", "5", "--duty-percent", "50"});
  const int acked_at_end = acked_total.load();
  stop.store(true);
  for (auto& t : clients) t.join();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("backup ok"));
  EXPECT_THAT(r.out, HasSubstr("seq 1.."));
  // Sales went on while the backup ran (the writer was not blocked).
  EXPECT_GT(acked_at_end, acked_at_start) << r.out;

  RunResult verify = RunProgram(
      {AgentProcess::CtlPath(), "journal", "verify", "--db", backup});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(IntegrityCheck(backup), "ok");
  int checked = 0;
  for (const auto& [txn, at] : acked) {
    if (at >= began) continue;
    ++checked;
    EXPECT_EQ(QueryInt(backup,
                       "SELECT count(*) FROM journal WHERE client_txn_id = '" +
                           txn + "'"),
              1)
        << txn << " was acknowledged before the backup began";
  }
  EXPECT_GE(checked, 400);

  // Restore it into the stopped agent and start from it.
  ASSERT_EQ(agent.Terminate(), 0) << ReadText(agent.log_path());
  const int64_t backup_head = QueryInt(backup, "SELECT max(seq) FROM journal");
  RunResult restore = RunCtl(agent, {"restore", backup});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  EXPECT_THAT(restore.out, HasSubstr("before-restore-"));
  EXPECT_EQ(QueryInt(agent.db_path(), "SELECT max(seq) FROM journal"),
            backup_head);
  Start(agent);
  auto stub = agent.NewStub();
  EXPECT_TRUE(RecordSale(*stub, test::SampleClientKey("after-restore")).ok());
  stub.reset();
  ASSERT_EQ(agent.Terminate(), 0);
  verify = RunProgram(
      {AgentProcess::CtlPath(), "journal", "verify", "--db", agent.db_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(OpsTest, RestoreRefusesABackupBehindCentralUnlessForced) {
  AgentProcess agent(dir_.path());
  Start(agent);
  auto stub = agent.NewStub();
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(
        RecordSale(*stub, test::SampleClientKey("a-" + std::to_string(i)))
            .ok());
  }
  const std::string backup = dir_.File("old.db");
  RunResult r = RunCtl(agent, {"backup", backup});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (int i = 6; i <= 10; ++i) {
    ASSERT_TRUE(
        RecordSale(*stub, test::SampleClientKey("a-" + std::to_string(i)))
            .ok());
  }
  // While the agent runs, restore is refused.
  r = RunCtl(agent, {"restore", backup});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("running"));
  stub.reset();
  ASSERT_EQ(agent.Terminate(), 0);

  ExecSql(agent.db_path(),
          "INSERT INTO meta VALUES ('central_acked_seq', '8')");
  r = RunCtl(agent, {"restore", backup});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("ends at seq 5"));
  EXPECT_THAT(r.err, HasSubstr("watermark 8"));
  EXPECT_THAT(r.err, HasSubstr("--force"));
  EXPECT_EQ(QueryInt(agent.db_path(), "SELECT max(seq) FROM journal"), 10);

  // An operator-given watermark counts as well.
  ExecSql(agent.db_path(), "DELETE FROM meta WHERE key = 'central_acked_seq'");
  r = RunCtl(agent, {"restore", backup, "--central-watermark", "6"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("watermark 6"));
  r = RunCtl(agent, {"restore", backup, "--central-watermark", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(QueryInt(agent.db_path(), "SELECT max(seq) FROM journal"), 5);

  // --force restores behind the watermark; the previous file is kept.
  ExecSql(agent.db_path(),
          "INSERT INTO meta VALUES ('central_acked_seq', '8')");
  r = RunCtl(agent, {"restore", backup, "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("warning"));
  int kept = 0;
  if (DIR* d = ::opendir((dir_.path() + "/data").c_str())) {
    while (dirent* e = ::readdir(d)) {
      if (std::string(e->d_name).find("agent.db.before-restore-") == 0 &&
          std::string(e->d_name).find("-wal") == std::string::npos) {
        ++kept;
      }
    }
    ::closedir(d);
  }
  EXPECT_GE(kept, 1);
  Start(agent);
  stub = agent.NewStub();
  grpc::Status s = RecordSale(*stub, test::SampleClientKey("after-force"));
  EXPECT_TRUE(s.ok()) << s.error_message();
  stub.reset();
  EXPECT_EQ(agent.Terminate(), 0);
}

TEST_F(OpsTest, RestoreRefusesADamagedBackup) {
  AgentProcess agent(dir_.path());
  Start(agent);
  auto stub = agent.NewStub();
  ASSERT_TRUE(RecordSale(*stub, test::SampleClientKey("d-1")).ok());
  ASSERT_TRUE(RecordSale(*stub, test::SampleClientKey("d-2")).ok());
  const std::string backup = dir_.File("bad.db");
  ASSERT_EQ(RunCtl(agent, {"backup", backup}).exit_code, 0);
  stub.reset();
  ASSERT_EQ(agent.Terminate(), 0);
  ExecSql(backup, "UPDATE journal SET record = x'00' WHERE seq = 2");
  RunResult r = RunCtl(agent, {"restore", backup, "--force"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not usable"));
  EXPECT_THAT(r.err, HasSubstr("seq 2"));
}

// ---- pruning --------------------------------------------------------------

TEST_F(OpsTest, CtlVerifyPassesOnAPrunedDatabase) {
  const std::string path = dir_.File("pruned.db");
  FakeClock clock;
  {
    storage::DatabaseOptions o;
    o.path = path;
    o.store_id = "store-0001";
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, clock);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    for (int i = 1; i <= 20; ++i) {
      v1::JournalRecord rec;
      *rec.mutable_client_key() =
          test::SampleClientKey("p-" + std::to_string(i));
      *rec.mutable_transaction() = test::SampleSale(1);
      Status s = (*db)->writer().Run([&](storage::WriteContext& ctx) {
        return (*db)->journal().Append(ctx, rec).status();
      });
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    Status s = (*db)->writer().Run([](storage::WriteContext& ctx) {
      return sqlite3_exec(ctx.db(),
                          "INSERT INTO meta VALUES ('central_acked_seq','12')",
                          nullptr, nullptr, nullptr) == SQLITE_OK
                 ? Status::Ok()
                 : Internal("meta");
    });
    ASSERT_TRUE(s.ok());
    clock.Advance(int64_t{31} * 86'400'000'000);
    agent::PruneOptions po;
    po.batch = 5;
    Result<agent::PruneRun> run = agent::PruneJournalNow(**db, clock, po);
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    EXPECT_EQ(run->pruned, 12u);
    (*db)->Close();
  }
  RunResult r =
      RunProgram({AgentProcess::CtlPath(), "journal", "verify", "--db", path});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("8 entries, seq 13..20"));
  // The stock check says plainly that it cannot recompute a pruned journal.
  r = RunProgram(
      {AgentProcess::CtlPath(), "stock", "rebuild", "--verify", "--db", path});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.out + r.err, HasSubstr("pruned"));
}

}  // namespace
}  // namespace storeagent
