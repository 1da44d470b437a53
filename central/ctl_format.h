// What storecentralctl prints: a reply of the CentralAdminService API as text
// for a person (aligned tables, enum values and status codes by name, times in
// UTC), or as proto-JSON with --json for scripts. Pure: no I/O.
#ifndef STOREAGENT_CENTRAL_CTL_FORMAT_H_
#define STOREAGENT_CENTRAL_CTL_FORMAT_H_

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

namespace storeagent::central {

// The reply as text for a person. Every reply type of CentralAdminService has
// its own layout; another message falls back to its proto-JSON.
std::string FormatReply(const google::protobuf::Message& reply);

// The reply as proto-JSON (field names as in the .proto, defaults printed).
std::string FormatReplyJson(const google::protobuf::Message& reply);

// A failed call as one line: "UNAVAILABLE: <message>", with a hint for the
// codes an operator can act on (central not reachable, refused identity).
std::string FormatStatus(const grpc::Status& status);

// "2026-12-02 17:36:04Z" for microseconds since the epoch; "-" for 0.
std::string FormatMicros(int64_t us);

// Rows as columns padded to their widest cell, two spaces apart; the last
// column is not padded.
std::string RenderColumns(const std::vector<std::vector<std::string>>& rows);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_CTL_FORMAT_H_
