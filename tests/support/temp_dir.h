// TempDir: a fresh directory under $TMPDIR (or /tmp) for one test, removed
// with everything in it when the object goes away.
#ifndef STOREAGENT_TESTS_SUPPORT_TEMP_DIR_H_
#define STOREAGENT_TESTS_SUPPORT_TEMP_DIR_H_

#include <string>

namespace storeagent::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_TEMP_DIR_H_
