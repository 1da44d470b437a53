#include "tests/support/agent_process.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/child_process.h"

namespace storeagent::testing {
namespace {

std::string RandomHexKey() {
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::string raw(32, '\0');
  in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : raw) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

}  // namespace

std::string AgentProcess::BinDir() {
  return BuildBinDir("STOREAGENT_BIN_DIR", "agent");
}

AgentProcess::AgentProcess(std::string work_dir, std::string store_id,
                           std::string extra_toml, std::string pos_toml)
    : work_dir_(std::move(work_dir)),
      config_path_(work_dir_ + "/agent.toml"),
      socket_path_(work_dir_ + "/pos.sock"),
      log_path_(work_dir_ + "/storeagentd.log") {
  const std::string key_path = work_dir_ + "/loyalty.key";
  {
    std::ofstream key(key_path);
    key << RandomHexKey() << "\n";
  }
  std::ofstream cfg(config_path_);
  cfg << "[store]\nid = \"" << store_id << "\"\n"
      << "[storage]\ndata_dir = \"" << work_dir_ << "/data\"\n"
      << "[pos]\nsocket = \"" << socket_path_ << "\"\n"
      << pos_toml << "[loyalty]\nkey_file = \"" << key_path << "\"\n"
      << extra_toml;
}

AgentProcess::~AgentProcess() { Kill9(); }

bool AgentProcess::Start(int timeout_ms) {
  const pid_t pid =
      SpawnDaemon(BinDir() + "/storeagentd", config_path_, log_path_);
  if (pid < 0) return false;
  pid_ = pid;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ExitedEarly(&pid_)) return false;  // exited during start-up
    // A fresh channel per attempt: a channel whose first connect failed
    // (socket not there yet) waits out gRPC's reconnect backoff.
    auto stub = NewStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(500));
    v1::PingResponse reply;
    if (stub->Ping(&ctx, {}, &reply).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill9();
  return false;
}

void AgentProcess::Kill9() { KillAndReap(&pid_); }

int AgentProcess::Terminate(int timeout_ms) {
  return TerminateAndReap(&pid_, timeout_ms);
}

std::shared_ptr<grpc::Channel> AgentProcess::Channel() const {
  grpc::ChannelArguments args;
  // A fresh connection per channel, so a restarted daemon is reached at once.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  return grpc::CreateCustomChannel("unix:" + socket_path_,
                                   grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<v1::PosService::Stub> AgentProcess::NewStub() const {
  return v1::PosService::NewStub(Channel());
}

double ResidentMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream s(line.substr(6));
      double kib = 0;
      s >> kib;
      return kib / 1024.0;
    }
  }
  return -1;
}

}  // namespace storeagent::testing
