// PriceService.GetPrices answered from a price book (core/price_answer.h).
#include "core/price_answer.h"

#include <optional>

#include "core/price_validation.h"

namespace storeagent::core {
namespace {

void CopyKind(const v1::Promotion& p, v1::ActivePromotion* out) {
  switch (p.kind_case()) {
    case v1::Promotion::kPercentOff:
      *out->mutable_percent_off() = p.percent_off();
      break;
    case v1::Promotion::kAmountOff:
      *out->mutable_amount_off() = p.amount_off();
      break;
    case v1::Promotion::kMultiBuy:
      *out->mutable_multi_buy() = p.multi_buy();
      break;
    case v1::Promotion::KIND_NOT_SET:
      break;  // refused when the promotion was applied
  }
}

}  // namespace

Result<v1::GetPricesResponse> AnswerGetPrices(
    const PriceBook& book, const StoreContext& store,
    const v1::GetPricesRequest& request, std::int64_t now_us) {
  STOREAGENT_RETURN_IF_ERROR(ValidateGetPricesRequest(request));
  const std::int64_t at_us = request.at_us() != 0 ? request.at_us() : now_us;
  const bool member = request.has_member();
  v1::GetPricesResponse response;
  response.set_at_us(at_us);
  response.mutable_prices()->Reserve(request.skus_size());
  for (const std::string& sku : request.skus()) {
    v1::SkuPrice* out = response.add_prices();
    out->set_sku(sku);
    const std::optional<PriceInForce> price = book.PriceAt(store, sku, at_us);
    if (!price) continue;  // found = false
    out->set_found(true);
    out->set_unit(price->unit);
    out->mutable_unit_price()->set_minor_units(price->unit_price);
    out->mutable_unit_price()->set_currency(price->currency);
    out->set_price_list_id(price->list_id);
    out->set_price_list_version(price->list_version);
    for (const v1::Promotion* p :
         book.PromotionsAt(store, sku, at_us, member)) {
      if (p->has_amount_off() &&
          p->amount_off().amount().currency() != price->currency) {
        continue;
      }
      v1::ActivePromotion* a = out->add_promotions();
      a->set_id(p->id());
      a->set_version(p->version());
      a->set_member_only(p->member_only());
      CopyKind(*p, a);
      a->set_effective_to_us(p->effective_to_us());
      a->set_description(p->description());
    }
  }
  return response;
}

}  // namespace storeagent::core
