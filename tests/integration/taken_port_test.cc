// A listener whose address is taken refuses to start: gRPC C++ sets
// SO_REUSEPORT by default, and two daemons on one port would have the
// kernel split the tills' calls (or the stores' streams) between them.
// Each gRPC listener of both daemons, and the agent's Unix socket, is tried
// with a second real daemon: it must exit 1 naming the key and address.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/agent_process.h"
#include "tests/support/central_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace storeagent {
namespace {

using testing::AgentProcess;
using testing::CentralProcess;
using testing::FreeLoopbackPort;
using ::testing::HasSubstr;
using testing::RunProgram;
using testing::RunResult;
using testing::TempDir;

constexpr int kTimeoutMs = 20000;

std::string Loopback(int port) { return "127.0.0.1:" + std::to_string(port); }

// A second agent's config in `dir`: its own database, `pos_keys` in [pos].
std::string WriteAgentConfig(const std::string& dir,
                             const std::string& pos_keys) {
  const std::string key_path = dir + "/loyalty.key";
  std::ofstream(key_path) << std::string(64, 'a') << "\n";
  const std::string path = dir + "/agent.toml";
  std::ofstream(path) << "[store]\nid = \"store-0002\"\n"
                      << "[storage]\ndata_dir = \"" << dir << "/data\"\n"
                      << "[pos]\n"
                      << pos_keys << "[loyalty]\nkey_file = \"" << key_path
                      << "\"\n";
  return path;
}

// Runs `binary` (storeagentd or storecentrald) with `config` until it exits
// (or kTimeoutMs: a daemon that started on a taken port runs on).
RunResult RunDaemon(const std::string& binary, const std::string& config) {
  return RunProgram({binary, "--config", config}, kTimeoutMs);
}

RunResult RunAgent(const std::string& config) {
  return RunDaemon(AgentProcess::BinDir() + "/storeagentd", config);
}

TEST(TakenPortTest, SecondAgentOnTakenPosTcpPortExitsNamingIt) {
  TempDir dir_a, dir_b;
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  AgentProcess first(dir_a.path(), "store-0001", "",
                     "tcp_listen = \"" + Loopback(port) + "\"\n");
  ASSERT_TRUE(first.Start());

  const RunResult second = RunAgent(
      WriteAgentConfig(dir_b.path(), "socket = \"" + dir_b.path() +
                                         "/pos.sock\"\ntcp_listen = \"" +
                                         Loopback(port) + "\"\n"));
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_THAT(second.err,
              HasSubstr("pos.tcp_listen: cannot listen on " + Loopback(port) +
                        ": Address already in use"));
  // The first agent still answers on its port.
  EXPECT_TRUE(first.running());
  EXPECT_EQ(first.Terminate(), 0);
}

TEST(TakenPortTest, SecondAgentOnLiveSocketExitsAndLeavesItAlone) {
  TempDir dir_a, dir_b;
  AgentProcess first(dir_a.path());
  ASSERT_TRUE(first.Start());

  const RunResult second = RunAgent(WriteAgentConfig(
      dir_b.path(), "socket = \"" + first.socket_path() + "\"\n"));
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_THAT(second.err,
              HasSubstr("pos.socket: cannot listen on " + first.socket_path() +
                        ": a running process"));
  // The socket file was not taken over: the first agent still answers.
  auto stub = first.NewStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::PingResponse reply;
  EXPECT_TRUE(stub->Ping(&ctx, v1::PingRequest(), &reply).ok());
  EXPECT_EQ(first.Terminate(), 0);
}

TEST(TakenPortTest, AgentReplacesSocketLeftByDeadAgent) {
  TempDir dir;
  AgentProcess agent(dir.path());
  ASSERT_TRUE(agent.Start());
  agent.Kill9();  // leaves pos.sock behind, nobody listening
  ASSERT_TRUE(agent.Start());
  EXPECT_EQ(agent.Terminate(), 0);
}

// A second central's config in `dir` with the given listen addresses.
std::string WriteCentralConfig(const std::string& dir, const std::string& sync,
                               const std::string& admin) {
  const std::string path = dir + "/central.toml";
  std::ofstream(path) << "[store]\nurl = \"sqlite:" << dir << "/central.db\"\n"
                      << "[sync]\nlisten = \"" << sync << "\"\n"
                      << "[admin]\nlisten = \"" << admin << "\"\n"
                      << "[tls]\ninsecure = true\n";
  return path;
}

RunResult RunCentral(const std::string& config) {
  return RunDaemon(CentralProcess::BinDir() + "/storecentrald", config);
}

class TakenCentralPortTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(first_.Start()); }
  void TearDown() override {
    // The first central kept its ports and still stops cleanly.
    EXPECT_TRUE(first_.running());
    EXPECT_EQ(first_.Terminate(), 0);
  }

  TempDir dir_a_, dir_b_;
  CentralProcess first_{dir_a_.path()};
};

TEST_F(TakenCentralPortTest, SecondCentralOnTakenSyncPortExitsNamingIt) {
  const std::string taken = Loopback(first_.sync_port());
  const RunResult second = RunCentral(
      WriteCentralConfig(dir_b_.path(), taken, Loopback(FreeLoopbackPort())));
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_THAT(second.err, HasSubstr("sync.listen: cannot listen on " + taken +
                                    ": Address already in use"));
}

TEST_F(TakenCentralPortTest, SecondCentralOnTakenAdminPortExitsNamingIt) {
  const std::string taken = Loopback(first_.admin_port());
  const RunResult second = RunCentral(
      WriteCentralConfig(dir_b_.path(), Loopback(FreeLoopbackPort()), taken));
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_THAT(second.err, HasSubstr("admin.listen: cannot listen on " + taken +
                                    ": Address already in use"));
}

}  // namespace
}  // namespace storeagent
