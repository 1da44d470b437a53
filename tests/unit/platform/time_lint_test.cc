// The time lint: outside platform/, code neither reads the real clock nor
// waits on real time by itself. Time comes in as a Clock, waiting as a
// Scheduler (platform/scheduler.h), so a test can drive it with a
// SimScheduler instead of sleeping (docs/architecture.md, "Time").
//
// It scans every .h/.cc under agent/, core/, storage/, central/, proto/
// and tests/simulation/, plus the tests of the components that run on the
// Scheduler (they must drive it, never sleep), for the names below (the
// standard library's clocks and waits, Boost.Asio's timers), outside //
// comments. A use
// is allowed only by an entry of time_lint_allow.txt naming the file and
// the name with a reason; an entry that no longer matches anything fails
// too, so the list only shrinks.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace storeagent {
namespace {

namespace fs = std::filesystem;

// What the lint looks for: each one reads the real clock or waits on real
// time.
const std::vector<std::pair<std::string, std::regex>>& Forbidden() {
  static const auto* const kForbidden =
      new std::vector<std::pair<std::string, std::regex>>{
          {"steady_clock", std::regex(R"(\bsteady_clock\b)")},
          {"system_clock", std::regex(R"(\bsystem_clock\b)")},
          {"high_resolution_clock", std::regex(R"(\bhigh_resolution_clock\b)")},
          {"sleep_for", std::regex(R"(\bsleep_for\b)")},
          {"sleep_until", std::regex(R"(\bsleep_until\b)")},
          {"wait_for", std::regex(R"(\bwait_for\b)")},
          {"wait_until", std::regex(R"(\bwait_until\b)")},
          {"SystemClock()", std::regex(R"(\bSystemClock\s*\(\s*\))")},
          {"SleepMicros", std::regex(R"(\bSleepMicros\b)")},
          {"usleep", std::regex(R"(\busleep\s*\()")},
          {"nanosleep", std::regex(R"(\bnanosleep\s*\()")},
          // Boost.Asio's and Beast's timers wait on real time too.
          {"steady_timer", std::regex(R"(\bsteady_timer\b)")},
          {"system_timer", std::regex(R"(\bsystem_timer\b)")},
          {"deadline_timer", std::regex(R"(\bdeadline_timer\b)")},
          {"high_resolution_timer", std::regex(R"(\bhigh_resolution_timer\b)")},
          {"expires_after", std::regex(R"(\bexpires_after\b)")},
          {"expires_from_now", std::regex(R"(\bexpires_from_now\b)")},
      };
  return *kForbidden;
}

// The production folders the lint scans (platform/ is the time layer).
const char* const kScannedDirs[] = {"agent",   "core",  "storage",
                                    "central", "proto", "tests/simulation"};

// Tests of components that run on the Scheduler: they drive a SimScheduler
// and must not wait on real time either. The simulator (tests/simulation/)
// is scanned whole: a simulated run reads only its FakeClock. The rest of
// tests/ and bench/ is not scanned: integration and fault tests run real
// daemons over real sockets and wait for them (bounded polls), and the
// benchmarks measure real time.
const char* const kSimulatedTimeTests[] = {
    "tests/unit/central/central_watchdog_test.cc",
    "tests/unit/agent/disk_guard_test.cc",
    "tests/unit/daemon/watchdog_test.cc",
    "tests/unit/stock/hold_expiry_test.cc",
    "tests/unit/ops/journal_prune_test.cc",
};

struct Use {
  std::string file;  // relative to the source tree
  int line = 0;
  std::string name;
  std::string text;
};

// `line` without a trailing // comment (a "//" inside a string literal
// cuts it short too; nothing scanned needs better).
std::string CodeOf(const std::string& line) {
  const size_t c = line.find("//");
  return c == std::string::npos ? line : line.substr(0, c);
}

std::vector<Use> Scan(const std::string& rel, std::istream& in) {
  std::vector<Use> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string code = CodeOf(line);
    for (const auto& [name, re] : Forbidden()) {
      // The regex only where the bare word is there (std::regex is slow).
      const std::string word = name.substr(0, name.find('('));
      if (code.find(word) != std::string::npos && std::regex_search(code, re)) {
        out.push_back({rel, n, name, line});
      }
    }
  }
  return out;
}

std::string Root() { return STOREAGENT_SOURCE_DIR; }

std::vector<Use> ScanTree() {
  std::vector<std::string> files;
  for (const char* dir : kScannedDirs) {
    const fs::path base = fs::path(Root()) / dir;
    if (!fs::exists(base)) continue;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      const std::string ext = e.path().extension().string();
      if (e.is_regular_file() && (ext == ".cc" || ext == ".h")) {
        files.push_back(fs::relative(e.path(), Root()).string());
      }
    }
  }
  for (const char* t : kSimulatedTimeTests) files.push_back(t);
  std::sort(files.begin(), files.end());
  std::vector<Use> uses;
  for (const std::string& rel : files) {
    std::ifstream in(fs::path(Root()) / rel);
    EXPECT_TRUE(in.good()) << rel << ": cannot read (moved? update the lint)";
    std::vector<Use> u = Scan(rel, in);
    uses.insert(uses.end(), u.begin(), u.end());
  }
  return uses;
}

struct Entry {
  int line = 0;
  std::string reason;
};

// time_lint_allow.txt: "<file> <name> <reason...>" per line; # comments.
std::map<std::pair<std::string, std::string>, Entry> ReadAllowList() {
  std::map<std::pair<std::string, std::string>, Entry> out;
  std::ifstream in(Root() + "/tests/unit/platform/time_lint_allow.txt");
  EXPECT_TRUE(in.good()) << "tests/unit/platform/time_lint_allow.txt missing";
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string file, name, reason, w;
    words >> file >> name;
    while (words >> w) reason += (reason.empty() ? "" : " ") + w;
    const bool known =
        std::any_of(Forbidden().begin(), Forbidden().end(),
                    [&name](const auto& f) { return f.first == name; });
    EXPECT_TRUE(known) << "time_lint_allow.txt:" << n << ": '" << name
                       << "' is not a name the lint looks for";
    EXPECT_GE(reason.size(), 20u)
        << "time_lint_allow.txt:" << n << ": " << file << " " << name
        << ": each entry needs its reason";
    EXPECT_TRUE(
        out.emplace(std::make_pair(file, name), Entry{n, reason}).second)
        << "time_lint_allow.txt:" << n << ": a second entry for " << file << " "
        << name;
  }
  return out;
}

TEST(TimeLint, NoRealTimeOutsidePlatformButWhatTheAllowListJustifies) {
  const std::vector<Use> uses = ScanTree();
  const auto allowed = ReadAllowList();
  std::string bad;
  for (const Use& u : uses) {
    if (allowed.count({u.file, u.name}) == 0) {
      bad += "  " + u.file + ":" + std::to_string(u.line) + ": " + u.name +
             ": " + u.text + "\n";
    }
  }
  EXPECT_TRUE(bad.empty())
      << "real time outside platform/: take a Clock for reading the time "
         "and a Scheduler for waiting (platform/scheduler.h), or add an "
         "entry with its reason to tests/unit/platform/time_lint_allow.txt:\n"
      << bad;
}

TEST(TimeLint, EveryAllowListEntryIsStillNeeded) {
  const std::vector<Use> uses = ScanTree();
  std::set<std::pair<std::string, std::string>> used;
  for (const Use& u : uses) used.insert({u.file, u.name});
  for (const auto& [key, entry] : ReadAllowList()) {
    EXPECT_TRUE(used.count(key) == 1)
        << "time_lint_allow.txt:" << entry.line << ": " << key.first << " "
        << key.second << " matches nothing any more: remove the entry";
  }
}

// The matcher itself: each name is found in code, not in a comment, and
// longer names that merely contain one are not taken for it.
TEST(TimeLint, TheMatcherFindsEachNameInCodeOnly) {
  std::istringstream code(
      "auto t = std::chrono::steady_clock::now();\n"
      "auto w = std::chrono::system_clock::now();\n"
      "auto h = std::chrono::high_resolution_clock::now();\n"
      "std::this_thread::sleep_for(1ms);\n"
      "std::this_thread::sleep_until(t);\n"
      "cv.wait_for(lock, 1s);\n"
      "cv.wait_until(lock, t);\n"
      "const Clock& c = SystemClock();\n"
      "SleepMicros(5);\n"
      "usleep(5);\n"
      "nanosleep(&ts, nullptr);\n"
      "boost::asio::steady_timer a(io);\n"
      "boost::asio::system_timer b(io);\n"
      "boost::asio::deadline_timer c(io);\n"
      "boost::asio::high_resolution_timer d(io);\n"
      "stream.expires_after(30s);\n"
      "timer.expires_from_now(boost::posix_time::seconds(1));\n"
      "int x = 1;  // a comment may say sleep_for or SystemClock()\n"
      "bool WaitForPings(); int my_wait_for_it; Clock& SystemClockRef();\n"
      "int steady_timers_seen; void expires_after_us();\n");
  const std::vector<Use> uses = Scan("x.cc", code);
  std::vector<std::string> names;
  for (const Use& u : uses) names.push_back(u.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "steady_clock", "system_clock", "high_resolution_clock",
                "sleep_for", "sleep_until", "wait_for", "wait_until",
                "SystemClock()", "SleepMicros", "usleep", "nanosleep",
                "steady_timer", "system_timer", "deadline_timer",
                "high_resolution_timer", "expires_after", "expires_from_now"}));
  ASSERT_EQ(uses.size(), 17u);
  EXPECT_EQ(uses[5].line, 6);
}

}  // namespace
}  // namespace storeagent
