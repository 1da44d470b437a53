#include "agent/http/staff_input.h"

#include <charconv>
#include <limits>

#include "agent/http/staff_json.h"
#include "core/limits.h"
#include "platform/crypto.h"

namespace storeagent::agent {
namespace {

using nlohmann::json;

bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

bool AllKeyChars(std::string_view s) {
  for (char c : s) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}

std::string FieldPath(std::string_view path, std::string_view name) {
  std::string p(path);
  if (!p.empty()) p += '.';
  p += name;
  return p;
}

}  // namespace

Status RenameField(const Status& s, FieldRenames renames) {
  if (s.ok()) return s;
  const std::string field = FieldOf(s.message());
  if (field.empty()) return s;
  for (const auto& [from, to] : renames) {
    if (field.compare(0, from.size(), from) != 0) continue;
    std::string_view rest = std::string_view(field).substr(from.size());
    if (!rest.empty() && rest.front() != '.' && rest.front() != '[') continue;
    if (to.empty() && !rest.empty() && rest.front() == '.') {
      rest.remove_prefix(1);
    }
    std::string renamed = std::string(to) + std::string(rest);
    if (renamed.empty()) renamed = field;
    return Status(s.code(), renamed + s.message().substr(field.size()));
  }
  return s;
}

Result<int32_t> QueryInt(const std::map<std::string, std::string>& query,
                         const std::string& name, int32_t fallback) {
  auto it = query.find(name);
  if (it == query.end()) return fallback;
  const std::string& text = it->second;
  int32_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(name + ": must be a whole number");
  }
  return value;
}

Result<json> ParseJsonBody(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return json::object();
  }
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    return InvalidArgument("body: malformed JSON at byte " +
                           std::to_string(e.byte));
  } catch (const json::out_of_range&) {
    // A number no double holds (1e999): nlohmann's parser refuses it with
    // out_of_range 406, not parse_error, and the exception used to end the
    // agent (found by the staff_api fuzz target).
    return InvalidArgument("body: a number out of range");
  }
  if (!parsed.is_object()) {
    return InvalidArgument("body: must be a JSON object");
  }
  return parsed;
}

Status CheckKnownFields(const json& body,
                        std::initializer_list<std::string_view> allowed) {
  for (const auto& item : body.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || item.key() == a;
    if (!known) return InvalidArgument(item.key() + ": unknown field");
  }
  return Status::Ok();
}

Status ReadInt64(const json& obj, std::string_view name, std::string_view path,
                 bool required, int64_t* out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    if (!required) return Status::Ok();
    return InvalidArgument(FieldPath(path, name) + ": required");
  }
  if (it->is_number_unsigned()) {
    uint64_t u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return InvalidArgument(FieldPath(path, name) + ": too large");
    }
    *out = static_cast<int64_t>(u);
    return Status::Ok();
  }
  if (!it->is_number_integer()) {
    return InvalidArgument(FieldPath(path, name) + ": must be a whole number");
  }
  *out = it->get<int64_t>();
  return Status::Ok();
}

Status ReadString(const json& obj, std::string_view name, std::string_view path,
                  bool required, std::string* out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) {
    if (!required) return Status::Ok();
    return InvalidArgument(FieldPath(path, name) + ": required");
  }
  if (!it->is_string()) {
    return InvalidArgument(FieldPath(path, name) + ": must be a string");
  }
  *out = it->get<std::string>();
  return Status::Ok();
}

Status CheckIdempotencyKey(const std::optional<std::string>& key,
                           bool required) {
  if (!key) {
    if (!required) return Status::Ok();
    return InvalidArgument(
        "Idempotency-Key: header required (1..64 of A-Z a-z 0-9 . _ : -)");
  }
  if (key->empty() || key->size() > core::kMaxClientKeyIdLength ||
      !AllKeyChars(*key)) {
    return InvalidArgument(
        "Idempotency-Key: must be 1..64 of A-Z a-z 0-9 . _ : -");
  }
  return Status::Ok();
}

std::string StaffTerminalId(std::string_view user_name) {
  std::string id = "staff:";
  for (char c : user_name) id += IsKeyChar(c) ? c : '_';
  if (id.size() > core::kMaxClientKeyIdLength) {
    id.resize(core::kMaxClientKeyIdLength);
  }
  return id;
}

std::string DefaultTxnId(std::string_view action, std::string_view order_ref) {
  std::string id = std::string(action) + "-" + std::string(order_ref);
  if (id.size() <= core::kMaxClientKeyIdLength && AllKeyChars(order_ref)) {
    return id;
  }
  return std::string(action) + "-h" +
         crypto::ToHex(crypto::AsBytes(crypto::Sha256(order_ref)))
             .substr(0, 40);
}

}  // namespace storeagent::agent
