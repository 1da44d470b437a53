#include "central/server/report_query.h"

#include <optional>
#include <set>

#include "central/server/admin_validation.h"
#include "central/server/kpi_report.h"
#include "central/store/kpi_rules.h"
#include "central/store/store_args.h"

namespace storeagent::central {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `s` ('+' is a space, as forms send it); nullopt for a
// bad escape.
std::optional<std::string> Decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexDigit(s[i + 1]);
      const int lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

// Printable ASCII, quoted in an error (and cut short).
std::string Quote(const std::string& v) {
  std::string out = "'";
  for (char c : v.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out + (v.size() > 64 ? "...'" : "'");
}

bool Fail(ReportQueryError* error, std::string parameter, std::string message) {
  error->message = parameter.empty() ? message : parameter + ": " + message;
  error->parameter = std::move(parameter);
  return false;
}

bool ParseValue(const std::string& name, const std::string& value,
                v1::GetKpiReportRequest* r, ReportQueryError* error) {
  if (name == "store") {
    if (!CheckStoreId(value, "store").ok()) {
      return Fail(
          error, name,
          "must be 1..64 characters of [A-Za-z0-9._-], got " + Quote(value));
    }
    r->set_store_id(value);
  } else if (name == "region") {
    if (value.empty() || !ValidateRegion(value).ok()) {
      return Fail(
          error, name,
          "must be 1..64 characters of [A-Za-z0-9._:-], got " + Quote(value));
    }
    r->set_region(value);
  } else if (name == "weeks") {
    int weeks = 0;
    bool digits = !value.empty() && value.size() <= 2;
    for (char c : value) {
      digits = digits && c >= '0' && c <= '9';
      if (digits) weeks = weeks * 10 + (c - '0');
    }
    if (!digits || weeks < 1 || weeks > kKpiMaxWeeks) {
      return Fail(error, name,
                  "must be 1.." + std::to_string(kKpiMaxWeeks) + ", got " +
                      Quote(value));
    }
    r->set_weeks(weeks);
  } else if (name == "last_week") {
    if (!kpi::WeekStartUs(value).has_value()) {
      return Fail(
          error, name,
          "must be an ISO week of its year like 2026-W49, got " + Quote(value));
    }
    r->set_last_week(value);
  } else if (name == "by_store") {
    if (value == "1" || value == "true") {
      r->set_by_store(true);
    } else if (value == "0" || value == "false") {
      r->set_by_store(false);
    } else {
      return Fail(error, name, "must be 1 or 0, got " + Quote(value));
    }
  } else {
    return Fail(error, name,
                "unknown parameter (store, region, weeks, last_week, "
                "by_store)");
  }
  return true;
}

}  // namespace

bool ParseReportQuery(std::string_view query, v1::GetKpiReportRequest* out,
                      ReportQueryError* error) {
  v1::GetKpiReportRequest r;
  r.set_weeks(kKpiDefaultWeeks);
  std::set<std::string> seen;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::optional<std::string> name = Decode(pair.substr(0, eq));
    if (!name || name->empty()) {
      return Fail(error, "", "query: a parameter without a name");
    }
    const std::optional<std::string> value = eq == std::string_view::npos
                                                 ? std::string()
                                                 : Decode(pair.substr(eq + 1));
    if (!value) return Fail(error, *name, "bad percent-encoding");
    if (!seen.insert(*name).second) {
      return Fail(error, *name, "given more than once");
    }
    if (!ParseValue(*name, *value, &r, error)) return false;
  }
  if (!r.store_id().empty() && !r.region().empty()) {
    return Fail(error, "region",
                "give store or region, not both (neither: the fleet)");
  }
  *out = std::move(r);
  return true;
}

}  // namespace storeagent::central
