// CatalogStore: the store's product catalog (SKU, GTINs, name, price,
// department, safety stock, unit) in SQLite.
//
// The catalog is replaced whole, in one transaction (an import is
// all-or-nothing); head office will push it over sync later through the same
// call. Reads serve product search by SKU, GTIN or name prefix.
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
  // Replaces the whole catalog. Writer thread. REQUIRES: `products` passed
  // core::ValidateCatalog (unique SKUs and GTINs).
  static Result<CatalogCounts> ReplaceAll(
      DbContext& ctx, const std::vector<v1::Product>& products);

  // Adds or replaces `products` (head office's CatalogUpdate): each SKU's
  // row and GTINs; a GTIN that belonged to another SKU moves to this one.
  // Writer thread. REQUIRES: core::ValidateCatalog passed.
  static Status Upsert(DbContext& ctx,
                       const std::vector<v1::Product>& products);

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
