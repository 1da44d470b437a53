// What the benchmarks need from the machine around them: the source tree,
// a shell command's output, a PostgreSQL server for the tests and a
// process's CPU time.
#ifndef STOREAGENT_BENCH_BENCH_ENV_H_
#define STOREAGENT_BENCH_BENCH_ENV_H_

#include <string>

namespace storeagent::bench {

// $STOREAGENT_SOURCE_DIR, else the tree the benchmark was built from.
std::string SourceDir();

// Runs a shell command and appends its stdout to `out` (stderr passes
// through); true when it exited 0.
bool Capture(const std::string& cmd, std::string* out);

// $STOREAGENT_TEST_PG_URL, else the URL scripts/start-postgres prints (the
// last line of its output; it starts the server if needed); "" when that
// failed.
std::string PostgresUrl();

// User + system CPU seconds of process `pid` ("self" for this one), from
// /proc/<pid>/stat; -1 when it is gone.
double CpuSecondsOf(const std::string& pid);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_BENCH_ENV_H_
