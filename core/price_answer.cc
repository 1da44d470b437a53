// PriceService.GetPrices answered from a price book (core/price_answer.h).
#include "core/price_answer.h"

#include <optional>
#include <vector>

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

Status AnswerGetPrices(const PriceBook& book, const StoreContext& store,
                       const v1::GetPricesRequest& request, std::int64_t now_us,
                       v1::GetPricesResponse* out) {
  STOREAGENT_RETURN_IF_ERROR(ValidateGetPricesRequest(request));
  const std::int64_t at_us = request.at_us() != 0 ? request.at_us() : now_us;
  const bool member = request.has_member();
  out->Clear();
  out->set_at_us(at_us);
  out->mutable_prices()->Reserve(request.skus_size());
  std::vector<const PriceBook::SkuIndex*> indexes;
  book.FindSkus(request.skus(), &indexes);
  for (int i = 0; i < request.skus_size(); ++i) {
    v1::SkuPrice* price = out->add_prices();
    price->set_sku(request.skus(i));
    const PriceBook::SkuIndex* index = indexes[static_cast<std::size_t>(i)];
    if (index == nullptr) continue;  // found = false
    const std::optional<PriceBook::PriceRef> in_force =
        book.PriceIn(*index, store, at_us);
    if (!in_force) continue;
    const v1::PriceList& list = *in_force->list;
    price->set_found(true);
    price->set_unit(in_force->unit);
    price->mutable_unit_price()->set_minor_units(in_force->unit_price);
    price->mutable_unit_price()->set_currency(list.currency());
    price->set_price_list_id(list.id());
    price->set_price_list_version(list.version());
    book.ForEachPromotionIn(
        *index, store, at_us, member, [&](const v1::Promotion& p) {
          if (p.has_amount_off() &&
              p.amount_off().amount().currency() != list.currency()) {
            return;
          }
          v1::ActivePromotion* a = price->add_promotions();
          a->set_id(p.id());
          a->set_version(p.version());
          a->set_member_only(p.member_only());
          CopyKind(p, a);
          a->set_effective_to_us(p.effective_to_us());
          a->set_description(p.description());
        });
  }
  return Status::Ok();
}

}  // namespace storeagent::core
