// Calls grpc.health.v1.Health/Check without generated health stubs (Debian
// ships no health.proto for C++): a generic unary call with hand-encoded
// request and response. For tests.
#ifndef STOREAGENT_TESTS_SUPPORT_GRPC_HEALTH_H_
#define STOREAGENT_TESTS_SUPPORT_GRPC_HEALTH_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace storeagent::testing {

// One unary call of `method` with raw request bytes through a generic stub;
// fills `response` with the raw reply bytes.
grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method, const std::string& request,
                          std::string* response, int deadline_ms = 5000);

// The HealthCheckResponse.status of `service` ("" = the server as a whole):
// 1 SERVING, 2 NOT_SERVING, 0 UNKNOWN, -1 when the call failed.
int HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                 const std::string& service);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_GRPC_HEALTH_H_
