#include "core/stock_digest.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace storeagent::core {
namespace {

std::vector<std::string> DigestOf(std::vector<DigestFigure> figures,
                                  uint32_t buckets = 16) {
  StockDigestBuilder b(buckets);
  for (DigestFigure& f : figures) b.Add(std::move(f));
  return b.Finish();
}

TEST(StockDigest, SameFiguresInAnyOrderGiveTheSameDigest) {
  const std::vector<DigestFigure> a = {{"A", 5, 1, 0}, {"B", -2, 0, 3}};
  const std::vector<DigestFigure> b = {{"B", -2, 0, 3}, {"A", 5, 1, 0}};
  EXPECT_EQ(DigestOf(a), DigestOf(b));
  EXPECT_EQ(DigestOf(a).size(), 16u);
}

TEST(StockDigest, AllZeroSkusAreLeftOut) {
  EXPECT_EQ(DigestOf({{"A", 5, 0, 0}, {"Z", 0, 0, 0}}),
            DigestOf({{"A", 5, 0, 0}}));
}

TEST(StockDigest, OneChangedFigureChangesExactlyItsBucket) {
  std::vector<DigestFigure> base;
  for (int i = 0; i < 200; ++i) base.push_back({"SKU" + std::to_string(i), i});
  for (const char* field : {"on_hand", "held", "unavailable"}) {
    std::vector<DigestFigure> changed = base;
    DigestFigure& f = changed[77];
    if (std::string(field) == "on_hand") f.on_hand += 1;
    if (std::string(field) == "held") f.held += 1;
    if (std::string(field) == "unavailable") f.unavailable += 1;
    const std::vector<uint32_t> diff =
        MismatchedBuckets(DigestOf(base), DigestOf(changed));
    ASSERT_EQ(diff.size(), 1u) << field;
    EXPECT_EQ(diff[0], DigestBucketOf("SKU77", 16)) << field;
  }
}

TEST(StockDigest, BucketsSpreadAndStayInRange) {
  std::vector<int> used(64);
  for (int i = 0; i < 6400; ++i) {
    const uint32_t b = DigestBucketOf("S" + std::to_string(i), 64);
    ASSERT_LT(b, 64u);
    ++used[b];
  }
  EXPECT_GT(*std::min_element(used.begin(), used.end()), 50);
  EXPECT_EQ(DigestBucketOf("x", 1), 0u);
}

TEST(StockDigest, DifferentBucketCountsAllDiffer) {
  EXPECT_EQ(MismatchedBuckets(DigestOf({}, 4), DigestOf({}, 6)).size(), 2u);
}

}  // namespace
}  // namespace storeagent::core
