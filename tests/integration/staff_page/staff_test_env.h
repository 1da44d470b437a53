// Test helpers for the staff page and API: the agent (AgentServer) and the
// staff HTTP server in this process on a fresh directory and 127.0.0.1:0,
// blocking wrappers over StockOps for seeding and checking, and a small
// blocking HTTP/1.1 client.
#ifndef STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_STAFF_TEST_ENV_H_
#define STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_STAFF_TEST_ENV_H_

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "agent/agent_server.h"
#include "agent/config.h"
#include "agent/http/staff_http_server.h"
#include "agent/stock_ops.h"
#include "platform/clock.h"
#include "tests/support/temp_dir.h"

namespace storeagent::agent::test {

// A minute in microseconds, the unit of the agent's times.
inline constexpr int64_t kUsPerMin = 60LL * 1'000'000;

inline constexpr char kStaffName[] = "ana";
inline constexpr char kStaffToken[] = "staff-token-ana-0001";
inline constexpr char kManagerName[] = "max";
inline constexpr char kManagerToken[] = "manager-token-max-0002";

StaffUser MakeStaffUser(const std::string& name, const std::string& role,
                        const std::string& token);

// `digits` (7, 11, 12 or 13 of them) with its GS1 check digit appended.
std::string WithGs1CheckDigit(const std::string& digits);

class StaffEnv {
 public:
  StaffEnv();
  ~StaffEnv();

  // Starts the agent and the HTTP server (users ana/staff, max/manager).
  Status Start(const StaffHttpLimits& limits = {});
  void Stop();

  AgentServer& agent() { return *agent_; }
  StockOps& ops() { return agent_->stock_ops(); }
  StaffHttpServer& http() { return *http_; }
  FakeClock& clock() { return clock_; }
  // The agent's config (http.users set; http.listen as configured).
  const AgentConfig& config() const { return config_; }
  // Before Start(): e.g. http_tls_cert_file / http_tls_key_file.
  AgentConfig& mutable_config() { return config_; }
  int port() const { return http_->port(); }
  uint64_t HeadSeq() { return agent_->database().journal().head().seq; }

  // Blocking StockOps calls (bounded: 10 s).
  Result<v1::ImportCatalogResponse> ImportCatalog(std::vector<v1::Product> p);
  Result<v1::RecordTransactionResponse> Receive(const std::string& sku,
                                                int64_t quantity,
                                                const std::string& txn_id);
  Result<v1::PlaceHoldResponse> PlaceHold(
      const std::string& order_ref,
      const std::vector<std::pair<std::string, int64_t>>& lines);
  Result<v1::GetHoldResponse> Pick(const std::string& order_ref);
  Result<v1::GetHoldResponse> GetHold(const std::string& order_ref);
  Result<v1::SkuAvailability> Availability(const std::string& sku);

 private:
  testing::TempDir dir_;
  FakeClock clock_;
  AgentConfig config_;
  std::unique_ptr<AgentServer> agent_;
  std::unique_ptr<StaffHttpServer> http_;
};

struct HttpReply {
  int status = 0;  // 0: no answer (connection failed or closed)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  nlohmann::json json;  // the body parsed, or null
  std::string error;    // what failed, when status == 0
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Blocking HTTP/1.1 on 127.0.0.1:port; every wait bounded (5 s).
class HttpClient {
 public:
  explicit HttpClient(int port);
  ~HttpClient();

  // On the client's connection (opened on first use, kept alive).
  HttpReply Send(const std::string& method, const std::string& target,
                 const std::string& body = "", const Headers& headers = {});

  // Sends `bytes` as they are on a fresh connection and reads until the
  // server closes it (or 5 s); returns what was read.
  // `closed_by_server`: the server closed it (rather than the 5 s passing).
  static std::string Raw(int port, const std::string& bytes,
                         bool* closed_by_server = nullptr);

  // Waits up to `wait_ms` for the server to close the kept-alive
  // connection; true if it did.
  bool ServerClosed(int wait_ms);

  bool connected() const;

 private:
  struct Conn;
  int port_;
  std::unique_ptr<Conn> conn_;
};

// "Bearer <token>" header, or none for "".
Headers Auth(const std::string& token);

}  // namespace storeagent::agent::test

#endif  // STOREAGENT_TESTS_INTEGRATION_STAFF_PAGE_STAFF_TEST_ENV_H_
