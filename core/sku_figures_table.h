// SkuFiguresTable: a StockReplay's figures by SKU. Kept in SKU order (what
// digests, snapshots and rebuilds walk), with a hash index beside it so
// that a question about one SKU (central's FindAvailability, escrow
// decisions) is one probe of a flat table instead of a walk down a tree of
// thousands of nodes, most of them a cache miss: 0.7-0.9 us a lookup in a
// 5,000-SKU map on the 2-core box, about 0.2 us hashed (docs/central.md,
// "FindAvailability: the benchmark").
//
// Entries are only added or replaced, never removed (a replay never
// forgets a SKU). The index holds pointers to the map's nodes, which a
// std::map never moves: a move keeps them; a copy indexes its own.
// Thread-safety: none of its own; const methods may run concurrently.
#ifndef STOREAGENT_CORE_SKU_FIGURES_TABLE_H_
#define STOREAGENT_CORE_SKU_FIGURES_TABLE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/stock_rule.h"

namespace storeagent::core {

// One SKU's figures after the records applied so far.
struct SkuFigures {
  int64_t on_hand = 0;
  int64_t held = 0;
  int64_t unavailable = 0;
  // The last count, if any: counted quantity and its watermark (S, C).
  std::optional<CountReset> count;
  // Seq of the last record that touched this SKU.
  uint64_t updated_seq = 0;
};

class SkuFiguresTable {
 public:
  using Map = std::map<std::string, SkuFigures>;

  SkuFiguresTable() = default;
  SkuFiguresTable(const SkuFiguresTable& other);
  SkuFiguresTable& operator=(const SkuFiguresTable& other);
  SkuFiguresTable(SkuFiguresTable&& other) noexcept = default;
  SkuFiguresTable& operator=(SkuFiguresTable&& other) noexcept = default;

  // Every SKU, in SKU order.
  const Map& ordered() const { return map_; }
  size_t size() const { return map_.size(); }
  // The SKU's figures; nullptr for a SKU never set.
  const SkuFigures* Find(std::string_view sku) const;
  // Find() of each of `skus`, in order, into `out` (resized to match): in
  // passes over a few SKUs at a time (hash and prefetch their slots, then
  // their entries, then compare), so that the cache misses of one SKU
  // overlap the next's instead of coming one after the other.
  void FindMany(std::span<const std::string> skus,
                std::vector<const SkuFigures*>* out) const;
  // Sets the SKU's figures, adding it when new.
  void Set(const std::string& sku, SkuFigures figures);

 private:
  struct Slot {
    uint64_t hash = 0;
    const Map::value_type* entry = nullptr;  // nullptr: empty
  };
  static uint64_t Hash(std::string_view sku);
  const SkuFigures* FindHashed(std::string_view sku, uint64_t hash) const;
  // Rebuilds the index with `capacity` slots (a power of two, more than
  // twice the SKUs).
  void Reindex(size_t capacity);
  void Insert(uint64_t hash, const Map::value_type* entry);

  Map map_;
  // Open addressing, linear probing, at most half full.
  std::vector<Slot> slots_;
};

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_SKU_FIGURES_TABLE_H_
