#include "bench/bench_env.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>

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

}  // namespace storeagent::bench
