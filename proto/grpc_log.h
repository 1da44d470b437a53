// gRPC's own log lines (gRPC core's gpr_log: handshake failures, connection
// errors, assertion messages) written through the product's logger, so
// they keep its format (text or JSON), level filter and journald priority
// instead of gRPC's glog-style "E1202 12:00:00 ..." lines. gRPC still
// decides what it emits (GRPC_VERBOSITY, default ERROR); each emitted line
// becomes event=grpc.log with level (debug / info / error), message and
// the gRPC source location. libprotobuf's log lines (a message that fails
// to parse, for one) take the same route as event=protobuf.log.
#ifndef STOREAGENT_PROTO_GRPC_LOG_H_
#define STOREAGENT_PROTO_GRPC_LOG_H_

namespace storeagent::rpc {

// Installs the route; call once at the start of main, before any channel
// or server exists.
void RouteGrpcLogs();

}  // namespace storeagent::rpc

#endif  // STOREAGENT_PROTO_GRPC_LOG_H_
