#include "central/price_csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <string>
#include <utility>

#include "central/ctl_feed.h"
#include "core/price_validation.h"
#include "platform/csv_reader.h"

namespace storeagent::central {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// A cell's text as an error shows it: quoted, at most 40 characters.
std::string Echo(std::string_view s) {
  return "'" + std::string(s.substr(0, 40)) + (s.size() > 40 ? "...'" : "'");
}

// The columns of one file kind: which exist, which are required, where each
// is in this file's header.
class Columns {
 public:
  Columns(std::vector<std::string_view> known,
          std::vector<std::string_view> required)
      : known_(std::move(known)), required_(std::move(required)) {}

  Status ReadHeader(const std::vector<std::string>& fields, int64_t line) {
    const std::string at = "line " + std::to_string(line) + " (header), ";
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string name = Lower(Trim(fields[i]));
      if (std::find(known_.begin(), known_.end(), name) == known_.end()) {
        return InvalidArgument(at + "column " + std::to_string(i + 1) +
                               ": unknown column " + Echo(fields[i]) +
                               " (known: " + Known() + ")");
      }
      if (!index_.emplace(name, i).second) {
        return InvalidArgument(at + "column " + name + " appears twice");
      }
      names_.push_back(name);
    }
    for (std::string_view r : required_) {
      if (index_.count(std::string(r)) == 0) {
        return InvalidArgument(at + "column " + std::string(r) +
                               " is missing (required: " + Required() + ")");
      }
    }
    return Status::Ok();
  }

  // The trimmed cell of `name` in `fields`, "" when the file has no such
  // column.
  std::string_view Cell(const std::vector<std::string>& fields,
                        std::string_view name) const {
    auto it = index_.find(std::string(name));
    return it == index_.end() ? std::string_view() : Trim(fields[it->second]);
  }

  const std::vector<std::string>& names() const { return names_; }
  size_t width() const { return names_.size(); }

 private:
  std::string Join(const std::vector<std::string_view>& v) const {
    std::string out;
    for (std::string_view s : v)
      out += (out.empty() ? "" : ", ") + std::string(s);
    return out;
  }
  std::string Known() const { return Join(known_); }
  std::string Required() const { return Join(required_); }

  std::vector<std::string_view> known_;
  std::vector<std::string_view> required_;
  std::map<std::string, size_t> index_;
  std::vector<std::string> names_;
};

// One data row being read: its cells and where errors point.
struct Row {
  const Columns& columns;
  const std::vector<std::string>& fields;
  int64_t line;

  std::string_view Cell(std::string_view name) const {
    return columns.Cell(fields, name);
  }
  Status Error(std::string_view column, const std::string& what) const {
    return InvalidArgument("line " + std::to_string(line) + ", column " +
                           std::string(column) + ": " + what);
  }
  Result<std::string> Required(std::string_view column) const {
    const std::string_view v = Cell(column);
    if (v.empty()) return Error(column, "required");
    return std::string(v);
  }
  Result<int64_t> Integer(std::string_view column) const {
    std::string_view v = Cell(column);
    if (v.empty()) return Error(column, "required");
    if (v.front() == '+') v.remove_prefix(1);
    int64_t out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec == std::errc::result_out_of_range) {
      return Error(column, Echo(Cell(column)) + " is out of range");
    }
    if (ec != std::errc() || end != v.data() + v.size()) {
      return Error(column, Echo(Cell(column)) + " is not a whole number");
    }
    return out;
  }
  Result<uint64_t> Version() const {
    Result<int64_t> v = Integer("version");
    if (!v.ok()) return v.status();
    if (*v < 1) return Error("version", "must be 1 or more");
    return static_cast<uint64_t>(*v);
  }
  // 0 for an empty cell.
  Result<int64_t> Time(std::string_view column) const {
    const std::string_view v = Cell(column);
    if (v.empty()) return int64_t{0};
    Result<int64_t> t =
        ParseFeedTime(std::string(v), "column " + std::string(column));
    if (!t.ok()) {
      return InvalidArgument("line " + std::to_string(line) + ", " +
                             t.status().message());
    }
    if (*t < 0) return Error(column, "before the epoch");
    return t;
  }
  Result<v1::PriceScope> Scope() const {
    Result<std::string> text = Required("scope");
    if (!text.ok()) return text.status();
    v1::PriceScope scope;
    const std::string_view v = *text;
    if (Lower(v) == "all") {
      scope.set_all_stores(true);
    } else if (v.substr(0, 7) == "region:") {
      scope.set_region(std::string(Trim(v.substr(7))));
      if (scope.region().empty()) return Error("scope", "region: needs a name");
    } else if (v.substr(0, 7) == "stores:") {
      for (std::string_view id : Split(v.substr(7))) {
        scope.add_store_ids(std::string(id));
      }
      if (scope.store_ids().empty()) {
        return Error("scope", "stores: needs at least one store id");
      }
    } else {
      return Error("scope", Echo(v) +
                                " is not a scope (all, region:NAME or "
                                "stores:ID ID ...)");
    }
    return scope;
  }
  // Words separated by spaces or '|'.
  static std::vector<std::string_view> Split(std::string_view v) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < v.size()) {
      while (i < v.size() && (v[i] == ' ' || v[i] == '|' || v[i] == '\t')) ++i;
      const size_t start = i;
      while (i < v.size() && v[i] != ' ' && v[i] != '|' && v[i] != '\t') ++i;
      if (i > start) out.push_back(v.substr(start, i - start));
    }
    return out;
  }
};

// Reads the header and calls `row` for each data row (with its line).
template <typename F>
Status ForEachRow(std::string_view text, Columns& columns, F row) {
  CsvReader reader(text);
  std::vector<std::string> fields;
  Result<bool> more = reader.Next(fields);
  if (!more.ok()) return more.status();
  if (!*more) {
    return InvalidArgument("line 1: empty file (a header row is required)");
  }
  STOREAGENT_RETURN_IF_ERROR(columns.ReadHeader(fields, reader.line()));
  reader.set_column_names(columns.names());
  bool any = false;
  for (;;) {
    more = reader.Next(fields);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (fields.size() != columns.width()) {
      return InvalidArgument("line " + std::to_string(reader.line()) + ": " +
                             std::to_string(fields.size()) +
                             " fields, the header has " +
                             std::to_string(columns.width()));
    }
    any = true;
    STOREAGENT_RETURN_IF_ERROR(row(Row{columns, fields, reader.line()}));
  }
  if (!any) return InvalidArgument("no rows after the header");
  return Status::Ok();
}

// core's refusal of a list or promotion at the line it points to: the
// line of entry/sku N when the path names one, else `first`.
Status AtLine(const Status& refused, int64_t first,
              const std::vector<int64_t>& item_lines, std::string_view item) {
  int64_t line = first;
  const std::string& m = refused.message();
  const std::string key = std::string(item) + "[";
  const size_t at = m.find(key);
  if (at != std::string::npos) {
    size_t n = 0;
    const char* begin = m.data() + at + key.size();
    const auto [end, ec] = std::from_chars(begin, m.data() + m.size(), n);
    if (ec == std::errc() && n < item_lines.size()) line = item_lines[n];
  }
  return InvalidArgument("line " + std::to_string(line) + ": " + m);
}

}  // namespace

Result<PriceListFile> ParsePriceListCsv(std::string_view text) {
  Columns columns(
      {"list_id", "version", "currency", "scope", "effective_from",
       "effective_to", "sku", "unit", "unit_price_minor"},
      {"list_id", "version", "currency", "scope", "sku", "unit_price_minor"});
  PriceListFile file;
  std::map<std::string, size_t> by_id;
  std::vector<std::vector<int64_t>> entry_lines;
  Status s = ForEachRow(text, columns, [&](const Row& row) -> Status {
    Result<std::string> id = row.Required("list_id");
    if (!id.ok()) return id.status();
    v1::PriceList head;
    head.set_id(*id);
    Result<uint64_t> version = row.Version();
    if (!version.ok()) return version.status();
    head.set_version(*version);
    Result<std::string> currency = row.Required("currency");
    if (!currency.ok()) return currency.status();
    head.set_currency(*currency);
    Result<v1::PriceScope> scope = row.Scope();
    if (!scope.ok()) return scope.status();
    *head.mutable_scope() = *scope;
    Result<int64_t> from = row.Time("effective_from");
    if (!from.ok()) return from.status();
    head.set_effective_from_us(*from);
    Result<int64_t> to = row.Time("effective_to");
    if (!to.ok()) return to.status();
    head.set_effective_to_us(*to);

    auto [it, added] = by_id.emplace(*id, file.lists.size());
    if (added) {
      file.lists.push_back(head);
      file.lines.push_back(row.line);
      entry_lines.emplace_back();
    } else {
      // Every row of a list says the same of the list.
      const v1::PriceList& first = file.lists[it->second];
      const std::string where = "list " + Echo(*id) + " has ";
      const std::string then =
          " on line " + std::to_string(file.lines[it->second]);
      if (first.version() != head.version()) {
        return row.Error("version", where + "version " +
                                        std::to_string(first.version()) + then);
      }
      if (first.currency() != head.currency()) {
        return row.Error("currency", where + first.currency() + then);
      }
      if (first.scope().SerializeAsString() !=
          head.scope().SerializeAsString()) {
        return row.Error("scope", where + "another scope" + then);
      }
      if (first.effective_from_us() != head.effective_from_us()) {
        return row.Error("effective_from", where + "another start" + then);
      }
      if (first.effective_to_us() != head.effective_to_us()) {
        return row.Error("effective_to", where + "another end" + then);
      }
    }
    v1::PriceEntry* e = file.lists[it->second].add_entries();
    Result<std::string> sku = row.Required("sku");
    if (!sku.ok()) return sku.status();
    e->set_sku(*sku);
    const std::string unit = Lower(row.Cell("unit"));
    if (unit.empty() || unit == "each") {
      e->set_unit(v1::UNIT_OF_MEASURE_EACH);
    } else if (unit == "milli") {
      e->set_unit(v1::UNIT_OF_MEASURE_MILLI);
    } else {
      return row.Error(
          "unit", Echo(row.Cell("unit")) + " is not a unit (EACH or MILLI)");
    }
    Result<int64_t> price = row.Integer("unit_price_minor");
    if (!price.ok()) return price.status();
    e->mutable_unit_price()->set_minor_units(*price);
    e->mutable_unit_price()->set_currency(*currency);
    entry_lines[it->second].push_back(row.line);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  for (size_t i = 0; i < file.lists.size(); ++i) {
    Status valid = core::ValidatePriceList(file.lists[i]);
    if (!valid.ok()) {
      return AtLine(valid, file.lines[i], entry_lines[i], "entries");
    }
  }
  return file;
}

Result<PromotionFile> ParsePromotionCsv(std::string_view text) {
  Columns columns(
      {"promotion_id", "version", "scope", "effective_from", "effective_to",
       "member_only", "kind", "value", "currency", "skus", "description"},
      {"promotion_id", "version", "scope", "kind", "value", "skus"});
  PromotionFile file;
  std::map<std::string, int64_t> seen;
  Status s = ForEachRow(text, columns, [&](const Row& row) -> Status {
    v1::Promotion p;
    Result<std::string> id = row.Required("promotion_id");
    if (!id.ok()) return id.status();
    if (auto [it, added] = seen.emplace(*id, row.line); !added) {
      return row.Error("promotion_id", Echo(*id) + " is already on line " +
                                           std::to_string(it->second));
    }
    p.set_id(*id);
    Result<uint64_t> version = row.Version();
    if (!version.ok()) return version.status();
    p.set_version(*version);
    Result<v1::PriceScope> scope = row.Scope();
    if (!scope.ok()) return scope.status();
    *p.mutable_scope() = *scope;
    Result<int64_t> from = row.Time("effective_from");
    if (!from.ok()) return from.status();
    p.set_effective_from_us(*from);
    Result<int64_t> to = row.Time("effective_to");
    if (!to.ok()) return to.status();
    p.set_effective_to_us(*to);
    const std::string member = Lower(row.Cell("member_only"));
    if (member == "true") {
      p.set_member_only(true);
    } else if (!member.empty() && member != "false") {
      return row.Error("member_only",
                       Echo(row.Cell("member_only")) + " is not true or false");
    }
    const std::string kind = Lower(row.Cell("kind"));
    const std::string_view value = row.Cell("value");
    if (kind == "percent_off") {
      Result<int64_t> bp = row.Integer("value");
      if (!bp.ok()) return bp.status();
      if (*bp < 0 || *bp > 1'000'000) {
        return row.Error("value", "basis points 1..10000");
      }
      p.mutable_percent_off()->set_basis_points(static_cast<int32_t>(*bp));
    } else if (kind == "amount_off") {
      Result<int64_t> minor = row.Integer("value");
      if (!minor.ok()) return minor.status();
      Result<std::string> currency = row.Required("currency");
      if (!currency.ok()) return currency.status();
      p.mutable_amount_off()->mutable_amount()->set_minor_units(*minor);
      p.mutable_amount_off()->mutable_amount()->set_currency(*currency);
    } else if (kind == "multi_buy") {
      const size_t slash = value.find('/');
      int buy = 0;
      int pay = 0;
      const bool ok =
          slash != std::string_view::npos &&
          std::from_chars(value.data(), value.data() + slash, buy).ptr ==
              value.data() + slash &&
          std::from_chars(value.data() + slash + 1, value.data() + value.size(),
                          pay)
                  .ptr == value.data() + value.size();
      if (!ok) {
        return row.Error("value", Echo(value) +
                                      " is not BUY/PAY (\"3/2\": buy 3, pay "
                                      "2)");
      }
      p.mutable_multi_buy()->set_buy(buy);
      p.mutable_multi_buy()->set_pay(pay);
    } else if (kind.empty()) {
      return row.Error("kind", "required");
    } else {
      return row.Error("kind", Echo(row.Cell("kind")) +
                                   " is not a kind (percent_off, amount_off, "
                                   "multi_buy)");
    }
    if (kind != "amount_off" && !row.Cell("currency").empty()) {
      return row.Error("currency", "only for amount_off");
    }
    for (std::string_view sku : Row::Split(row.Cell("skus"))) {
      p.add_skus(std::string(sku));
    }
    if (p.skus().empty()) return row.Error("skus", "required");
    p.set_description(std::string(row.Cell("description")));
    Status valid = core::ValidatePromotion(p);
    if (!valid.ok()) {
      return InvalidArgument("line " + std::to_string(row.line) + ": " +
                             valid.message());
    }
    file.promotions.push_back(std::move(p));
    file.lines.push_back(row.line);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return file;
}

}  // namespace storeagent::central
