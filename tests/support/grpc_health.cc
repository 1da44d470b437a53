#include "tests/support/grpc_health.h"

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/generic/generic_stub.h>

#include <chrono>

namespace storeagent::testing {

grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method, const std::string& request,
                          std::string* response, int deadline_ms) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(deadline_ms));
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1);
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&ctx, method, req, &cq);
  call->StartCall();
  grpc::ByteBuffer resp;
  grpc::Status status;
  int tag = 1;
  call->Finish(&resp, &status, &tag);
  void* got = nullptr;
  bool ok = false;
  if (!cq.Next(&got, &ok) || got != &tag) {
    status = grpc::Status(grpc::StatusCode::INTERNAL, "completion queue");
  } else if (status.ok()) {
    grpc::Slice flat;
    if (!resp.DumpToSingleSlice(&flat).ok()) {
      status = grpc::Status(grpc::StatusCode::INTERNAL, "response bytes");
    } else {
      response->assign(reinterpret_cast<const char*>(flat.begin()),
                       flat.size());
    }
  }
  cq.Shutdown();
  while (cq.Next(&got, &ok)) {
  }
  return status;
}

int HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                 const std::string& service) {
  // HealthCheckRequest { string service = 1; }
  std::string req;
  if (!service.empty()) {
    req.push_back(0x0a);
    req.push_back(static_cast<char>(service.size()));
    req += service;
  }
  std::string raw;
  if (!RawUnaryCall(channel, "/grpc.health.v1.Health/Check", req, &raw).ok()) {
    return -1;
  }
  // HealthCheckResponse { ServingStatus status = 1; }
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(raw)) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1 &&
        fields.field(i).type() == google::protobuf::UnknownField::TYPE_VARINT) {
      return static_cast<int>(fields.field(i).varint());
    }
  }
  return 0;
}

}  // namespace storeagent::testing
