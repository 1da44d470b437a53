// Fuzz target `catalog_file`: the text of a catalog file for
// `storeagentctl catalog import`, read both as CSV and as JSON
// (agent/catalog_file.h), and every catalog that parses checked as the
// import checks it (CheckCatalogFile).
//
// Whatever the text, nothing crashes or throws, and a parsed file has one
// row number per product, each naming a line of the file (CSV: 1 .. the
// number of lines) or an array index (JSON: 0 .. products - 1).
// Seeds: tests/fuzz/corpus/catalog_file (hand-written CSV and JSON).
#include <algorithm>
#include <string>
#include <string_view>

#include "agent/catalog_file.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_target.h"

namespace storeagent::fuzz {
namespace {

void CheckParsed(const Result<agent::CatalogFile>& file,
                 std::string_view text) {
  if (!file.ok()) {
    FUZZ_CHECK(
        file.status().code() == StatusCode::kInvalidArgument,
        "a refused file is not INVALID_ARGUMENT: " + file.status().ToString());
    FUZZ_CHECK(!file.status().message().empty(), "a refusal with no message");
    return;
  }
  const agent::CatalogFile& f = *file;
  FUZZ_CHECK(f.rows.size() == f.products.size(),
             "rows and products differ in number");
  const int64_t lines =
      static_cast<int64_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (size_t i = 0; i < f.rows.size(); ++i) {
    if (f.format == agent::CatalogFormat::kCsv) {
      FUZZ_CHECK(f.rows[i] >= 1 && f.rows[i] <= lines,
                 "CSV row " + std::to_string(i) + " names line " +
                     std::to_string(f.rows[i]));
    } else {
      FUZZ_CHECK(f.rows[i] == static_cast<int64_t>(i),
                 "JSON row " + std::to_string(i) + " names index " +
                     std::to_string(f.rows[i]));
    }
    FUZZ_CHECK(!f.RowName(i).empty(), "an empty row name");
  }
  const Status checked = agent::CheckCatalogFile(f);
  FUZZ_CHECK(checked.ok() || checked.code() == StatusCode::kInvalidArgument,
             "CheckCatalogFile: " + checked.ToString());
}

}  // namespace
}  // namespace storeagent::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storeagent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz::CheckParsed(agent::ParseCatalogCsv(text), text);
  fuzz::CheckParsed(agent::ParseCatalogJson(text), text);
  return 0;
}
