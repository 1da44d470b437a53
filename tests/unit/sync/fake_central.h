// FakeCentral: a scripted Sync service on 127.0.0.1:0 (plaintext) in the
// test process, standing in for storecentrald. Each stream the agent opens
// runs the script with its number (0, 1, ...); returning ends the stream.
// Streams beyond what a test scripts read until the agent goes away.
#ifndef STOREAGENT_TESTS_UNIT_SYNC_FAKE_CENTRAL_H_
#define STOREAGENT_TESTS_UNIT_SYNC_FAKE_CENTRAL_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::synctest {

using CentralStream =
    grpc::ServerReaderWriter<v1::SyncResponse, v1::SyncRequest>;

class FakeCentral final : public v1::SyncService::Service {
 public:
  // Returns the status the stream ends with.
  using Script = std::function<grpc::Status(int stream, CentralStream&)>;

  explicit FakeCentral(Script script);
  ~FakeCentral() override;

  // "127.0.0.1:PORT".
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int streams() const { return streams_.load(); }
  void Shutdown();

  grpc::Status Sync(grpc::ServerContext* ctx, CentralStream* stream) override;

 private:
  Script script_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::atomic<int> streams_{0};
};

// Reads until a message of `kind` (kept in *out); others go to `skipped`
// when given. False when the stream ended first.
bool ReadUntil(CentralStream& s, v1::SyncRequest::KindCase kind,
               v1::SyncRequest* out,
               std::vector<v1::SyncRequest>* skipped = nullptr);

// Reads until the agent closes the stream.
void Drain(CentralStream& s);

v1::SyncResponse WelcomeAt(uint64_t store_seq_held,
                           const std::string& hash = {});
v1::SyncResponse AckOf(uint64_t seq);

}  // namespace storeagent::synctest

#endif  // STOREAGENT_TESTS_UNIT_SYNC_FAKE_CENTRAL_H_
