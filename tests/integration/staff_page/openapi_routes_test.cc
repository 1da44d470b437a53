// The OpenAPI document against the router's table (StaffApi::RouteList):
// every route is in the document with its method, every path and method of
// the document is a route, a route needs the bearer scheme exactly when the
// document says so, and RoutePattern maps requests onto the table.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "agent/http/openapi_document.h"
#include "agent/http/staff_api.h"

namespace storeagent::agent {
namespace {

using nlohmann::json;
using Op = std::pair<std::string, std::string>;  // method, path

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(c));
  return s;
}

json Document() {
  return json::parse(OpenApiDocument(), nullptr, /*allow_exceptions=*/false);
}

TEST(OpenApiRoutesTest, DocumentIsOpenApi3WithBearerAuth) {
  const json doc = Document();
  ASSERT_TRUE(doc.is_object()) << "agent/http/openapi.json does not parse";
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  const json& scheme = doc["components"]["securitySchemes"]["bearerAuth"];
  EXPECT_EQ(scheme["type"], "http");
  EXPECT_EQ(scheme["scheme"], "bearer");
  EXPECT_EQ(doc["security"], json::parse(R"([{"bearerAuth": []}])"));
}

TEST(OpenApiRoutesTest, EveryRouteIsDocumentedAndEveryPathRouted) {
  const json doc = Document();
  ASSERT_TRUE(doc.is_object());
  std::set<Op> routed, documented;
  for (const StaffApi::RouteInfo& r : StaffApi::RouteList()) {
    routed.emplace(std::string(r.method), std::string(r.path));
  }
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      if (method == "parameters" || method == "summary") continue;
      documented.emplace(Upper(method), path);
    }
  }
  for (const Op& op : routed) {
    EXPECT_TRUE(documented.count(op))
        << op.first << " " << op.second << " is routed but not documented";
  }
  for (const Op& op : documented) {
    EXPECT_TRUE(routed.count(op))
        << op.first << " " << op.second << " is documented but not routed";
  }
  EXPECT_EQ(routed.size(), StaffApi::RouteList().size()) << "a duplicate route";
}

TEST(OpenApiRoutesTest, DocumentedSecurityMatchesTheRoutes) {
  const json doc = Document();
  ASSERT_TRUE(doc.is_object());
  for (const StaffApi::RouteInfo& r : StaffApi::RouteList()) {
    const json& op = doc["paths"][std::string(r.path)][Lower(r.method)];
    ASSERT_TRUE(op.is_object()) << r.path;
    // An empty security list overrides the document's bearer requirement.
    const bool open = op.contains("security") && op["security"].empty();
    EXPECT_EQ(open, !r.needs_token) << r.method << " " << r.path;
    EXPECT_TRUE(op["responses"].contains("200")) << r.path;
    if (r.needs_token) {
      EXPECT_TRUE(op["responses"].contains("401")) << r.path;
    }
    if (r.needs_token && r.role == StaffRole::kManager) {
      EXPECT_TRUE(op["responses"].contains("403")) << r.path;
    }
  }
}

TEST(OpenApiRoutesTest, RoutePatternMapsRequestsOntoTheTable) {
  EXPECT_EQ(StaffApi::RoutePattern("POST", "/api/v1/holds/WEB%2F7/pick"),
            "/api/v1/holds/{order_ref}/pick");
  EXPECT_EQ(StaffApi::RoutePattern("GET", "/api/v1/holds?state=open"),
            "/api/v1/holds");
  EXPECT_EQ(StaffApi::RoutePattern("GET", "/api/v1/availability/SKU-1"),
            "/api/v1/availability/{sku}");
  EXPECT_EQ(StaffApi::RoutePattern("GET", "/healthz"), "/healthz");
  // 405: the path's template all the same.
  EXPECT_EQ(StaffApi::RoutePattern("DELETE", "/api/v1/holds"), "/api/v1/holds");
  EXPECT_EQ(StaffApi::RoutePattern("GET", "/api/v1/holds/W-1/pick"),
            "/api/v1/holds/{order_ref}/pick");
  EXPECT_EQ(StaffApi::RoutePattern("GET", "/api/v1/nothing"), "");
  EXPECT_EQ(StaffApi::RoutePattern("GET", "/app.js"), "");
}

}  // namespace
}  // namespace storeagent::agent
