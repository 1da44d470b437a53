// The pure parts of agent/http, without sockets or a database: bearer-token
// parsing and roles, request-target parsing, the JSON error shape and the
// status mapping, times in RFC 3339, field renaming and client keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "agent/http/staff_auth.h"
#include "agent/http/staff_input.h"
#include "agent/http/staff_json.h"
#include "agent/http/staff_message.h"
#include "agent/http/staff_page.h"
#include "tests/integration/staff_page/staff_test_env.h"

namespace storeagent::agent {
namespace {

using test::MakeStaffUser;
using ::testing::HasSubstr;

TEST(StaffDirectoryTest, AcceptsOnlyTheRightBearerToken) {
  StaffDirectory users({MakeStaffUser("ana", "staff", "tok-ana"),
                        MakeStaffUser("max", "manager", "tok-max")});
  ASSERT_EQ(users.size(), 2u);
  auto ana = users.Authenticate("Bearer tok-ana");
  ASSERT_TRUE(ana.has_value());
  EXPECT_EQ(ana->name, "ana");
  EXPECT_EQ(ana->role, StaffRole::kStaff);
  auto max = users.Authenticate("  bearer   tok-max ");
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->role, StaffRole::kManager);
  for (const char* bad : {"", "Bearer", "Bearer ", "tok-ana", "Basic tok-ana",
                          "Bearertok-ana", "Bearer tok-an", "Bearer tok-ana2",
                          "Bearer tok ana", "Bearer TOK-ANA"}) {
    EXPECT_FALSE(users.Authenticate(bad).has_value()) << bad;
  }
  EXPECT_FALSE(
      users.Authenticate("Bearer " + std::string(513, 'x')).has_value());
}

TEST(StaffDirectoryTest, SkipsBadEntriesAndReplacesUsers) {
  StaffUser bad_role = MakeStaffUser("eve", "admin", "tok-eve");
  StaffUser bad_hash{"bob", "staff", "short"};
  StaffDirectory users({bad_role, bad_hash});
  EXPECT_EQ(users.size(), 0u);
  EXPECT_FALSE(users.Authenticate("Bearer tok-eve").has_value());
  users.SetUsers({MakeStaffUser("zoe", "staff", "tok-zoe")});
  EXPECT_TRUE(users.Authenticate("Bearer tok-zoe").has_value());
}

TEST(StaffRoleTest, ManagerMayDoWhatStaffMay) {
  StaffIdentity staff{"ana", StaffRole::kStaff};
  StaffIdentity manager{"max", StaffRole::kManager};
  EXPECT_TRUE(HasRole(staff, StaffRole::kStaff));
  EXPECT_FALSE(HasRole(staff, StaffRole::kManager));
  EXPECT_TRUE(HasRole(manager, StaffRole::kStaff));
  EXPECT_TRUE(HasRole(manager, StaffRole::kManager));
}

TEST(StaffTargetTest, SplitsAndDecodes) {
  Result<StaffTarget> t =
      ParseStaffTarget("/api/v1/holds/A%2F1%23x/pick?state=open&q=tea+pot%21");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_THAT(t->segments,
              ::testing::ElementsAre("api", "v1", "holds", "A/1#x", "pick"));
  EXPECT_EQ(t->query.at("state"), "open");
  EXPECT_EQ(t->query.at("q"), "tea pot!");
  EXPECT_EQ(t->path, "/api/v1/holds/A%2F1%23x/pick");
  EXPECT_TRUE(ParseStaffTarget("/")->segments.empty());
  EXPECT_THAT(ParseStaffTarget("/api/v1/")->segments,
              ::testing::ElementsAre("api", "v1"));
  EXPECT_EQ(ParseStaffTarget("/a?flag")->query.at("flag"), "");
}

TEST(StaffTargetTest, RefusesBadTargets) {
  for (const char* bad :
       {"", "api/v1", "http://x/api", "/a//b", "/a%2", "/a%zz", "/a%00"}) {
    Result<StaffTarget> t = ParseStaffTarget(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(FieldOf(t.status().message()), "path") << bad;
  }
  Result<StaffTarget> q = ParseStaffTarget("/a?q=%G1");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(FieldOf(q.status().message()), "q");
}

TEST(StaffJsonTest, StatusMapping) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500);
}

TEST(StaffJsonTest, ErrorBodyNamesTheField) {
  StaffResponse r =
      ErrorResponse(InvalidArgument("found[1].quantity: must be 0..1000000"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j, (nlohmann::json{
                   {"error",
                    {{"code", "INVALID_ARGUMENT"},
                     {"field", "found[1].quantity"},
                     {"message", "found[1].quantity: must be 0..1000000"}}}}));
  EXPECT_EQ(FieldOf("no colon here"), "");
}

TEST(StaffJsonTest, Rfc3339) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(1'700'000'000'000'000), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(FormatRfc3339(951'782'400'123'999), "2000-02-29T00:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
}

TEST(StaffJsonTest, AgeNeverNegative) {
  FakeClock clock(1'000'000);
  v1::AsOf as_of;
  as_of.set_seq(7);
  as_of.set_at_us(3'500'000);  // ahead of the clock
  EXPECT_EQ(AsOfJson(as_of, clock)["age_ms"], 0);
  as_of.set_at_us(250'000);
  EXPECT_EQ(AsOfJson(as_of, clock)["age_ms"], 750);
  EXPECT_EQ(AsOfJson(as_of, clock)["seq"], 7);
}

TEST(StaffInputTest, RenamesProtoPathsToApiNames) {
  constexpr FieldRename kRenames[] = {
      {"movement.lines[0]", ""},
      {"movement", ""},
      {"client_key.client_txn_id", "Idempotency-Key"},
      {"query", "q"}};
  auto renamed = [&](const std::string& m) {
    return RenameField(InvalidArgument(m), kRenames).message();
  };
  EXPECT_EQ(renamed("movement.lines[0].quantity: must be non-zero"),
            "quantity: must be non-zero");
  EXPECT_EQ(renamed("movement.note: too long"), "note: too long");
  EXPECT_EQ(renamed("client_key.client_txn_id: bad"), "Idempotency-Key: bad");
  EXPECT_EQ(renamed("query: empty"), "q: empty");
  EXPECT_EQ(renamed("query_extra: x"), "query_extra: x");  // not a prefix
  EXPECT_EQ(renamed("other: x"), "other: x");
  EXPECT_EQ(RenameField(NotFound("query: x"), kRenames).code(),
            StatusCode::kNotFound);
}

TEST(StaffInputTest, IdempotencyKeyAndClientKeys) {
  EXPECT_TRUE(CheckIdempotencyKey(std::nullopt, false).ok());
  EXPECT_FALSE(CheckIdempotencyKey(std::nullopt, true).ok());
  EXPECT_TRUE(CheckIdempotencyKey(std::string(64, 'k'), true).ok());
  EXPECT_FALSE(CheckIdempotencyKey(std::string(65, 'k'), true).ok());
  EXPECT_FALSE(CheckIdempotencyKey(std::string(""), true).ok());
  EXPECT_FALSE(CheckIdempotencyKey(std::string("a b"), true).ok());
  EXPECT_EQ(FieldOf(CheckIdempotencyKey(std::string("a/b"), true).message()),
            "Idempotency-Key");

  EXPECT_EQ(StaffTerminalId("ana"), "staff:ana");
  EXPECT_EQ(StaffTerminalId("Ana María"), "staff:Ana_Mar__a");  // UTF-8 bytes
  EXPECT_EQ(StaffTerminalId(std::string(100, 'x')).size(), 64u);

  EXPECT_EQ(DefaultTxnId("pick", "WEB-1"), "pick-WEB-1");
  const std::string hashed = DefaultTxnId("pick", "WEB/1#2");
  EXPECT_THAT(hashed, ::testing::StartsWith("pick-h"));
  EXPECT_EQ(hashed.size(), 46u);
  EXPECT_NE(hashed, DefaultTxnId("pick", "WEB/1#3"));
  EXPECT_LE(DefaultTxnId("short-pick", std::string(64, 'o')).size(), 64u);
  EXPECT_TRUE(CheckIdempotencyKey(DefaultTxnId("collect", "A/B"), true).ok());
}

TEST(StaffInputTest, JsonBodyFields) {
  EXPECT_TRUE(ParseJsonBody("")->empty());
  EXPECT_TRUE(ParseJsonBody(" \r\n")->empty());
  Result<nlohmann::json> bad = ParseJsonBody("{\"a\":");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("body: malformed JSON at byte"));
  EXPECT_FALSE(ParseJsonBody("3").ok());

  nlohmann::json body = *ParseJsonBody(
      R"({"n":-5,"big":18446744073709551615,"f":1.5,"s":"x","nul":null})");
  int64_t n = 0;
  EXPECT_TRUE(ReadInt64(body, "n", "", true, &n).ok());
  EXPECT_EQ(n, -5);
  EXPECT_EQ(FieldOf(ReadInt64(body, "big", "", true, &n).message()), "big");
  EXPECT_EQ(FieldOf(ReadInt64(body, "f", "", true, &n).message()), "f");
  EXPECT_EQ(FieldOf(ReadInt64(body, "s", "found[2]", true, &n).message()),
            "found[2].s");
  EXPECT_TRUE(ReadInt64(body, "nul", "", false, &n).ok());
  EXPECT_FALSE(ReadInt64(body, "missing", "", true, &n).ok());
  std::string s;
  EXPECT_TRUE(ReadString(body, "s", "", true, &s).ok());
  EXPECT_EQ(s, "x");
  EXPECT_FALSE(ReadString(body, "n", "", true, &s).ok());
  EXPECT_EQ(FieldOf(CheckKnownFields(body, {"n", "big", "f", "s"}).message()),
            "nul");

  std::map<std::string, std::string> query = {{"limit", "12"}, {"bad", "1x"}};
  EXPECT_EQ(*QueryInt(query, "limit", 0), 12);
  EXPECT_EQ(*QueryInt(query, "absent", 7), 7);
  EXPECT_FALSE(QueryInt(query, "bad", 0).ok());
  query["limit"] = "99999999999";
  EXPECT_FALSE(QueryInt(query, "limit", 0).ok());
}

TEST(StaffPageTest, ServesThePageAndItsFiles) {
  const StaticAsset* page = FindStaticAsset("/");
  ASSERT_NE(page, nullptr);
  EXPECT_THAT(std::string(page->body), HasSubstr("<script src=\"/app.js\""));
  EXPECT_THAT(std::string(page->body),
              HasSubstr("data-testid=\"login-token\""));
  // No external assets: nothing is fetched from another origin.
  for (const char* path : {"/", "/app.js", "/app.css"}) {
    const StaticAsset* a = FindStaticAsset(path);
    ASSERT_NE(a, nullptr) << path;
    EXPECT_EQ(std::string(a->body).find("http://"), std::string::npos) << path;
    EXPECT_EQ(std::string(a->body).find("https://"), std::string::npos) << path;
  }
  EXPECT_EQ(FindStaticAsset("/app.js.map"), nullptr);
  EXPECT_EQ(FindStaticAsset("/../etc/passwd"), nullptr);
}

}  // namespace
}  // namespace storeagent::agent
