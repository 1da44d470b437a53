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

std::optional<PriceBook::PriceRef> PriceBook::PriceIn(
    const SkuIndex& index, const StoreContext& store,
    std::int64_t at_us) const {
  const ListEntry* best = nullptr;
  int best_specificity = -1;
  for (const ListEntry& candidate : index.lists) {
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
  return PriceRef{best->list, best->unit, best->unit_price};
}

std::optional<PriceInForce> PriceBook::PriceAt(const StoreContext& store,
                                               std::string_view sku,
                                               std::int64_t at_us) const {
  const SkuIndex* index = FindSku(sku);
  if (index == nullptr) return std::nullopt;
  const std::optional<PriceRef> ref = PriceIn(*index, store, at_us);
  if (!ref) return std::nullopt;
  PriceInForce price;
  price.unit = ref->unit;
  price.unit_price = ref->unit_price;
  price.currency = ref->list->currency();
  price.list_id = ref->list->id();
  price.list_version = ref->list->version();
  return price;
}

bool PriceBook::Active(const PromotionRef& p, const StoreContext& store,
                       std::int64_t at_us, bool member) {
  if (p.member_only && !member) return false;
  if (!InEffect(p.from_us, p.to_us, at_us)) return false;
  return p.all_stores ||
         ScopeSpecificity(p.promotion->scope(), store).has_value();
}

std::vector<const v1::Promotion*> PriceBook::PromotionsAt(
    const StoreContext& store, std::string_view sku, std::int64_t at_us,
    bool member) const {
  std::vector<const v1::Promotion*> active;
  const SkuIndex* index = FindSku(sku);
  if (index == nullptr) return active;
  ForEachPromotionIn(
      *index, store, at_us, member,
      [&active](const v1::Promotion& p) { active.push_back(&p); });
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

std::size_t PriceBook::BucketFor(std::string_view sku, std::size_t hash) const {
  const auto tag = static_cast<std::uint32_t>(hash >> 32);
  const std::size_t mask = buckets_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Bucket& b = buckets_[i];
    if (b.slot_plus_one == 0) return i;
    if (b.tag == tag && slots_[b.slot_plus_one - 1].sku == sku) return i;
  }
}

const PriceBook::SkuIndex* PriceBook::FindSku(std::string_view sku) const {
  if (buckets_.empty()) return nullptr;
  const Bucket& b = buckets_[BucketFor(sku, Hash{}(sku))];
  return b.slot_plus_one == 0 ? nullptr : &slots_[b.slot_plus_one - 1];
}

void PriceBook::FindSkus(
    const google::protobuf::RepeatedPtrField<std::string>& skus,
    std::vector<const SkuIndex*>* out) const {
  const std::size_t n = static_cast<std::size_t>(skus.size());
  out->assign(n, nullptr);
  if (buckets_.empty()) return;
  const std::size_t mask = buckets_.size() - 1;
  // Per SKU: its hash, then the slot of the first bucket whose tag matches
  // (0: none).
  struct Probe {
    std::size_t hash;
    std::uint32_t candidate;
  };
  std::vector<Probe> probes(n);
  // 1: hash each SKU, prefetch its first bucket.
  for (std::size_t i = 0; i < n; ++i) {
    probes[i] = {Hash{}(skus[static_cast<int>(i)]), 0};
    __builtin_prefetch(&buckets_[probes[i].hash & mask]);
  }
  // 2: the first bucket whose tag matches (or none), prefetch its slot.
  for (Probe& p : probes) {
    const auto tag = static_cast<std::uint32_t>(p.hash >> 32);
    for (std::size_t b = p.hash & mask;; b = (b + 1) & mask) {
      const Bucket& bucket = buckets_[b];
      if (bucket.slot_plus_one == 0) break;
      if (bucket.tag == tag) {
        p.candidate = bucket.slot_plus_one;
        __builtin_prefetch(&slots_[bucket.slot_plus_one - 1]);
        break;
      }
    }
  }
  // 3: confirm the SKU (a rare clash of tags: the full probe), prefetch
  // its lists and promotions.
  for (std::size_t i = 0; i < n; ++i) {
    if (probes[i].candidate == 0) continue;
    const SkuIndex* index = &slots_[probes[i].candidate - 1];
    if (index->sku != skus[static_cast<int>(i)]) {
      index = FindSku(skus[static_cast<int>(i)]);
      if (index == nullptr) continue;
    }
    (*out)[i] = index;
    __builtin_prefetch(index->lists.data());
    __builtin_prefetch(index->promotions.data());
  }
  // 4: the promotions themselves, which an answer reads.
  for (const SkuIndex* index : *out) {
    if (index == nullptr) continue;
    for (const PromotionRef& p : index->promotions) {
      __builtin_prefetch(p.promotion);
    }
  }
}

PriceBook::SkuIndex& PriceBook::IndexFor(std::string_view sku) {
  if ((slots_.size() + 1) * 2 > buckets_.size()) Grow();
  const std::size_t hash = Hash{}(sku);
  Bucket& b = buckets_[BucketFor(sku, hash)];
  if (b.slot_plus_one == 0) {
    slots_.push_back(SkuIndex{std::string(sku), {}, {}});
    b.slot_plus_one = static_cast<std::uint32_t>(slots_.size());
    b.tag = static_cast<std::uint32_t>(hash >> 32);
  }
  return slots_[b.slot_plus_one - 1];
}

void PriceBook::Grow() {
  std::size_t size = buckets_.empty() ? 16 : buckets_.size() * 2;
  while (size < (slots_.size() + 1) * 2) size *= 2;
  std::vector<Bucket> grown(size);
  const std::size_t mask = size - 1;
  for (std::size_t s = 0; s < slots_.size(); ++s) {
    const std::size_t hash = Hash{}(slots_[s].sku);
    std::size_t i = hash & mask;
    while (grown[i].slot_plus_one != 0) i = (i + 1) & mask;
    grown[i].slot_plus_one = static_cast<std::uint32_t>(s + 1);
    grown[i].tag = static_cast<std::uint32_t>(hash >> 32);
  }
  buckets_ = std::move(grown);
}

void PriceBook::IndexList(const v1::PriceList* list) {
  for (const v1::PriceEntry& e : list->entries()) {
    IndexFor(e.sku()).lists.push_back(
        ListEntry{list, e.unit(), e.unit_price().minor_units()});
  }
}

void PriceBook::UnindexList(const v1::PriceList* list) {
  for (const v1::PriceEntry& e : list->entries()) {
    // const_cast: the book's own index, found through the const lookup.
    auto* index = const_cast<SkuIndex*>(FindSku(e.sku()));
    if (index == nullptr) continue;
    std::erase_if(index->lists,
                  [list](const ListEntry& le) { return le.list == list; });
  }
}

void PriceBook::IndexPromotion(const v1::Promotion* promotion) {
  const v1::PriceScope& scope = promotion->scope();
  const PromotionRef ref{promotion, promotion->effective_from_us(),
                         promotion->effective_to_us(), promotion->member_only(),
                         scope.all_stores() && scope.store_ids_size() == 0 &&
                             scope.region().empty()};
  for (const std::string& sku : promotion->skus()) {
    std::vector<PromotionRef>& by_id = IndexFor(sku).promotions;
    by_id.insert(
        std::upper_bound(by_id.begin(), by_id.end(), ref,
                         [](const PromotionRef& a, const PromotionRef& b) {
                           return a.promotion->id() < b.promotion->id();
                         }),
        ref);
  }
}

void PriceBook::UnindexPromotion(const v1::Promotion* promotion) {
  for (const std::string& sku : promotion->skus()) {
    auto* index = const_cast<SkuIndex*>(FindSku(sku));
    if (index == nullptr) continue;
    std::erase_if(index->promotions, [promotion](const PromotionRef& p) {
      return p.promotion == promotion;
    });
  }
}

}  // namespace storeagent::core
