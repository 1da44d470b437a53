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
  if (const char* d = std::getenv("STOREAGENT_BIN_DIR"); d != nullptr && *d) {
    return d;
  }
  // Fallback: <build>/tests/... or <build>/bench/... -> <build>/agent
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string path(self, n > 0 ? static_cast<size_t>(n) : 0);
  for (const char* marker : {"/tests/", "/bench/"}) {
    size_t at = path.rfind(marker);
    if (at != std::string::npos) return path.substr(0, at) + "/agent";
  }
  return "./agent";
}

AgentProcess::AgentProcess(std::string work_dir, std::string store_id,
                           std::string extra_toml)
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
      << "[loyalty]\nkey_file = \"" << key_path << "\"\n"
      << extra_toml;
}

AgentProcess::~AgentProcess() { Kill9(); }

bool AgentProcess::Start(int timeout_ms) {
  const std::string bin = BinDir() + "/storeagentd";
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(bin.c_str(), bin.c_str(), "--config", config_path_.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid < 0) return false;
  pid_ = pid;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;  // exited during start-up
      return false;
    }
    // A fresh channel per attempt: a channel whose first connect failed
    // (socket not there yet) waits out gRPC's reconnect backoff.
    auto stub = NewStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(500));
    v1::PingReply reply;
    if (stub->Ping(&ctx, {}, &reply).ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill9();
  return false;
}

void AgentProcess::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int st = 0;
  ::waitpid(pid_, &st, 0);
  pid_ = -1;
}

int AgentProcess::Terminate(int timeout_ms) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Kill9();
  return -1;
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
