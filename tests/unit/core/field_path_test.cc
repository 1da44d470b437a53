// core::validation::FieldPath: a field's path put into words only on a
// refusal, the same words the validators built eagerly before.
#include <gtest/gtest.h>

#include <string>

#include "core/validation_util.h"

namespace storeagent::core::validation {
namespace {

TEST(FieldPathTest, RootNamesAndIndexesJoinAsTheMessagesSayThem) {
  const FieldPath root("transaction.sale");
  EXPECT_EQ(root.str(), "transaction.sale");
  EXPECT_EQ((root / "totals.total").str(), "transaction.sale.totals.total");
  EXPECT_EQ(((root / "lines")[2] / "sku").str(),
            "transaction.sale.lines[2].sku");
  EXPECT_EQ((root / "lines")[0].str(), "transaction.sale.lines[0]");
}

TEST(FieldPathTest, AnEmptyRootAddsNoLeadingDot) {
  const FieldPath root("");
  EXPECT_EQ((root / "sku").str(), "sku");
  EXPECT_EQ(root[3].str(), "[3]");
}

TEST(FieldPathTest, AStringRootIsReadWhenPutIntoWords) {
  const std::string name = "signal.points_earned";
  EXPECT_EQ(Error(FieldPath(name) / "points", "out of range").message(),
            "signal.points_earned.points: out of range");
}

TEST(FieldPathTest, CountAndRangeRefusalsNameThePath) {
  const FieldPath p("transaction.sale");
  Status s = CheckCount(0, 1, 5, p / "lines", "lines");
  EXPECT_EQ(s.message(),
            "transaction.sale.lines: at least 1 lines required (1..5)");
  s = CheckRange(7, 0, 5, (p / "lines")[1] / "quantity", " for EACH");
  EXPECT_EQ(s.message(),
            "transaction.sale.lines[1].quantity: 7 out of range (0..5 for "
            "EACH)");
  EXPECT_TRUE(CheckRange(3, 0, 5, p / "x").ok());
}

TEST(FieldPathTest, CheckTextAtNamesThePathOnlyOfARefusal) {
  const FieldPath p("transaction");
  EXPECT_TRUE(CheckTextAt("plain words", "", p / "note").ok());
  Status s = CheckTextAt("bad\x01", "", p / "note");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("transaction.note: control character", 0), 0u)
      << s.message();
}

}  // namespace
}  // namespace storeagent::core::validation
