#include "tests/integration/staff_page/node_runner.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

namespace storeagent::agent::test {
namespace {

constexpr int kNpmTimeoutS = 240;

}  // namespace

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

int RunShell(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output->append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string Which(const std::string& program) {
  std::string out;
  if (RunShell("command -v " + program, &out) != 0) return "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

std::string NpmCiIfStale(const std::string& dir) {
  const std::string npm = Which("npm");
  if (npm.empty()) return "npm is missing: run scripts/install-deps";
  // Tests run in parallel, and `npm ci` writes node_modules a package at a
  // time: a package's own files appearing says nothing of its dependencies.
  // So every test takes the folder's lock (flock on the folder itself), and
  // node_modules counts as installed only by a stamp written after `npm ci`
  // succeeded: a copy of the package-lock.json it installed, so a changed
  // lock installs again.
  const std::string stamp = "node_modules/.storeagent-installed-lock.json";
  std::string out;
  int rc = RunShell(
      "cd " + ShellQuote(dir) + " && timeout " + std::to_string(kNpmTimeoutS) +
          " flock . sh -c " +
          ShellQuote("cmp -s package-lock.json " + stamp + " || { " +
                     ShellQuote(npm) +
                     " ci --no-audit --no-fund && cp package-lock.json " +
                     stamp + "; }"),
      &out);
  if (rc != 0) return "npm ci failed in " + dir + ":\n" + out;
  return "";
}

}  // namespace storeagent::agent::test
