// A fuzz target as a plain program, for the trees built without libFuzzer
// (the gcc trees of scripts/test): runs the target's LLVMFuzzerTestOneInput
// once on every file named on the command line, or on every file of every
// directory named, in name order, and exits 0 when each returned. A crash,
// a sanitizer report or a failed FUZZ_CHECK stops it, naming the file.
//
//   fuzz_<target> tests/fuzz/corpus/<target> tests/fuzz/regressions/<target>
//
// ctest runs it so over the seed corpus and the regressions (label `unit`,
// docs/testing.md "Fuzzing"). A directory holding no file is an error: a
// replay of nothing would pass whatever the code does.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

namespace {

bool ReadWhole(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in),
              std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  LLVMFuzzerInitialize(&argc, &argv);
  size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(arg, ec)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      if (ec || files.empty()) {
        std::fprintf(stderr, "%s: no input files in %s\n", argv[0], argv[i]);
        return 1;
      }
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(arg);
    }
    for (const std::filesystem::path& f : files) {
      std::string bytes;
      if (!ReadWhole(f, &bytes)) {
        std::fprintf(stderr, "%s: cannot read %s\n", argv[0], f.c_str());
        return 1;
      }
      std::fprintf(stderr, "%s: running %s (%zu bytes)\n", argv[0], f.c_str(),
                   bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()),
                             bytes.size());
      ++ran;
    }
  }
  std::printf("%s: %zu inputs ran, each without a report\n", argv[0], ran);
  return 0;
}
