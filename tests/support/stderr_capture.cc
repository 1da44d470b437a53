#include "tests/support/stderr_capture.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace storeagent::testing {

std::string CaptureStderr(const std::function<void()>& fn) {
  TempDir dir;
  const std::string path = dir.path() + "/stderr";
  std::fflush(stderr);
  const int saved = ::dup(2);
  EXPECT_GE(saved, 0) << std::strerror(errno);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  EXPECT_GE(fd, 0) << std::strerror(errno);
  EXPECT_EQ(::dup2(fd, 2), 2) << std::strerror(errno);
  ::close(fd);
  fn();
  std::fflush(stderr);
  EXPECT_EQ(::dup2(saved, 2), 2) << std::strerror(errno);
  ::close(saved);
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace storeagent::testing
