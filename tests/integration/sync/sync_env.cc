#include "tests/integration/sync/sync_env.h"

#include <grpcpp/grpcpp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <random>
#include <thread>

#include "tests/support/run_program.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

}  // namespace

std::string TestPostgresUrl(std::string* why) {
  const char* url = std::getenv("STOREAGENT_TEST_PG_URL");
  if (url != nullptr && *url != '\0') return url;
  *why =
      "STOREAGENT_TEST_PG_URL is not set: run scripts/start-postgres (the "
      "test script does) or set STOREAGENT_TEST_NO_PG=1 to leave PostgreSQL "
      "out on purpose";
  return "";
}

bool DevCa(const std::string& args) {
  const std::string cmd = std::string(STOREAGENT_SOURCE_DIR) +
                          "/installer/dev-ca " + args + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

grpc::Status HelloAs(const CentralProcess& central,
                     const std::string& cert_prefix, const std::string& store) {
  auto stub = v1::SyncService::NewStub(central.SyncChannelAs(cert_prefix));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->Sync(&ctx);
  v1::SyncRequest hello;
  hello.mutable_hello()->set_store_id(store);
  hello.mutable_hello()->set_agent_version("test");
  hello.mutable_hello()->set_journal_head_hash(std::string(32, '\0'));
  stream->Write(hello);
  v1::SyncResponse in;
  if (stream->Read(&in) && in.has_welcome()) {
    ctx.TryCancel();
    return grpc::Status::OK;
  }
  return stream->Finish();
}

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

SyncEnv::SyncEnv(Options options) : options_(std::move(options)) {}

SyncEnv::~SyncEnv() {
  // Agent first: it keeps reconnecting while central is up.
  if (agent_) agent_->Kill9();
  if (central_) central_->Kill9();
}

bool SyncEnv::Init() {
  tls_dir_ = dir_.path() + "/tls";
  if (!DevCa("init " + tls_dir_) || !DevCa("central " + tls_dir_) ||
      !DevCa("store " + tls_dir_ + " " + options_.store_id)) {
    error_ = "installer/dev-ca failed";
    return false;
  }
  CentralOptions copts;
  copts.tls_dir = tls_dir_;
  copts.extra_toml = options_.central_toml;
  if (options_.postgres) {
    copts.store_url = TestPostgresUrl(&error_);
    if (copts.store_url.empty()) return false;
    // One database, many stores: a store id of its own per test run. Not
    // the pid and an unseeded rand() (the first rand() is the same in
    // every process, and pids come round again in a long run: a test then
    // met another's store, its journal and its central events, at
    // central); random bits from the kernel.
    std::random_device random;
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
    options_.store_id += "-" + std::to_string(::getpid()) + "-" + suffix;
    if (!DevCa("store " + tls_dir_ + " " + options_.store_id)) {
      error_ = "installer/dev-ca store failed";
      return false;
    }
  }
  ::mkdir((dir_.path() + "/central").c_str(), 0755);
  central_ = std::make_unique<CentralProcess>(dir_.path() + "/central", copts);
  ResetAgent();
  return true;
}

void SyncEnv::ResetAgent() {
  const std::string target = options_.agent_target.empty()
                                 ? central_->sync_address()
                                 : options_.agent_target;
  const std::string cert = tls_dir_ + "/store-" + options_.store_id;
  const std::string toml =
      "[sync]\ncentral = \"" + target + "\"\n" + "ca_file = \"" + tls_dir_ +
      "/ca.pem\"\n" + "cert_file = \"" + cert + ".pem\"\n" + "key_file = \"" +
      cert + ".key\"\n" + "server_name = \"localhost\"\n" +
      // A caught-up store proves its stock within a second, not ten: the
      // tests wait for that digest.
      "digest_min_gap_ms = 1000\n" + options_.agent_sync_toml;
  ::mkdir((dir_.path() + "/agent").c_str(), 0755);
  agent_ = std::make_unique<AgentProcess>(dir_.path() + "/agent",
                                          options_.store_id, toml);
}

v1::GetStoreSyncStateResponse SyncEnv::CentralState() {
  auto stub = central_->NewAdminStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(In(5));
  v1::GetStoreSyncStateRequest req;
  req.set_store_id(options_.store_id);
  v1::GetStoreSyncStateResponse state;
  if (!stub->GetStoreSyncState(&ctx, req, &state).ok()) return {};
  return state;
}

uint64_t SyncEnv::AgentHead() {
  auto stub = agent_->NewStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(In(5));
  v1::GetJournalStatusResponse status;
  if (!stub->GetJournalStatus(&ctx, {}, &status).ok()) return 0;
  return status.head_seq();
}

namespace {

// Records one transaction as a POS does: a call refused with UNAVAILABLE
// (retryable, docs/pos-api.md) is sent again with the same client key until
// `deadline` (the agent's empty-database gate answers UNAVAILABLE until its
// first Welcome is applied, a moment after central reports the store
// connected). A refusal that is not retried is printed, so a test that
// counts acknowledgements says why one is missing.
bool RecordAsAPos(v1::PosService::Stub& stub,
                  const v1::RecordTransactionRequest& req,
                  std::chrono::system_clock::time_point deadline) {
  for (;;) {
    grpc::ClientContext ctx;
    ctx.set_deadline(deadline);
    v1::RecordTransactionResponse reply;
    const grpc::Status st = stub.RecordTransaction(&ctx, req, &reply);
    if (st.ok()) return true;
    if (st.error_code() != grpc::StatusCode::UNAVAILABLE ||
        std::chrono::system_clock::now() >= deadline) {
      std::fprintf(stderr, "RecordTransaction %s/%s: %d %s\n",
                   req.client_key().terminal_id().c_str(),
                   req.client_key().client_txn_id().c_str(),
                   static_cast<int>(st.error_code()),
                   st.error_message().c_str());
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int SyncEnv::RecordSales(int n, int clients, const std::string& prefix) {
  std::atomic<int> next{0};
  std::atomic<int> acked{0};
  const v1::Transaction sale = test::SampleSale(5);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = agent_->NewStub();
      for (int i = next++; i < n; i = next++) {
        v1::RecordTransactionRequest req;
        req.mutable_client_key()->set_terminal_id("till-" + std::to_string(c));
        req.mutable_client_key()->set_client_txn_id(prefix + "-" +
                                                    std::to_string(i));
        *req.mutable_transaction() = sale;
        if (RecordAsAPos(*stub, req, In(30))) ++acked;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return acked.load();
}

namespace {

std::string Tail(const std::string& path, int lines) {
  std::ifstream in(path);
  if (!in) return "(no log at " + path + ")\n";
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(std::move(line));
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const std::string& line : last) out += line + "\n";
  return out;
}

}  // namespace

std::string SyncEnv::LogTails(int lines) {
  return "--- agent log (last " + std::to_string(lines) + " lines)\n" +
         Tail(agent_->log_path(), lines) + "--- central log (last " +
         std::to_string(lines) + " lines)\n" +
         Tail(central_->log_path(), lines);
}

uint64_t SyncEnv::AgentAckedSeq() {
  sqlite3* db = nullptr;
  uint64_t v = 0;
  if (sqlite3_open_v2(agent_->db_path().c_str(), &db, SQLITE_OPEN_READONLY,
                      nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(
            db, "SELECT value FROM meta WHERE key = 'central_acked_seq'", -1,
            &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      v = std::strtoull(
          reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), nullptr,
          10);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return v;
}

bool SyncEnv::SellOne(const std::string& sku, const std::string& txn_id) {
  v1::RecordTransactionRequest req;
  req.mutable_client_key()->set_terminal_id("till-x");
  req.mutable_client_key()->set_client_txn_id(txn_id);
  *req.mutable_transaction() = test::SampleSale(1);  // one unit of line 0
  req.mutable_transaction()->mutable_sale()->mutable_lines(0)->set_sku(sku);
  auto stub = agent_->NewStub();
  return RecordAsAPos(*stub, req, In(10));
}

uint64_t SyncEnv::PushReceipt(const std::string& request_key,
                              const std::string& sku, int64_t qty) {
  v1::PushCentralEventRequest req;
  req.set_store_id(options_.store_id);
  req.set_request_key(request_key);
  v1::StockMovement* m = req.mutable_event()->mutable_movement();
  m->set_reason(qty >= 0 ? v1::StockMovement::REASON_RECEIPT
                         : v1::StockMovement::REASON_CORRECTION);
  m->set_reference(request_key);
  v1::StockDelta* d = m->add_lines();
  d->set_sku(sku);
  d->set_quantity(qty);
  auto stub = central_->NewAdminStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(In(10));
  v1::PushCentralEventResponse reply;
  if (!stub->PushCentralEvent(&ctx, req, &reply).ok()) return 0;
  return reply.central_seq();
}

std::unique_ptr<v1::AvailabilityService::Stub>
SyncEnv::AgentAvailabilityStub() {
  return v1::AvailabilityService::NewStub(agent_->Channel());
}

v1::SkuAvailability SyncEnv::AgentAvailability(const std::string& sku) {
  auto stub = AgentAvailabilityStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(In(5));
  v1::GetAvailabilityRequest req;
  req.add_skus(sku);
  v1::GetAvailabilityResponse reply;
  if (!stub->GetAvailability(&ctx, req, &reply).ok() ||
      reply.items_size() != 1) {
    return {};
  }
  return reply.items(0);
}

int64_t SyncEnv::AgentOnHand(const std::string& sku) {
  auto stub = AgentAvailabilityStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(In(5));
  v1::GetAvailabilityRequest req;
  req.add_skus(sku);
  v1::GetAvailabilityResponse reply;
  if (!stub->GetAvailability(&ctx, req, &reply).ok() ||
      reply.items_size() != 1) {
    return INT64_MIN;
  }
  return reply.items(0).on_hand();
}

}  // namespace storeagent::testing
