// GrpcServerMetrics: PREFIX_grpc_server_handled_total{grpc_type,
// grpc_service,grpc_method,grpc_code}, the calls a gRPC server finished, by
// status code name ("OK", "INVALID_ARGUMENT", ...), with the label set of
// go-grpc-prometheus' grpc_server_handled_total.
//
// One place sees every call: a server interceptor (gRPC's experimental
// ServerInterceptorFactoryInterface, in 1.51) counts the status a call is
// finished with, at PRE_SEND_STATUS, whatever handler or reactor sent it.
// A call the server never finishes (the client went away before the
// handler answered, the server stopped first) is not counted.
//
// The methods of the services named at construction (read from the
// protobuf descriptor pool) start at 0 with code OK, so rate() works from
// the first scrape; any other method path (a client calling a method that
// does not exist) counts under grpc_service and grpc_method "unknown", so
// a client cannot add series. The counters per method and code are held
// in a fixed table: after a code's first use, counting is one atomic add.
// gRPC glue beside the contract, shared by the agent and central.
#ifndef STOREAGENT_PROTO_GRPC_SERVER_METRICS_H_
#define STOREAGENT_PROTO_GRPC_SERVER_METRICS_H_

#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/metrics.h"

namespace storeagent::rpc {

class GrpcServerMetrics {
 public:
  // `family`: the metric's name, e.g. "storeagent_grpc_server_handled_total".
  // `services`: full service names ("storeagent.v1.PosService"); a name
  // the descriptor pool does not know adds nothing. The health service's
  // Check and Watch are always known.
  GrpcServerMetrics(std::string family,
                    const std::vector<std::string>& services);
  GrpcServerMetrics(const GrpcServerMetrics&) = delete;
  GrpcServerMetrics& operator=(const GrpcServerMetrics&) = delete;

  // For grpc::ServerBuilder::experimental().SetInterceptorCreators; one per
  // server (a factory belongs to the server it is given to).
  // REQUIRES: this object outlives every server given one.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory();

  // Counts one finished call of `method_path` ("/package.Service/Method").
  // Thread-safe.
  void Handled(std::string_view method_path, grpc::StatusCode code);

  // Renders the family. Thread-safe.
  void Render(platform::MetricsText& m) const;

 private:
  friend class CallCounter;
  friend class CallCounterFactory;
  static constexpr size_t kCodes = 17;  // OK .. UNAUTHENTICATED
  struct Method {
    std::vector<std::string> labels;  // type, service, method
    std::array<std::atomic<platform::Counter*>, kCodes> by_code{};
  };
  Method* Find(std::string_view method_path);
  void Handled(Method* m, grpc::StatusCode code);
  void Add(std::string path, std::string type, std::string service,
           std::string method);

  platform::CounterFamily family_;
  // Looked up by a string_view, without a copy of the path.
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  // Filled by the constructor, read-only after.
  std::unordered_map<std::string, std::unique_ptr<Method>, PathHash,
                     std::equal_to<>>
      methods_;
  Method unknown_;
};

}  // namespace storeagent::rpc

#endif  // STOREAGENT_PROTO_GRPC_SERVER_METRICS_H_
