// platform/log: the exact text and JSON lines storeagentd and storecentrald
// write to stderr, and the level filter. stderr is pointed at a file while a
// test logs.
#include "platform/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/stderr_capture.h"

namespace storeagent {
namespace {

using testing::CaptureStderr;

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

TEST_F(LogTest, JsonSurvivesBytesThatAreNotUtf8) {
  // gRPC's messages and peers' strings are not ours to vouch for: a line
  // with invalid UTF-8 is written with U+FFFD, never thrown away.
  ConfigureLog("info", "json");
  const std::string out = CaptureStderr([] {
    Log(LogLevel::kError, "grpc.log", {{"message", "bad \xff\xfe"}});
  });
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["message"], "bad \xef\xbf\xbd\xef\xbf\xbd");
}

// "DEV:INO" of what is open on `fd`, as systemd puts it in JOURNAL_STREAM.
std::string StreamId(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

TEST_F(LogTest, UnderJournaldEachLineCarriesItsSyslogPriority) {
  const std::string out = CaptureStderr([] {
    ::setenv("JOURNAL_STREAM", StreamId(2).c_str(), 1);
    ConfigureLog("debug", "text");
    Log(LogLevel::kDebug, "d");
    Log(LogLevel::kInfo, "i");
    Log(LogLevel::kWarn, "w");
    Log(LogLevel::kError, "e");
    ConfigureLog("info", "json");
    Log(LogLevel::kWarn, "j");
    ::unsetenv("JOURNAL_STREAM");
    ConfigureLog("info", "text");
    Log(LogLevel::kWarn, "after");
  });
  std::istringstream in(out);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 6u) << out;
  EXPECT_EQ(lines[0].rfind("<7>ts=", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("<6>ts=", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("<4>ts=", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("<3>ts=", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("<4>{", 0), 0u) << lines[4];
  EXPECT_EQ(lines[5].rfind("ts=", 0), 0u) << lines[5];  // not the journal
}

TEST_F(LogTest, OnlyTheStreamJournalStreamNamesIsTheJournal) {
  const std::string self = StreamId(2);
  EXPECT_TRUE(IsJournalStream(self.c_str(), 2));
  EXPECT_FALSE(IsJournalStream(nullptr, 2));
  EXPECT_FALSE(IsJournalStream("", 2));
  EXPECT_FALSE(IsJournalStream("1:2", 2));
  EXPECT_FALSE(IsJournalStream((self + "x").c_str(), 2));
  EXPECT_FALSE(IsJournalStream("garbage", 2));
}

}  // namespace
}  // namespace storeagent
