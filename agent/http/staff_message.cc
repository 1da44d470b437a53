#include "agent/http/staff_message.h"

namespace storeagent::agent {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view in,
                                         bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      if (c == '\0') return std::nullopt;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    out.push_back(c);
  }
  return out;
}

Result<StaffTarget> ParseStaffTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return InvalidArgument("path: must start with '/'");
  }
  StaffTarget out;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  size_t hash = path.find('#');
  if (hash != std::string_view::npos) path = path.substr(0, hash);
  out.path = std::string(path);
  std::vector<std::string_view> parts = Split(path.substr(1), '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty()) {
      if (i + 1 == parts.size()) break;  // trailing slash, or "/"
      return InvalidArgument("path: empty segment");
    }
    std::optional<std::string> seg = PercentDecode(parts[i], false);
    if (!seg) return InvalidArgument("path: bad percent escape");
    out.segments.push_back(std::move(*seg));
  }
  if (q == std::string_view::npos) return out;
  std::string_view query = target.substr(q + 1);
  size_t qhash = query.find('#');
  if (qhash != std::string_view::npos) query = query.substr(0, qhash);
  if (query.empty()) return out;
  for (std::string_view pair : Split(query, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, eq), true);
    if (!name) return InvalidArgument("query: bad percent escape");
    std::optional<std::string> value =
        eq == std::string_view::npos ? std::optional<std::string>(std::string())
                                     : PercentDecode(pair.substr(eq + 1), true);
    if (!value) return InvalidArgument(*name + ": bad percent escape");
    out.query[*name] = std::move(*value);
  }
  return out;
}

}  // namespace storeagent::agent
