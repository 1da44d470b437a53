// Fuzz target `staff_api`: one request to the staff page and JSON API
// (agent::StaffApi::Handle, agent/http/staff_api.h) on a real StockOps over
// an agent database seeded with two products, their stock and an open hold:
// the routing, the bearer token, the target's percent-decoding and query,
// the Idempotency-Key, the JSON body, the StockOps call and the JSON answer.
//
// The input is a request in a small text form:
//   METHOD TARGET\n
//   Authorization: Bearer fuzz-manager-token\n   (any headers; these two
//   Idempotency-Key: key-1\n                      are the ones read)
//   \n
//   BODY
// Tokens "fuzz-staff-token" and "fuzz-manager-token" are a staff user's and
// a manager's. Whatever the request: nothing crashes, one answer comes
// within 10 s, its status is 100..599, a JSON answer is JSON, and an error
// answer is {"error": {"code", "field", "message"}} with a message.
// Writes (stock adjust and count, pick, cancel ...) change the database, so
// a later input sees what an earlier one did (a crash that needs them may
// need the inputs before it: libFuzzer's -runs on the saved crash file is
// the first try; docs/testing.md "Fuzzing").
// Seeds: tests/fuzz/corpus/staff_api (hand-written requests).
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/http/staff_api.h"
#include "agent/http/staff_auth.h"
#include "agent/stock_ops.h"
#include "platform/crypto.h"
#include "tests/fuzz/fuzz_env.h"
#include "tests/fuzz/fuzz_target.h"

namespace storeagent::fuzz {
namespace {

agent::StaffUser User(const std::string& name, const std::string& role,
                      const std::string& token) {
  return agent::StaffUser{name, role,
                          std::string(crypto::AsBytes(crypto::Sha256(token)))};
}

// 13-digit GTINs with their GS1 check digit.
constexpr char kMugGtin[] = "4006381333931";

class Env {
 public:
  Env()
      : db_(OpenAgentDatabase("staff.db", clock_)),
        ops_(*db_, clock_),
        users_({User("ann", "staff", "fuzz-staff-token"),
                User("bob", "manager", "fuzz-manager-token")}),
        api_(ops_, clock_, users_, 64 * 1024) {
    Seed();
  }
  ~Env() { db_->Close(); }

  agent::StaffApi& api() { return api_; }

 private:
  void Seed() {
    std::vector<v1::Product> products(2);
    products[0].set_sku("SKU-MUG");
    products[0].set_name("Coffee mug blue");
    products[0].add_gtins(kMugGtin);
    products[0].set_unit("each");
    products[0].mutable_price()->set_minor_units(1299);
    products[0].mutable_price()->set_currency("EUR");
    products[1].set_sku("SKU-TEA");
    products[1].set_name("Loose tea");
    products[1].set_unit("milli");
    products[1].set_safety_stock(500);
    Expect(AwaitAnswer<Result<v1::ImportCatalogResponse>>([&](auto done) {
             ops_.ImportCatalog(products, 1, std::move(done));
           }).status(),
           "import");
    for (const char* sku : {"SKU-MUG", "SKU-TEA"}) {
      v1::RecordStockEventRequest req;
      req.mutable_client_key()->set_terminal_id("fuzz-seed");
      req.mutable_client_key()->set_client_txn_id(std::string("recv-") + sku);
      v1::StockMovement* m = req.mutable_movement();
      m->set_reason(v1::StockMovement::REASON_RECEIPT);
      v1::StockDelta* d = m->add_lines();
      d->set_sku(sku);
      d->set_quantity(100'000);
      Expect(AwaitAnswer<Result<v1::RecordTransactionResponse>>([&](auto done) {
               ops_.RecordStockEvent(req, std::move(done));
             }).status(),
             "receipt");
    }
    for (const char* order : {"ORD-1", "ORD-2"}) {
      v1::PlaceHoldRequest req;
      req.mutable_client_key()->set_terminal_id("fuzz-seed");
      req.mutable_client_key()->set_client_txn_id(std::string("hold-") + order);
      v1::HoldPlaced* h = req.mutable_hold();
      h->set_order_ref(order);
      h->set_channel("online");
      v1::HoldLine* l = h->add_lines();
      l->set_sku("SKU-MUG");
      l->set_quantity(2);
      h->set_expires_at_us(clock_.NowMicros() + 24LL * 3600 * 1'000'000);
      Expect(AwaitAnswer<Result<v1::PlaceHoldResponse>>([&](auto done) {
               ops_.PlaceHold(req, std::move(done));
             }).status(),
             "hold");
    }
  }

  static void Expect(const Status& s, const char* what) {
    FUZZ_CHECK(s.ok(), std::string("seeding the database: ") + what + ": " +
                           s.ToString());
  }

  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  agent::StockOps ops_;
  agent::StaffDirectory users_;
  agent::StaffApi api_;
};

Env& TheEnv() {
  static Env env;
  return env;
}

// Splits the text form into a request.
agent::StaffRequest ParseRequest(std::string_view in) {
  agent::StaffRequest r;
  r.peer = "127.0.0.1:40000";
  const size_t eol = in.find('\n');
  std::string_view line = in.substr(0, eol);
  const size_t space = line.find(' ');
  r.method = std::string(line.substr(0, space));
  if (space != std::string_view::npos) {
    r.target = std::string(line.substr(space + 1));
  }
  in = eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1);
  while (!in.empty()) {
    const size_t end = in.find('\n');
    line = in.substr(0, end);
    in =
        end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    if (line.empty()) break;  // the body follows
    const size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string value(line.substr(colon + 2));
    if (name == "Authorization") r.authorization = value;
    if (name == "Idempotency-Key") r.idempotency_key = value;
  }
  r.body = std::string(in);
  return r;
}

void CheckResponse(const agent::StaffResponse& resp,
                   const agent::StaffRequest& req) {
  FUZZ_CHECK(resp.status >= 100 && resp.status <= 599,
             "status " + std::to_string(resp.status));
  if (resp.content_type.rfind("application/json", 0) != 0) return;
  const nlohmann::json body =
      nlohmann::json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(!body.is_discarded(), "a JSON answer that is not JSON, to " +
                                       req.method + " " + req.target);
  if (resp.status >= 400 && req.target.rfind("/api/", 0) == 0) {
    FUZZ_CHECK(body.is_object() && body.contains("error") &&
                   body["error"].is_object() &&
                   body["error"].contains("code") &&
                   body["error"].contains("field") &&
                   body["error"].contains("message") &&
                   body["error"]["message"].is_string() &&
                   !body["error"]["message"].get<std::string>().empty(),
               "error " + std::to_string(resp.status) +
                   " without its body: " + resp.body);
  }
}

}  // namespace
}  // namespace storeagent::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  storeagent::fuzz::TheEnv();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storeagent;
  const agent::StaffRequest req = fuzz::ParseRequest(
      std::string_view(reinterpret_cast<const char*>(data), size));
  (void)agent::StaffApi::RoutePattern(req.method, req.target);
  (void)agent::StaffApi::RouteLabel(req.target);
  const agent::StaffResponse resp = fuzz::AwaitAnswer<agent::StaffResponse>(
      [&](auto reply) { fuzz::TheEnv().api().Handle(req, std::move(reply)); });
  fuzz::CheckResponse(resp, req);
  return 0;
}
