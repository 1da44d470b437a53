#include "proto/grpc_server_metrics.h"

#include <google/protobuf/descriptor.h>

#include "platform/status.h"

namespace storeagent::rpc {
namespace {

// go-grpc-prometheus' grpc_type values.
const char* TypeName(const google::protobuf::MethodDescriptor& m) {
  if (m.client_streaming() && m.server_streaming()) return "bidi_stream";
  if (m.client_streaming()) return "client_stream";
  if (m.server_streaming()) return "server_stream";
  return "unary";
}

}  // namespace

// One call's interceptor: its method is looked up once, when gRPC creates
// it, and the status counted when it is sent (no copy of the method path,
// no second lookup, on the call's path).
class CallCounter final : public grpc::experimental::Interceptor {
 public:
  CallCounter(GrpcServerMetrics& metrics, GrpcServerMetrics::Method* method)
      : metrics_(metrics), method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_.Handled(method_, m->GetSendStatus().error_code());
    }
    m->Proceed();
  }

 private:
  GrpcServerMetrics& metrics_;
  GrpcServerMetrics::Method* const method_;
};

class CallCounterFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallCounterFactory(GrpcServerMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallCounter(metrics_, metrics_.Find(info->method() != nullptr
                                                       ? info->method()
                                                       : std::string_view()));
  }

 private:
  GrpcServerMetrics& metrics_;
};

GrpcServerMetrics::GrpcServerMetrics(std::string family,
                                     const std::vector<std::string>& services)
    : family_(std::move(family),
              "RPCs the server finished, by method and gRPC status code "
              "(go-grpc-prometheus labels).",
              {"grpc_type", "grpc_service", "grpc_method", "grpc_code"}) {
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : services) {
    const google::protobuf::ServiceDescriptor* s =
        pool->FindServiceByName(name);
    if (s == nullptr) continue;
    for (int i = 0; i < s->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& m = *s->method(i);
      Add("/" + name + "/" + m.name(), TypeName(m), name, m.name());
    }
  }
  // gRPC's default health service has no descriptor in the pool.
  Add("/grpc.health.v1.Health/Check", "unary", "grpc.health.v1.Health",
      "Check");
  Add("/grpc.health.v1.Health/Watch", "server_stream", "grpc.health.v1.Health",
      "Watch");
  unknown_.labels = {"unknown", "unknown", "unknown"};
}

void GrpcServerMetrics::Add(std::string path, std::string type,
                            std::string service, std::string method) {
  auto m = std::make_unique<Method>();
  m->labels = {std::move(type), std::move(service), std::move(method)};
  // Each known method shows from the start, with code OK at 0.
  std::vector<std::string> values = m->labels;
  values.push_back("OK");
  m->by_code[0].store(&family_.With(values));
  methods_[std::move(path)] = std::move(m);
}

GrpcServerMetrics::Method* GrpcServerMetrics::Find(
    std::string_view method_path) {
  auto it = methods_.find(method_path);
  return it != methods_.end() ? it->second.get() : &unknown_;
}

void GrpcServerMetrics::Handled(std::string_view method_path,
                                grpc::StatusCode code) {
  Handled(Find(method_path), code);
}

void GrpcServerMetrics::Handled(Method* m, grpc::StatusCode code) {
  const int c = static_cast<int>(code);
  const size_t slot = c >= 0 && static_cast<size_t>(c) < kCodes
                          ? static_cast<size_t>(c)
                          : static_cast<size_t>(grpc::StatusCode::UNKNOWN);
  platform::Counter* counter = m->by_code[slot].load(std::memory_order_acquire);
  if (counter == nullptr) {
    std::vector<std::string> values = m->labels;
    values.push_back(StatusCodeName(static_cast<StatusCode>(slot)));
    counter = &family_.With(values);  // the same one on a race
    m->by_code[slot].store(counter, std::memory_order_release);
  }
  counter->Add();
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcServerMetrics::InterceptorFactory() {
  return std::make_unique<CallCounterFactory>(*this);
}

void GrpcServerMetrics::Render(platform::MetricsText& m) const {
  family_.Render(m);
}

}  // namespace storeagent::rpc
