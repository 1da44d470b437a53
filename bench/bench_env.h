// What the benchmarks need from the machine around them: the source tree,
// a shell command's output, and a PostgreSQL server for the tests.
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

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_BENCH_ENV_H_
