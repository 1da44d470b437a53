// The real storeagentd under a pretend systemd: this test binds the
// NOTIFY_SOCKET itself, starts the daemon with NOTIFY_SOCKET, WATCHDOG_USEC
// and WATCHDOG_PID in its environment (as systemd does for Type=notify with
// WatchdogSec=), and checks READY=1 comes only once the POS socket exists,
// WATCHDOG=1 keeps coming, and STOPPING=1 follows SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/agent_process.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/daemon/notify_listener.h"

extern char** environ;

namespace storeagent::testing {
namespace {

using Steady = std::chrono::steady_clock;

bool IsSocket(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// Starts `argv` with the current environment plus `extra` and
// WATCHDOG_PID=<its own pid>. Only async-signal-safe calls after fork().
pid_t SpawnWithEnv(const std::vector<std::string>& argv,
                   const std::vector<std::string>& extra,
                   const std::string& log_path) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "NOTIFY_SOCKET=", 14) == 0 ||
        std::strncmp(*e, "WATCHDOG_", 9) == 0) {
      continue;
    }
    env_store.emplace_back(*e);
  }
  for (const std::string& x : extra) env_store.push_back(x);
  char pid_var[32] = "WATCHDOG_PID=";
  std::vector<char*> envp;
  for (std::string& s : env_store) envp.push_back(s.data());
  envp.push_back(pid_var);
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid != 0) return pid;
  // Child: WATCHDOG_PID is our own pid, which exec keeps.
  char digits[20];
  int n = 0;
  for (pid_t p = ::getpid(); p > 0; p /= 10)
    digits[n++] = static_cast<char>('0' + p % 10);
  char* out = pid_var + std::strlen(pid_var);
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd >= 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
  }
  ::execve(cargv[0], cargv.data(), envp.data());
  ::_exit(127);
}

// Kills the daemon a failed ASSERT left running (it holds ports and files
// of the test's temp dir). Release() once the test reaped it itself.
class ReapOnExit {
 public:
  explicit ReapOnExit(pid_t pid) : pid_(pid) {}
  ~ReapOnExit() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  void Release() { pid_ = -1; }

 private:
  pid_t pid_;
};

// WATCHDOG=1 every 200 ms or so (WATCHDOG_USEC=400000); a stall on a loaded
// machine costs a ping or two, so ask for 5 within 10 s.
void ExpectPings(NotifyListener& systemd, const std::string& log_path) {
  int pings = 0;
  const auto deadline = Steady::now() + std::chrono::seconds(10);
  while (pings < 5 && Steady::now() < deadline) {
    std::optional<std::string> m = systemd.Receive(1000);
    if (!m) continue;
    EXPECT_EQ(*m, "WATCHDOG=1");
    if (*m == "WATCHDOG=1") ++pings;
  }
  EXPECT_GE(pings, 5) << "see " << log_path;
}

// SIGTERM: STOPPING=1, exit 0, and nothing after STOPPING=1 (the watchdog
// stopped before the database closed).
void ExpectCleanStop(NotifyListener& systemd, pid_t pid, ReapOnExit& reap) {
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  bool stopping = false;
  for (int i = 0; i < 20 && !stopping; ++i) {
    std::optional<std::string> m = systemd.Receive(1000);
    if (m && *m == "STOPPING=1") stopping = true;
  }
  EXPECT_TRUE(stopping) << "no STOPPING=1 after SIGTERM";
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  reap.Release();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  while (std::optional<std::string> m = systemd.Receive(0)) {
    ADD_FAILURE() << "after STOPPING=1: " << *m;
  }
}

TEST(DaemonNotifyTest, ReadyAfterTheSocketListensThenPingsThenStopping) {
  TempDir dir;
  AgentProcess agent(dir.path());  // writes the config; started here instead
  NotifyListener systemd(dir.File("notify.sock"));
  ASSERT_TRUE(systemd.ok());

  const pid_t pid = SpawnWithEnv(
      {AgentProcess::BinDir() + "/storeagentd", "--config",
       agent.config_path()},
      {"NOTIFY_SOCKET=" + systemd.address(), "WATCHDOG_USEC=400000"},
      agent.log_path());
  ASSERT_GT(pid, 0);
  ReapOnExit reap(pid);

  // READY=1 first, and only once the POS socket is there.
  std::optional<std::string> ready = systemd.Receive(30000);
  ASSERT_TRUE(ready.has_value()) << "no READY=1; see " << agent.log_path();
  EXPECT_TRUE(IsSocket(agent.socket_path()))
      << "READY=1 before the POS socket existed";
  EXPECT_EQ(ready->rfind("READY=1\n", 0), 0u) << *ready;
  EXPECT_NE(ready->find("\nSTATUS=recording, journal head seq 0"),
            std::string::npos)
      << *ready;
  EXPECT_NE(ready->find("\nMAINPID=" + std::to_string(pid)), std::string::npos)
      << *ready;

  ExpectPings(systemd, agent.log_path());

  // It still answers the POS while being watched.
  {
    auto stub = agent.NewStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::PingResponse reply;
    EXPECT_TRUE(stub->Ping(&ctx, {}, &reply).ok());
  }

  ExpectCleanStop(systemd, pid, reap);
}

// storecentrald the same way: READY=1 once both ports listen, WATCHDOG=1
// while its worker pool and database answer, STOPPING=1 on SIGTERM and
// nothing after.
TEST(DaemonNotifyTest, CentralReadyThenPingsThenStopping) {
  TempDir dir;
  CentralProcess central(dir.path());  // writes the config
  NotifyListener systemd(dir.File("notify.sock"));
  ASSERT_TRUE(systemd.ok());
  const pid_t pid = SpawnWithEnv(
      {CentralProcess::BinDir() + "/storecentrald", "--config",
       central.config_path()},
      {"NOTIFY_SOCKET=" + systemd.address(), "WATCHDOG_USEC=400000"},
      central.log_path());
  ASSERT_GT(pid, 0);
  ReapOnExit reap(pid);

  std::optional<std::string> ready = systemd.Receive(30000);
  ASSERT_TRUE(ready.has_value()) << "no READY=1; see " << central.log_path();
  EXPECT_EQ(ready->rfind("READY=1", 0), 0u) << *ready;
  {
    // Both ports listen by then.
    auto stub = central.NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::ListDriftRequest req;
    v1::ListDriftResponse reply;
    EXPECT_TRUE(stub->ListDrift(&ctx, req, &reply).ok());
  }
  ExpectPings(systemd, central.log_path());
  // SIGHUP: RELOADING=1, then READY=1 once the reload is done (systemctl
  // reload waits for it); pings may come in between.
  ASSERT_EQ(::kill(pid, SIGHUP), 0);
  std::vector<std::string> seen;
  const auto until = Steady::now() + std::chrono::seconds(10);
  while (Steady::now() < until && (seen.empty() || seen.back() != "READY=1")) {
    std::optional<std::string> m = systemd.Receive(1000);
    if (m && *m != "WATCHDOG=1") seen.push_back(*m);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"RELOADING=1", "READY=1"}));
  ExpectCleanStop(systemd, pid, reap);
}

TEST(DaemonNotifyTest, WithoutNotifySocketItRunsAsBefore) {
  TempDir dir;
  AgentProcess agent(dir.path());
  ASSERT_TRUE(agent.Start()) << "see " << agent.log_path();
  EXPECT_EQ(agent.Terminate(), 0);
}

}  // namespace
}  // namespace storeagent::testing
