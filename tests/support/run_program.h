// RunProgram: runs a program (storeagentd, storeagentctl) as a child with its
// stdout and stderr captured and a time limit, for tests. Only ever signals
// the child it started.
#ifndef STOREAGENT_TESTS_SUPPORT_RUN_PROGRAM_H_
#define STOREAGENT_TESTS_SUPPORT_RUN_PROGRAM_H_

#include <string>
#include <vector>

namespace storeagent::testing {

struct RunResult {
  int exit_code = -1;  // -1: killed, died of a signal, or timed out
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is the path) with stdout and stderr captured. Kills
// the child (only it) if it has not finished within `timeout_ms`.
RunResult RunProgram(const std::vector<std::string>& argv,
                     int timeout_ms = 30000);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_RUN_PROGRAM_H_
