// storeagentctl prices SKU... [--at US] [--member CARD]: what the till would
// be told (PriceService.GetPrices): the shelf price, its price list, the
// promotions in force, and how old the store's price book is.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "agent/ctl/commands.h"
#include "storeagent/v1/price.grpc.pb.h"

namespace storeagent::ctl {
namespace {

struct PriceOptions {
  std::vector<std::string> skus;
  std::string at;
  std::string member;
};

std::string PromotionText(const v1::ActivePromotion& p) {
  std::string kind;
  switch (p.kind_case()) {
    case v1::ActivePromotion::kPercentOff:
      kind = std::to_string(p.percent_off().basis_points()) + "bp off";
      break;
    case v1::ActivePromotion::kAmountOff:
      kind = std::to_string(p.amount_off().amount().minor_units()) + " " +
             p.amount_off().amount().currency() + " off";
      break;
    case v1::ActivePromotion::kMultiBuy:
      kind = std::to_string(p.multi_buy().buy()) + " for " +
             std::to_string(p.multi_buy().pay());
      break;
    case v1::ActivePromotion::KIND_NOT_SET:
      break;
  }
  return p.id() + " (" + kind + (p.member_only() ? ", members" : "") + ")";
}

int Show(Target& t, const PriceOptions& o) {
  v1::GetPricesRequest req;
  for (const std::string& s : o.skus) req.add_skus(s);
  if (!o.at.empty()) {
    int64_t at = 0;
    if (!ParseInt64(o.at, &at) || at < 0) {
      return Fail("--at: \"" + o.at + "\" is not microseconds since the epoch");
    }
    req.set_at_us(at);
  }
  if (!o.member.empty()) req.mutable_member()->set_card_number(o.member);
  auto stub = v1::PriceService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::GetPricesResponse reply;
  grpc::Status s = stub->GetPrices(&ctx, req, &reply);
  if (!s.ok()) return Fail(RpcError(s));
  std::printf("%-20s %14s %-24s  %s\n", "sku", "price", "list", "promotions");
  for (const v1::SkuPrice& p : reply.prices()) {
    if (!p.found()) {
      std::printf("%-20s %14s %-24s  -\n", p.sku().c_str(), "(none)", "-");
      continue;
    }
    std::string promotions;
    for (const v1::ActivePromotion& a : p.promotions()) {
      promotions += (promotions.empty() ? "" : ", ") + PromotionText(a);
    }
    const std::string price =
        std::to_string(p.unit_price().minor_units()) + " " +
        p.unit_price().currency() +
        (p.unit() == v1::UNIT_OF_MEASURE_MILLI ? "/kg" : "");
    const std::string list =
        p.price_list_id() + " v" + std::to_string(p.price_list_version());
    std::printf("%-20s %14s %-24s  %s\n", p.sku().c_str(), price.c_str(),
                list.c_str(), promotions.empty() ? "-" : promotions.c_str());
  }
  std::printf("at %s; price book central_seq %llu applied %s; last synced %s\n",
              FormatTime(reply.at_us()).c_str(),
              static_cast<unsigned long long>(reply.book_central_seq()),
              reply.book_applied_at_us() != 0
                  ? FormatTime(reply.book_applied_at_us()).c_str()
                  : "never",
              reply.synced_at_us() != 0
                  ? FormatTime(reply.synced_at_us()).c_str()
                  : "never");
  return kExitOk;
}

}  // namespace

void AddPriceCommands(CLI::App& app, Target& t, Action& action) {
  auto o = std::make_shared<PriceOptions>();
  CLI::App* prices = app.add_subcommand(
      "prices",
      "the shelf price, price list and promotions of each SKU as the till "
      "is told them (PriceService.GetPrices, from the store's copy of head "
      "office's price book), and how old that book is");
  prices->add_option("SKU", o->skus, "one or more SKUs (at most 500)")
      ->required();
  prices->add_option("--at", o->at,
                     "the moment to price at, microseconds since the epoch "
                     "(default: now)");
  prices->add_option("--member", o->member,
                     "a loyalty card number: member-only promotions too");
  prices->callback([&, o] { action = [&, o] { return Show(t, *o); }; });
}

}  // namespace storeagent::ctl
