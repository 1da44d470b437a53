#include "core/stock_digest.h"

#include <algorithm>

#include "platform/crypto.h"

namespace storeagent::core {
namespace {

void PutInt64(int64_t v, std::string* out) {
  const auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((u >> shift) & 0xff));
  }
}

}  // namespace

uint32_t DigestBucketOf(std::string_view sku, uint32_t buckets) {
  const crypto::Digest h = crypto::Sha256(sku);
  const auto b = [&](int i) {
    return static_cast<uint32_t>(h[static_cast<size_t>(i)]);
  };
  const uint32_t v = (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
  return v % std::max<uint32_t>(buckets, 1);
}

StockDigestBuilder::StockDigestBuilder(uint32_t buckets)
    : buckets_(std::max<uint32_t>(buckets, 1)) {}

void StockDigestBuilder::Add(DigestFigure f) {
  if (f.on_hand == 0 && f.held == 0 && f.unavailable == 0) return;
  const uint32_t b =
      DigestBucketOf(f.sku, static_cast<uint32_t>(buckets_.size()));
  buckets_[b].push_back(std::move(f));
}

std::vector<std::string> StockDigestBuilder::Finish() {
  std::vector<std::string> out;
  out.reserve(buckets_.size());
  for (std::vector<DigestFigure>& bucket : buckets_) {
    std::sort(bucket.begin(), bucket.end(),
              [](const DigestFigure& a, const DigestFigure& b) {
                return a.sku < b.sku;
              });
    std::string bytes;
    for (const DigestFigure& f : bucket) {
      bytes += f.sku;
      bytes.push_back('\0');
      PutInt64(f.on_hand, &bytes);
      PutInt64(f.held, &bytes);
      PutInt64(f.unavailable, &bytes);
    }
    out.emplace_back(crypto::AsBytes(crypto::Sha256(bytes)));
    bucket.clear();
  }
  return out;
}

std::vector<uint32_t> MismatchedBuckets(const std::vector<std::string>& a,
                                        const std::vector<std::string>& b) {
  std::vector<uint32_t> out;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (i >= a.size() || i >= b.size() || a[i] != b[i]) {
      out.push_back(static_cast<uint32_t>(i));
    }
  }
  return out;
}

}  // namespace storeagent::core
