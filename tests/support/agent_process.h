// AgentProcess: runs the real storeagentd binary as a child process for
// integration tests, fault tests and benchmarks.
//
// Writes a config into its work directory (data dir, Unix socket, a fresh
// loyalty key), starts the daemon, waits until it answers Ping, and can stop
// it with SIGTERM or kill it with SIGKILL. Only ever signals the PID it
// started. The binary is found through $STOREAGENT_BIN_DIR (set by ctest) or
// next to the running program's build tree.
#ifndef STOREAGENT_TESTS_SUPPORT_AGENT_PROCESS_H_
#define STOREAGENT_TESTS_SUPPORT_AGENT_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "storeagent/v1/pos.grpc.pb.h"

namespace storeagent::testing {

class AgentProcess {
 public:
  // `work_dir` must exist. `extra_toml` is appended to the generated config
  // (e.g. a [log] table); `pos_toml` goes into its [pos] table (e.g.
  // `tcp_listen = "127.0.0.1:7411"`).
  AgentProcess(std::string work_dir, std::string store_id = "store-0001",
               std::string extra_toml = "", std::string pos_toml = "");
  ~AgentProcess();  // kills the daemon if still running

  const std::string& config_path() const { return config_path_; }
  const std::string& socket_path() const { return socket_path_; }
  std::string db_path() const { return work_dir_ + "/data/agent.db"; }
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

  // Starts storeagentd and waits until Ping answers. Returns false (and
  // leaves the reason in the log) if it did not come up in time.
  bool Start(int timeout_ms = 15000);
  // SIGKILL and reap. No-op when not running.
  void Kill9();
  // SIGTERM, wait up to `timeout_ms`; returns the exit code, or -1 when it
  // had to be killed or died of a signal.
  int Terminate(int timeout_ms = 15000);
  bool running() const { return pid_ > 0; }

  std::shared_ptr<grpc::Channel> Channel() const;
  std::unique_ptr<v1::PosService::Stub> NewStub() const;

  // Directory holding storeagentd and storeagentctl.
  static std::string BinDir();
  // storeagentctl's path in it.
  static std::string CtlPath() { return BinDir() + "/storeagentctl"; }

 private:
  std::string work_dir_;
  std::string config_path_;
  std::string socket_path_;
  std::string log_path_;
  pid_t pid_ = -1;
};

// Resident set size of a process, MiB (from /proc/PID/status VmRSS).
double ResidentMiB(pid_t pid);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_AGENT_PROCESS_H_
