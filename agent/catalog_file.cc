#include "agent/catalog_file.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/limits.h"
#include "core/stock_validation.h"
#include "core/text_checks.h"
#include "platform/csv_reader.h"
#include "platform/fs.h"

namespace storeagent::agent {
namespace {

enum Column {
  kSku,
  kName,
  kGtins,
  kDepartment,
  kPriceMinor,
  kCurrency,
  kSafetyStock,
  kUnit,
  kColumns
};

constexpr std::array<const char*, kColumns> kColumnNames = {
    "sku",         "name",     "gtins",        "department",
    "price_minor", "currency", "safety_stock", "unit"};

std::string ColumnList() {
  std::string out;
  for (const char* c : kColumnNames)
    out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// A value echoed in an error, cut short.
std::string Echo(std::string_view v) {
  constexpr size_t kMaxEcho = 32;
  return "\"" + std::string(v.substr(0, kMaxEcho)) +
         (v.size() > kMaxEcho ? "...\"" : "\"");
}

// A whole number, or what is wrong with `text`.
Result<int64_t> ParseWhole(std::string_view text) {
  text = Trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  int64_t v = 0;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) {
    return InvalidArgument(Echo(text) + " is out of range");
  }
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return InvalidArgument(Echo(text) + " is not a whole number");
  }
  return v;
}

void SplitGtins(std::string_view field, v1::Product& p) {
  field = Trim(field);
  if (field.empty()) return;
  for (;;) {
    const size_t bar = field.find('|');
    p.add_gtins(std::string(Trim(field.substr(0, bar))));
    if (bar == std::string_view::npos) return;
    field.remove_prefix(bar + 1);
  }
}

// ---- CSV ------------------------------------------------------------------

// Header position of each column, -1 when absent.
using ColumnMap = std::array<int, kColumns>;

Result<ColumnMap> ReadHeader(const std::vector<std::string>& fields,
                             int64_t line) {
  ColumnMap map;
  map.fill(-1);
  const std::string at = "line " + std::to_string(line) + " (header), ";
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string name(Trim(fields[i]));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto it = std::find(kColumnNames.begin(), kColumnNames.end(), name);
    if (it == kColumnNames.end()) {
      return InvalidArgument(at + "column " + std::to_string(i + 1) +
                             ": unknown column " + Echo(fields[i]) +
                             " (known: " + ColumnList() + ")");
    }
    int& slot = map[static_cast<size_t>(it - kColumnNames.begin())];
    if (slot >= 0) {
      return InvalidArgument(at + "column " + std::to_string(i + 1) + ": " +
                             name + " appears twice");
    }
    slot = static_cast<int>(i);
  }
  for (Column required : {kSku, kName}) {
    if (map[required] < 0) {
      return InvalidArgument(
          at + "column " + kColumnNames[required] +
          " is missing (a header row naming the columns is required: " +
          ColumnList() + ")");
    }
  }
  return map;
}

Result<v1::Product> CsvProduct(const std::vector<std::string>& fields,
                               const ColumnMap& map, int64_t line) {
  // Built only when something is wrong: most rows are fine.
  auto error = [line](Column c, const std::string& what) {
    return InvalidArgument("line " + std::to_string(line) + ", column " +
                           kColumnNames[c] + ": " + what);
  };
  for (size_t c = 0; c < kColumns; ++c) {
    if (map[c] >= 0 &&
        !core::IsValidUtf8(fields[static_cast<size_t>(map[c])])) {
      return error(static_cast<Column>(c), "not valid UTF-8");
    }
  }
  auto get = [&](Column c) -> std::string_view {
    return map[c] < 0 ? std::string_view()
                      : fields[static_cast<size_t>(map[c])];
  };
  v1::Product p;
  p.set_sku(std::string(get(kSku)));
  p.set_name(std::string(get(kName)));
  p.set_department(std::string(get(kDepartment)));
  p.set_unit(std::string(Trim(get(kUnit))));
  SplitGtins(get(kGtins), p);
  const std::string_view price = Trim(get(kPriceMinor));
  const std::string_view currency = Trim(get(kCurrency));
  if (!price.empty()) {
    Result<int64_t> v = ParseWhole(price);
    if (!v.ok()) return error(kPriceMinor, v.status().message());
    p.mutable_price()->set_minor_units(*v);
    p.mutable_price()->set_currency(std::string(currency));
  } else if (!currency.empty()) {
    return error(kPriceMinor, "required when currency is set");
  }
  if (const std::string_view s = Trim(get(kSafetyStock)); !s.empty()) {
    Result<int64_t> v = ParseWhole(s);
    if (!v.ok()) return error(kSafetyStock, v.status().message());
    p.set_safety_stock(*v);
  }
  return p;
}

// ---- JSON -----------------------------------------------------------------

using nlohmann::json;

Result<std::string> JsonString(const json& v, const std::string& path) {
  if (!v.is_string()) return InvalidArgument(path + ": must be a string");
  return v.get<std::string>();
}

Result<int64_t> JsonWhole(const json& v, const std::string& path) {
  if (v.is_number_unsigned()) {
    if (v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return InvalidArgument(path + ": out of range");
    }
    return static_cast<int64_t>(v.get<uint64_t>());
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {  // spreadsheet exports quote numbers
    Result<int64_t> n = ParseWhole(v.get<std::string>());
    if (!n.ok()) return InvalidArgument(path + ": " + n.status().message());
    return n;
  }
  return InvalidArgument(path + ": must be a whole number");
}

Status JsonField(const json& v, Column c, const std::string& path,
                 v1::Product& p, std::optional<std::string>& currency) {
  if (c == kGtins) {
    if (v.is_string()) {
      SplitGtins(v.get<std::string>(), p);
      return Status::Ok();
    }
    if (!v.is_array()) {
      return InvalidArgument(path + ": must be an array of strings");
    }
    for (size_t g = 0; g < v.size(); ++g) {
      Result<std::string> s =
          JsonString(v[g], path + "[" + std::to_string(g) + "]");
      if (!s.ok()) return s.status();
      p.add_gtins(std::move(s).value());
    }
    return Status::Ok();
  }
  if (c == kPriceMinor || c == kSafetyStock) {
    Result<int64_t> n = JsonWhole(v, path);
    if (!n.ok()) return n.status();
    if (c == kSafetyStock) p.set_safety_stock(*n);
    if (c == kPriceMinor) p.mutable_price()->set_minor_units(*n);
    return Status::Ok();
  }
  Result<std::string> s = JsonString(v, path);
  if (!s.ok()) return s.status();
  switch (c) {
    case kSku:
      p.set_sku(std::move(s).value());
      break;
    case kName:
      p.set_name(std::move(s).value());
      break;
    case kDepartment:
      p.set_department(std::move(s).value());
      break;
    case kCurrency:
      currency = std::move(s).value();
      break;
    default:
      p.set_unit(std::move(s).value());
      break;
  }
  return Status::Ok();
}

Result<v1::Product> JsonProduct(const json& o, const std::string& at) {
  if (!o.is_object()) return InvalidArgument(at + ": must be an object");
  v1::Product p;
  std::optional<std::string> currency;
  for (const auto& [key, v] : o.items()) {
    auto it = std::find(kColumnNames.begin(), kColumnNames.end(), key);
    if (it == kColumnNames.end()) {
      return InvalidArgument(at + "." + key +
                             ": unknown key (known: " + ColumnList() + ")");
    }
    if (v.is_null()) continue;
    const Column c = static_cast<Column>(it - kColumnNames.begin());
    STOREAGENT_RETURN_IF_ERROR(JsonField(v, c, at + "." + key, p, currency));
  }
  if (p.has_price()) {
    p.mutable_price()->set_currency(currency.value_or(""));
  } else if (currency && !currency->empty()) {
    return InvalidArgument(at + ".price_minor: required when currency is set");
  }
  return p;
}

// "JSON line L, column C" of byte offset `byte` (1-based, as nlohmann counts).
std::string JsonPlace(std::string_view text, size_t byte) {
  const std::string_view before = text.substr(0, byte > 0 ? byte - 1 : 0);
  const size_t nl = before.rfind('\n');
  const int64_t line = 1 + std::count(before.begin(), before.end(), '\n');
  const size_t col =
      nl == std::string_view::npos ? before.size() + 1 : before.size() - nl;
  return "JSON line " + std::to_string(line) + ", column " +
         std::to_string(col);
}

std::string AsGtin14(const std::string& gtin) {
  if (gtin.size() >= core::kMaxGtinDigits) return gtin;
  return std::string(core::kMaxGtinDigits - gtin.size(), '0') + gtin;
}

// Row by row, so the error names the row as the file does: each row alone
// through core::ValidateCatalog, then SKUs and GTINs (as GTIN-14) unique.
// Only run once the whole catalog was refused.
Status FindBadRow(const CatalogFile& file) {
  const auto n = static_cast<int64_t>(file.products.size());
  if (n < core::kMinCatalogProducts || n > core::kMaxCatalogProducts) {
    return InvalidArgument("products: " + std::to_string(n) +
                           " rows (must be " +
                           std::to_string(core::kMinCatalogProducts) + ".." +
                           std::to_string(core::kMaxCatalogProducts) + ")");
  }
  std::vector<v1::Product> one(1);
  std::unordered_map<std::string_view, size_t> skus;
  std::unordered_map<std::string, std::pair<size_t, int>> gtins;
  for (size_t i = 0; i < file.products.size(); ++i) {
    const v1::Product& p = file.products[i];
    one[0] = p;
    // Alone, the row is "row 1"; put the file's name for it instead.
    if (Status s = core::ValidateCatalog(one, 1); !s.ok()) {
      std::string m = s.message();
      if (m.rfind("row 1", 0) == 0) m = file.RowName(i) + m.substr(5);
      return InvalidArgument(m);
    }
    const std::string label = file.RowName(i) + " (sku " + p.sku() + ")";
    if (auto [it, fresh] = skus.emplace(p.sku(), i); !fresh) {
      return InvalidArgument(label + ": sku: duplicate of " +
                             file.RowName(it->second));
    }
    for (int g = 0; g < p.gtins_size(); ++g) {
      auto [it, fresh] = gtins.emplace(AsGtin14(p.gtins(g)), std::pair(i, g));
      if (!fresh) {
        const auto [row, index] = it->second;
        return InvalidArgument(label + ": gtins[" + std::to_string(g) +
                               "]: duplicate of " + file.RowName(row) +
                               " (sku " + file.products[row].sku() +
                               ") gtins[" + std::to_string(index) + "]");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string CatalogFile::RowName(size_t i) const {
  return format == CatalogFormat::kCsv
             ? "line " + std::to_string(rows[i])
             : "products[" + std::to_string(rows[i]) + "]";
}

Result<CatalogFormat> CatalogFormatFor(std::string_view path,
                                       std::string_view format) {
  std::string f(format);
  if (f.empty()) {
    const size_t dot = path.rfind('.');
    if (dot != std::string_view::npos) f = path.substr(dot + 1);
  }
  std::transform(f.begin(), f.end(), f.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (f == "csv") return CatalogFormat::kCsv;
  if (f == "json") return CatalogFormat::kJson;
  return InvalidArgument(
      format.empty()
          ? "format: cannot tell from " + std::string(path) +
                " (name it .csv or .json, or pass --format csv|json)"
          : "format: " + std::string(format) + " is not csv or json");
}

Result<CatalogFile> ParseCatalogCsv(std::string_view text) {
  CatalogFile file;
  file.format = CatalogFormat::kCsv;
  CsvReader reader(text);
  std::vector<std::string> fields;
  Result<bool> more = reader.Next(fields);
  if (!more.ok()) return more.status();
  if (!*more) {
    return InvalidArgument(
        "line 1: empty file (a header row is required: " + ColumnList() + ")");
  }
  Result<ColumnMap> map = ReadHeader(fields, reader.line());
  if (!map.ok()) return map.status();
  const size_t width = fields.size();
  const auto lines =
      static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  file.products.reserve(lines);
  file.rows.reserve(lines);
  std::vector<std::string> names(width);
  for (size_t c = 0; c < kColumns; ++c) {
    if ((*map)[c] >= 0) names[static_cast<size_t>((*map)[c])] = kColumnNames[c];
  }
  reader.set_column_names(std::move(names));
  for (;;) {
    more = reader.Next(fields);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (fields.size() != width) {
      return InvalidArgument("line " + std::to_string(reader.line()) + ": " +
                             std::to_string(fields.size()) +
                             " fields, the header has " +
                             std::to_string(width));
    }
    Result<v1::Product> p = CsvProduct(fields, *map, reader.line());
    if (!p.ok()) return p.status();
    file.products.push_back(std::move(p).value());
    file.rows.push_back(reader.line());
  }
  return file;
}

Result<CatalogFile> ParseCatalogJson(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    const size_t colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return InvalidArgument(JsonPlace(text, e.byte) + ": " + what);
  } catch (const json::out_of_range&) {
    // A number no double holds (1e999): out_of_range 406, not parse_error,
    // and no position (found by the catalog_file fuzz target).
    return InvalidArgument("JSON: a number out of range");
  }
  const json* rows = &doc;
  if (doc.is_object()) {
    if (!doc.contains("products") || doc.size() != 1) {
      return InvalidArgument(
          "JSON: expected an array of products or {\"products\": [...]}");
    }
    rows = &doc["products"];
  }
  if (!rows->is_array()) return InvalidArgument("products: must be an array");
  CatalogFile file;
  file.format = CatalogFormat::kJson;
  file.products.reserve(rows->size());
  for (size_t i = 0; i < rows->size(); ++i) {
    Result<v1::Product> p =
        JsonProduct((*rows)[i], "products[" + std::to_string(i) + "]");
    if (!p.ok()) return p.status();
    file.products.push_back(std::move(p).value());
    file.rows.push_back(static_cast<int64_t>(i));
  }
  return file;
}

Result<CatalogFile> ReadCatalogFile(const std::string& path,
                                    CatalogFormat format) {
  Result<std::string> text = fs::ReadFile(path, kMaxCatalogFileBytes);
  if (!text.ok()) return text.status();
  Result<CatalogFile> file = format == CatalogFormat::kCsv
                                 ? ParseCatalogCsv(*text)
                                 : ParseCatalogJson(*text);
  if (!file.ok()) {
    return Status(file.status().code(), path + ": " + file.status().message());
  }
  return file;
}

Status CheckCatalogFile(const CatalogFile& file) {
  // The whole catalog at once is the fast path, and the agent's own check.
  const Status whole = core::ValidateCatalog(file.products, 1);
  if (whole.ok()) return whole;
  // Something is wrong: find the row again with the file's own row names.
  const Status named = FindBadRow(file);
  if (!named.ok()) return named;
  return InvalidArgument(whole.message() +
                         " (rows counted from 1 at the first product)");
}

}  // namespace storeagent::agent
