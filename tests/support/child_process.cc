#include "tests/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace storeagent::testing {
namespace {

std::mutex spawned_mu;
std::vector<std::string>& Spawned() {
  static auto* logs = new std::vector<std::string>();
  return *logs;
}

}  // namespace

std::vector<std::string> SpawnedLogPaths() {
  std::lock_guard lock(spawned_mu);
  return Spawned();
}

void ForgetSpawnedLogs() {
  std::lock_guard lock(spawned_mu);
  Spawned().clear();
}

pid_t SpawnDaemon(const std::string& bin, const std::string& config,
                  const std::string& log_path) {
  {
    std::lock_guard lock(spawned_mu);
    std::vector<std::string>& logs = Spawned();
    if (std::find(logs.begin(), logs.end(), log_path) == logs.end()) {
      logs.push_back(log_path);
    }
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd =
        ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(bin.c_str(), bin.c_str(), "--config", config.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

bool ExitedEarly(pid_t* pid) {
  int st = 0;
  if (*pid > 0 && ::waitpid(*pid, &st, WNOHANG) == *pid) {
    *pid = -1;
    return true;
  }
  return false;
}

void KillAndReap(pid_t* pid) {
  if (*pid <= 0) return;
  ::kill(*pid, SIGKILL);
  int st = 0;
  ::waitpid(*pid, &st, 0);
  *pid = -1;
}

int TerminateAndReap(pid_t* pid, int timeout_ms) {
  if (*pid <= 0) return -1;
  ::kill(*pid, SIGTERM);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int st = 0;
    if (::waitpid(*pid, &st, WNOHANG) == *pid) {
      *pid = -1;
      return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  KillAndReap(pid);
  return -1;
}

std::string BuildBinDir(const char* env_var, const std::string& subdir) {
  if (const char* d = std::getenv(env_var); d != nullptr && *d) return d;
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  const std::string path(self, n > 0 ? static_cast<size_t>(n) : 0);
  for (const char* marker : {"/tests/", "/bench/"}) {
    const size_t at = path.rfind(marker);
    if (at != std::string::npos) return path.substr(0, at) + "/" + subdir;
  }
  return "./" + subdir;
}

}  // namespace storeagent::testing
