// The availability benchmark's store: a catalog of N products built in
// memory (SKU "SKU-000001" ..., one valid GTIN-13 each, a name, a department,
// an EUR price, safety stock), imported through the real
// AvailabilityService.ImportCatalog client stream, then stocked with
// RecordStockEvent receipts; and a valid 5-line sale of catalog SKUs for the
// sales client.
//
// Every call here is a blocking gRPC call with a deadline; none is made
// from a gRPC reaction. Not thread-safe: one caller at a time.
#ifndef STOREAGENT_BENCH_AVAILABILITY_CATALOG_H_
#define STOREAGENT_BENCH_AVAILABILITY_CATALOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/availability.grpc.pb.h"
#include "storeagent/v1/pos.pb.h"
#include "storeagent/v1/stock.pb.h"

namespace storeagent::bench {

// ImportCatalogRequest.products: the chunk size the import streams.
inline constexpr int kCatalogChunkProducts = 1000;
// Lines per stock receipt (StockMovement.lines: at most 500).
inline constexpr int kReceiptLines = 500;

// "SKU-000042" for i = 42 (1-based, up to 999,999).
std::string CatalogSku(int i);

// The GTIN-13 whose first 12 digits are `first12` (zero-padded), with the
// GS1 mod-10 check digit appended. REQUIRES: 0 <= first12 < 10^12.
std::string Gtin13(int64_t first12);

// Products 1..n, in SKU order: every tenth weighed ("milli"), the rest
// "each"; GTINs from the GS1 in-store prefix 200, unique.
std::vector<v1::Product> BuildCatalog(int n);

// The units product `i` (1-based) is given by its receipt.
int64_t ReceiptQuantity(int i);

// `products` as import chunks of kCatalogChunkProducts, rows numbered from
// 1, ready to stream (built before an import is timed).
std::vector<v1::ImportCatalogRequest> CatalogChunks(
    const std::vector<v1::Product>& products);

// Streams `chunks` through ImportCatalog and waits for the reply; checks it
// counts every product and GTIN sent (one GTIN per product).
Status ImportCatalog(v1::AvailabilityService::Stub& stub,
                     const std::vector<v1::ImportCatalogRequest>& chunks);

// Records RECEIPT movements of up to kReceiptLines lines for products
// 1..`count` (ReceiptQuantity units each), one call at a time.
Status ReceiveStock(v1::AvailabilityService::Stub& stub,
                    const std::vector<v1::Product>& products, int count);

// Reads back products 1, `count` and one between, and checks on hand and
// in-catalog against the receipts.
Status CheckStock(v1::AvailabilityService::Stub& stub,
                  const std::vector<v1::Product>& products, int count);

// A valid 5-line EUR sale of catalog products (tests' SampleSale with its
// SKUs, GTINs, descriptions and prices replaced, totals recomputed): lines
// of "each" products but the fifth, which is a weighed product, matching
// the sample's units. REQUIRES: products.size() >= 100.
v1::RecordTransactionRequest CatalogSale(
    const std::vector<v1::Product>& products);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_AVAILABILITY_CATALOG_H_
