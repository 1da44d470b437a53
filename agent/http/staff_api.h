// StaffApi: the staff page and JSON API behind the HTTP transport: routing,
// bearer-token authentication, roles, request parsing, the StockOps calls
// and the JSON answers. Knows no sockets, so it is tested without them.
//
//   GET  /, /app.js, /app.css, /favicon.svg        the page (no token)
//   GET  /healthz                                  no token
//   GET  /api/openapi.json                         no token
//   GET  /api/v1/whoami                            staff
//   GET  /api/v1/status                            staff
//   GET  /api/v1/products?q=TEXT[&limit=N]         staff (with prices)
//   GET  /api/v1/availability/{sku}                staff
//   GET  /api/v1/holds[?state=open|held|...][&limit=N]  staff
//   GET  /api/v1/holds/{order_ref}                 staff
//   POST /api/v1/holds/{order_ref}/pick|collect    staff
//   POST /api/v1/holds/{order_ref}/cancel|short-pick   manager
//   POST /api/v1/stock/{sku}/adjust|count          manager, Idempotency-Key
//   GET  /api/v1/reports/day[?day=D][&terminal=T]  manager (X/Z report)
//
// The routes are one table (RouteList(), the source of the OpenAPI
// document's paths). An /api/ request is checked in this order: token
// (401; not for the routes that need none), path (404),
// method (405), role (403), body size (413), input (400). Errors are
// {"error":{"code","field","message"}} (agent/http/staff_json.h).
// docs/staff-page.md is the reference.
#ifndef STOREAGENT_AGENT_HTTP_STAFF_API_H_
#define STOREAGENT_AGENT_HTTP_STAFF_API_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/http/staff_auth.h"
#include "agent/http/staff_message.h"
#include "agent/price_book_holder.h"
#include "agent/stock_ops.h"
#include "agent/sync/sync_health.h"
#include "platform/clock.h"

namespace storeagent::agent {

class StaffApi {
 public:
  using Reply = std::function<void(StaffResponse)>;

  // REQUIRES: ops, clock and users outlive this object and every reply it
  // has yet to give.
  StaffApi(StockOps& ops, const Clock& clock, const StaffDirectory& users,
           std::size_t max_body_bytes);

  // Answers `request` by calling `reply` exactly once: on this thread for
  // the page and for refusals, otherwise on a storage thread. Never blocks.
  void Handle(const StaffRequest& request, Reply reply);

  // GET /api/v1/status reports this link's health from now on (nullptr:
  // sync off). REQUIRES: `health` outlives this object. Thread-safe.
  void SetSyncHealth(const SyncHealth* health) { sync_health_ = health; }
  // GET /api/v1/products answers each product's shelf price and active
  // promotions from `prices` from now on (nullptr: "pricing" is null).
  // REQUIRES: `prices` outlives this object. Thread-safe.
  void SetPriceBook(const PriceBookHolder* prices) { prices_ = prices; }

  // One route of the table, for the OpenAPI document and its tests.
  struct RouteInfo {
    std::string_view method;  // "GET", "POST"
    // "/api/v1/holds/{order_ref}/pick": a {name} matches one segment.
    std::string_view path;
    bool needs_token;
    StaffRole role;  // when needs_token
  };
  static std::vector<RouteInfo> RouteList();

  // The path template of the route `method` `target` goes to
  // ("/api/v1/holds/{order_ref}"), whatever the token; for a method the
  // path does not take (a 405), the path's template; "" when no route has
  // that path (404; the page's files and /metrics are not routes). A
  // bounded label for per-route metrics.
  static std::string_view RoutePattern(std::string_view method,
                                       std::string_view target);

  // The storeagent_http_requests_total route label of a request for `path`
  // (no query), whatever the method: RoutePattern's template, a page
  // file's own path, "/metrics"; "other" for anything else, so a client
  // cannot add label values.
  static std::string RouteLabel(std::string_view path);

  // One call of a route: who asked and what the path named.
  struct Call {
    StaffIdentity who;
    std::vector<std::string> params;  // the {…} segments, in order
    std::map<std::string, std::string> query;
    std::optional<std::string> idempotency_key;
    nlohmann::json body;  // an object ({} when the body was empty)
    Reply reply;
  };

 private:
  using Handler = void (StaffApi::*)(Call call);
  struct Route {
    RouteInfo info;
    Handler handler;
    std::vector<std::string_view> pattern;  // info.path split; "{…}" = any
  };

  void HandleApi(const StaffRequest& request, const StaffTarget& target,
                 Reply reply);

  // Without a token (staff_api_public.cc).
  void Healthz(Call call);
  void OpenApi(Call call);
  // Reads (staff_api.cc).
  void WhoAmI(Call call);
  void GetStatus(Call call);
  void SearchProducts(Call call);
  void GetAvailability(Call call);
  void ListHolds(Call call);
  void GetHold(Call call);
  // The X/Z report of a day (staff_api_reports.cc).
  void GetDayReport(Call call);
  // Writes (staff_api_writes.cc).
  void PickHold(Call call);
  void CollectHold(Call call);
  void CancelHold(Call call);
  void ShortPickHold(Call call);
  void AdjustStock(Call call);
  void CountStock(Call call);
  void UpdateHold(Call call, std::string_view action,
                  v1::UpdateHoldRequest request);
  void RecordStockEvent(Call call, v1::RecordStockEventRequest request);

  static const std::vector<Route>& Routes();
  // The route for `method` and `segments`; nullptr and `allow` (the methods
  // the path takes, ", "-joined; "" when none) otherwise.
  static const Route* Find(std::string_view method,
                           const std::vector<std::string>& segments,
                           std::vector<std::string>* params,
                           std::string* allow);

  StockOps& ops_;
  const Clock& clock_;
  const StaffDirectory& users_;
  const std::size_t max_body_bytes_;
  std::atomic<const SyncHealth*> sync_health_{nullptr};
  std::atomic<const PriceBookHolder*> prices_{nullptr};
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_API_H_
