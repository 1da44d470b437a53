// Test assertions on Status: OK, or refused as INVALID_ARGUMENT naming a path.
#ifndef STOREAGENT_TESTS_UNIT_CORE_EXPECT_REFUSED_H_
#define STOREAGENT_TESTS_UNIT_CORE_EXPECT_REFUSED_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::test {

// Success when `s` is OK.
inline ::testing::AssertionResult IsOk(const Status& s) {
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected OK, got " << s.ToString();
}

// Success when `s` is INVALID_ARGUMENT and its message starts with
// "<path>: ", i.e. it names exactly that field.
inline ::testing::AssertionResult RefusedAt(const Status& s,
                                            std::string_view path) {
  const std::string prefix = std::string(path) + ": ";
  if (s.code() != StatusCode::kInvalidArgument ||
      s.message().rfind(prefix, 0) != 0) {
    return ::testing::AssertionFailure() << "expected INVALID_ARGUMENT at \""
                                         << path << "\", got " << s.ToString();
  }
  return ::testing::AssertionSuccess() << s.message();
}

}  // namespace storeagent::test

#endif  // STOREAGENT_TESTS_UNIT_CORE_EXPECT_REFUSED_H_
