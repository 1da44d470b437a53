// The price book: head office's price lists and promotions, and which of
// them are in force for a store at a moment. Pure data and rules, no I/O;
// the agent keeps one (loaded from SQLite), central builds one to answer for
// a store, tests build them by hand. docs/pricing.md is the reference.
//
// The rules:
//   * Effective window: in force at t when effective_from_us <= t and
//     (effective_to_us == 0 or t < effective_to_us): start inclusive, end
//     exclusive.
//   * Versions: Apply of a list (or promotion) with a new id adds it; with a
//     later version than the one held replaces it whole; with an earlier
//     version is ignored (kStale), so the book is the same whatever order
//     the versions arrive in; the same version with the same content is a
//     retry (kUnchanged); the same version with other content is refused
//     (ALREADY_EXISTS naming the version) and changes nothing.
//   * Scope: a list applies to a store when its store_ids name the store
//     (most specific), or its region is the store's region, or it is for
//     all_stores (least specific). A store without a region gets no region
//     list. When the StoreContext names a currency, lists in another
//     currency never apply.
//   * Precedence for a SKU at t, among the applicable lists in force that
//     price it: the most specific scope; then the latest effective_from_us;
//     then the highest version; then the smallest id (byte order), so the
//     answer is always one list, independent of the order of Apply calls.
//   * Promotions: every applicable promotion in force whose SKU set holds
//     the SKU is active (member-only ones only for a member); there is no
//     precedence among them: pricing (core/pricing.h) picks the best for the
//     customer.
// Not thread-safe for writes; concurrent const calls are safe.
#ifndef STOREAGENT_CORE_PRICE_BOOK_H_
#define STOREAGENT_CORE_PRICE_BOOK_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/price.pb.h"

namespace storeagent::core {

// The store a price question is asked for.
struct StoreContext {
  std::string store_id;
  // The store's region; "" when it has none.
  std::string region;
  // The store's currency; "" accepts lists in any currency.
  std::string currency;
};

// The shelf price of one SKU in force, and where it comes from.
struct PriceInForce {
  v1::UnitOfMeasure unit = v1::UNIT_OF_MEASURE_UNSPECIFIED;
  std::int64_t unit_price = 0;  // minor units, per piece or per whole unit
  std::string currency;
  std::string list_id;
  std::uint64_t list_version = 0;
};

// What an Apply did.
enum class ApplyOutcome {
  kAdded,      // a new id
  kReplaced,   // a later version replaced the one held
  kUnchanged,  // the same id, version and content again: a retry
  kStale,      // an earlier version than the one held: ignored
};
std::string_view ApplyOutcomeName(ApplyOutcome outcome);

// The version rule alone, for a store of versions other than a PriceBook
// (the agent's SQLite table, central's): what applying `incoming` over
// `held` (null: none held under its id) does, or ALREADY_EXISTS for the
// same version with other content. No validation.
Result<ApplyOutcome> DecideApply(const v1::PriceList& incoming,
                                 const v1::PriceList* held);
Result<ApplyOutcome> DecideApply(const v1::Promotion& incoming,
                                 const v1::Promotion* held);

// How specific a scope is for a store: 2 its store ids name it, 1 its
// region is the store's, 0 all stores, nullopt it does not apply.
std::optional<int> ScopeSpecificity(const v1::PriceScope& scope,
                                    const StoreContext& store);

// True when [from_us, to_us) holds at_us (to_us 0: no end).
bool InEffect(std::int64_t from_us, std::int64_t to_us, std::int64_t at_us);

class PriceBook {
 public:
  PriceBook() = default;
  PriceBook(const PriceBook&) = delete;
  PriceBook& operator=(const PriceBook&) = delete;
  PriceBook(PriceBook&&) = default;
  PriceBook& operator=(PriceBook&&) = default;

  // Validates (core/price_validation.h) and applies per the version rule
  // above. On any error the book is unchanged.
  Result<ApplyOutcome> ApplyPriceList(const v1::PriceList& list);
  Result<ApplyOutcome> ApplyPromotion(const v1::Promotion& promotion);

  // The price in force for `sku` at `at_us` for `store`; nullopt when no
  // applicable list in force prices it.
  std::optional<PriceInForce> PriceAt(const StoreContext& store,
                                      std::string_view sku,
                                      std::int64_t at_us) const;

  // The promotions active for `sku` at `at_us` for `store` (member-only ones
  // only when `member`), ordered by id. Pointers stay valid until the next
  // Apply.
  std::vector<const v1::Promotion*> PromotionsAt(const StoreContext& store,
                                                 std::string_view sku,
                                                 std::int64_t at_us,
                                                 bool member) const;

  // One SKU's place in the index: the lists that price it and the
  // promotions over it. Find it once, then ask PriceIn and
  // ForEachPromotionIn: what PriceAt and PromotionsAt do, with one hash
  // lookup and nothing copied or allocated (GetPrices' hot path).
  struct SkuIndex;
  // The SKU's index, or nullptr when no list or promotion held names it.
  // Valid until the next Apply.
  const SkuIndex* FindSku(std::string_view sku) const;
  // FindSku of each of `skus`, into `out` (resized, same order). The
  // lookups go in passes, each prefetching what the next reads, so that
  // the cache misses of 50 SKUs overlap instead of coming one by one.
  void FindSkus(const google::protobuf::RepeatedPtrField<std::string>& skus,
                std::vector<const SkuIndex*>* out) const;

  // The list and entry in force (PriceAt's rule) from a SKU's index.
  struct PriceRef {
    const v1::PriceList* list = nullptr;
    v1::UnitOfMeasure unit = v1::UNIT_OF_MEASURE_UNSPECIFIED;
    std::int64_t unit_price = 0;
  };
  std::optional<PriceRef> PriceIn(const SkuIndex& index,
                                  const StoreContext& store,
                                  std::int64_t at_us) const;

  // Calls `f(const v1::Promotion&)` for each promotion PromotionsAt would
  // return, in the same order (by id).
  template <typename F>
  void ForEachPromotionIn(const SkuIndex& index, const StoreContext& store,
                          std::int64_t at_us, bool member, F&& f) const;

  // The list or promotion held under `id`, or nullptr.
  const v1::PriceList* FindPriceList(std::string_view id) const;
  const v1::Promotion* FindPromotion(std::string_view id) const;

  std::size_t price_list_count() const { return lists_.size(); }
  std::size_t promotion_count() const { return promotions_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  template <typename V>
  using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;

  // One list's entry for a SKU, with what an answer reads of the entry
  // (so that answering does not reach into the list's entries).
  struct ListEntry {
    const v1::PriceList* list;
    v1::UnitOfMeasure unit;
    std::int64_t unit_price;
  };

  // The SKU index: open addressing over `slots_` (linear probing, a
  // power-of-two table at most half full; each bucket keeps the slot and
  // the hash's upper half, so a probe rarely reads a slot that is not the
  // SKU's). A SKU keeps its slot when its last list or promotion goes (the
  // agent rebuilds its book from storage at each reload; central builds one
  // per answer), so buckets are never removed.
  struct Bucket {
    std::uint32_t slot_plus_one = 0;  // 0: empty
    std::uint32_t tag = 0;            // the hash's upper 32 bits
  };
  // The bucket holding `sku` (whose `hash` it is), or the empty one where
  // it would go. REQUIRES: buckets_ not empty.
  std::size_t BucketFor(std::string_view sku, std::size_t hash) const;
  SkuIndex& IndexFor(std::string_view sku);
  void Grow();
  // A promotion over a SKU, with what decides whether it is active (so
  // that a promotion for all stores is decided without reading it).
  struct PromotionRef {
    const v1::Promotion* promotion;
    std::int64_t from_us;
    std::int64_t to_us;
    bool member_only;
    bool all_stores;
  };
  static bool Active(const PromotionRef& p, const StoreContext& store,
                     std::int64_t at_us, bool member);

  void IndexList(const v1::PriceList* list);
  void UnindexList(const v1::PriceList* list);
  void IndexPromotion(const v1::Promotion* promotion);
  void UnindexPromotion(const v1::Promotion* promotion);

  Map<std::unique_ptr<v1::PriceList>> lists_;
  Map<std::unique_ptr<v1::Promotion>> promotions_;
  std::vector<SkuIndex> slots_;
  std::vector<Bucket> buckets_;
};

struct PriceBook::SkuIndex {
  std::string sku;
  std::vector<ListEntry> lists;
  // By id (the order PromotionsAt answers in).
  std::vector<PromotionRef> promotions;
};

template <typename F>
void PriceBook::ForEachPromotionIn(const SkuIndex& index,
                                   const StoreContext& store,
                                   std::int64_t at_us, bool member,
                                   F&& f) const {
  for (const PromotionRef& p : index.promotions) {
    if (Active(p, store, at_us, member)) f(*p.promotion);
  }
}

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_PRICE_BOOK_H_
