// main() of every test binary: GoogleTest's, after one OpenSSL setting.
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

int main(int argc, char** argv) {
  if (OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) != 1) {
    std::fprintf(stderr, "test main: OPENSSL_init_crypto failed\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
