// What a fuzz target asserts beyond "no crash, no sanitizer report": a
// property of the code under test that must hold for every input. A
// failed FUZZ_CHECK prints the condition and the explanation on stderr and
// aborts, which libFuzzer reports as a crash (and saves the input) and the
// replay program (replay_main.cc) as a failed test.
#ifndef STOREAGENT_TESTS_FUZZ_FUZZ_CHECK_H_
#define STOREAGENT_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <string>

namespace storeagent::fuzz {

[[noreturn]] inline void CheckFailed(const char* file, int line,
                                     const char* condition,
                                     const std::string& what) {
  std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: %s\n", file, line,
               condition, what.c_str());
  std::abort();
}

}  // namespace storeagent::fuzz

// `what` is evaluated only when `condition` is false.
#define FUZZ_CHECK(condition, what)                                            \
  do {                                                                         \
    if (!(condition)) {                                                        \
      ::storeagent::fuzz::CheckFailed(__FILE__, __LINE__, #condition, (what)); \
    }                                                                          \
  } while (false)

#endif  // STOREAGENT_TESTS_FUZZ_FUZZ_CHECK_H_
