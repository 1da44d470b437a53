// A fake agent for central's tests: a journal with a valid hash chain
// (core/journal_chain) and one Sync stream driven by hand, plus a central
// server on 127.0.0.1 with the SQLite backend in a temp dir.
#ifndef STOREAGENT_TESTS_UNIT_CENTRAL_FAKE_AGENT_H_
#define STOREAGENT_TESTS_UNIT_CENTRAL_FAKE_AGENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "central/server/central_config.h"
#include "central/server/central_server.h"
#include "core/stock_replay.h"
#include "platform/clock.h"
#include "storeagent/v1/services_v02.grpc.pb.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/support/temp_dir.h"

namespace storeagent::central::testing {

// Journal entries of one store, chained.
class FakeJournal {
 public:
  // A movement of one SKU (receipt when positive, correction otherwise).
  v1::JournalEntry Movement(const std::string& sku, int64_t quantity);
  v1::JournalEntry Escrow(const std::string& sku, int64_t quantity);
  // A record without a body: central quarantines it.
  v1::JournalEntry NoBody();
  v1::JournalEntry Add(v1::JournalRecord record);

  const std::vector<v1::JournalEntry>& entries() const { return entries_; }
  // Entries with from <= seq <= to.
  std::vector<v1::JournalEntry> Range(uint64_t from, uint64_t to) const;
  uint64_t head_seq() const { return entries_.size(); }
  std::string head_hash() const;
  std::string hash_at(uint64_t seq) const;

 private:
  std::vector<v1::JournalEntry> entries_;
};

// One Sync stream. Every read waits at most until the call's deadline.
class AgentStream {
 public:
  // Which name of the service to dial: 0.3's SyncService, or the 0.2 name
  // central still serves (proto/compat/storeagent/v1/services_v02.proto).
  enum class ServiceName { kCurrent, kV02 };

  explicit AgentStream(const std::shared_ptr<grpc::Channel>& channel,
                       ServiceName name = ServiceName::kCurrent);
  ~AgentStream();

  bool Send(const v1::SyncRequest& m);
  // nullopt when the stream ended (see Finish()).
  std::optional<v1::SyncResponse> Read();
  // The stream's final status (closes the agent's side first).
  grpc::Status Finish();

  // Sends a Hello and reads central's Welcome (nullopt if none came).
  std::optional<v1::Welcome> Hello(const std::string& store_id,
                                   uint64_t head_seq,
                                   const std::string& head_hash,
                                   uint64_t central_applied = 0);
  bool SendEvents(const std::vector<v1::JournalEntry>& entries);

 private:
  std::unique_ptr<v1::SyncService::Stub> stub_;
  std::unique_ptr<v1::Sync::Stub> stub_v02_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::SyncRequest, v1::SyncResponse>>
      stream_;
  bool finished_ = false;
  grpc::Status status_;
};

// storecentrald's server in the test process, insecure unless the config
// passed says otherwise.
class CentralFixture {
 public:
  CentralFixture();
  // Starts with `config` (listen addresses are filled in, and store_url
  // when empty: a SQLite file in the fixture's temp dir).
  void Start(CentralConfig config);
  void Start() { Start(DefaultConfig()); }
  static CentralConfig DefaultConfig();

  std::shared_ptr<grpc::Channel> SyncChannel();
  v1::CentralAdminService::Stub& admin() { return *admin_; }
  // The admin API under its 0.2 name (services_v02.proto).
  v1::CentralAdmin::Stub& admin_v02() { return *admin_v02_; }
  CentralServer& server() { return *server_; }
  FakeClock& clock() { return clock_; }

 private:
  storeagent::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<CentralServer> server_;
  std::unique_ptr<v1::CentralAdminService::Stub> admin_;
  std::unique_ptr<v1::CentralAdmin::Stub> admin_v02_;
};

}  // namespace storeagent::central::testing

#endif  // STOREAGENT_TESTS_UNIT_CENTRAL_FAKE_AGENT_H_
