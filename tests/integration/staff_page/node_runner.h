// Running Node scripts from a test: a shell command with its output, a
// program on PATH, and `npm ci` in a script folder whose node_modules is
// missing or stale (package-lock.json pins the versions; node_modules is
// gitignored and installed at test time). Needs node and npm
// (scripts/install-deps): their absence is an error, never a skip.
#ifndef STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_NODE_RUNNER_H_
#define STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_NODE_RUNNER_H_

#include <string>

namespace storeagent::agent::test {

// Single-quoted for /bin/sh.
std::string ShellQuote(const std::string& s);

// Runs `command` under /bin/sh with stdout and stderr captured in `output`;
// the exit status (128 + signal when killed).
int RunShell(const std::string& command, std::string* output);

// The path of `program` on PATH, or "".
std::string Which(const std::string& program);

// Runs `npm ci` (bounded: 240 s, one at a time per folder) in `dir` unless
// a finished `npm ci` of the same package-lock.json left its stamp there;
// callers wait while another installs. "" when ready, else what failed.
std::string NpmCiIfStale(const std::string& dir);

}  // namespace storeagent::agent::test

#endif  // STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_NODE_RUNNER_H_
