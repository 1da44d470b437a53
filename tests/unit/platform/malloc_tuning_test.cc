#include "platform/malloc_tuning.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <string>

namespace storeagent::platform {
namespace {

// glibc takes both settings (mallopt returns 1 for each). Under
// AddressSanitizer the allocator is ASan's, whose mallopt takes nothing and
// says so; under ThreadSanitizer it is TSan's, and glibc's answer says
// nothing about it.
TEST(TuneMalloc, GlibcTakesBothSettings) {
  const char* saved = std::getenv("GLIBC_TUNABLES");
  const std::string keep = saved != nullptr ? saved : "";
  ::unsetenv("GLIBC_TUNABLES");
  const bool took = TuneMalloc();
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_FALSE(took);
#elif !defined(__SANITIZE_THREAD__)
  EXPECT_TRUE(took);
#else
  (void)took;
#endif
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
