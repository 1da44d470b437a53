// Reading a staff API request's input: query integers, the JSON body and
// its fields, the Idempotency-Key header and the client key made from it,
// and renaming the field a StockOps error names (a proto path such as
// "movement.lines[0].quantity") to the one the HTTP caller sent
// ("quantity"). Every error is INVALID_ARGUMENT naming the field first.
#ifndef STOREAGENT_AGENT_HTTP_STAFF_INPUT_H_
#define STOREAGENT_AGENT_HTTP_STAFF_INPUT_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::agent {

struct FieldRename {
  std::string_view from;
  std::string_view to;
};
using FieldRenames = std::span<const FieldRename>;

// `s` with the field its message starts with renamed by the first pair
// whose `from` is that field or a prefix of it ending before '.' or '[';
// an empty `to` drops the prefix and the '.' after it. OK passes through.
Status RenameField(const Status& s, FieldRenames renames);

// The query parameter `name` as a decimal int32, or `fallback` if absent.
Result<int32_t> QueryInt(const std::map<std::string, std::string>& query,
                         const std::string& name, int32_t fallback);

// The body as a JSON object; {} for an empty body. "body: ..." otherwise.
Result<nlohmann::json> ParseJsonBody(std::string_view body);
// "NAME: unknown field" for the first member not in `allowed`.
Status CheckKnownFields(const nlohmann::json& body,
                        std::initializer_list<std::string_view> allowed);
// Member `name` as an int64 / a string. Absent: `*out` is untouched, and an
// error if `required`.
Status ReadInt64(const nlohmann::json& obj, std::string_view name,
                 std::string_view path, bool required, int64_t* out);
Status ReadString(const nlohmann::json& obj, std::string_view name,
                  std::string_view path, bool required, std::string* out);

// 1..64 characters of [A-Za-z0-9._:-], as ClientKey.client_txn_id needs;
// "Idempotency-Key: ..." otherwise (and when absent but `required`).
Status CheckIdempotencyKey(const std::optional<std::string>& key,
                           bool required);
// "staff:<name>", characters a terminal id cannot hold replaced by '_',
// at most 64 characters.
std::string StaffTerminalId(std::string_view user_name);
// "<action>-<order_ref>", or "<action>-h<40 hex of SHA-256(order_ref)>"
// when the order ref holds characters a client_txn_id cannot, or is too long.
std::string DefaultTxnId(std::string_view action, std::string_view order_ref);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_INPUT_H_
