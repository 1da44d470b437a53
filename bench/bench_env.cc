#include "bench/bench_env.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace storeagent::bench {

std::string SourceDir() {
  if (const char* d = std::getenv("STOREAGENT_SOURCE_DIR"); d && *d) return d;
  return STOREAGENT_SOURCE_DIR;
}

bool Capture(const std::string& cmd, std::string* out) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return false;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) {
    out->append(buf.data(), n);
  }
  const int rc = ::pclose(p);
  return WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

std::string PostgresUrl() {
  if (const char* u = std::getenv("STOREAGENT_TEST_PG_URL"); u && *u) return u;
  std::string url;
  if (!Capture(SourceDir() + "/scripts/start-postgres", &url)) return "";
  while (!url.empty() && (url.back() == '\n' || url.back() == ' ')) {
    url.pop_back();
  }
  if (const size_t nl = url.rfind('\n'); nl != std::string::npos) {
    url = url.substr(nl + 1);  // the URL is the last line
  }
  return url;
}

double CpuSecondsOf(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string text;
  if (!std::getline(in, text)) return -1;
  // The command name (in parentheses) may hold spaces: fields follow it.
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(paren + 2));
  std::string f;
  double utime = 0;
  double stime = 0;
  for (int i = 0; fields >> f; ++i) {
    if (i == 11) utime = std::atof(f.c_str());
    if (i == 12) {
      stime = std::atof(f.c_str());
      break;
    }
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace storeagent::bench
