// main() of every test binary: GoogleTest's, after one OpenSSL setting, and
// with the logs of the daemons a failed test started printed at its first
// failure (their temp dirs are gone by the end of the test, and a daemon
// that died mid-test says why only there).
//
// OpenSSL 3 cleans itself up in an atexit handler: it deletes the
// thread-local key that holds each thread's error queue. gRPC's event-engine
// threads can outlive main() by a moment (a channel torn down mid-handshake,
// typically one a test made fail on purpose); one that exits after that
// handler never frees its error queue, and LeakSanitizer reports OpenSSL's
// memory with no frame of ours (grpc/grpc#38539). With OPENSSL_INIT_NO_ATEXIT,
// OpenSSL's state stays reachable from its globals until the process is gone,
// so that teardown race is no leak; an OpenSSL object a test or the product
// forgets to free is still unreachable, and still reported.
//
// It must run before anything else touches OpenSSL: only the first
// initialisation decides whether the handler is registered.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/child_process.h"

namespace {

// At a test's first failure, the tail of every daemon log it has made.
class DaemonLogPrinter : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo& /*info*/) override {
    storeagent::testing::ForgetSpawnedLogs();
    printed_ = false;
  }

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed() || printed_) return;
    printed_ = true;
    for (const std::string& path : storeagent::testing::SpawnedLogPaths()) {
      std::ifstream in(path, std::ios::binary | std::ios::ate);
      if (!in) continue;
      constexpr std::streamoff kTail = 32 * 1024;  // only the tail is read
      const std::streamoff size = in.tellg();
      const std::streamoff from = size > kTail ? size - kTail : 0;
      in.seekg(from);
      std::string text((std::istreambuf_iterator<char>(in)),
                       std::istreambuf_iterator<char>());
      std::fprintf(stderr,
                   "---- %s (%s%zu bytes) ----\n%s---- end of %s ----\n",
                   path.c_str(), from > 0 ? "last " : "", text.size(),
                   text.c_str(), path.c_str());
    }
  }

 private:
  bool printed_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) != 1) {
    std::fprintf(stderr, "test main: OPENSSL_init_crypto failed\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(
      new DaemonLogPrinter());
  return RUN_ALL_TESTS();
}
