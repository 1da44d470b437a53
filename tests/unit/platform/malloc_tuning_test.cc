#include "platform/malloc_tuning.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <string>

namespace storeagent::platform {
namespace {

// glibc takes both settings (mallopt returns 1 for each).
TEST(TuneMalloc, GlibcTakesBothSettings) {
  const char* saved = std::getenv("GLIBC_TUNABLES");
  const std::string keep = saved != nullptr ? saved : "";
  ::unsetenv("GLIBC_TUNABLES");
  EXPECT_TRUE(TuneMalloc());
  if (saved != nullptr) ::setenv("GLIBC_TUNABLES", keep.c_str(), 1);
}

// An operator's GLIBC_TUNABLES naming either threshold is left in force.
TEST(TuneMalloc, LeavesTheOperatorsTunablesAlone) {
  const char* saved = std::getenv("GLIBC_TUNABLES");
  const std::string keep = saved != nullptr ? saved : "";
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1048576", 1);
  EXPECT_TRUE(TuneMalloc());
  if (saved != nullptr) {
    ::setenv("GLIBC_TUNABLES", keep.c_str(), 1);
  } else {
    ::unsetenv("GLIBC_TUNABLES");
  }
}

}  // namespace
}  // namespace storeagent::platform
