// Status (platform/status.h) to grpc::Status: the same code and message.
#ifndef STOREAGENT_CENTRAL_SERVER_GRPC_STATUS_H_
#define STOREAGENT_CENTRAL_SERVER_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "platform/status.h"

namespace storeagent::central {

inline grpc::Status ToGrpc(const Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), s.message());
}

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_GRPC_STATUS_H_
