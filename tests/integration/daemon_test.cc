// The real storeagentd and storeagentctl binaries, as an operator and the
// POS use them: config checking, the socket, a clean stop under load
// (invariant 1), and the journal commands (invariant 3).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "storeagent/v1/pos.grpc.pb.h"
#include "tests/support/agent_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"
#include "tests/support/text_file.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent {
namespace {

using testing::AgentProcess;
using ::testing::HasSubstr;
using testing::TempDir;

using testing::RunProgram;
using testing::RunResult;

std::string Storeagentd() { return AgentProcess::BinDir() + "/storeagentd"; }
std::string Storeagentctl() {
  return AgentProcess::BinDir() + "/storeagentctl";
}

using testing::ReadText;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + std::chrono::seconds(10);
}

class DaemonTest : public ::testing::Test {
 protected:
  // Starts the agent of dir_, failing the test with its log if it does not
  // come up.
  void StartAgent() {
    ASSERT_TRUE(agent_.Start()) << ReadText(agent_.log_path());
    stub_ = agent_.NewStub();
  }

  grpc::Status Record(v1::PosService::Stub& stub, const v1::ClientKey& key,
                      const v1::Transaction& txn,
                      v1::RecordTransactionResponse* reply) {
    v1::RecordTransactionRequest req;
    *req.mutable_client_key() = key;
    *req.mutable_transaction() = txn;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    return stub.RecordTransaction(&ctx, req, reply);
  }

  // Records `n` sales txn-1..txn-n; returns the last reply.
  v1::RecordTransactionResponse RecordSales(int n) {
    v1::RecordTransactionResponse reply;
    for (int i = 1; i <= n; ++i) {
      grpc::Status s =
          Record(*stub_, test::SampleClientKey("txn-" + std::to_string(i)),
                 test::SampleSale(), &reply);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return reply;
  }

  // SIGTERM; returns the exit code. Our channel is closed first: the agent
  // waits (up to its grace period) for open client connections to go.
  int StopAgent() {
    stub_.reset();
    return agent_.Terminate();
  }

  RunResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(),
                {Storeagentctl(), "--config", agent_.config_path()});
    return RunProgram(args);
  }

  TempDir dir_;
  AgentProcess agent_{dir_.path()};
  std::unique_ptr<v1::PosService::Stub> stub_;
};

// ---- storeagentd command line ---------------------------------------------

TEST_F(DaemonTest, CheckConfigAcceptsAGoodConfig) {
  RunResult r = RunProgram(
      {Storeagentd(), "--check-config", "--config", agent_.config_path()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok"));
  EXPECT_THAT(r.out, HasSubstr("store-0001"));
  EXPECT_THAT(r.out, HasSubstr(agent_.db_path()));
  // It only checks: no database was created.
  struct stat st;
  EXPECT_NE(::stat(agent_.db_path().c_str(), &st), 0);
}

TEST_F(DaemonTest, CheckConfigRefusesABadConfigNamingTheKey) {
  // Each config has exactly one fault, in the key named.
  const std::string store = "[store]\nid = \"s1\"\n";
  const std::map<std::string, std::string> bad = {
      {"storage.read_threads", store + "[storage]\nread_threads = 17\n"},
      {"pos.tcp_listen", store + "[pos]\ntcp_listen = \"0.0.0.0:7000\"\n"},
      {"log.level", store + "[log]\nlevel = \"loud\"\n"},
      {"store.colour", store + "colour = \"red\"\n"},
      {"store.id", "[store]\nid = \"\"\n"},
      {"loyalty.key_file",
       store + "[loyalty]\nkey_file = \"" + dir_.File("missing.key") + "\"\n"},
  };
  const std::string path = dir_.File("bad.toml");
  for (const auto& [key, text] : bad) {
    SCOPED_TRACE(key);
    {
      std::ofstream out(path, std::ios::trunc);
      out << text;
    }
    RunResult r =
        RunProgram({Storeagentd(), "--check-config", "--config", path});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr(key + ":"));
    EXPECT_THAT(r.err, HasSubstr(path));
  }
  // A missing file as well.
  RunResult r = RunProgram(
      {Storeagentd(), "--check-config", "--config", dir_.File("absent.toml")});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("absent.toml"));
}

TEST_F(DaemonTest, BadConfigStopsStartUpWithExitTwo) {
  const std::string path = dir_.File("bad.toml");
  {
    std::ofstream out(path);
    out << "[store]\nid = \"s1\"\n[storage]\nmax_batch = 0\n";
  }
  RunResult r = RunProgram({Storeagentd(), "--config", path});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("storage.max_batch"));
}

// The sync TLS files as central's handshake would see them (#15): each
// fault is reported by --check-config and stops a start before any dial,
// naming the key, the file and the problem.
// A sync certificate gone bad fails --check-config (exit 2) but not a start:
// the agent serves the POS with sync stopped, says why in `sync status`, and
// a SIGHUP after the files are fixed resumes it.
TEST_F(DaemonTest, SyncTlsFaultsFailCheckAndStopOnlySyncNamingKeyAndFile) {
  testing::TestCa ca("daemon test CA");
  const int64_t now = testing::NowSeconds();
  testing::CertSpec spec;
  spec.cn = "S-1";
  spec.san = "URI:storeagent:store:S-1";
  spec.not_before_s = now - 86400;
  spec.not_after_s = now + 86400;
  spec.eku = "clientAuth";
  const testing::CertAndKey good = ca.Issue(spec);
  testing::CertSpec old = spec;
  old.not_before_s = 1735689600 - 86400;
  old.not_after_s = 1735689600;  // 2025-01-01T00:00:00Z
  testing::CertSpec other = spec;
  other.cn = "S-2";
  other.san = "URI:storeagent:store:S-2";
  const auto write = [](const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  };
  const auto files = [&](const std::string& name,
                         const testing::CertAndKey& ck) {
    write(dir_.File(name + ".pem"), ck.cert_pem);
    write(dir_.File(name + ".key"), ck.key_pem);
  };
  write(dir_.File("ca.pem"), ca.cert_pem());
  files("good", good);
  files("old", ca.Issue(old));
  files("other", ca.Issue(other));
  const auto config = [&](const std::string& cert, const std::string& key) {
    return "[store]\nid = \"S-1\"\n[storage]\ndata_dir = \"" +
           dir_.File("tls-data") + "\"\n[pos]\nsocket = \"" +
           dir_.File("tls.sock") +
           "\"\n[sync]\ncentral = \"127.0.0.1:1\"\nca_file = \"" +
           dir_.File("ca.pem") + "\"\ncert_file = \"" + cert +
           "\"\nkey_file = \"" + key + "\"\n";
  };
  const std::string path = dir_.File("tls.toml");
  write(path, config(dir_.File("good.pem"), dir_.File("good.key")));
  RunResult ok =
      RunProgram({Storeagentd(), "--check-config", "--config", path});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  struct Case {
    std::string name, cert, key, want;
  };
  const std::vector<Case> cases = {
      {"expired", dir_.File("old.pem"), dir_.File("old.key"),
       "sync.cert_file " + dir_.File("old.pem") +
           ": expired on 2025-01-01T00:00:00Z"},
      {"wrong-key", dir_.File("good.pem"), dir_.File("other.key"),
       "sync.key_file " + dir_.File("other.key") +
           ": does not match the certificate of sync.cert_file " +
           dir_.File("good.pem")},
      {"other-store", dir_.File("other.pem"), dir_.File("other.key"),
       "sync.cert_file " + dir_.File("other.pem") +
           ": names store \"S-2\" but store.id is \"S-1\""},
      {"absent", dir_.File("absent.pem"), dir_.File("good.key"),
       "sync.cert_file " + dir_.File("absent.pem")},
  };
  const auto sync_status = [](const testing::AgentProcess& agent) {
    v1::GetSyncStatusResponse st;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    EXPECT_TRUE(agent.NewStub()->GetSyncStatus(&ctx, {}, &st).ok());
    return st;
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.want);
    write(path, config(c.cert, c.key));
    RunResult check =
        RunProgram({Storeagentd(), "--check-config", "--config", path});
    EXPECT_EQ(check.exit_code, 2) << check.out << check.err;
    EXPECT_THAT(check.err, HasSubstr(c.want));
    // A start is not stopped by it: the POS is served, sync is stopped and
    // says why (a copy of the files, each case in its own directory).
    const std::string work = dir_.File("start-" + c.name);
    ASSERT_EQ(::mkdir(work.c_str(), 0700), 0);
    const std::string cert = work + "/store.pem";
    const std::string key = work + "/store.key";
    if (c.name != "absent") write(cert, ReadText(c.cert));
    write(key, ReadText(c.key));
    testing::AgentProcess agent(
        work, "S-1",
        "[sync]\ncentral = \"127.0.0.1:1\"\nca_file = \"" +
            dir_.File("ca.pem") + "\"\ncert_file = \"" + cert +
            "\"\nkey_file = \"" + key + "\"\n");
    ASSERT_TRUE(agent.Start()) << ReadText(agent.log_path());
    // Ping answers before the sync client starts: wait for it (bounded).
    v1::GetSyncStatusResponse st = sync_status(agent);
    for (int i = 0; i < 200 && !st.stopped(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      st = sync_status(agent);
    }
    EXPECT_TRUE(st.enabled());
    EXPECT_TRUE(st.stopped());
    EXPECT_FALSE(st.connected());
    std::string want = c.want;
    for (const auto& [from, to] :
         {std::pair{c.cert, cert}, std::pair{c.key, key}}) {
      for (size_t at = want.find(from); at != std::string::npos;
           at = want.find(from, at + to.size())) {
        want.replace(at, from.size(), to);
      }
    }
    EXPECT_THAT(st.last_error(), HasSubstr(want));
    // The thread logs it once it waits.
    for (int i = 0;
         i < 200 &&
         ReadText(agent.log_path()).find("sync.tls_files_unusable") ==
             std::string::npos;
         ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_THAT(ReadText(agent.log_path()),
                HasSubstr("sync.tls_files_unusable"));
    // Renewed in place, then SIGHUP: the client dials again.
    write(cert, good.cert_pem);
    write(key, good.key_pem);
    ASSERT_EQ(::kill(agent.pid(), SIGHUP), 0);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (sync_status(agent).stopped() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_FALSE(sync_status(agent).stopped()) << ReadText(agent.log_path());
    EXPECT_EQ(agent.Terminate(), 0);
  }
}

TEST_F(DaemonTest, HelpMentionsConfig) {
  RunResult r = RunProgram({Storeagentd(), "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("--config"));
  EXPECT_THAT(r.out, HasSubstr("--check-config"));
  r = RunProgram({Storeagentctl(), "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("--config"));
  EXPECT_THAT(r.out, HasSubstr("journal"));
}

// ---- Running ----------------------------------------------------------------

TEST_F(DaemonTest, SocketIsCreatedWithMode0660AndRemovedOnStop) {
  StartAgent();
  struct stat st;
  ASSERT_EQ(::stat(agent_.socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  EXPECT_EQ(StopAgent(), 0) << ReadText(agent_.log_path());
  EXPECT_NE(::stat(agent_.socket_path().c_str(), &st), 0);
}

TEST_F(DaemonTest, StaleSocketFromAKilledRunIsReplaced) {
  StartAgent();
  RecordSales(1);
  agent_.Kill9();
  struct stat st;
  ASSERT_EQ(::stat(agent_.socket_path().c_str(), &st), 0);  // left behind
  StartAgent();
  v1::RecordTransactionResponse reply;
  grpc::Status s = Record(*stub_, test::SampleClientKey("txn-2"),
                          test::SampleSale(), &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.seq(), 2u);
}

TEST_F(DaemonTest, SigtermUnderLoadLosesNoAcknowledgedCall) {
  StartAgent();
  constexpr int kThreads = 4;
  constexpr int kMinAcksBeforeStop = 40;
  constexpr int kMaxCallsPerThread = 100000;
  std::atomic<int> acked{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  // client_txn_id -> (seq, hash) of every call that returned OK.
  std::map<std::string, std::pair<uint64_t, std::string>> acks;
  // Each thread's first refused call: its key and status.
  std::vector<std::pair<std::string, grpc::Status>> failed(kThreads);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto stub = agent_.NewStub();
      for (int i = 0; i < kMaxCallsPerThread && !stop.load(); ++i) {
        const std::string id =
            "t" + std::to_string(t) + "-" + std::to_string(i);
        v1::RecordTransactionResponse reply;
        grpc::Status s = Record(*stub, test::SampleClientKey(id),
                                test::SampleSale(2), &reply);
        if (!s.ok()) {  // the agent is going away
          failed[t] = {id, s};
          break;
        }
        std::lock_guard<std::mutex> lock(mu);
        acks[id] = {reply.seq(), reply.hash()};
        acked.fetch_add(1);
      }
    });
  }
  // Poll (bounded) until the load is really running, then stop the agent.
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (acked.load() < kMinAcksBeforeStop &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int acked_before_stop = acked.load();
  const int exit_code = StopAgent();
  stop.store(true);
  for (std::thread& th : threads) th.join();
  ASSERT_GE(acked_before_stop, kMinAcksBeforeStop)
      << "the load never got going\n"
      << ReadText(agent_.log_path());
  EXPECT_EQ(exit_code, 0) << ReadText(agent_.log_path());

  // After a restart every acknowledged call is there, as it was answered.
  StartAgent();
  std::set<uint64_t> seqs;
  for (const auto& [id, ack] : acks) {
    v1::GetEventRequest req;
    *req.mutable_client_key() = test::SampleClientKey(id);
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::GetEventResponse e;
    grpc::Status s = stub_->GetEvent(&ctx, req, &e);
    ASSERT_TRUE(s.ok()) << id << ": " << s.error_message();
    EXPECT_EQ(e.record().seq(), ack.first) << id;
    EXPECT_EQ(e.hash(), ack.second) << id;
    seqs.insert(ack.first);
  }
  EXPECT_EQ(seqs.size(), acks.size());
  // A call cut by the stop ended with a code docs/pos-api.md lists as
  // retryable (an independent client saw CANCELLED, then unlisted), and
  // its retry with the same key records it once: recorded before the stop
  // (replayed) or now.
  size_t recorded = acks.size();
  for (const auto& [id, status] : failed) {
    if (id.empty()) continue;  // that thread never saw a failure
    SCOPED_TRACE(id + ": " + status.error_message());
    const grpc::StatusCode code = status.error_code();
    EXPECT_TRUE(code == grpc::StatusCode::UNAVAILABLE ||
                code == grpc::StatusCode::CANCELLED ||
                code == grpc::StatusCode::DEADLINE_EXCEEDED)
        << code;
    v1::RecordTransactionResponse reply;
    auto stub = agent_.NewStub();
    grpc::Status s =
        Record(*stub, test::SampleClientKey(id), test::SampleSale(2), &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(seqs.insert(reply.seq()).second) << reply.seq();
    ++recorded;
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline());
  v1::GetJournalStatusResponse st;
  ASSERT_TRUE(stub_->GetJournalStatus(&ctx, {}, &st).ok());
  EXPECT_EQ(st.head_seq(), recorded);  // nothing lost, nothing twice
  ASSERT_EQ(StopAgent(), 0);
  RunResult verify = RunProgram(
      {Storeagentctl(), "journal", "verify", "--db", agent_.db_path()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// A second storeagentd on the same config must be refused (the data
// directory is locked) and must not take the first one's socket.
TEST_F(DaemonTest, SecondInstanceOnTheSameConfigIsRefused) {
  StartAgent();
  RecordSales(1);
  RunResult second =
      RunProgram({Storeagentd(), "--config", agent_.config_path()},
                 /*timeout_ms=*/10000);
  EXPECT_NE(second.exit_code, 0) << second.err;
  EXPECT_NE(second.exit_code, -1) << "still running after 10 s";
  // The first agent still answers on its socket.
  v1::RecordTransactionResponse reply;
  stub_ = agent_.NewStub();
  grpc::Status s = Record(*stub_, test::SampleClientKey("txn-2"),
                          test::SampleSale(), &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.seq(), 2u);
}

// ---- storeagentctl
// -----------------------------------------------------------

TEST_F(DaemonTest, CtlStatusPrintsTheHead) {
  StartAgent();
  RecordSales(3);
  RunResult r = Ctl({"status"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("store-0001"));
  EXPECT_THAT(r.out, HasSubstr("seq 3"));
  // By socket instead of config.
  r = RunProgram({Storeagentctl(), "--socket", agent_.socket_path(), "status"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("seq 3"));
  // A configuration file named but missing is a usage error, never a
  // fallback to defaults (docs/operations-cli.md).
  r = RunProgram({Storeagentctl(), "--config", dir_.File("absent.toml"),
                  "--socket", agent_.socket_path(), "status"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("absent.toml"));
}

TEST_F(DaemonTest, CtlStatusFailsWhenTheAgentIsDown) {
  RunResult r = RunProgram({Storeagentctl(), "--config", agent_.config_path(),
                            "--deadline-ms", "500", "status"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr("storeagentctl"));
}

TEST_F(DaemonTest, CtlTailPrintsTheNewestEvents) {
  StartAgent();
  RecordSales(3);
  RunResult r = Ctl({"journal", "tail", "-n", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_THAT(lines[0], HasSubstr("seq=2"));
  EXPECT_THAT(lines[0], HasSubstr("txn=txn-2"));
  EXPECT_THAT(lines[1], HasSubstr("seq=3"));
  EXPECT_THAT(lines[1], HasSubstr("terminal=till-01"));

  // More than there are: all of them.
  r = Ctl({"journal", "tail", "-n", "10"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 3u) << r.out;
}

TEST_F(DaemonTest, CtlTailJsonPrintsOneObjectPerEvent) {
  StartAgent();
  RecordSales(3);
  RunResult r = Ctl({"journal", "tail", "-n", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (size_t i = 0; i < lines.size(); ++i) {
    nlohmann::json j = nlohmann::json::parse(lines[i], nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << lines[i];
    ASSERT_TRUE(j.is_object()) << lines[i];
    ASSERT_TRUE(j.contains("record")) << lines[i];
    // uint64 is a string in proto3 JSON.
    EXPECT_EQ(j["record"]["seq"], std::to_string(i + 2)) << lines[i];
    EXPECT_EQ(j["record"]["clientKey"]["clientTxnId"],
              "txn-" + std::to_string(i + 2));
    EXPECT_TRUE(j["record"].contains("transaction"));
    EXPECT_TRUE(j.contains("hash"));
  }
}

TEST_F(DaemonTest, CtlVerifyFindsATamperedRow) {
  StartAgent();
  RecordSales(3);
  ASSERT_EQ(StopAgent(), 0) << ReadText(agent_.log_path());

  RunResult r = RunProgram(
      {Storeagentctl(), "journal", "verify", "--db", agent_.db_path()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok"));
  EXPECT_THAT(r.out, HasSubstr("3 entries"));
  // Through the config file too.
  r = Ctl({"journal", "verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(agent_.db_path().c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, "UPDATE journal SET record = x'00' WHERE seq = 2",
                        nullptr, nullptr, &error);
  const int changes = sqlite3_changes(db);
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK);
  ASSERT_EQ(changes, 1);

  r = RunProgram(
      {Storeagentctl(), "journal", "verify", "--db", agent_.db_path()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("seq 2"));
  EXPECT_THAT(r.out, HasSubstr("good up to seq 1"));
}

TEST_F(DaemonTest, CtlVerifyOfAMissingDatabaseFails) {
  RunResult r = RunProgram(
      {Storeagentctl(), "journal", "verify", "--db", dir_.File("none.db")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 3);  // not "broken": there is nothing to check
}

}  // namespace
}  // namespace storeagent
