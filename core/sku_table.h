// SkuTable<V>: a StockReplay's values by SKU (its figures, its escrow).
// Kept in SKU order (what digests, snapshots and rebuilds walk), with a hash
// index beside it so that a question about one SKU (central's
// FindAvailability, escrow decisions) is one probe of a flat table instead
// of a walk down a tree of thousands of nodes, most of them a cache miss:
// 0.7-0.9 us a lookup in a 5,000-SKU std::map on the 2-core box, about
// 0.2 us hashed (docs/central.md, "FindAvailability: the benchmark").
//
// The index holds pointers to the map's nodes, which a std::map never
// moves: a move keeps them; a copy indexes its own.
// Thread-safety: none of its own; const methods may run concurrently.
#ifndef STOREAGENT_CORE_SKU_TABLE_H_
#define STOREAGENT_CORE_SKU_TABLE_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace storeagent::core {

template <typename V>
class SkuTable {
 public:
  using Map = std::map<std::string, V>;

  SkuTable() = default;
  SkuTable(const SkuTable& other) : map_(other.map_) {
    Reindex(other.slots_.size());
  }
  SkuTable& operator=(const SkuTable& other) {
    if (this != &other) {
      map_ = other.map_;
      Reindex(other.slots_.size());
    }
    return *this;
  }
  SkuTable(SkuTable&& other) noexcept = default;
  SkuTable& operator=(SkuTable&& other) noexcept = default;

  // Every SKU, in SKU order.
  const Map& ordered() const { return map_; }
  size_t size() const { return map_.size(); }

  // The SKU's value; nullptr for a SKU not in the table.
  const V* Find(std::string_view sku) const {
    return slots_.empty() ? nullptr : FindHashed(sku, Hash(sku));
  }

  // Find() of each of `skus`, in order, into `out` (resized to match): in
  // passes over a few SKUs at a time (hash and prefetch their slots, then
  // their entries, then compare), so that the cache misses of one SKU
  // overlap the next's instead of coming one after the other.
  void FindMany(std::span<const std::string> skus,
                std::vector<const V*>* out) const {
    out->assign(skus.size(), nullptr);
    if (slots_.empty()) return;
    const size_t mask = slots_.size() - 1;
    uint64_t hash[kPassSkus];
    for (size_t at = 0; at < skus.size(); at += kPassSkus) {
      const size_t n = std::min(kPassSkus, skus.size() - at);
      for (size_t i = 0; i < n; ++i) {
        hash[i] = Hash(skus[at + i]);
        __builtin_prefetch(&slots_[hash[i] & mask]);
      }
      for (size_t i = 0; i < n; ++i) {
        const Slot& s = slots_[hash[i] & mask];
        if (s.entry != nullptr) __builtin_prefetch(s.entry);
      }
      for (size_t i = 0; i < n; ++i) {
        (*out)[at + i] = FindHashed(skus[at + i], hash[i]);
      }
    }
  }

  // Sets the SKU's value, adding the SKU when new.
  void Set(const std::string& sku, V value) {
    auto [it, added] = map_.insert_or_assign(sku, std::move(value));
    if (!added) return;
    if (map_.size() * 2 > slots_.size()) {
      Reindex(slots_.empty() ? kFirstSlots : slots_.size() * 2);
    } else {
      Insert(Hash(it->first), &*it);
    }
  }

  // Removes the SKU, if in the table.
  void Erase(std::string_view sku) {
    if (slots_.empty()) return;
    const uint64_t hash = Hash(sku);
    const size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    while (slots_[i].entry != nullptr &&
           !(slots_[i].hash == hash && slots_[i].entry->first == sku)) {
      i = (i + 1) & mask;
    }
    if (slots_[i].entry == nullptr) return;
    map_.erase(map_.find(slots_[i].entry->first));
    // Backward-shift deletion: move up each later entry of the run that
    // the hole would cut off from its home slot.
    for (size_t j = (i + 1) & mask; slots_[j].entry != nullptr;
         j = (j + 1) & mask) {
      const size_t home = slots_[j].hash & mask;
      const bool cut_off = i <= j ? (home <= i || home > j)  // no wrap
                                  : (home <= i && home > j);
      if (cut_off) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = Slot{};
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    const typename Map::value_type* entry = nullptr;  // nullptr: empty
  };
  // Slots of the first index: room for 8 SKUs.
  static constexpr size_t kFirstSlots = 16;
  // SKUs whose lookups FindMany overlaps in one pass.
  static constexpr size_t kPassSkus = 16;

  static uint64_t Hash(std::string_view sku) {
    return std::hash<std::string_view>{}(sku);
  }

  const V* FindHashed(std::string_view sku, uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.entry == nullptr) return nullptr;
      if (s.hash == hash && s.entry->first == sku) return &s.entry->second;
    }
  }

  // Rebuilds the index with at least `capacity` slots (a power of two, at
  // least twice the SKUs).
  void Reindex(size_t capacity) {
    while (capacity < kFirstSlots || map_.size() * 2 > capacity) {
      capacity = capacity < kFirstSlots ? kFirstSlots : capacity * 2;
    }
    slots_.assign(map_.empty() ? 0 : capacity, Slot{});
    for (const auto& e : map_) Insert(Hash(e.first), &e);
  }

  void Insert(uint64_t hash, const typename Map::value_type* entry) {
    const size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    while (slots_[i].entry != nullptr) i = (i + 1) & mask;
    slots_[i] = Slot{hash, entry};
  }

  Map map_;
  // Open addressing, linear probing, at most half full.
  std::vector<Slot> slots_;
};

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_SKU_TABLE_H_
