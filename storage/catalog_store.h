// CatalogStore: the store's product catalog (SKU, GTINs, name, price,
// department, safety stock, unit) in SQLite.
//
// Each product is head office's ('central', pushed over sync) or the
// store's own ('local', imported); a local import replaces the store's own
// in one transaction and never touches head office's
// (docs/availability-api.md, "Who owns the catalog"). Reads serve product
// search by SKU, GTIN or name prefix.
#ifndef STOREAGENT_STORAGE_CATALOG_STORE_H_
#define STOREAGENT_STORAGE_CATALOG_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "platform/status.h"
#include "storage/writer.h"
#include "storeagent/v1/stock.pb.h"

namespace storeagent::storage {

struct CatalogCounts {
  int64_t products = 0;
  int64_t gtins = 0;
};

class CatalogStore {
 public:
  // Who owns the catalog (docs/availability-api.md, "Who owns the
  // catalog"): a product head office pushed (CatalogUpdate) is head
  // office's ('central'); one the store imported is the store's ('local').

  // Replaces the store's own products with `products` (a local import);
  // head office's stay. Refused whole, changing nothing, with
  // FAILED_PRECONDITION "row N (sku S): ..." (N = first_row + index) when a
  // product is one head office owns or carries a GTIN of one of theirs.
  // Writer thread. REQUIRES: `products` passed core::ValidateCatalog
  // (unique SKUs and GTINs).
  static Result<CatalogCounts> ReplaceLocal(
      DbContext& ctx, const std::vector<v1::Product>& products,
      int64_t first_row = 1);

  // One part of a journaled local import (CatalogImported), re-applied in
  // journal order (a re-seed): part 0 first clears the store's own
  // products; a product head office owns by now, or one carrying a GTIN of
  // theirs, is skipped. Writer thread.
  static Status ApplyImported(DbContext& ctx, const v1::CatalogImported& part);

  // Adds or replaces `products` (head office's CatalogUpdate) as head
  // office's: each SKU's row and GTINs; a GTIN that belonged to another SKU
  // moves to this one. A SKU that was the store's becomes head office's
  // and is added to `taken_over` (when given). Writer thread. REQUIRES:
  // core::ValidateCatalog passed.
  static Status Upsert(DbContext& ctx, const std::vector<v1::Product>& products,
                       std::vector<std::string>* taken_over = nullptr);

  // Sets the price of `sku`; false when the SKU is not in the catalog
  // (nothing changes then). Writer thread.
  static Result<bool> SetPrice(DbContext& ctx, const std::string& sku,
                               int64_t minor_units,
                               const std::string& currency);

  static Result<std::optional<v1::Product>> Get(DbContext& ctx,
                                                const std::string& sku);

  // Exact SKU first, then exact GTIN, then names starting with `query`
  // (case-insensitive for ASCII), at most `limit`, by name.
  static Result<std::vector<v1::Product>> Search(DbContext& ctx,
                                                 const std::string& query,
                                                 int limit);
};

// Lower-case ASCII letters; other bytes unchanged.
std::string FoldName(std::string_view name);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_CATALOG_STORE_H_
