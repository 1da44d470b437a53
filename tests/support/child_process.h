// Child-process plumbing shared by AgentProcess and CentralProcess: start a
// daemon with its output in a log file, stop it with SIGKILL or SIGTERM and
// reap it, find the binaries of the build tree. Only ever signals the PID
// it is given.
#ifndef STOREAGENT_TESTS_SUPPORT_CHILD_PROCESS_H_
#define STOREAGENT_TESTS_SUPPORT_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace storeagent::testing {

// fork + exec `bin --config config`, stdout and stderr appended to
// `log_path`. -1 if fork failed.
pid_t SpawnDaemon(const std::string& bin, const std::string& config,
                  const std::string& log_path);
// True (and *pid = -1) when the child has already exited.
bool ExitedEarly(pid_t* pid);
// SIGKILL and reap; no-op for *pid <= 0.
void KillAndReap(pid_t* pid);
// SIGTERM, wait up to `timeout_ms`; the exit code, or -1 when it had to be
// killed or died of a signal.
int TerminateAndReap(pid_t* pid, int timeout_ms);
// The log files of the daemons spawned since the last ForgetSpawnedLogs(),
// oldest first: test_main.cc prints their tails when a test fails, while
// the files still exist.
std::vector<std::string> SpawnedLogPaths();
void ForgetSpawnedLogs();
// $`env_var` if set, else <build>/`subdir` found from this program's path
// (tests/... or bench/...).
std::string BuildBinDir(const char* env_var, const std::string& subdir);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_CHILD_PROCESS_H_
