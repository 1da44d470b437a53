// StaffApi: the staff page and JSON API behind the HTTP transport: routing,
// bearer-token authentication, roles, request parsing, the StockOps calls
// and the JSON answers. Knows no sockets, so it is tested without them.
//
//   GET  /, /app.js, /app.css, /favicon.svg        the page (no token)
//   GET  /api/v1/whoami                            staff
//   GET  /api/v1/products?q=TEXT[&limit=N]         staff
//   GET  /api/v1/availability/{sku}                staff
//   GET  /api/v1/holds[?state=open|held|...][&limit=N]  staff
//   GET  /api/v1/holds/{order_ref}                 staff
//   POST /api/v1/holds/{order_ref}/pick|collect    staff
//   POST /api/v1/holds/{order_ref}/cancel|short-pick   manager
//   POST /api/v1/stock/{sku}/adjust|count          manager, Idempotency-Key
//
// An /api/ request is checked in this order: token (401), path (404),
// method (405), role (403), body size (413), input (400). Errors are
// {"error":{"code","field","message"}} (agent/http/staff_json.h).
// docs/staff-page.md is the reference.
#ifndef STOREAGENT_AGENT_HTTP_STAFF_API_H_
#define STOREAGENT_AGENT_HTTP_STAFF_API_H_

#include <cstddef>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/http/staff_auth.h"
#include "agent/http/staff_message.h"
#include "agent/stock_ops.h"
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

  // The route pattern `path` (no query) matches, whatever the method, for
  // the storeagent_http_requests_total label: "/api/v1/holds/{order_ref}",
  // a page asset's own path, "/metrics"; "other" for anything else, so a
  // client cannot add label values.
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
    std::string_view method;
    // "{name}" matches one segment (the name labels the route).
    std::vector<std::string_view> pattern;
    StaffRole role;
    Handler handler;
  };

  void HandleApi(const StaffRequest& request, const StaffTarget& target,
                 Reply reply);

  // Reads (staff_api.cc).
  void WhoAmI(Call call);
  void SearchProducts(Call call);
  void GetAvailability(Call call);
  void ListHolds(Call call);
  void GetHold(Call call);
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

  StockOps& ops_;
  const Clock& clock_;
  const StaffDirectory& users_;
  const std::size_t max_body_bytes_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_API_H_
