// The stock digest both ends compute at a watermark (store seq S, central
// seq C) to prove they hold the same figures (design brief 3.4, 5.5).
//
// Every SKU goes to bucket SHA-256(sku)[0..4) (big-endian) mod n. A bucket
// is SHA-256 over its SKUs in byte order of the SKU, each as
//   sku, 0x00, on_hand, held, unavailable   (each int64 big-endian),
// skipping SKUs whose three figures are all 0 (a SKU touched and brought
// back to nothing is the same as one never touched). An empty bucket is
// SHA-256 of nothing. Pure: no I/O.
#ifndef STOREAGENT_CORE_STOCK_DIGEST_H_
#define STOREAGENT_CORE_STOCK_DIGEST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace storeagent::core {

inline constexpr uint32_t kDefaultDigestBuckets = 64;
inline constexpr uint32_t kMaxDigestBuckets = 4096;

struct DigestFigure {
  std::string sku;
  int64_t on_hand = 0;
  int64_t held = 0;
  int64_t unavailable = 0;
};

// The bucket of `sku` among `buckets` (>= 1).
uint32_t DigestBucketOf(std::string_view sku, uint32_t buckets);

// Builds a digest from figures given in any order.
class StockDigestBuilder {
 public:
  explicit StockDigestBuilder(uint32_t buckets);
  void Add(DigestFigure figure);
  // The buckets' hashes (32 bytes each), bucket 0 first.
  std::vector<std::string> Finish();

 private:
  std::vector<std::vector<DigestFigure>> buckets_;
};

// Bucket numbers whose hashes differ (sizes must match; otherwise every
// bucket of the longer list is reported).
std::vector<uint32_t> MismatchedBuckets(const std::vector<std::string>& a,
                                        const std::vector<std::string>& b);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_STOCK_DIGEST_H_
