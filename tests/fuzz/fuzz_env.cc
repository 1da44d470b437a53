#include "tests/fuzz/fuzz_env.h"

#include <cstdlib>
#include <filesystem>
#include <utility>
#include <vector>

namespace storeagent::fuzz {
namespace {

class Scratch {
 public:
  Scratch() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
        "/storeagent-fuzz-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    FUZZ_CHECK(mkdtemp(buf.data()) != nullptr, "mkdtemp " + pattern);
    path_ = buf.data();
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

const std::string& ScratchDir() {
  // A function's static: destroyed after every static constructed after it
  // (a target's database), so the files go last.
  static Scratch scratch;
  return scratch.path();
}

std::unique_ptr<storage::AgentDatabase> OpenAgentDatabase(
    const std::string& name, const Clock& clock) {
  storage::DatabaseOptions o;
  o.path = ScratchDir() + "/" + name;
  o.store_id = "S-FUZZ";
  o.synchronous_normal = true;
  Result<std::unique_ptr<storage::AgentDatabase>> db =
      storage::AgentDatabase::Open(o, clock);
  FUZZ_CHECK(db.ok(), "opening " + o.path + ": " + db.status().ToString());
  return std::move(db).value();
}

}  // namespace storeagent::fuzz
