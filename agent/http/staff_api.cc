#include "agent/http/staff_api.h"

#include <algorithm>
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
    if (!pattern[i].empty() && pattern[i].front() == '{') {
      params->push_back(segments[i]);
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
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
  static const std::vector<Route> kRoutes = [] {
    std::vector<Route> routes = {
        {{"GET", "/healthz", false, R::kStaff}, &StaffApi::Healthz, {}},
        {{"GET", "/api/openapi.json", false, R::kStaff},
         &StaffApi::OpenApi,
         {}},
        {{"GET", "/api/v1/whoami", true, R::kStaff}, &StaffApi::WhoAmI, {}},
        {{"GET", "/api/v1/status", true, R::kStaff}, &StaffApi::GetStatus, {}},
        {{"GET", "/api/v1/products", true, R::kStaff},
         &StaffApi::SearchProducts,
         {}},
        {{"GET", "/api/v1/availability/{sku}", true, R::kStaff},
         &StaffApi::GetAvailability,
         {}},
        {{"GET", "/api/v1/holds", true, R::kStaff}, &StaffApi::ListHolds, {}},
        {{"GET", "/api/v1/holds/{order_ref}", true, R::kStaff},
         &StaffApi::GetHold,
         {}},
        {{"POST", "/api/v1/holds/{order_ref}/pick", true, R::kStaff},
         &StaffApi::PickHold,
         {}},
        {{"POST", "/api/v1/holds/{order_ref}/collect", true, R::kStaff},
         &StaffApi::CollectHold,
         {}},
        {{"POST", "/api/v1/holds/{order_ref}/cancel", true, R::kManager},
         &StaffApi::CancelHold,
         {}},
        {{"POST", "/api/v1/holds/{order_ref}/short-pick", true, R::kManager},
         &StaffApi::ShortPickHold,
         {}},
        {{"POST", "/api/v1/stock/{sku}/adjust", true, R::kManager},
         &StaffApi::AdjustStock,
         {}},
        {{"POST", "/api/v1/stock/{sku}/count", true, R::kManager},
         &StaffApi::CountStock,
         {}},
        {{"GET", "/api/v1/reports/day", true, R::kManager},
         &StaffApi::GetDayReport,
         {}},
    };
    for (Route& r : routes) r.pattern = SplitPath(r.info.path);
    return routes;
  }();
  return kRoutes;
}

std::vector<StaffApi::RouteInfo> StaffApi::RouteList() {
  std::vector<RouteInfo> out;
  for (const Route& r : Routes()) out.push_back(r.info);
  return out;
}

const StaffApi::Route* StaffApi::Find(std::string_view method,
                                      const std::vector<std::string>& segments,
                                      std::vector<std::string>* params,
                                      std::string* allow) {
  allow->clear();
  for (const Route& r : Routes()) {
    if (!Matches(r.pattern, segments, params)) continue;
    if (r.info.method == method) return &r;
    if (!allow->empty()) *allow += ", ";
    *allow += r.info.method;
  }
  return nullptr;
}

std::string_view StaffApi::RoutePattern(std::string_view method,
                                        std::string_view target) {
  Result<StaffTarget> parsed = ParseStaffTarget(target);
  if (!parsed.ok()) return "";
  std::vector<std::string> params;
  std::string allow;
  if (const Route* r = Find(method, parsed->segments, &params, &allow)) {
    return r->info.path;
  }
  // A wrong method on a routed path (answered 405) still has its path.
  for (const Route& r : Routes()) {
    if (Matches(r.pattern, parsed->segments, &params)) return r.info.path;
  }
  return "";
}

std::string StaffApi::RouteLabel(std::string_view path) {
  if (path == "/metrics" || FindStaticAsset(path) != nullptr) {
    return std::string(path);
  }
  const std::string_view pattern = RoutePattern("GET", path);
  return pattern.empty() ? "other" : std::string(pattern);
}

void StaffApi::Handle(const StaffRequest& request, Reply reply) {
  Result<StaffTarget> target = ParseStaffTarget(request.target);
  if (!target.ok()) {
    reply(ErrorResponse(target.status()));
    return;
  }
  if (!target->segments.empty() &&
      (target->segments.front() == "api" || target->path == "/healthz")) {
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
  std::vector<std::string> params;
  std::string allow;
  const Route* route = Find(request.method, target.segments, &params, &allow);
  // The routes that need no token answer (or refuse the method) first.
  std::vector<std::string> unused;
  bool public_path = false;
  for (const Route& r : Routes()) {
    public_path = public_path || (!r.info.needs_token &&
                                  Matches(r.pattern, target.segments, &unused));
  }
  if (route != nullptr && !route->info.needs_token) {
    // Member by member: GCC 12's -O3 takes the aggregate's empty `who` for
    // uninitialised (-Wmaybe-uninitialized, Release builds only).
    Call call;
    call.params = std::move(params);
    call.query = target.query;
    call.idempotency_key = request.idempotency_key;
    call.body = json::object();
    call.reply = std::move(reply);
    (this->*(route->handler))(std::move(call));
    return;
  }
  if (route == nullptr && public_path) {
    StaffResponse r = ErrorResponse(
        405, "METHOD_NOT_ALLOWED",
        "method: " + request.method + " not allowed here; use " + allow);
    r.headers.emplace_back("Allow", allow);
    reply(std::move(r));
    return;
  }
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
  if (!HasRole(*who, route->info.role)) {
    reply(ErrorResponse(Status(
        StatusCode::kPermissionDenied,
        "role: " +
            std::string(route->info.role == StaffRole::kManager ? "a manager"
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

void StaffApi::GetStatus(Call call) {
  const SyncHealth* health = sync_health_.load();
  const SyncHealthSnapshot sync =
      health != nullptr ? health->Get() : SyncHealthSnapshot{};
  const int64_t now_us = clock_.NowMicros();
  json last = nullptr, last_us = nullptr, age_ms = nullptr;
  if (sync.last_exchange_us > 0) {
    last = FormatRfc3339(sync.last_exchange_us);
    last_us = sync.last_exchange_us;
    age_ms = std::max<int64_t>(0, now_us - sync.last_exchange_us) / 1000;
  }
  call.reply(
      JsonResponse(200, json{{"sync",
                              {{"enabled", sync.enabled},
                               {"connected", sync.enabled && sync.connected},
                               {"last_exchange", std::move(last)},
                               {"last_exchange_us", std::move(last_us)},
                               {"last_exchange_age_ms", std::move(age_ms)},
                               {"last_error", sync.last_error}}},
                             {"now", FormatRfc3339(now_us)}}));
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
                               Result<v1::SearchProductsResponse> r) {
    if (!r.ok()) {
      static constexpr FieldRename kRenames[] = {{"query", "q"}};
      reply(ErrorResponse(RenameField(r.status(), kRenames)));
      return;
    }
    // Prices from the book's snapshot at this moment (docs/pricing.md):
    // staff see member-only promotions too.
    const PriceBookHolder* holder = prices_.load();
    std::shared_ptr<const PriceBookSnapshot> book;
    if (holder != nullptr) book = holder->Get();
    const int64_t now = clock_.NowMicros();
    json products = json::array();
    for (const v1::ProductAvailability& p : r->products()) {
      products.push_back(
          json{{"product", ProductJson(p.product())},
               {"availability", AvailabilityJson(p.availability())},
               {"pricing", book ? PricingJson(book->stored.book, book->store,
                                              p.product().sku(), now)
                                : json(nullptr)}});
    }
    json price_book = nullptr;
    if (book) {
      price_book = json{{"central_seq", book->stored.central_seq},
                        {"applied_at_us", book->stored.applied_at_us}};
    }
    reply(JsonResponse(200, json{{"products", std::move(products)},
                                 {"price_book", std::move(price_book)},
                                 {"as_of", AsOfJson(r->as_of(), clock_)}}));
  });
}

void StaffApi::GetAvailability(Call call) {
  ops_.GetAvailability(
      {call.params[0]}, [this, reply = std::move(call.reply)](
                            Result<v1::GetAvailabilityResponse> r) {
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
  ops_.ListHolds(req, [this, reply = std::move(call.reply)](
                          Result<v1::ListHoldsResponse> r) {
    if (!r.ok()) {
      reply(ErrorResponse(r.status()));
      return;
    }
    json holds = json::array();
    for (const v1::Hold& h : r->holds()) {
      holds.push_back(HoldJson(h, &r->product_names()));
    }
    reply(JsonResponse(200, json{{"holds", std::move(holds)},
                                 {"as_of", AsOfJson(r->as_of(), clock_)}}));
  });
}

void StaffApi::GetHold(Call call) {
  ops_.GetHold(call.params[0], [this, reply = std::move(call.reply)](
                                   Result<v1::GetHoldResponse> r) {
    if (!r.ok()) {
      reply(ErrorResponse(r.status()));
      return;
    }
    reply(JsonResponse(200, json{{"hold", HoldJson(r->hold())},
                                 {"as_of", AsOfJson(r->as_of(), clock_)}}));
  });
}

}  // namespace storeagent::agent
