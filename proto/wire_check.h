// CheckWire: the check a request's bytes pass before they are parsed.
//
// libprotobuf refuses a proto3 string holding invalid UTF-8 as a parse
// failure and logs a line of its own; gRPC then answers the call with a
// bare status and no field. Services that take their requests raw
// (proto/raw_unary.h) run this on a request that failed to parse, so it is
// refused with INVALID_ARGUMENT naming the field, like every other
// validation error, and bytes that are not a protocol buffer message at
// all are named too.
#ifndef STOREAGENT_PROTO_WIRE_CHECK_H_
#define STOREAGENT_PROTO_WIRE_CHECK_H_

#include <google/protobuf/descriptor.h>

#include <string_view>

#include "platform/status.h"

namespace storeagent::rpc {

// Walks `bytes` as an encoded `type` message: every field's wire format
// must be well formed, a string field's value valid UTF-8, a message
// field's value a well-formed message of its type (recursively, at most
// 64 levels). Unknown fields are skipped (they stay unknown). Errors:
// INVALID_ARGUMENT "<path>: not valid UTF-8" with the path in the
// validation's form ("transaction.sale.lines[2].description"), or
// "request: not a <type> protocol buffer message (<what> at byte N)".
Status CheckWire(std::string_view bytes,
                 const google::protobuf::Descriptor& type);

}  // namespace storeagent::rpc

#endif  // STOREAGENT_PROTO_WIRE_CHECK_H_
