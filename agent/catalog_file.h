// Catalog files for `storeagentctl catalog import`: CSV or JSON parsed into
// v1::Product rows, each with where it came from in the file, so every error
// names the line (CSV) or array index (JSON) and the column.
//
// CSV (RFC 4180, UTF-8, an optional BOM, LF or CRLF line ends):
//   * the first non-blank line is the header. Its columns, in any order:
//     sku, name (both required), gtins, department, price_minor, currency,
//     safety_stock, unit. Unknown or repeated columns are refused.
//   * fields may be quoted ("..."), with "" for a quote inside; a quoted
//     field may span lines.
//   * gtins: several separated by '|' ("4006381333931|96385074").
//   * price_minor and safety_stock are whole numbers; price_minor and
//     currency go together (both empty: no price). Empty safety_stock is 0.
//   * blank lines are skipped. A row's number is the line it starts on, so
//     numbering stays true to the file across blank lines and multi-line
//     fields.
// JSON: an array of objects, or {"products": [...]}, with the same keys
// (gtins an array of strings, or one '|'-separated string; price_minor and
// safety_stock integers). Unknown keys are refused. A row's number is its
// array index.
//
// Pure functions over the text; ReadCatalogFile alone touches the disk.
#ifndef STOREAGENT_AGENT_CATALOG_FILE_H_
#define STOREAGENT_AGENT_CATALOG_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/stock.pb.h"

namespace storeagent::agent {

// Largest catalog file read, bytes (200,000 rows of about 1 KiB).
inline constexpr size_t kMaxCatalogFileBytes = size_t{256} << 20;

enum class CatalogFormat { kCsv, kJson };

struct CatalogFile {
  CatalogFormat format = CatalogFormat::kCsv;
  std::vector<v1::Product> products;
  // rows[i] says where products[i] came from: its 1-based line number (CSV)
  // or its 0-based array index (JSON).
  std::vector<int64_t> rows;

  // "line 7" (CSV) or "products[3]" (JSON).
  std::string RowName(size_t i) const;
};

// "csv" / "json" when `format` is given, else by the extension of `path`
// (.csv, .json, any case). INVALID_ARGUMENT naming both otherwise.
Result<CatalogFormat> CatalogFormatFor(std::string_view path,
                                       std::string_view format);

// INVALID_ARGUMENT "line N, column C: what" on a malformed CSV.
Result<CatalogFile> ParseCatalogCsv(std::string_view text);
// INVALID_ARGUMENT "products[i].key: what" or "JSON line L, column C: what".
Result<CatalogFile> ParseCatalogJson(std::string_view text);

// Reads `path` (at most kMaxCatalogFileBytes) and parses it as `format`.
Result<CatalogFile> ReadCatalogFile(const std::string& path,
                                    CatalogFormat format);

// Runs core::ValidateCatalog's checks with the file's own row names:
// every row alone, then SKUs and GTINs (as GTIN-14) unique across the file.
// INVALID_ARGUMENT "line N (sku S): field: what". The agent checks the whole
// catalog again on import; this only makes the error name the right line.
Status CheckCatalogFile(const CatalogFile& file);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_CATALOG_FILE_H_
