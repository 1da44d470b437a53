// SyncEnv: a store's agent and a central, both real processes on loopback
// with mutual TLS (certificates from installer/dev-ca), for the sync
// integration, fault and kill tests. The central backend is SQLite or, when
// `postgres` is set, the PostgreSQL at $STOREAGENT_TEST_PG_URL.
#ifndef STOREAGENT_TESTS_INTEGRATION_SYNC_SYNC_ENV_H_
#define STOREAGENT_TESTS_INTEGRATION_SYNC_SYNC_ENV_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storeagent/v1/availability.grpc.pb.h"
#include "storeagent/v1/pos.grpc.pb.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/support/agent_process.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"

namespace storeagent::testing {

// The PostgreSQL URL for tests, or "" (with the reason in *why) when none
// is configured.
std::string TestPostgresUrl(std::string* why);

// Runs installer/dev-ca with `args`; true on exit 0.
bool DevCa(const std::string& args);

class SyncEnv {
 public:
  struct Options {
    bool postgres = false;
    std::string store_id = "store-0001";
    // Extra [sync] lines for the agent (escrow_units = 2, ...).
    std::string agent_sync_toml;
    // Appended to central's config ([metrics], [log] ...).
    std::string central_toml;
    // Point the agent at this address instead of central's sync port (a
    // fault proxy in between); "" = central directly.
    std::string agent_target;
  };

  explicit SyncEnv(Options options);
  ~SyncEnv();

  // Creates the TLS material and both processes' configs. False with the
  // reason in error().
  bool Init();
  const std::string& error() const { return error_; }
  const std::string& dir() const { return dir_.path(); }
  const std::string& tls_dir() const { return tls_dir_; }

  CentralProcess& central() { return *central_; }
  AgentProcess& agent() { return *agent_; }
  const std::string& store_id() const { return options_.store_id; }

  // Points the agent at `address` (a fault proxy) from its next start.
  void SetAgentTarget(const std::string& address) {
    options_.agent_target = address;
    ResetAgent();
  }
  // The last `lines` lines of each process's log, headed by its name: for a
  // failed wait's message (the logs live in a temp dir that goes with the
  // test, so a path alone tells CI nothing).
  std::string LogTails(int lines = 30);

  // The agent's meta value `central_acked_seq`, read from its database
  // file (read-only; 0 when absent).
  uint64_t AgentAckedSeq();

  // Re-creates the agent process object (e.g. after its data dir was
  // deleted), with the same config.
  void ResetAgent();

  // Central's view of the store (empty message on error).
  v1::GetStoreSyncStateResponse CentralState();
  // The agent's journal head.
  uint64_t AgentHead();
  // Records `n` 5-line sample sales (SKU-00000..SKU-00004) from `clients`
  // terminals; returns how many were acknowledged. Client keys
  // "<prefix>-<i>".
  int RecordSales(int n, int clients, const std::string& prefix);
  // One sale of one unit of `sku`; true when acknowledged.
  bool SellOne(const std::string& sku, const std::string& txn_id);
  // A head-office movement (receipt when qty > 0) pushed through
  // CentralAdminService; returns its central_seq (0 on error).
  uint64_t PushReceipt(const std::string& request_key, const std::string& sku,
                       int64_t qty);
  // The agent's on-hand of `sku` (INT64_MIN on error).
  int64_t AgentOnHand(const std::string& sku);
  v1::SkuAvailability AgentAvailability(const std::string& sku);

  std::unique_ptr<v1::AvailabilityService::Stub> AgentAvailabilityStub();

 private:
  Options options_;
  TempDir dir_;
  std::string tls_dir_;
  std::string error_;
  std::unique_ptr<CentralProcess> central_;
  std::unique_ptr<AgentProcess> agent_;
};

// Opens a Sync stream to `central` presenting `cert_prefix` (".pem"/".key"
// appended; "" = no client certificate), sends a Hello for `store`, and
// returns the status the stream ended with (OK if a Welcome came).
grpc::Status HelloAs(const CentralProcess& central,
                     const std::string& cert_prefix, const std::string& store);

// Polls `done` every 20 ms until it is true or `timeout` passes.
bool WaitFor(const std::function<bool()>& done, std::chrono::seconds timeout);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_INTEGRATION_SYNC_SYNC_ENV_H_
