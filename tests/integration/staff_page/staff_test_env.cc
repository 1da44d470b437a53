#include "tests/integration/staff_page/staff_test_env.h"

#include <arpa/inet.h>
#include <grpc/grpc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <future>

#include "platform/crypto.h"
#include "platform/seal.h"

namespace storeagent::agent::test {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(10);
constexpr int kIoTimeoutMs = 5000;

// Runs one StockOps call and waits for its answer.
template <typename T, typename Call>
Result<T> Await(Call call) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  std::future<Result<T>> future = promise->get_future();
  call([promise](Result<T> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(kCallTimeout) != std::future_status::ready) {
    return Status(StatusCode::kDeadlineExceeded, "test: StockOps call hung");
  }
  return future.get();
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int Connect(int port, std::string* error) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = "socket() failed";
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = "connect() failed";
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n =
        ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// Appends what arrives to `buf`; false on close, error or timeout.
bool RecvSome(int fd, std::string* buf) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, kIoTimeoutMs) <= 0) return false;
  char chunk[16384];
  ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buf->append(chunk, static_cast<size_t>(n));
  return true;
}

}  // namespace

StaffUser MakeStaffUser(const std::string& name, const std::string& role,
                        const std::string& token) {
  return StaffUser{name, role,
                   std::string(crypto::AsBytes(crypto::Sha256(token)))};
}

std::string WithGs1CheckDigit(const std::string& digits) {
  int sum = 0;
  // From the right, weights 3, 1, 3, 1, ...
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    sum += d * (i % 2 == 0 ? 3 : 1);
  }
  return digits + static_cast<char>('0' + (10 - sum % 10) % 10);
}

Headers Auth(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}

// ---- StaffEnv ---------------------------------------------------------------

StaffEnv::StaffEnv() {
  // Keeps gRPC initialised for the whole process (see pos_api_test.cc: the
  // last server's destruction otherwise runs gRPC's library shutdown).
  static const bool kInitialised = [] {
    grpc_init();
    return true;
  }();
  (void)kInitialised;
  config_.store_id = "store-0042";
  config_.data_dir = dir_.File("data");
  config_.pos_socket = dir_.File("pos.sock");
  config_.loyalty_key = crypto::RandomBytes(32);
  Result<crypto::X25519KeyPair> pair = crypto::GenerateX25519KeyPair();
  if (pair.ok()) config_.contact_public_key = pair->public_key;
  config_.http_users = {MakeStaffUser(kStaffName, "staff", kStaffToken),
                        MakeStaffUser(kManagerName, "manager", kManagerToken)};
}

StaffEnv::~StaffEnv() { Stop(); }

Status StaffEnv::Start(const StaffHttpLimits& limits) {
  // The agent itself does not serve HTTP here: the test starts the staff
  // server on the agent's StockOps, with test limits.
  AgentConfig agent_config = config_;
  agent_config.http_listen.clear();
  Result<std::unique_ptr<AgentServer>> agent =
      AgentServer::Start(agent_config, clock_);
  if (!agent.ok()) return agent.status();
  agent_ = std::move(agent).value();
  AgentConfig http_config = config_;
  http_config.http_listen = "127.0.0.1:0";
  Result<std::unique_ptr<StaffHttpServer>> http =
      StaffHttpServer::Start(http_config, agent_->stock_ops(), clock_, limits);
  if (!http.ok()) return http.status();
  http_ = std::move(http).value();
  http_->SetSyncHealth(&agent_->sync_health());
  return Status::Ok();
}

void StaffEnv::Stop() {
  if (http_) http_->Stop();
  http_.reset();
  if (agent_) agent_->Shutdown();
  agent_.reset();
}

Result<v1::ImportCatalogResponse> StaffEnv::ImportCatalog(
    std::vector<v1::Product> products) {
  return Await<v1::ImportCatalogResponse>(
      [&](StockOps::Done<v1::ImportCatalogResponse> done) {
        ops().ImportCatalog(std::move(products), 1, std::move(done));
      });
}

Result<v1::RecordTransactionResponse> StaffEnv::Receive(
    const std::string& sku, int64_t quantity, const std::string& txn_id) {
  v1::RecordStockEventRequest req;
  req.mutable_client_key()->set_terminal_id("test-backoffice");
  req.mutable_client_key()->set_client_txn_id(txn_id);
  v1::StockMovement* m = req.mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  v1::StockDelta* d = m->add_lines();
  d->set_sku(sku);
  d->set_quantity(quantity);
  return Await<v1::RecordTransactionResponse>(
      [&](StockOps::Done<v1::RecordTransactionResponse> done) {
        ops().RecordStockEvent(req, std::move(done));
      });
}

Result<v1::PlaceHoldResponse> StaffEnv::PlaceHold(
    const std::string& order_ref,
    const std::vector<std::pair<std::string, int64_t>>& lines) {
  v1::PlaceHoldRequest req;
  req.mutable_client_key()->set_terminal_id("test-central");
  req.mutable_client_key()->set_client_txn_id("place-" + order_ref);
  v1::HoldPlaced* h = req.mutable_hold();
  h->set_order_ref(order_ref);
  h->set_channel("online");
  for (const auto& [sku, quantity] : lines) {
    v1::HoldLine* l = h->add_lines();
    l->set_sku(sku);
    l->set_quantity(quantity);
  }
  h->set_expires_at_us(clock_.NowMicros() + 24LL * 3600 * 1'000'000);
  return Await<v1::PlaceHoldResponse>(
      [&](StockOps::Done<v1::PlaceHoldResponse> done) {
        ops().PlaceHold(req, std::move(done));
      });
}

Result<v1::GetHoldResponse> StaffEnv::Pick(const std::string& order_ref) {
  v1::UpdateHoldRequest req;
  req.mutable_client_key()->set_terminal_id("test-seed");
  req.mutable_client_key()->set_client_txn_id("pick-" + order_ref);
  req.mutable_pick()->set_order_ref(order_ref);
  return Await<v1::GetHoldResponse>(
      [&](StockOps::Done<v1::GetHoldResponse> done) {
        ops().UpdateHold(req, std::move(done));
      });
}

Result<v1::GetHoldResponse> StaffEnv::GetHold(const std::string& order_ref) {
  return Await<v1::GetHoldResponse>(
      [&](StockOps::Done<v1::GetHoldResponse> done) {
        ops().GetHold(order_ref, std::move(done));
      });
}

Result<v1::SkuAvailability> StaffEnv::Availability(const std::string& sku) {
  Result<v1::GetAvailabilityResponse> r = Await<v1::GetAvailabilityResponse>(
      [&](StockOps::Done<v1::GetAvailabilityResponse> done) {
        ops().GetAvailability({sku}, std::move(done));
      });
  if (!r.ok()) return r.status();
  if (r->items_size() != 1) return Internal("test: expected one item");
  return r->items(0);
}

// ---- HttpClient -------------------------------------------------------------

struct HttpClient::Conn {
  int fd = -1;
  std::string pending;  // bytes read past the last response
  ~Conn() {
    if (fd >= 0) ::close(fd);
  }
};

HttpClient::HttpClient(int port) : port_(port) {}
HttpClient::~HttpClient() = default;

bool HttpClient::connected() const { return conn_ != nullptr; }

HttpReply HttpClient::Send(const std::string& method, const std::string& target,
                           const std::string& body, const Headers& headers) {
  HttpReply reply;
  if (!conn_) {
    auto c = std::make_unique<Conn>();
    c->fd = Connect(port_, &reply.error);
    if (c->fd < 0) return reply;
    conn_ = std::move(c);
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) req += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") {
    req += "Content-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  if (!SendAll(conn_->fd, req)) {
    reply.error = "send failed";
    conn_.reset();
    return reply;
  }
  std::string& buf = conn_->pending;
  size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!RecvSome(conn_->fd, &buf)) {
      reply.error = "no response header";
      conn_.reset();
      return reply;
    }
  }
  std::string head = buf.substr(0, end);
  buf.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) {
    reply.error = "bad status line: " + status_line;
    conn_.reset();
    return reply;
  }
  reply.status = std::stoi(status_line.substr(9, 3));
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    std::string line = head.substr(pos, next - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      reply.headers[Lower(line.substr(0, colon))] = value;
    }
    pos = next + 2;
  }
  size_t length = 0;
  if (auto it = reply.headers.find("content-length");
      it != reply.headers.end()) {
    length = std::stoul(it->second);
  }
  if (method == "HEAD") length = 0;
  while (buf.size() < length) {
    if (!RecvSome(conn_->fd, &buf)) {
      reply.error = "short body";
      reply.status = 0;
      conn_.reset();
      return reply;
    }
  }
  reply.body = buf.substr(0, length);
  buf.erase(0, length);
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  if (reply.json.is_discarded()) reply.json = nullptr;
  if (Lower(reply.headers["connection"]) == "close") conn_.reset();
  return reply;
}

std::string HttpClient::Raw(int port, const std::string& bytes,
                            bool* closed_by_server) {
  if (closed_by_server != nullptr) *closed_by_server = false;
  std::string error;
  int fd = Connect(port, &error);
  if (fd < 0) return "";
  std::string out;
  if (SendAll(fd, bytes)) {
    while (true) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, kIoTimeoutMs) <= 0) break;  // timed out
      char chunk[16384];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        if (closed_by_server != nullptr) *closed_by_server = true;
        break;
      }
      out.append(chunk, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

bool HttpClient::ServerClosed(int wait_ms) {
  if (!conn_) return true;
  pollfd p{conn_->fd, POLLIN, 0};
  if (::poll(&p, 1, wait_ms) <= 0) return false;
  char c;
  ssize_t n = ::recv(conn_->fd, &c, 1, MSG_PEEK);
  if (n > 0) return false;
  conn_.reset();
  return true;
}

}  // namespace storeagent::agent::test
