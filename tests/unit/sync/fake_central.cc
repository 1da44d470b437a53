#include "tests/unit/sync/fake_central.h"

namespace storeagent::synctest {

FakeCentral::FakeCentral(Script script) : script_(std::move(script)) {
  grpc::ServerBuilder b;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  b.RegisterService(this);
  server_ = b.BuildAndStart();
}

FakeCentral::~FakeCentral() { Shutdown(); }

void FakeCentral::Shutdown() {
  if (server_) {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
    server_.reset();
  }
}

grpc::Status FakeCentral::Sync(grpc::ServerContext*, CentralStream* stream) {
  const int n = streams_.fetch_add(1);
  return script_(n, *stream);
}

bool ReadUntil(CentralStream& s, v1::SyncRequest::KindCase kind,
               v1::SyncRequest* out, std::vector<v1::SyncRequest>* skipped) {
  v1::SyncRequest m;
  while (s.Read(&m)) {
    if (m.kind_case() == kind) {
      *out = std::move(m);
      return true;
    }
    if (skipped != nullptr) skipped->push_back(m);
  }
  return false;
}

void Drain(CentralStream& s) {
  v1::SyncRequest m;
  while (s.Read(&m)) {
  }
}

v1::SyncResponse WelcomeAt(uint64_t store_seq_held, const std::string& hash) {
  v1::SyncResponse m;
  m.mutable_welcome()->set_store_seq_held(store_seq_held);
  m.mutable_welcome()->set_store_hash_held(hash);
  return m;
}

v1::SyncResponse AckOf(uint64_t seq) {
  v1::SyncResponse m;
  m.mutable_ack()->set_acked_seq(seq);
  return m;
}

}  // namespace storeagent::synctest
