// The price book's index and its rules (core/price_book.h).
#include "core/price_book.h"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <utility>

#include "core/price_validation.h"

namespace storeagent::core {
namespace {

// The Apply rule for one kind (PriceList or Promotion), `noun` as in the
// error message ("price_list"). `held` is the one held under the id or null.
template <typename M>
Result<ApplyOutcome> Decide(const M& incoming, const M* held,
                            std::string_view noun) {
  if (held == nullptr) return ApplyOutcome::kAdded;
  if (incoming.version() < held->version()) return ApplyOutcome::kStale;
  if (incoming.version() > held->version()) return ApplyOutcome::kReplaced;
  if (google::protobuf::util::MessageDifferencer::Equals(incoming, *held)) {
    return ApplyOutcome::kUnchanged;
  }
  return AlreadyExists(std::string(noun) + ".version: version " +
                       std::to_string(incoming.version()) + " of \"" +
                       incoming.id() +
                       "\" is already held with other content; publish a "
                       "later version");
}

}  // namespace

Result<ApplyOutcome> DecideApply(const v1::PriceList& incoming,
                                 const v1::PriceList* held) {
  return Decide(incoming, held, "price_list");
}

Result<ApplyOutcome> DecideApply(const v1::Promotion& incoming,
                                 const v1::Promotion* held) {
  return Decide(incoming, held, "promotion");
}

std::string_view ApplyOutcomeName(ApplyOutcome outcome) {
  switch (outcome) {
    case ApplyOutcome::kAdded:
      return "added";
    case ApplyOutcome::kReplaced:
      return "replaced";
    case ApplyOutcome::kUnchanged:
      return "unchanged";
    case ApplyOutcome::kStale:
      return "stale";
  }
  return "?";
}

std::optional<int> ScopeSpecificity(const v1::PriceScope& scope,
                                    const StoreContext& store) {
  for (const std::string& id : scope.store_ids()) {
    if (id == store.store_id) return 2;
  }
  if (!scope.region().empty() && scope.region() == store.region) return 1;
  if (scope.all_stores()) return 0;
  return std::nullopt;
}

bool InEffect(std::int64_t from_us, std::int64_t to_us, std::int64_t at_us) {
  return from_us <= at_us && (to_us == 0 || at_us < to_us);
}

Result<ApplyOutcome> PriceBook::ApplyPriceList(const v1::PriceList& list) {
  STOREAGENT_RETURN_IF_ERROR(ValidatePriceList(list));
  auto it = lists_.find(list.id());
  Result<ApplyOutcome> outcome = Decide(
      list, it == lists_.end() ? nullptr : it->second.get(), "price_list");
  if (!outcome.ok()) return outcome;
  if (*outcome == ApplyOutcome::kAdded) {
    auto owned = std::make_unique<v1::PriceList>(list);
    IndexList(owned.get());
    lists_.emplace(list.id(), std::move(owned));
  } else if (*outcome == ApplyOutcome::kReplaced) {
    UnindexList(it->second.get());
    it->second = std::make_unique<v1::PriceList>(list);
    IndexList(it->second.get());
  }
  return outcome;
}

Result<ApplyOutcome> PriceBook::ApplyPromotion(const v1::Promotion& promotion) {
  STOREAGENT_RETURN_IF_ERROR(ValidatePromotion(promotion));
  auto it = promotions_.find(promotion.id());
  Result<ApplyOutcome> outcome =
      Decide(promotion, it == promotions_.end() ? nullptr : it->second.get(),
             "promotion");
  if (!outcome.ok()) return outcome;
  if (*outcome == ApplyOutcome::kAdded) {
    auto owned = std::make_unique<v1::Promotion>(promotion);
    IndexPromotion(owned.get());
    promotions_.emplace(promotion.id(), std::move(owned));
  } else if (*outcome == ApplyOutcome::kReplaced) {
    UnindexPromotion(it->second.get());
    it->second = std::make_unique<v1::Promotion>(promotion);
    IndexPromotion(it->second.get());
  }
  return outcome;
}

std::optional<PriceInForce> PriceBook::PriceAt(const StoreContext& store,
                                               std::string_view sku,
                                               std::int64_t at_us) const {
  auto it = list_entries_by_sku_.find(sku);
  if (it == list_entries_by_sku_.end()) return std::nullopt;
  const ListEntry* best = nullptr;
  int best_specificity = -1;
  for (const ListEntry& candidate : it->second) {
    const v1::PriceList& list = *candidate.list;
    if (!store.currency.empty() && list.currency() != store.currency) continue;
    if (!InEffect(list.effective_from_us(), list.effective_to_us(), at_us)) {
      continue;
    }
    const std::optional<int> specificity =
        ScopeSpecificity(list.scope(), store);
    if (!specificity) continue;
    if (best != nullptr) {
      const v1::PriceList& b = *best->list;
      // Larger wins on the first three; the smaller id wins the last.
      const auto key = std::make_tuple(*specificity, list.effective_from_us(),
                                       list.version());
      const auto best_key =
          std::make_tuple(best_specificity, b.effective_from_us(), b.version());
      if (key < best_key) continue;
      if (key == best_key && list.id() > b.id()) continue;
    }
    best = &candidate;
    best_specificity = *specificity;
  }
  if (best == nullptr) return std::nullopt;
  PriceInForce price;
  price.unit = best->entry->unit();
  price.unit_price = best->entry->unit_price().minor_units();
  price.currency = best->list->currency();
  price.list_id = best->list->id();
  price.list_version = best->list->version();
  return price;
}

std::vector<const v1::Promotion*> PriceBook::PromotionsAt(
    const StoreContext& store, std::string_view sku, std::int64_t at_us,
    bool member) const {
  std::vector<const v1::Promotion*> active;
  auto it = promotions_by_sku_.find(sku);
  if (it == promotions_by_sku_.end()) return active;
  for (const v1::Promotion* p : it->second) {
    if (p->member_only() && !member) continue;
    if (!InEffect(p->effective_from_us(), p->effective_to_us(), at_us)) {
      continue;
    }
    if (!ScopeSpecificity(p->scope(), store)) continue;
    active.push_back(p);
  }
  std::sort(active.begin(), active.end(),
            [](const v1::Promotion* a, const v1::Promotion* b) {
              return a->id() < b->id();
            });
  return active;
}

const v1::PriceList* PriceBook::FindPriceList(std::string_view id) const {
  auto it = lists_.find(id);
  return it == lists_.end() ? nullptr : it->second.get();
}

const v1::Promotion* PriceBook::FindPromotion(std::string_view id) const {
  auto it = promotions_.find(id);
  return it == promotions_.end() ? nullptr : it->second.get();
}

void PriceBook::IndexList(const v1::PriceList* list) {
  for (const v1::PriceEntry& e : list->entries()) {
    list_entries_by_sku_[e.sku()].push_back(ListEntry{list, &e});
  }
}

void PriceBook::UnindexList(const v1::PriceList* list) {
  for (const v1::PriceEntry& e : list->entries()) {
    auto it = list_entries_by_sku_.find(e.sku());
    if (it == list_entries_by_sku_.end()) continue;
    std::erase_if(it->second,
                  [list](const ListEntry& le) { return le.list == list; });
    if (it->second.empty()) list_entries_by_sku_.erase(it);
  }
}

void PriceBook::IndexPromotion(const v1::Promotion* promotion) {
  for (const std::string& sku : promotion->skus()) {
    promotions_by_sku_[sku].push_back(promotion);
  }
}

void PriceBook::UnindexPromotion(const v1::Promotion* promotion) {
  for (const std::string& sku : promotion->skus()) {
    auto it = promotions_by_sku_.find(sku);
    if (it == promotions_by_sku_.end()) continue;
    std::erase_if(it->second, [promotion](const v1::Promotion* p) {
      return p == promotion;
    });
    if (it->second.empty()) promotions_by_sku_.erase(it);
  }
}

}  // namespace storeagent::core
