// The staff JSON API end to end: the agent and StaffHttpServer in this
// process, a real HTTP/1.1 client on 127.0.0.1.
//
// Every endpoint is called with no token, a wrong token, a staff token and a
// manager token; refused calls change nothing. Bad input is a 400 naming the
// field; unknown paths, wrong methods and oversize requests get 404, 405,
// 413 and 431; holds picked and collected change their state and the
// figures; a retried pick is replayed; and the transport's limits
// (connections, timeouts, keep-alive) hold.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "agent/http/staff_json.h"
#include "tests/integration/staff_page/staff_test_env.h"
#include "tests/support/stderr_capture.h"

namespace storeagent::agent::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kMug = "SKU-MUG";
const std::string kTea = "SKU-TEA";

v1::Product MakeProduct(const std::string& sku, const std::string& name,
                        const std::string& gtin, int64_t safety_stock) {
  v1::Product p;
  p.set_sku(sku);
  p.set_name(name);
  p.add_gtins(gtin);
  p.set_department("kitchen");
  p.set_unit("each");
  p.set_safety_stock(safety_stock);
  p.mutable_price()->set_minor_units(1299);
  p.mutable_price()->set_currency("EUR");
  return p;
}

class StaffApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.Start(Limits()).ok());
    mug_gtin_ = WithGs1CheckDigit("400638133393");
    tea_gtin_ = WithGs1CheckDigit("400638133394");
    Result<v1::ImportCatalogResponse> cat =
        env_.ImportCatalog({MakeProduct(kMug, "Coffee mug blue", mug_gtin_, 0),
                            MakeProduct(kTea, "Tea pot", tea_gtin_, 1)});
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    ASSERT_TRUE(env_.Receive(kMug, 100, "seed-mug").ok());
    ASSERT_TRUE(env_.Receive(kTea, 20, "seed-tea").ok());
  }

  virtual StaffHttpLimits Limits() { return {}; }

  HttpReply Call(const std::string& token, const std::string& method,
                 const std::string& target, const std::string& body = "",
                 Headers extra = {}) {
    HttpClient client(env_.port());
    Headers h = Auth(token);
    h.insert(h.end(), extra.begin(), extra.end());
    return client.Send(method, target, body, h);
  }

  HttpReply Get(const std::string& target,
                const std::string& token = kManagerToken) {
    return Call(token, "GET", target);
  }

  HttpReply Post(const std::string& target, const std::string& body,
                 const std::string& token = kManagerToken,
                 const std::string& key = "") {
    Headers h;
    if (!key.empty()) h.emplace_back("Idempotency-Key", key);
    return Call(token, "POST", target, body, h);
  }

  void PlaceHold(const std::string& order, const std::string& sku,
                 int64_t quantity) {
    Result<v1::PlaceHoldResponse> r = env_.PlaceHold(order, {{sku, quantity}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->granted()) << order;
  }

  v1::SkuAvailability Figures(const std::string& sku) {
    Result<v1::SkuAvailability> a = env_.Availability(sku);
    EXPECT_TRUE(a.ok()) << a.status().ToString();
    return a.ok() ? *a : v1::SkuAvailability();
  }

  StaffEnv env_;
  std::string mug_gtin_;
  std::string tea_gtin_;
};

// The error body of a refused call, and its field.
void ExpectError(const HttpReply& r, int status, const std::string& code,
                 const std::string& field) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "application/json") << r.body;
  ASSERT_TRUE(r.json.is_object()) << r.body;
  ASSERT_TRUE(r.json.contains("error")) << r.body;
  EXPECT_EQ(r.json["error"]["code"], code) << r.body;
  EXPECT_EQ(r.json["error"]["field"], field) << r.body;
  EXPECT_FALSE(r.json["error"]["message"].get<std::string>().empty());
}

void ExpectAsOf(const HttpReply& r) {
  ASSERT_TRUE(r.json.contains("as_of")) << r.body;
  const auto& a = r.json["as_of"];
  EXPECT_TRUE(a["seq"].is_number_unsigned()) << r.body;
  EXPECT_TRUE(a["at"].is_string()) << r.body;
  EXPECT_TRUE(a["age_ms"].is_number_integer()) << r.body;
  EXPECT_GE(a["age_ms"].get<int64_t>(), 0);
}

// ---- Authentication and roles, every endpoint ------------------------------

struct Endpoint {
  std::string method;
  std::string target;
  std::string body;
  bool manager_only;
  std::string key;  // Idempotency-Key, "" for none
};

// The endpoints as `who` calls them: hold actions on that user's own
// orders, so each succeeds once.
std::vector<Endpoint> Endpoints(const std::string& who) {
  return {
      {"GET", "/api/v1/whoami", "", false, ""},
      {"GET", "/api/v1/products?q=Coffee", "", false, ""},
      {"GET", "/api/v1/availability/SKU-MUG", "", false, ""},
      {"GET", "/api/v1/holds", "", false, ""},
      {"GET", "/api/v1/holds/PICK-ana", "", false, ""},
      {"POST", "/api/v1/holds/PICK-" + who + "/pick", "", false, ""},
      {"POST", "/api/v1/holds/COLLECT-" + who + "/collect", "", false, ""},
      {"POST", "/api/v1/holds/CANCEL-" + who + "/cancel",
       R"({"reason":"customer called"})", true, ""},
      {"POST", "/api/v1/holds/SHORT-" + who + "/short-pick", R"({"found":[]})",
       true, ""},
      {"POST", "/api/v1/stock/SKU-MUG/adjust",
       R"({"reason":"shrink","quantity":-1,"note":"broken"})", true,
       "adjust-" + who},
      {"POST", "/api/v1/stock/SKU-MUG/count", R"({"counted":50})", true,
       "count-" + who},
      {"GET", "/api/v1/reports/day?day=2026-03-14", "", true, ""},
  };
}

TEST_F(StaffApiTest, EveryEndpointChecksTokenAndRole) {
  for (const std::string who : {"ana", "max"}) {
    PlaceHold("PICK-" + who, kMug, 1);
    PlaceHold("COLLECT-" + who, kMug, 1);
    ASSERT_TRUE(env_.Pick("COLLECT-" + who).ok());
    PlaceHold("CANCEL-" + who, kMug, 1);
    PlaceHold("SHORT-" + who, kMug, 1);
  }
  struct Caller {
    std::string label;
    Headers auth;
    std::string who;  // whose orders
  };
  const std::vector<Caller> callers = {
      {"no token", {}, "ana"},
      {"wrong token", Auth("not-a-token"), "ana"},
      {"wrong scheme",
       {{"Authorization", std::string("Basic ") + kStaffToken}},
       "ana"},
      {"staff", Auth(kStaffToken), "ana"},
      {"manager", Auth(kManagerToken), "max"},
  };
  for (const Caller& c : callers) {
    for (const Endpoint& e : Endpoints(c.who)) {
      SCOPED_TRACE(c.label + ": " + e.method + " " + e.target);
      const uint64_t head = env_.HeadSeq();
      Headers h = c.auth;
      if (!e.key.empty()) h.emplace_back("Idempotency-Key", e.key);
      HttpReply r = HttpClient(env_.port()).Send(e.method, e.target, e.body, h);
      if (c.auth.empty() || c.label.starts_with("wrong")) {
        ExpectError(r, 401, "UNAUTHENTICATED", "Authorization");
        EXPECT_THAT(r.headers["www-authenticate"], StartsWith("Bearer"));
        EXPECT_EQ(env_.HeadSeq(), head) << "a refused call changed the journal";
      } else if (c.label == "staff" && e.manager_only) {
        ExpectError(r, 403, "PERMISSION_DENIED", "role");
        EXPECT_EQ(env_.HeadSeq(), head) << "a refused call changed the journal";
      } else {
        EXPECT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.headers["content-type"], "application/json");
        if (e.target != "/api/v1/whoami") ExpectAsOf(r);
      }
    }
  }
  // What staff were refused is still to do; what managers did is done.
  EXPECT_EQ(env_.GetHold("CANCEL-ana")->hold().state(), v1::HOLD_STATE_HELD);
  EXPECT_EQ(env_.GetHold("SHORT-ana")->hold().state(), v1::HOLD_STATE_HELD);
  EXPECT_EQ(env_.GetHold("CANCEL-max")->hold().state(),
            v1::HOLD_STATE_CANCELLED);
  EXPECT_EQ(env_.GetHold("PICK-ana")->hold().state(), v1::HOLD_STATE_PICKED);
  EXPECT_EQ(env_.GetHold("COLLECT-ana")->hold().state(),
            v1::HOLD_STATE_COLLECTED);
}

TEST_F(StaffApiTest, WhoAmINamesUserAndRole) {
  HttpReply staff = Get("/api/v1/whoami", kStaffToken);
  ASSERT_EQ(staff.status, 200);
  EXPECT_EQ(staff.json, (nlohmann::json{{"name", "ana"}, {"role", "staff"}}));
  HttpReply manager = Get("/api/v1/whoami", kManagerToken);
  EXPECT_EQ(manager.json,
            (nlohmann::json{{"name", "max"}, {"role", "manager"}}));
}

// A failed login is a warning with the client's address and why, and
// never the token that was tried.
TEST_F(StaffApiTest, AFailedLoginIsLoggedAtWarnWithTheClientAddress) {
  const std::string out = testing::CaptureStderr([&] {
    ExpectError(Get("/api/v1/whoami", "guessed-token-123"), 401,
                "UNAUTHENTICATED", "Authorization");
    ExpectError(Get("/api/v1/holds", ""), 401, "UNAUTHENTICATED",
                "Authorization");
  });
  EXPECT_THAT(out, HasSubstr("level=warn event=http.auth_failed "
                             "peer=127.0.0.1:"));
  EXPECT_THAT(out, HasSubstr("why=\"the bearer token matches no staff user\" "
                             "method=GET path=/api/v1/whoami"));
  EXPECT_THAT(out, HasSubstr("why=\"no Authorization header\" method=GET "
                             "path=/api/v1/holds"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("guessed-token-123")));
  // A good token logs nothing at warn.
  const std::string ok = testing::CaptureStderr(
      [&] { EXPECT_EQ(Get("/api/v1/whoami", kStaffToken).status, 200); });
  EXPECT_THAT(ok, ::testing::Not(HasSubstr("auth_failed")));
}

TEST_F(StaffApiTest, SetUsersReplacesTokens) {
  env_.http().SetUsers({MakeStaffUser("zoe", "manager", "fresh-token")});
  ExpectError(Get("/api/v1/whoami", kManagerToken), 401, "UNAUTHENTICATED",
              "Authorization");
  HttpReply r = Get("/api/v1/whoami", "fresh-token");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json["name"], "zoe");
}

// ---- Lookups ----------------------------------------------------------------

TEST_F(StaffApiTest, SearchFindsByGtinSkuAndNamePrefix) {
  PlaceHold("WEB-1", kMug, 4);
  for (const std::string& q : {mug_gtin_, kMug, std::string("coffee%20M")}) {
    SCOPED_TRACE(q);
    HttpReply r = Get("/api/v1/products?q=" + q, kStaffToken);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json["products"].size(), 1u) << r.body;
    const auto& p = r.json["products"][0];
    EXPECT_EQ(p["product"]["sku"], kMug);
    EXPECT_EQ(p["product"]["name"], "Coffee mug blue");
    EXPECT_EQ(p["product"]["gtins"][0], mug_gtin_);
    EXPECT_EQ(p["product"]["price"]["minor_units"], 1299);
    EXPECT_EQ(p["availability"]["on_hand"], 100);
    EXPECT_EQ(p["availability"]["held"], 4);
    EXPECT_EQ(p["availability"]["available"], 96);
    ExpectAsOf(r);
    EXPECT_EQ(r.json["as_of"]["seq"], env_.HeadSeq());
    EXPECT_EQ(r.json["as_of"]["at"], FormatRfc3339(env_.clock().NowMicros()));
  }
  HttpReply none = Get("/api/v1/products?q=Nothing+like+this", kStaffToken);
  EXPECT_EQ(none.status, 200);
  EXPECT_TRUE(none.json["products"].empty());
}

TEST_F(StaffApiTest, AvailabilityHasFiguresAndAge) {
  PlaceHold("WEB-2", kTea, 5);
  HttpReply r = Get("/api/v1/availability/SKU-TEA", kStaffToken);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto& item = r.json["item"];
  EXPECT_EQ(item["sku"], kTea);
  EXPECT_EQ(item["on_hand"], 20);
  EXPECT_EQ(item["held"], 5);
  EXPECT_EQ(item["safety_stock"], 1);
  EXPECT_EQ(item["available"], 14);
  EXPECT_EQ(item["in_catalog"], true);
  ExpectAsOf(r);
  EXPECT_EQ(r.json["as_of"]["at"], "2023-11-14T22:13:20.000Z");

  HttpReply unknown = Get("/api/v1/availability/NO-SUCH-SKU", kStaffToken);
  ASSERT_EQ(unknown.status, 200) << unknown.body;
  EXPECT_EQ(unknown.json["item"]["in_catalog"], false);
  EXPECT_EQ(unknown.json["item"]["on_hand"], 0);
}

TEST_F(StaffApiTest, HoldsListFiltersByState) {
  PlaceHold("WEB-A", kMug, 1);
  PlaceHold("WEB-B", kMug, 2);
  ASSERT_TRUE(env_.Pick("WEB-B").ok());
  auto refs = [](const HttpReply& r) {
    std::vector<std::string> out;
    for (const auto& h : r.json["holds"]) out.push_back(h["order_ref"]);
    return out;
  };
  HttpReply open = Get("/api/v1/holds", kStaffToken);
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_THAT(refs(open), ::testing::UnorderedElementsAre("WEB-A", "WEB-B"));
  ExpectAsOf(open);
  EXPECT_THAT(refs(Get("/api/v1/holds?state=picked", kStaffToken)),
              ::testing::ElementsAre("WEB-B"));
  EXPECT_THAT(refs(Get("/api/v1/holds?state=held", kStaffToken)),
              ::testing::ElementsAre("WEB-A"));
  EXPECT_TRUE(refs(Get("/api/v1/holds?state=collected", kStaffToken)).empty());
  EXPECT_EQ(Get("/api/v1/holds?limit=1", kStaffToken).json["holds"].size(), 1u);

  HttpReply one = Get("/api/v1/holds/WEB-B", kStaffToken);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json["hold"]["state"], "picked");
  EXPECT_EQ(one.json["hold"]["lines"][0],
            (nlohmann::json{{"sku", kMug}, {"quantity", 2}}));
  ExpectAsOf(one);
  ExpectError(Get("/api/v1/holds/WEB-NONE", kStaffToken), 404, "NOT_FOUND",
              "order_ref");
}

// ---- Hold actions -----------------------------------------------------------

TEST_F(StaffApiTest, PickThenCollectChangesStateAndFigures) {
  PlaceHold("WEB-1001", kTea, 3);
  v1::SkuAvailability before = Figures(kTea);
  EXPECT_EQ(before.on_hand(), 20);
  EXPECT_EQ(before.held(), 3);

  // Collecting before picking is refused and changes nothing.
  const uint64_t head = env_.HeadSeq();
  HttpReply early = Post("/api/v1/holds/WEB-1001/collect", "", kStaffToken);
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_EQ(early.json["error"]["code"], "FAILED_PRECONDITION") << early.body;
  EXPECT_EQ(env_.HeadSeq(), head);
  HttpReply pick = Post("/api/v1/holds/WEB-1001/pick", "", kStaffToken);
  ASSERT_EQ(pick.status, 200) << pick.body;
  EXPECT_EQ(pick.json["hold"]["state"], "picked");
  EXPECT_EQ(pick.json["replayed"], false);
  ExpectAsOf(pick);
  EXPECT_EQ(Figures(kTea).held(), 3);  // picked still counts as held

  HttpReply collect = Post("/api/v1/holds/WEB-1001/collect", "", kStaffToken);
  ASSERT_EQ(collect.status, 200) << collect.body;
  EXPECT_EQ(collect.json["hold"]["state"], "collected");
  v1::SkuAvailability after = Figures(kTea);
  EXPECT_EQ(after.held(), 0);
  EXPECT_EQ(after.on_hand(), 17);
  EXPECT_EQ(after.available(), 16);  // safety stock 1

  HttpReply avail = Get("/api/v1/availability/SKU-TEA", kStaffToken);
  EXPECT_EQ(avail.json["item"]["on_hand"], 17);
  EXPECT_EQ(avail.json["item"]["held"], 0);
  EXPECT_EQ(env_.GetHold("WEB-1001")->hold().state(), v1::HOLD_STATE_COLLECTED);
}

TEST_F(StaffApiTest, RepeatedPickIsReplayed) {
  PlaceHold("WEB-K", kMug, 1);
  PlaceHold("WEB-D", kMug, 1);
  HttpReply first =
      Post("/api/v1/holds/WEB-K/pick", "", kStaffToken, "click-7f3a");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json["replayed"], false);
  const uint64_t head = env_.HeadSeq();
  HttpReply again =
      Post("/api/v1/holds/WEB-K/pick", "", kStaffToken, "click-7f3a");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["replayed"], true);
  EXPECT_EQ(again.json["hold"]["state"], "picked");
  EXPECT_EQ(env_.HeadSeq(), head) << "a replay appended an event";

  // Without a key, a double click is still one pick ("pick-<order>").
  ASSERT_EQ(Post("/api/v1/holds/WEB-D/pick", "", kStaffToken).status, 200);
  HttpReply dbl = Post("/api/v1/holds/WEB-D/pick", "", kStaffToken);
  ASSERT_EQ(dbl.status, 200) << dbl.body;
  EXPECT_EQ(dbl.json["replayed"], true);
}

TEST_F(StaffApiTest, ManagerCancelsAndShortPicks) {
  PlaceHold("WEB-C", kMug, 2);
  PlaceHold("WEB-S", kMug, 5);
  HttpReply cancel =
      Post("/api/v1/holds/WEB-C/cancel", R"({"reason":"customer called"})");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(cancel.json["hold"]["state"], "cancelled");
  HttpReply sp = Post("/api/v1/holds/WEB-S/short-pick",
                      R"({"found":[{"sku":"SKU-MUG","quantity":3}]})");
  ASSERT_EQ(sp.status, 200) << sp.body;
  EXPECT_EQ(sp.json["hold"]["state"], "cancelled");
  v1::SkuAvailability mug = Figures(kMug);
  EXPECT_EQ(mug.held(), 0);
  EXPECT_EQ(mug.on_hand(), 98);  // two were not on the shelf
}

// ---- Stock ------------------------------------------------------------------

TEST_F(StaffApiTest, ManagerAdjustsAndCountsStock) {
  HttpReply adj = Post("/api/v1/stock/SKU-TEA/adjust",
                       R"({"reason":"receipt","quantity":5,"note":"late box"})",
                       kManagerToken, "adj-1");
  ASSERT_EQ(adj.status, 200) << adj.body;
  EXPECT_EQ(adj.json["replayed"], false);
  EXPECT_EQ(adj.json["item"]["on_hand"], 25);
  ExpectAsOf(adj);
  HttpReply again =
      Post("/api/v1/stock/SKU-TEA/adjust",
           R"({"reason":"receipt","quantity":5,"note":"late box"})",
           kManagerToken, "adj-1");
  EXPECT_EQ(again.json["replayed"], true) << again.body;
  EXPECT_EQ(again.json["seq"], adj.json["seq"]);
  EXPECT_EQ(Figures(kTea).on_hand(), 25);

  HttpReply hold =
      Post("/api/v1/stock/SKU-TEA/adjust",
           R"({"reason":"quality_hold","quantity":2})", kManagerToken, "adj-2");
  ASSERT_EQ(hold.status, 200) << hold.body;
  EXPECT_EQ(hold.json["item"]["unavailable"], 2);

  HttpReply count = Post("/api/v1/stock/SKU-TEA/count", R"({"counted":12})",
                         kManagerToken, "count-1");
  ASSERT_EQ(count.status, 200) << count.body;
  EXPECT_EQ(count.json["item"]["on_hand"], 12);
  EXPECT_EQ(Figures(kTea).on_hand(), 12);
}

// ---- Bad input: 400 naming the field
// -----------------------------------------

TEST_F(StaffApiTest, BadInputNamesTheField) {
  PlaceHold("WEB-X", kMug, 2);
  struct Case {
    std::string method, target, body, key, field;
  };
  const std::string adjust = "/api/v1/stock/SKU-MUG/adjust";
  const std::vector<Case> cases = {
      {"GET", "/api/v1/products", "", "", "q"},
      {"GET", "/api/v1/products?q=", "", "", "q"},
      {"GET", "/api/v1/products?q=" + std::string(129, 'a'), "", "", "q"},
      {"GET", "/api/v1/products?q=mug&limit=ten", "", "", "limit"},
      {"GET", "/api/v1/products?q=mug&limit=51", "", "", "limit"},
      {"GET", "/api/v1/holds?state=lost", "", "", "state"},
      {"GET", "/api/v1/holds?limit=1001", "", "", "limit"},
      {"GET", "/api/v1/availability/" + std::string(65, 'S'), "", "", "sku"},
      {"GET", "/api/v1/holds/bad%20ref", "", "", "order_ref"},
      {"POST", adjust, R"({"reason":"shrink","quantity":-1})", "",
       "Idempotency-Key"},
      {"POST", adjust, R"({"reason":"shrink","quantity":-1})", "bad key!",
       "Idempotency-Key"},
      {"POST", adjust, R"({"reason":"stolen","quantity":-1})", "k1", "reason"},
      {"POST", adjust, R"({"quantity":-1})", "k2", "reason"},
      {"POST", adjust, R"({"reason":"shrink","quantity":"two"})", "k3",
       "quantity"},
      {"POST", adjust, R"({"reason":"shrink","quantity":1.5})", "k4",
       "quantity"},
      {"POST", adjust, R"({"reason":"shrink","quantity":0})", "k5", "quantity"},
      {"POST", adjust, R"({"reason":"shrink","quantity":3})", "k6", "quantity"},
      {"POST", adjust, R"({"reason":"shrink","quantity":-1,"note":7})", "k7",
       "note"},
      {"POST", adjust,
       R"({"reason":"shrink","quantity":-1,"note":")" + std::string(129, 'n') +
           "\"}",
       "k8", "note"},
      {"POST", adjust, R"({"reason":"shrink","quantity":-1,"qty":1})", "k9",
       "qty"},
      {"POST", adjust, R"({"reason":"shrink", "quantity":)", "k10", "body"},
      {"POST", adjust, R"([1,2])", "k11", "body"},
      {"POST", "/api/v1/stock/SKU-MUG/count", R"({"counted":-3})", "k12",
       "counted"},
      {"POST", "/api/v1/stock/SKU-MUG/count", R"({})", "k13", "counted"},
      {"POST", "/api/v1/holds/WEB-X/short-pick", R"({"found":{}})", "",
       "found"},
      {"POST", "/api/v1/holds/WEB-X/short-pick",
       R"({"found":[{"sku":"SKU-MUG","quantity":-1}]})", "",
       "found[0].quantity"},
      {"POST", "/api/v1/holds/WEB-X/short-pick",
       R"({"found":[{"quantity":1}]})", "", "found[0].sku"},
      {"POST", "/api/v1/holds/WEB-X/cancel",
       R"({"reason":")" + std::string(129, 'r') + "\"}", "", "reason"},
      {"POST", "/api/v1/holds/WEB-X/pick", R"({"force":true})", "", "force"},
  };
  const uint64_t head = env_.HeadSeq();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target.substr(0, 80) + " " +
                 c.body.substr(0, 80));
    HttpReply r = c.method == "GET"
                      ? Get(c.target)
                      : Post(c.target, c.body, kManagerToken, c.key);
    ExpectError(r, 400, "INVALID_ARGUMENT", c.field);
  }
  EXPECT_EQ(env_.HeadSeq(), head) << "bad input changed the journal";
  EXPECT_EQ(env_.GetHold("WEB-X")->hold().state(), v1::HOLD_STATE_HELD);
}

// ---- Paths, methods, sizes
// ----------------------------------------------------

TEST_F(StaffApiTest, UnknownPathIs404) {
  ExpectError(Get("/api/v1/nothing"), 404, "NOT_FOUND", "path");
  ExpectError(Get("/api/v2/whoami"), 404, "NOT_FOUND", "path");
  ExpectError(Get("/api/v1/holds/A/B/C"), 404, "NOT_FOUND", "path");
  ExpectError(Get("/secret.txt", ""), 404, "NOT_FOUND", "path");
  // Without a token the API says only that a token is needed.
  ExpectError(Get("/api/v1/nothing", ""), 401, "UNAUTHENTICATED",
              "Authorization");
}

TEST_F(StaffApiTest, WrongMethodIs405) {
  HttpReply del = Call(kManagerToken, "DELETE", "/api/v1/whoami");
  ExpectError(del, 405, "METHOD_NOT_ALLOWED", "method");
  EXPECT_EQ(del.headers["allow"], "GET");
  HttpReply get_pick = Get("/api/v1/holds/WEB-1/pick");
  ExpectError(get_pick, 405, "METHOD_NOT_ALLOWED", "method");
  EXPECT_EQ(get_pick.headers["allow"], "POST");
  HttpReply post_hold = Post("/api/v1/holds/WEB-1", "{}");
  ExpectError(post_hold, 405, "METHOD_NOT_ALLOWED", "method");
  HttpReply post_page = Post("/", "{}", "");
  ExpectError(post_page, 405, "METHOD_NOT_ALLOWED", "method");
}

TEST_F(StaffApiTest, BodyLimitIs64KiB) {
  // Exactly the limit: accepted (padding is JSON whitespace).
  std::string body = R"({"reason":"receipt","quantity":1,"note":"edge"})";
  std::string at_limit = body + std::string(64 * 1024 - body.size(), ' ');
  ASSERT_EQ(at_limit.size(), 65536u);
  HttpReply ok =
      Post("/api/v1/stock/SKU-MUG/adjust", at_limit, kManagerToken, "edge-1");
  EXPECT_EQ(ok.status, 200) << ok.body;
  // One byte more: 413, nothing recorded.
  const uint64_t head = env_.HeadSeq();
  HttpReply big = Post("/api/v1/stock/SKU-MUG/adjust", at_limit + " ",
                       kManagerToken, "edge-2");
  ExpectError(big, 413, "PAYLOAD_TOO_LARGE", "body");
  EXPECT_EQ(env_.HeadSeq(), head);
}

TEST_F(StaffApiTest, HeaderLimitIs8KiB) {
  std::string request =
      "GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
      std::string(kStaffToken) + "\r\nX-Pad: " + std::string(8 * 1024, 'p') +
      "\r\n\r\n";
  std::string raw = HttpClient::Raw(env_.port(), request);
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 431")) << raw.substr(0, 200);
  EXPECT_THAT(raw, HasSubstr("HEADERS_TOO_LARGE"));
}

TEST_F(StaffApiTest, ExpectContinueIsHonoured) {
  const std::string body = R"({"reason":"receipt","quantity":2})";
  std::string raw = HttpClient::Raw(
      env_.port(),
      "POST /api/v1/stock/SKU-MUG/adjust HTTP/1.1\r\nHost: x\r\n"
      "Authorization: Bearer " +
          std::string(kManagerToken) +
          "\r\nIdempotency-Key: cont-1\r\nExpect: 100-continue\r\n"
          "Connection: close\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body);
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"))
      << raw;
  EXPECT_EQ(Figures(kMug).on_hand(), 102);
}

TEST_F(StaffApiTest, MalformedHttpIs400) {
  std::string raw = HttpClient::Raw(env_.port(), "HELLO\r\n\r\n");
  EXPECT_THAT(raw, StartsWith("HTTP/1.1 400")) << raw;
}

TEST_F(StaffApiTest, PageNeedsNoToken) {
  HttpReply page = Get("/", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr("data-testid=\"search-input\""));
  EXPECT_THAT(page.headers["content-security-policy"],
              HasSubstr("default-src 'self'"));
  HttpReply js = Get("/app.js", "");
  ASSERT_EQ(js.status, 200);
  EXPECT_THAT(js.headers["content-type"], StartsWith("text/javascript"));
  EXPECT_THAT(js.body, HasSubstr("/api/v1/products"));
  EXPECT_EQ(Get("/app.css", "").status, 200);
  HttpReply head = HttpClient(env_.port()).Send("HEAD", "/");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-length"], std::to_string(page.body.size()));
}

TEST_F(StaffApiTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient client(env_.port());
  for (int i = 0; i < 5; ++i) {
    HttpReply r = client.Send("GET", "/api/v1/whoami", "", Auth(kStaffToken));
    ASSERT_EQ(r.status, 200) << r.error;
    EXPECT_TRUE(client.connected())
        << "the server closed a keep-alive connection";
  }
}

TEST_F(StaffApiTest, StopClosesAndIsIdempotent) {
  const int port = env_.port();
  HttpClient client(port);
  ASSERT_EQ(client.Send("GET", "/api/v1/whoami", "", Auth(kStaffToken)).status,
            200);
  env_.http().Stop();
  env_.http().Stop();
  HttpReply after = client.Send("GET", "/api/v1/whoami", "", Auth(kStaffToken));
  EXPECT_EQ(after.status, 0) << "answered after Stop()";
  EXPECT_EQ(HttpClient(port).Send("GET", "/").status, 0);
}

// ---- Transport limits with small values
// ---------------------------------------

class StaffApiLimitsTest : public StaffApiTest {
 protected:
  StaffHttpLimits Limits() override {
    StaffHttpLimits l;
    l.max_connections = 4;
    l.io_timeout_ms = 500;
    return l;
  }
};

TEST_F(StaffApiLimitsTest, ConnectionsOverTheLimitGet503) {
  std::vector<std::unique_ptr<HttpClient>> open;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<HttpClient>(env_.port()));
    ASSERT_EQ(open.back()->Send("GET", "/").status, 200);
  }
  HttpReply refused = HttpClient(env_.port()).Send("GET", "/");
  ExpectError(refused, 503, "UNAVAILABLE", "connections");
  // Once one closes, there is room again (the server notices within the
  // time it takes to read the close).
  open.pop_back();
  int status = 0;
  for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
    status = HttpClient(env_.port()).Send("GET", "/").status;
  }
  EXPECT_EQ(status, 200);
}

TEST_F(StaffApiLimitsTest, IdleAndSlowConnectionsAreClosed) {
  // Half a request, then nothing: the server closes after its 0.5 s
  // timeout, well before the client's own 5 s.
  bool closed = false;
  std::string raw =
      HttpClient::Raw(env_.port(), "GET /api/v1/whoami HTTP/1.1\r\n", &closed);
  EXPECT_TRUE(closed) << "the server kept a stalled request open";
  EXPECT_EQ(raw, "");
  // An idle keep-alive connection is closed too.
  HttpClient client(env_.port());
  ASSERT_EQ(client.Send("GET", "/").status, 200);
  EXPECT_TRUE(client.ServerClosed(5000)) << "an idle connection stayed open";
}

}  // namespace
}  // namespace storeagent::agent::test
