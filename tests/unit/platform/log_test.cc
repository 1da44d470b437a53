// platform/log: the exact text and JSON lines storeagentd and storecentrald
// write to stderr, and the level filter. stderr is pointed at a file while a
// test logs.
#include "platform/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>

#include "tests/support/temp_dir.h"

namespace storeagent {
namespace {

// Runs `fn` with stderr going to a file, and returns what it wrote.
template <typename Fn>
std::string CaptureStderr(Fn fn) {
  testing::TempDir dir;
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

class LogTest : public ::testing::Test {
 protected:
  void TearDown() override { ConfigureLog("info", "text"); }
};

// "2026-11-22T18:07:19.123Z": UTC to the millisecond. (No std::regex:
// GCC 12 warns falsely inside it under the sanitizers.)
bool IsTimestamp(std::string_view ts) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (ts.size() != kShape.size()) return false;
  for (size_t i = 0; i < ts.size(); ++i) {
    const bool digit = ts[i] >= '0' && ts[i] <= '9';
    if (kShape[i] == 'd' ? !digit : ts[i] != kShape[i]) return false;
  }
  return true;
}

TEST_F(LogTest, TextLineQuotesOnlyWhatNeedsIt) {
  ConfigureLog("info", "text");
  const std::string out = CaptureStderr([] {
    Log(LogLevel::kInfo, "sync.hello",
        {{"store", "S-1"},
         {"reason", "not a number"},
         {"empty", ""},
         {"eq", "a=b"},
         {"quote", "say \"hi\" \\o/"},
         {"nl", "two\nlines"},
         {"tab", "a\tb"},
         {"slash", "a\\b"}});
  });
  ASSERT_EQ(out.rfind("ts=", 0), 0u) << out;
  ASSERT_GT(out.size(), 27u) << out;
  EXPECT_TRUE(IsTimestamp(std::string_view(out).substr(3, 24))) << out;
  EXPECT_EQ(out.substr(27),
            " level=info event=sync.hello store=S-1 reason=\"not a number\" "
            "empty=\"\" eq=\"a=b\" quote=\"say \\\"hi\\\" \\\\o/\" "
            "nl=\"two\\nlines\" tab=\"a\tb\" slash=a\\b\n");
}

TEST_F(LogTest, EachLevelIsNamedAndBelowTheSetLevelIsDropped) {
  ConfigureLog("warn", "text");
  const std::string out = CaptureStderr([] {
    Log(LogLevel::kDebug, "d");
    Log(LogLevel::kInfo, "i");
    Log(LogLevel::kWarn, "w");
    Log(LogLevel::kError, "e");
  });
  EXPECT_EQ(out.find("event=d"), std::string::npos) << out;
  EXPECT_EQ(out.find("event=i"), std::string::npos) << out;
  EXPECT_NE(out.find(" level=warn event=w\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" level=error event=e\n"), std::string::npos) << out;

  ConfigureLog("debug", "text");
  EXPECT_NE(CaptureStderr([] {
              Log(LogLevel::kDebug, "d");
            }).find(" level=debug event=d\n"),
            std::string::npos);
  ConfigureLog("error", "text");
  EXPECT_EQ(CaptureStderr([] { Log(LogLevel::kWarn, "w"); }), "");
  // Anything unknown is info.
  ConfigureLog("verbose", "text");
  EXPECT_EQ(CaptureStderr([] { Log(LogLevel::kDebug, "d"); }), "");
  EXPECT_NE(CaptureStderr([] {
              Log(LogLevel::kInfo, "i");
            }).find(" level=info event=i\n"),
            std::string::npos);
}

TEST_F(LogTest, JsonIsOneObjectPerLine) {
  ConfigureLog("info", "json");
  const std::string out = CaptureStderr([] {
    Log(LogLevel::kError, "central.start_failed",
        {{"error", "bad \"x\"\nnext"}, {"n", "3"}});
  });
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j.size(), 5u) << out;
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["event"], "central.start_failed");
  EXPECT_EQ(j["error"], "bad \"x\"\nnext");
  EXPECT_EQ(j["n"], "3");
  EXPECT_TRUE(IsTimestamp(j["ts"].get<std::string>())) << out;
  // Keys in nlohmann's (sorted) order, as the daemons have always written.
  EXPECT_EQ(out.rfind("{\"error\":", 0), 0u) << out;
}

}  // namespace
}  // namespace storeagent
