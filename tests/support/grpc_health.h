// Calls grpc.health.v1.Health/Check and lists services through server
// reflection without generated stubs (Debian ships neither health.proto nor
// reflection.proto for C++): generic calls with hand-encoded requests and
// responses. For tests.
#ifndef STOREAGENT_TESTS_SUPPORT_GRPC_HEALTH_H_
#define STOREAGENT_TESTS_SUPPORT_GRPC_HEALTH_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <set>
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

// The services grpc.reflection.v1alpha.ServerReflection lists (one
// list_services request on a bidirectional stream). On failure: empty, with
// what failed in *error.
std::set<std::string> ReflectedServices(
    const std::shared_ptr<grpc::Channel>& channel, std::string* error,
    int deadline_ms = 5000);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_GRPC_HEALTH_H_
