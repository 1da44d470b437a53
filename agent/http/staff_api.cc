#include "agent/http/staff_api.h"

#include <utility>

#include "agent/http/staff_input.h"
#include "agent/http/staff_json.h"
#include "agent/http/staff_page.h"
#include "platform/log.h"

namespace storeagent::agent {
namespace {

using nlohmann::json;

StaffResponse Unauthorized() {
  StaffResponse r = ErrorResponse(
      Status(StatusCode::kUnauthenticated,
             "Authorization: a valid 'Bearer <token>' is required"));
  r.headers.emplace_back("WWW-Authenticate",
                         "Bearer realm=\"storeagent staff\"");
  return r;
}

bool Matches(const std::vector<std::string_view>& pattern,
             const std::vector<std::string>& segments,
             std::vector<std::string>* params) {
  if (pattern.size() != segments.size()) return false;
  params->clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i].front() == '{') {
      params->push_back(segments[i]);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

StaffApi::StaffApi(StockOps& ops, const Clock& clock,
                   const StaffDirectory& users, std::size_t max_body_bytes)
    : ops_(ops),
      clock_(clock),
      users_(users),
      max_body_bytes_(max_body_bytes) {}

const std::vector<StaffApi::Route>& StaffApi::Routes() {
  using R = StaffRole;
  static const std::vector<Route> kRoutes = {
      {"GET", {"api", "v1", "whoami"}, R::kStaff, &StaffApi::WhoAmI},
      {"GET", {"api", "v1", "products"}, R::kStaff, &StaffApi::SearchProducts},
      {"GET",
       {"api", "v1", "availability", "{sku}"},
       R::kStaff,
       &StaffApi::GetAvailability},
      {"GET", {"api", "v1", "holds"}, R::kStaff, &StaffApi::ListHolds},
      {"GET",
       {"api", "v1", "holds", "{order_ref}"},
       R::kStaff,
       &StaffApi::GetHold},
      {"POST",
       {"api", "v1", "holds", "{order_ref}", "pick"},
       R::kStaff,
       &StaffApi::PickHold},
      {"POST",
       {"api", "v1", "holds", "{order_ref}", "collect"},
       R::kStaff,
       &StaffApi::CollectHold},
      {"POST",
       {"api", "v1", "holds", "{order_ref}", "cancel"},
       R::kManager,
       &StaffApi::CancelHold},
      {"POST",
       {"api", "v1", "holds", "{order_ref}", "short-pick"},
       R::kManager,
       &StaffApi::ShortPickHold},
      {"POST",
       {"api", "v1", "stock", "{sku}", "adjust"},
       R::kManager,
       &StaffApi::AdjustStock},
      {"POST",
       {"api", "v1", "stock", "{sku}", "count"},
       R::kManager,
       &StaffApi::CountStock},
  };
  return kRoutes;
}

std::string StaffApi::RouteLabel(std::string_view path) {
  if (path == "/metrics" || FindStaticAsset(path) != nullptr) {
    return std::string(path);
  }
  Result<StaffTarget> target = ParseStaffTarget(path);
  if (!target.ok()) return "other";
  std::vector<std::string> params;
  for (const Route& r : Routes()) {
    if (!Matches(r.pattern, target->segments, &params)) continue;
    std::string label;
    for (std::string_view segment : r.pattern) {
      label += '/';
      label += segment;
    }
    return label;
  }
  return "other";
}

void StaffApi::Handle(const StaffRequest& request, Reply reply) {
  Result<StaffTarget> target = ParseStaffTarget(request.target);
  if (!target.ok()) {
    reply(ErrorResponse(target.status()));
    return;
  }
  if (!target->segments.empty() && target->segments.front() == "api") {
    HandleApi(request, *target, std::move(reply));
    return;
  }
  const StaticAsset* asset = FindStaticAsset(target->path);
  if (asset == nullptr) {
    reply(ErrorResponse(NotFound("path: no page at " + target->path)));
    return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    StaffResponse r = ErrorResponse(
        405, "METHOD_NOT_ALLOWED",
        "method: " + request.method + " not allowed here; use GET");
    r.headers.emplace_back("Allow", "GET, HEAD");
    reply(std::move(r));
    return;
  }
  StaffResponse r;
  r.content_type = std::string(asset->content_type);
  r.body = std::string(asset->body);
  r.headers.emplace_back("Cache-Control", "no-cache");
  reply(std::move(r));
}

void StaffApi::HandleApi(const StaffRequest& request, const StaffTarget& target,
                         Reply reply) {
  std::optional<StaffIdentity> who = users_.Authenticate(request.authorization);
  if (!who) {
    // A failed login is worth an operator's attention (a guessed token, a
    // device left with a revoked one): from where and for what. A token
    // that matches no entry names no user, so none is logged.
    Log(LogLevel::kWarn, "http.auth_failed",
        {{"peer", request.peer.empty() ? "unknown" : request.peer},
         {"why", request.authorization.empty()
                     ? "no Authorization header"
                     : "the bearer token matches no staff user"},
         {"method", request.method},
         {"path", std::string(target.path)}});
    reply(Unauthorized());
    return;
  }
  std::vector<std::string> params;
  const Route* route = nullptr;
  std::string allow;
  for (const Route& r : Routes()) {
    if (!Matches(r.pattern, target.segments, &params)) continue;
    if (r.method == request.method) {
      route = &r;
      break;
    }
    if (!allow.empty()) allow += ", ";
    allow += r.method;
  }
  if (route == nullptr && allow.empty()) {
    reply(ErrorResponse(NotFound("path: no API at " + target.path)));
    return;
  }
  if (route == nullptr) {
    StaffResponse r = ErrorResponse(
        405, "METHOD_NOT_ALLOWED",
        "method: " + request.method + " not allowed here; use " + allow);
    r.headers.emplace_back("Allow", allow);
    reply(std::move(r));
    return;
  }
  Matches(route->pattern, target.segments, &params);
  if (!HasRole(*who, route->role)) {
    reply(ErrorResponse(
        Status(StatusCode::kPermissionDenied,
               "role: " +
                   std::string(route->role == StaffRole::kManager ? "a manager"
                                                                  : "staff") +
                   " may do this; " + who->name + " may not")));
    return;
  }
  if (request.body.size() > max_body_bytes_) {
    reply(ErrorResponse(
        413, "PAYLOAD_TOO_LARGE",
        "body: larger than " + std::to_string(max_body_bytes_) + " bytes"));
    return;
  }
  Result<json> body = ParseJsonBody(request.body);
  if (!body.ok()) {
    reply(ErrorResponse(body.status()));
    return;
  }
  Call call{std::move(*who),         std::move(params),       target.query,
            request.idempotency_key, std::move(body).value(), std::move(reply)};
  (this->*(route->handler))(std::move(call));
}

void StaffApi::WhoAmI(Call call) {
  call.reply(JsonResponse(
      200, json{{"name", call.who.name},
                {"role",
                 call.who.role == StaffRole::kManager ? "manager" : "staff"}}));
}

void StaffApi::SearchProducts(Call call) {
  Result<int32_t> limit = QueryInt(call.query, "limit", 0);
  if (!limit.ok()) {
    call.reply(ErrorResponse(limit.status()));
    return;
  }
  v1::SearchProductsRequest req;
  auto q = call.query.find("q");
  if (q != call.query.end()) req.set_query(q->second);
  req.set_limit(*limit);
  ops_.SearchProducts(req, [this, reply = std::move(call.reply)](
                               Result<v1::SearchProductsReply> r) {
    if (!r.ok()) {
      static constexpr FieldRename kRenames[] = {{"query", "q"}};
      reply(ErrorResponse(RenameField(r.status(), kRenames)));
      return;
    }
    json products = json::array();
    for (const v1::ProductAvailability& p : r->products()) {
      products.push_back(
          json{{"product", ProductJson(p.product())},
               {"availability", AvailabilityJson(p.availability())}});
    }
    reply(JsonResponse(200, json{{"products", std::move(products)},
                                 {"as_of", AsOfJson(r->as_of(), clock_)}}));
  });
}

void StaffApi::GetAvailability(Call call) {
  ops_.GetAvailability(
      {call.params[0]}, [this, reply = std::move(call.reply)](
                            Result<v1::GetAvailabilityReply> r) {
        if (!r.ok()) {
          static constexpr FieldRename kRenames[] = {{"skus[0]", "sku"},
                                                     {"skus", "sku"}};
          reply(ErrorResponse(RenameField(r.status(), kRenames)));
          return;
        }
        if (r->items_size() != 1) {
          reply(ErrorResponse(Internal("items: expected one SKU's figures")));
          return;
        }
        reply(JsonResponse(200, json{{"item", AvailabilityJson(r->items(0))},
                                     {"as_of", AsOfJson(r->as_of(), clock_)}}));
      });
}

void StaffApi::ListHolds(Call call) {
  v1::ListHoldsRequest req;
  auto state = call.query.find("state");
  if (state != call.query.end()) {
    std::optional<v1::HoldState> s = ParseHoldStateFilter(state->second);
    if (!s) {
      call.reply(ErrorResponse(InvalidArgument(
          "state: must be open, held, picked, collected, cancelled or "
          "expired")));
      return;
    }
    req.set_state(*s);
  }
  Result<int32_t> limit = QueryInt(call.query, "limit", 0);
  if (!limit.ok()) {
    call.reply(ErrorResponse(limit.status()));
    return;
  }
  req.set_limit(*limit);
  ops_.ListHolds(
      req, [this, reply = std::move(call.reply)](Result<v1::ListHoldsReply> r) {
        if (!r.ok()) {
          reply(ErrorResponse(r.status()));
          return;
        }
        json holds = json::array();
        for (const v1::Hold& h : r->holds()) holds.push_back(HoldJson(h));
        reply(JsonResponse(200, json{{"holds", std::move(holds)},
                                     {"as_of", AsOfJson(r->as_of(), clock_)}}));
      });
}

void StaffApi::GetHold(Call call) {
  ops_.GetHold(call.params[0], [this, reply = std::move(call.reply)](
                                   Result<v1::HoldReply> r) {
    if (!r.ok()) {
      reply(ErrorResponse(r.status()));
      return;
    }
    reply(JsonResponse(200, json{{"hold", HoldJson(r->hold())},
                                 {"as_of", AsOfJson(r->as_of(), clock_)}}));
  });
}

}  // namespace storeagent::agent
