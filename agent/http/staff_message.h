// StaffRequest / StaffResponse: one HTTP exchange of the staff page and
// API, independent of the transport, so StaffApi is tested without sockets;
// and the parsing of a request target into path segments and query
// parameters (percent-decoded).
#ifndef STOREAGENT_AGENT_HTTP_STAFF_MESSAGE_H_
#define STOREAGENT_AGENT_HTTP_STAFF_MESSAGE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/status.h"

namespace storeagent::agent {

struct StaffRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // origin-form: "/api/v1/holds?state=open"
  std::string authorization;  // header value; "" if absent
  std::string peer;  // the client's address, "1.2.3.4:5678" / "[::1]:5678"
  std::optional<std::string> idempotency_key;  // `Idempotency-Key` header
  std::string body;
};

struct StaffResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers, e.g. WWW-Authenticate, Allow.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct StaffTarget {
  // "/api/v1/holds/A%2F1/pick" -> {"api", "v1", "holds", "A/1", "pick"};
  // "/" -> {}.
  std::vector<std::string> segments;
  // Last value wins for a repeated name.
  std::map<std::string, std::string> query;
  std::string path;  // as received, without the query
};

// INVALID_ARGUMENT naming "path" (or the query parameter) for a target that
// is not origin-form, a bad percent escape, or an empty segment in the
// middle ("/a//b").
Result<StaffTarget> ParseStaffTarget(std::string_view target);

// Percent-decoding; `plus_is_space` for query strings. nullopt for a bad
// escape or a decoded NUL.
std::optional<std::string> PercentDecode(std::string_view in,
                                         bool plus_is_space);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_MESSAGE_H_
