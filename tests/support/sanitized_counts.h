// The load of a few long tests is a count (sales recorded offline, kill -9
// cycles). Under AddressSanitizer or ThreadSanitizer every process runs
// several times slower, so those tests take a smaller count there: the
// sanitizer still watches every code path the test walks, and the normal
// build runs the full count (docs/testing.md, "Smaller counts under the
// sanitizers").
#ifndef STOREAGENT_TESTS_SUPPORT_SANITIZED_COUNTS_H_
#define STOREAGENT_TESTS_SUPPORT_SANITIZED_COUNTS_H_

namespace storeagent::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif

// `full` in a normal build, `sanitized` under a sanitizer.
constexpr int CountFor(int full, int sanitized) {
  return kSanitizedBuild ? sanitized : full;
}

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_SANITIZED_COUNTS_H_
