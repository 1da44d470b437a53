#include "core/sku_figures_table.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace storeagent::core {
namespace {

// Slots of the first index: room for 8 SKUs.
constexpr size_t kFirstSlots = 16;
// SKUs whose lookups FindMany overlaps in one pass.
constexpr size_t kPassSkus = 16;

}  // namespace

SkuFiguresTable::SkuFiguresTable(const SkuFiguresTable& other)
    : map_(other.map_) {
  Reindex(other.slots_.size());
}

SkuFiguresTable& SkuFiguresTable::operator=(const SkuFiguresTable& other) {
  if (this != &other) {
    map_ = other.map_;
    Reindex(other.slots_.size());
  }
  return *this;
}

uint64_t SkuFiguresTable::Hash(std::string_view sku) {
  return std::hash<std::string_view>{}(sku);
}

const SkuFigures* SkuFiguresTable::Find(std::string_view sku) const {
  if (slots_.empty()) return nullptr;
  return FindHashed(sku, Hash(sku));
}

const SkuFigures* SkuFiguresTable::FindHashed(std::string_view sku,
                                              uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.entry == nullptr) return nullptr;
    if (s.hash == hash && s.entry->first == sku) return &s.entry->second;
  }
}

void SkuFiguresTable::FindMany(std::span<const std::string> skus,
                               std::vector<const SkuFigures*>* out) const {
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

void SkuFiguresTable::Set(const std::string& sku, SkuFigures figures) {
  auto [it, added] = map_.insert_or_assign(sku, std::move(figures));
  if (!added) return;
  if (map_.size() * 2 > slots_.size()) {
    Reindex(slots_.empty() ? kFirstSlots : slots_.size() * 2);
  } else {
    Insert(Hash(it->first), &*it);
  }
}

void SkuFiguresTable::Reindex(size_t capacity) {
  while (capacity < kFirstSlots || map_.size() * 2 > capacity) {
    capacity = capacity < kFirstSlots ? kFirstSlots : capacity * 2;
  }
  slots_.assign(map_.empty() ? 0 : capacity, Slot{});
  for (const Map::value_type& e : map_) Insert(Hash(e.first), &e);
}

void SkuFiguresTable::Insert(uint64_t hash, const Map::value_type* entry) {
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].entry != nullptr) i = (i + 1) & mask;
  slots_[i] = Slot{hash, entry};
}

}  // namespace storeagent::core
