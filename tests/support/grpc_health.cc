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

std::set<std::string> ReflectedServices(
    const std::shared_ptr<grpc::Channel>& channel, std::string* error,
    int deadline_ms) {
  using google::protobuf::UnknownFieldSet;
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(deadline_ms));
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(
      &ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      &cq);
  // Each step waits for its own tag; a failed step still drains the queue.
  auto await = [&cq](int* tag) {
    void* got = nullptr;
    bool ok = false;
    return cq.Next(&got, &ok) && got == tag && ok;
  };
  auto fail = [&](const std::string& what) {
    *error = what;
    ctx.TryCancel();
    cq.Shutdown();
    void* got = nullptr;
    bool ok = false;
    while (cq.Next(&got, &ok)) {
    }
    return std::set<std::string>();
  };
  int start = 1, write = 2, done = 3, read = 4, finish = 5;
  call->StartCall(&start);
  if (!await(&start)) return fail("the call did not start");
  // ServerReflectionRequest { list_services = 7: "" }.
  UnknownFieldSet req;
  req.AddLengthDelimited(7, "");
  std::string req_bytes;
  req.SerializeToString(&req_bytes);
  grpc::Slice slice(req_bytes);
  grpc::ByteBuffer buf(&slice, 1);
  call->Write(buf, &write);
  if (!await(&write)) return fail("the request was not sent");
  call->WritesDone(&done);
  if (!await(&done)) return fail("WritesDone failed");
  grpc::ByteBuffer resp;
  call->Read(&resp, &read);
  const bool got_reply = await(&read);
  grpc::Status status;
  call->Finish(&status, &finish);
  if (!await(&finish)) return fail("Finish did not complete");
  cq.Shutdown();
  void* got = nullptr;
  bool ok = false;
  while (cq.Next(&got, &ok)) {
  }
  if (!status.ok()) {
    *error = "reflection: " + status.error_message();
    return {};
  }
  if (!got_reply) {
    *error = "reflection: no reply";
    return {};
  }
  grpc::Slice flat;
  if (!resp.DumpToSingleSlice(&flat).ok()) {
    *error = "reflection: unreadable reply";
    return {};
  }
  const std::string raw(reinterpret_cast<const char*>(flat.begin()),
                        flat.size());
  // ServerReflectionResponse.list_services_response (6)
  //   .service (1, repeated) .name (1).
  std::set<std::string> names;
  UnknownFieldSet top;
  if (!top.ParseFromString(raw)) {
    *error = "reflection: the reply does not parse";
    return {};
  }
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6) continue;
    UnknownFieldSet list;
    if (!list.ParseFromString(top.field(i).length_delimited())) continue;
    for (int j = 0; j < list.field_count(); ++j) {
      UnknownFieldSet service;
      if (!service.ParseFromString(list.field(j).length_delimited())) continue;
      for (int k = 0; k < service.field_count(); ++k) {
        if (service.field(k).number() == 1) {
          names.insert(service.field(k).length_delimited());
        }
      }
    }
  }
  if (names.empty()) *error = "reflection: no services listed";
  return names;
}

}  // namespace storeagent::testing
