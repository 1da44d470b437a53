// Runs a function with the process's stderr (fd 2) pointed at a file and
// returns what was written to it meanwhile, by any thread. For tests of
// what the product logs.
#ifndef STOREAGENT_TESTS_SUPPORT_STDERR_CAPTURE_H_
#define STOREAGENT_TESTS_SUPPORT_STDERR_CAPTURE_H_

#include <functional>
#include <string>

namespace storeagent::testing {

std::string CaptureStderr(const std::function<void()>& fn);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_STDERR_CAPTURE_H_
