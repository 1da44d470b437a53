#include "central/ctl_prices.h"

#include <cstdio>
#include <memory>
#include <type_traits>

#include "central/ctl_feed.h"
#include "central/ctl_format.h"
#include "central/price_csv.h"
#include "platform/fs.h"

namespace storeagent::central {
namespace {

// The largest file an import reads: a list at its entry limit with long
// SKUs, with room to spare.
constexpr size_t kMaxImportFileBytes = 64u << 20;

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                 gpr_time_from_seconds(70, GPR_TIMESPAN)));
  return ctx;
}

int Refused(const grpc::Status& s, const std::string& what) {
  std::fprintf(stderr, "storecentralctl: %s: %s\n", what.c_str(),
               FormatStatus(s).c_str());
  return 1;
}

std::string ScopeText(const v1::PriceScope& scope) {
  if (scope.all_stores()) return "all";
  if (!scope.region().empty()) return "region:" + scope.region();
  std::string out = "stores:";
  for (int i = 0; i < scope.store_ids_size(); ++i) {
    out += (i == 0 ? "" : " ") + scope.store_ids(i);
  }
  return out;
}

std::string KindText(const v1::Promotion& p) {
  switch (p.kind_case()) {
    case v1::Promotion::kPercentOff:
      return "percent_off " + std::to_string(p.percent_off().basis_points()) +
             "bp";
    case v1::Promotion::kAmountOff:
      return "amount_off " +
             std::to_string(p.amount_off().amount().minor_units()) + " " +
             p.amount_off().amount().currency();
    case v1::Promotion::kMultiBuy:
      return "multi_buy " + std::to_string(p.multi_buy().buy()) + "/" +
             std::to_string(p.multi_buy().pay());
    case v1::Promotion::KIND_NOT_SET:
      break;
  }
  return "-";
}

// Publishes each item in order; stops at the first refusal (those before
// it stay published: running the same file again answers them
// "unchanged").
template <typename Item, typename Request, typename Response, typename Call>
int Publish(const std::vector<Item>& items, const char* noun, bool json,
            Call call) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "VERSION", "OUTCOME", "STORES QUEUED"}};
  for (const Item& item : items) {
    Request r;
    if constexpr (std::is_same_v<Item, v1::PriceList>) {
      *r.mutable_list() = item;
    } else {
      *r.mutable_promotion() = item;
    }
    Response reply;
    grpc::Status s = call(Context().get(), r, &reply);
    if (!s.ok()) {
      if (rows.size() > 1) std::printf("%s", RenderColumns(rows).c_str());
      return Refused(s, std::string(noun) + " " + item.id());
    }
    if (json) {
      std::printf("%s", FormatReplyJson(reply).c_str());
      continue;
    }
    rows.push_back({item.id(), std::to_string(item.version()), reply.outcome(),
                    std::to_string(reply.stores_queued())});
  }
  if (!json) std::printf("%s", RenderColumns(rows).c_str());
  return 0;
}

int Show(v1::CentralAdminService::Stub& stub, const PriceCommands& c,
         bool json) {
  v1::ListPriceBookRequest r;
  r.set_store_id(c.store);
  for (const std::string& sku : c.skus) r.add_skus(sku);
  if (!c.at.empty()) {
    Result<int64_t> at = ParseFeedTime(c.at, "--at");
    if (!at.ok()) {
      std::fprintf(stderr, "storecentralctl: %s\n",
                   at.status().message().c_str());
      return 2;
    }
    r.set_at_us(*at);
  }
  v1::ListPriceBookResponse reply;
  grpc::Status s = stub.ListPriceBook(Context().get(), r, &reply);
  if (!s.ok()) return Refused(s, "prices show");
  if (json) {
    std::printf("%s", FormatReplyJson(reply).c_str());
    return 0;
  }
  std::vector<std::vector<std::string>> lists = {{"LIST", "VERSION", "CURRENCY",
                                                  "SCOPE", "FROM", "TO",
                                                  "ENTRIES", "PUBLISHED"}};
  for (const v1::PriceListSummary& l : reply.price_lists()) {
    lists.push_back({l.id(), std::to_string(l.version()), l.currency(),
                     ScopeText(l.scope()), FormatMicros(l.effective_from_us()),
                     FormatMicros(l.effective_to_us()),
                     std::to_string(l.entry_count()),
                     FormatMicros(l.published_at_us())});
  }
  std::printf("%s\n", RenderColumns(lists).c_str());
  std::vector<std::vector<std::string>> promos = {{"PROMOTION", "VERSION",
                                                   "KIND", "SCOPE", "MEMBERS",
                                                   "FROM", "TO", "SKUS"}};
  for (const v1::Promotion& p : reply.promotions()) {
    promos.push_back(
        {p.id(), std::to_string(p.version()), KindText(p), ScopeText(p.scope()),
         p.member_only() ? "only" : "all", FormatMicros(p.effective_from_us()),
         FormatMicros(p.effective_to_us()), std::to_string(p.skus_size())});
  }
  std::printf("%s", RenderColumns(promos).c_str());
  if (reply.prices().prices_size() > 0) {
    std::vector<std::vector<std::string>> prices = {
        {"SKU", "PRICE", "LIST", "PROMOTIONS"}};
    for (const v1::SkuPrice& p : reply.prices().prices()) {
      std::string promotions;
      for (const v1::ActivePromotion& a : p.promotions()) {
        promotions += (promotions.empty() ? "" : " ") + a.id();
      }
      prices.push_back({p.sku(),
                        p.found()
                            ? std::to_string(p.unit_price().minor_units()) +
                                  " " + p.unit_price().currency()
                            : "(none)",
                        p.found() ? p.price_list_id() + " v" +
                                        std::to_string(p.price_list_version())
                                  : "-",
                        promotions.empty() ? "-" : promotions});
    }
    std::printf("\nat %s for store %s\n%s",
                FormatMicros(reply.prices().at_us()).c_str(), c.store.c_str(),
                RenderColumns(prices).c_str());
  }
  return 0;
}

}  // namespace

void AddPriceCommands(CLI::App& app, PriceCommands* c) {
  CLI::App* prices = app.add_subcommand(
      "prices", "Head office's price lists (docs/pricing.md)");
  prices->require_subcommand(1);
  c->prices_import = prices->add_subcommand(
      "import",
      "Publish every price list of a CSV file (list_id, version, currency, "
      "scope, effective_from, effective_to, sku, unit, unit_price_minor); "
      "the whole file is checked first, and nothing is sent if a cell is "
      "wrong");
  c->prices_import->add_option("file", c->file, "the CSV file")->required();
  c->prices_show = prices->add_subcommand(
      "show",
      "The price lists and promotions central holds; with --store only what "
      "applies to it, and with --sku what it would charge");
  c->prices_show->add_option("--store", c->store, "a store id");
  c->prices_show
      ->add_option("--sku", c->skus, "SKUs to price as the store would")
      ->needs(c->prices_show->get_option("--store"));
  c->prices_show->add_option(
      "--at", c->at,
      "the moment to price at (YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or "
      "microseconds; default now)");
  CLI::App* promotions = app.add_subcommand(
      "promotions", "Head office's promotions (docs/pricing.md)");
  promotions->require_subcommand(1);
  c->promotions_import = promotions->add_subcommand(
      "import",
      "Publish every promotion of a CSV file (promotion_id, version, scope, "
      "effective_from, effective_to, member_only, kind, value, currency, "
      "skus, description); the whole file is checked first");
  c->promotions_import->add_option("file", c->file, "the CSV file")->required();
}

std::optional<int> RunPriceCommands(v1::CentralAdminService::Stub& stub,
                                    const PriceCommands& c, bool json) {
  if (c.prices_show != nullptr && c.prices_show->parsed()) {
    return Show(stub, c, json);
  }
  const bool lists = c.prices_import != nullptr && c.prices_import->parsed();
  const bool promos =
      c.promotions_import != nullptr && c.promotions_import->parsed();
  if (!lists && !promos) return std::nullopt;
  Result<std::string> text = fs::ReadFile(c.file, kMaxImportFileBytes);
  if (!text.ok()) {
    std::fprintf(stderr, "storecentralctl: %s\n",
                 text.status().message().c_str());
    return 2;
  }
  if (lists) {
    Result<PriceListFile> file = ParsePriceListCsv(*text);
    if (!file.ok()) {
      std::fprintf(stderr, "storecentralctl: %s: %s\n", c.file.c_str(),
                   file.status().message().c_str());
      return 2;
    }
    return Publish<v1::PriceList, v1::PublishPriceListRequest,
                   v1::PublishPriceListResponse>(
        file->lists, "price list", json,
        [&stub](grpc::ClientContext* ctx, const v1::PublishPriceListRequest& r,
                v1::PublishPriceListResponse* reply) {
          return stub.PublishPriceList(ctx, r, reply);
        });
  }
  Result<PromotionFile> file = ParsePromotionCsv(*text);
  if (!file.ok()) {
    std::fprintf(stderr, "storecentralctl: %s: %s\n", c.file.c_str(),
                 file.status().message().c_str());
    return 2;
  }
  return Publish<v1::Promotion, v1::PublishPromotionRequest,
                 v1::PublishPromotionResponse>(
      file->promotions, "promotion", json,
      [&stub](grpc::ClientContext* ctx, const v1::PublishPromotionRequest& r,
              v1::PublishPromotionResponse* reply) {
        return stub.PublishPromotion(ctx, r, reply);
      });
}

}  // namespace storeagent::central
