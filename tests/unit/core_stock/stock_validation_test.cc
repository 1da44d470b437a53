// Stock movements, counts, holds, availability queries and catalogs: every
// limit at its edge (limit accepted, limit + 1 refused naming the field), the
// sign rule of each reason, hold expiry, duplicate SKUs and GTINs, GS1 check
// digits and card numbers in free text.
#include "core/stock_validation.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/limits.h"
#include "tests/unit/core/expect_refused.h"

namespace storeagent::core {
namespace {

using test::IsOk;
using test::RefusedAt;
using Reason = v1::StockMovement::Reason;

constexpr std::int64_t kNow = 1'760'000'000'000'000;  // µs, a fixed "now"
// Luhn-valid 16 digits, written as a card is.
constexpr const char* kPan = "4111 1111 1111 1111";
// A well-formed EAN-13 that also passes the Luhn check.
constexpr const char* kLuhnValidEan = "4006380000094";

std::string Sku(int i) { return "SKU-" + std::to_string(i); }

v1::StockMovement Movement(Reason reason, int lines, std::int64_t quantity) {
  v1::StockMovement m;
  m.set_reason(reason);
  for (int i = 0; i < lines; ++i) {
    v1::StockDelta* d = m.add_lines();
    d->set_sku(Sku(i));
    d->set_quantity(quantity);
  }
  m.set_reference("DN-2024-0042");
  m.set_note("pallet 3");
  m.set_operator_id("op-17");
  return m;
}

v1::StockCount Count(int lines, std::int64_t counted) {
  v1::StockCount c;
  for (int i = 0; i < lines; ++i) {
    v1::CountLine* l = c.add_lines();
    l->set_sku(Sku(i));
    l->set_counted(counted);
  }
  c.set_operator_id("op-17");
  return c;
}

v1::HoldPlaced Hold(int lines, std::int64_t quantity) {
  v1::HoldPlaced h;
  h.set_order_ref("WEB-1001");
  h.set_channel("online");
  for (int i = 0; i < lines; ++i) {
    v1::HoldLine* l = h.add_lines();
    l->set_sku(Sku(i));
    l->set_quantity(quantity);
  }
  h.set_expires_at_us(kNow + 3'600'000'000);  // one hour
  return h;
}

Status Move(const v1::StockMovement& m) {
  return ValidateStockMovement(m, "movement");
}
Status Place(const v1::HoldPlaced& h) {
  return ValidateHoldPlaced(h, kNow, "hold");
}

// ---- Movements --------------------------------------------------------------

TEST(StockMovement, EachReasonWithItsSign) {
  EXPECT_TRUE(IsOk(Move(Movement(v1::StockMovement::REASON_RECEIPT, 1, 5))));
  EXPECT_TRUE(
      IsOk(Move(Movement(v1::StockMovement::REASON_TRANSFER_IN, 1, 5))));
  EXPECT_TRUE(
      IsOk(Move(Movement(v1::StockMovement::REASON_TRANSFER_OUT, 1, -5))));
  EXPECT_TRUE(IsOk(Move(Movement(v1::StockMovement::REASON_SHRINK, 1, -5))));
  for (Reason either : {v1::StockMovement::REASON_CORRECTION,
                        v1::StockMovement::REASON_QUALITY_HOLD}) {
    EXPECT_TRUE(IsOk(Move(Movement(either, 1, 5)))) << either;
    EXPECT_TRUE(IsOk(Move(Movement(either, 1, -5)))) << either;
  }
}

TEST(StockMovement, WrongSignRefused) {
  const char* const kPath = "movement.lines[0].quantity";
  const Status receipt =
      Move(Movement(v1::StockMovement::REASON_RECEIPT, 1, -5));
  EXPECT_EQ(receipt.message(),
            "movement.lines[0].quantity: -5 must be positive for RECEIPT "
            "(1..1000000000)");
  EXPECT_TRUE(RefusedAt(
      Move(Movement(v1::StockMovement::REASON_TRANSFER_IN, 1, -1)), kPath));
  const Status shrink = Move(Movement(v1::StockMovement::REASON_SHRINK, 1, 1));
  EXPECT_EQ(shrink.message(),
            "movement.lines[0].quantity: 1 must be negative for SHRINK "
            "(-1000000000..-1)");
  EXPECT_TRUE(RefusedAt(
      Move(Movement(v1::StockMovement::REASON_TRANSFER_OUT, 1, 1)), kPath));
}

TEST(StockMovement, ZeroRefusedForEveryReason) {
  for (int r = 1; r <= 6; ++r) {
    const Status s = Move(Movement(static_cast<Reason>(r), 1, 0));
    EXPECT_TRUE(RefusedAt(s, "movement.lines[0].quantity")) << r;
    EXPECT_NE(s.message().find("non-zero"), std::string::npos);
  }
}

TEST(StockMovement, ReasonRequired) {
  const Status s = Move(Movement(v1::StockMovement::REASON_UNSPECIFIED, 1, 5));
  EXPECT_EQ(s.message(),
            "movement.reason: required (RECEIPT, TRANSFER_OUT, TRANSFER_IN, "
            "SHRINK, CORRECTION or QUALITY_HOLD)");
  EXPECT_TRUE(RefusedAt(Move(Movement(static_cast<Reason>(99), 1, 5)),
                        "movement.reason"));
}

TEST(StockMovement, LinesOneTo500) {
  const Reason kReceipt = v1::StockMovement::REASON_RECEIPT;
  EXPECT_TRUE(IsOk(Move(Movement(kReceipt, kMaxStockLines, 1))));
  const Status s = Move(Movement(kReceipt, kMaxStockLines + 1, 1));
  EXPECT_EQ(s.message(), "movement.lines: 501 lines, too many (max 500)");
  EXPECT_TRUE(RefusedAt(Move(Movement(kReceipt, 0, 1)), "movement.lines"));
}

TEST(StockMovement, QuantityAtMostOneBillionEitherWay) {
  const Reason kCorrection = v1::StockMovement::REASON_CORRECTION;
  EXPECT_TRUE(IsOk(Move(Movement(kCorrection, 1, kMaxStockQuantity))));
  EXPECT_TRUE(IsOk(Move(Movement(kCorrection, 1, -kMaxStockQuantity))));
  for (std::int64_t q : {kMaxStockQuantity + 1, -kMaxStockQuantity - 1,
                         std::numeric_limits<std::int64_t>::min(),
                         std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_TRUE(RefusedAt(Move(Movement(kCorrection, 1, q)),
                          "movement.lines[0].quantity"))
        << q;
  }
}

TEST(StockMovement, DuplicateSkuRefused) {
  v1::StockMovement m = Movement(v1::StockMovement::REASON_RECEIPT, 5, 1);
  m.mutable_lines(3)->set_sku(Sku(1));
  const Status s = Move(m);
  EXPECT_EQ(s.message(),
            "movement.lines[3].sku: duplicate of lines[1].sku (one line per "
            "SKU)");
}

TEST(StockMovement, SkuOneTo64Characters) {
  v1::StockMovement m = Movement(v1::StockMovement::REASON_RECEIPT, 2, 1);
  m.mutable_lines(1)->set_sku(std::string(kMaxSkuLength, 'k'));
  EXPECT_TRUE(IsOk(Move(m)));
  m.mutable_lines(1)->set_sku(std::string(kMaxSkuLength + 1, 'k'));
  const Status s = Move(m);
  EXPECT_EQ(s.message(),
            "movement.lines[1].sku: too long, 65 characters (max 64)");
  m.mutable_lines(1)->set_sku("");
  EXPECT_TRUE(RefusedAt(Move(m), "movement.lines[1].sku"));
  m.mutable_lines(1)->set_sku("A\tB");
  EXPECT_TRUE(RefusedAt(Move(m), "movement.lines[1].sku"));
}

TEST(StockMovement, TextLengths) {
  struct Case {
    std::string* (*field)(v1::StockMovement&);
    std::size_t max;
    const char* path;
  };
  for (const Case& c : {
           Case{[](v1::StockMovement& m) { return m.mutable_reference(); },
                kMaxStockReferenceLength, "movement.reference"},
           Case{[](v1::StockMovement& m) { return m.mutable_note(); },
                kMaxStockNoteLength, "movement.note"},
           Case{[](v1::StockMovement& m) { return m.mutable_operator_id(); },
                kMaxOperatorIdLength, "movement.operator_id"},
       }) {
    v1::StockMovement m = Movement(v1::StockMovement::REASON_RECEIPT, 1, 1);
    *c.field(m) = std::string(c.max, 'x');
    EXPECT_TRUE(IsOk(Move(m))) << c.path;
    *c.field(m) = std::string(c.max + 1, 'x');
    EXPECT_TRUE(RefusedAt(Move(m), c.path));
  }
}

TEST(StockMovement, CardNumberInNoteRefused) {
  v1::StockMovement m = Movement(v1::StockMovement::REASON_SHRINK, 1, -1);
  m.set_note(std::string("paid with ") + kPan);
  const Status s = Move(m);
  EXPECT_TRUE(RefusedAt(s, "movement.note"));
  EXPECT_NE(s.message().find("card number"), std::string::npos);
  EXPECT_EQ(s.message().find("4111"), std::string::npos);  // never echoed
}

// ---- Counts -----------------------------------------------------------------

TEST(StockCount, LinesAndCountedAtTheirEdges) {
  EXPECT_TRUE(IsOk(ValidateStockCount(Count(kMaxStockLines, 0), "count")));
  EXPECT_TRUE(
      RefusedAt(ValidateStockCount(Count(kMaxStockLines + 1, 0), "count"),
                "count.lines"));
  EXPECT_TRUE(
      RefusedAt(ValidateStockCount(Count(0, 0), "count"), "count.lines"));
  EXPECT_TRUE(IsOk(ValidateStockCount(Count(1, kMaxStockQuantity), "count")));
  EXPECT_TRUE(
      RefusedAt(ValidateStockCount(Count(1, kMaxStockQuantity + 1), "count"),
                "count.lines[0].counted"));
  EXPECT_TRUE(RefusedAt(ValidateStockCount(Count(1, -1), "count"),
                        "count.lines[0].counted"));
}

TEST(StockCount, DuplicateSkuAndCentralSeqRefused) {
  v1::StockCount c = Count(3, 4);
  c.mutable_lines(2)->set_sku(Sku(0));
  EXPECT_TRUE(RefusedAt(ValidateStockCount(c, "count"), "count.lines[2].sku"));
  c = Count(1, 4);
  c.set_central_seq(7);
  EXPECT_EQ(ValidateStockCount(c, "count").message(),
            "count.central_seq: set by the agent, must be 0 (is 7)");
}

TEST(StockCount, TextChecked) {
  v1::StockCount c = Count(1, 4);
  c.set_operator_id(std::string(kMaxOperatorIdLength + 1, 'o'));
  EXPECT_TRUE(RefusedAt(ValidateStockCount(c, "count"), "count.operator_id"));
  c = Count(1, 4);
  c.set_note(kPan);
  EXPECT_TRUE(RefusedAt(ValidateStockCount(c, "count"), "count.note"));
}

// ---- Holds ------------------------------------------------------------------

TEST(HoldPlaced, LinesAndQuantityAtTheirEdges) {
  EXPECT_TRUE(IsOk(Place(Hold(kMaxHoldLines, kMaxHoldQuantity))));
  EXPECT_TRUE(IsOk(Place(Hold(1, kMinHoldQuantity))));
  EXPECT_EQ(Place(Hold(kMaxHoldLines + 1, 1)).message(),
            "hold.lines: 101 lines, too many (max 100)");
  EXPECT_TRUE(RefusedAt(Place(Hold(0, 1)), "hold.lines"));
  EXPECT_TRUE(RefusedAt(Place(Hold(1, kMaxHoldQuantity + 1)),
                        "hold.lines[0].quantity"));
  EXPECT_TRUE(RefusedAt(Place(Hold(1, 0)), "hold.lines[0].quantity"));
  EXPECT_TRUE(RefusedAt(Place(Hold(1, -1)), "hold.lines[0].quantity"));
}

TEST(HoldPlaced, DuplicateSkuRefused) {
  v1::HoldPlaced h = Hold(2, 1);
  h.mutable_lines(1)->set_sku(Sku(0));
  EXPECT_TRUE(RefusedAt(Place(h), "hold.lines[1].sku"));
  h.mutable_lines(0)->set_sku("");
  EXPECT_TRUE(RefusedAt(Place(h), "hold.lines[0].sku"));
}

TEST(HoldPlaced, ExpiryLaterThanNowAndWithin30Days) {
  v1::HoldPlaced h = Hold(1, 1);
  h.set_expires_at_us(kNow);
  EXPECT_TRUE(RefusedAt(Place(h), "hold.expires_at_us"));
  h.set_expires_at_us(kNow - 1);
  EXPECT_TRUE(RefusedAt(Place(h), "hold.expires_at_us"));
  h.set_expires_at_us(kNow + 1);
  EXPECT_TRUE(IsOk(Place(h)));
  h.set_expires_at_us(kNow + kMaxHoldDurationUs);
  EXPECT_TRUE(IsOk(Place(h)));
  h.set_expires_at_us(kNow + kMaxHoldDurationUs + 1);
  EXPECT_TRUE(RefusedAt(Place(h), "hold.expires_at_us"));
  h.set_expires_at_us(0);
  EXPECT_TRUE(RefusedAt(Place(h), "hold.expires_at_us"));
  EXPECT_EQ(kMaxHoldDurationUs, std::int64_t{2'592'000'000'000});
  // Extremes do not overflow.
  h.set_expires_at_us(std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(RefusedAt(
      ValidateHoldPlaced(h, std::numeric_limits<std::int64_t>::min(), "hold"),
      "hold.expires_at_us"));
}

TEST(HoldPlaced, OrderRefAndChannel) {
  v1::HoldPlaced h = Hold(1, 1);
  h.set_order_ref(std::string(kMaxOrderRefLength, 'R'));
  EXPECT_TRUE(IsOk(Place(h)));
  h.set_order_ref(std::string(kMaxOrderRefLength + 1, 'R'));
  EXPECT_EQ(Place(h).message(),
            "hold.order_ref: too long, 65 characters (max 64)");
  h.set_order_ref("");
  EXPECT_TRUE(RefusedAt(Place(h), "hold.order_ref"));
  h.set_order_ref("shop/EU:2024#17_a.b-c");
  EXPECT_TRUE(IsOk(Place(h)));
  h.set_order_ref("WEB 1001");
  EXPECT_EQ(Place(h).message(),
            "hold.order_ref: character at position 3 not allowed (only "
            "characters of [A-Za-z0-9._:/#-])");
  h = Hold(1, 1);
  h.set_channel(std::string(kMaxHoldChannelLength, 'c'));
  EXPECT_TRUE(IsOk(Place(h)));
  h.set_channel(std::string(kMaxHoldChannelLength + 1, 'c'));
  EXPECT_TRUE(RefusedAt(Place(h), "hold.channel"));
}

TEST(OrderRef, CardNumberRefused) {
  EXPECT_TRUE(IsOk(ValidateOrderRef("100200300400", "order_ref")));
  const Status s = ValidateOrderRef("4111111111111111", "order_ref");
  EXPECT_TRUE(RefusedAt(s, "order_ref"));
  EXPECT_EQ(s.message().find("4111"), std::string::npos);
}

// ---- Updating a hold --------------------------------------------------------

v1::UpdateHoldRequest ShortPick(int lines, std::int64_t found) {
  v1::UpdateHoldRequest r;
  v1::HoldShortPicked* s = r.mutable_short_pick();
  s->set_order_ref("WEB-1001");
  for (int i = 0; i < lines; ++i) {
    v1::HoldLine* l = s->add_found();
    l->set_sku(Sku(i));
    l->set_quantity(found);
  }
  return r;
}

TEST(UpdateHold, ExactlyOneAction) {
  EXPECT_EQ(ValidateUpdateHold(v1::UpdateHoldRequest()).message(),
            "action: exactly one of pick, collect, cancel, short_pick is "
            "required");
  v1::UpdateHoldRequest r;
  r.mutable_pick()->set_order_ref("WEB-1001");
  EXPECT_TRUE(IsOk(ValidateUpdateHold(r)));
  r.mutable_collect()->set_order_ref("WEB 1001");
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(r), "collect.order_ref"));
  r.mutable_pick()->set_operator_id(std::string(kMaxOperatorIdLength, 'o'));
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(r), "pick.order_ref"));
  r.mutable_pick()->set_order_ref("WEB-1001");
  EXPECT_TRUE(IsOk(ValidateUpdateHold(r)));
  r.mutable_pick()->set_operator_id(std::string(kMaxOperatorIdLength + 1, 'o'));
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(r), "pick.operator_id"));
}

TEST(UpdateHold, CancelReasonLength) {
  v1::UpdateHoldRequest r;
  r.mutable_cancel()->set_order_ref("WEB-1001");
  r.mutable_cancel()->set_reason(std::string(kMaxReasonLength, 'r'));
  EXPECT_TRUE(IsOk(ValidateUpdateHold(r)));
  r.mutable_cancel()->set_reason(std::string(kMaxReasonLength + 1, 'r'));
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(r), "cancel.reason"));
  r.mutable_cancel()->set_reason(kPan);
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(r), "cancel.reason"));
}

TEST(UpdateHold, ShortPickFound) {
  EXPECT_TRUE(IsOk(ValidateUpdateHold(ShortPick(0, 0))));
  EXPECT_TRUE(IsOk(ValidateUpdateHold(ShortPick(kMaxHoldLines, 0))));
  EXPECT_TRUE(IsOk(ValidateUpdateHold(ShortPick(1, kMaxHoldQuantity))));
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(ShortPick(kMaxHoldLines + 1, 0)),
                        "short_pick.found"));
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(ShortPick(1, kMaxHoldQuantity + 1)),
                        "short_pick.found[0].quantity"));
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(ShortPick(1, -1)),
                        "short_pick.found[0].quantity"));
  v1::UpdateHoldRequest r = ShortPick(3, 1);
  r.mutable_short_pick()->mutable_found(2)->set_sku(Sku(0));
  EXPECT_EQ(ValidateUpdateHold(r).message(),
            "short_pick.found[2].sku: duplicate of found[0].sku (one line per "
            "SKU)");
}

TEST(UpdateHold, CardNumberInClientKeyRefused) {
  v1::UpdateHoldRequest r = ShortPick(1, 0);
  r.mutable_client_key()->set_terminal_id("till-1");
  r.mutable_client_key()->set_client_txn_id("4111111111111111");
  EXPECT_TRUE(RefusedAt(ValidateUpdateHold(r), "client_key.client_txn_id"));
}

// ---- Availability queries ---------------------------------------------------

std::vector<std::string> Skus(int n) {
  std::vector<std::string> skus;
  for (int i = 0; i < n; ++i) skus.push_back(Sku(i));
  return skus;
}

TEST(SkuList, OneTo500Skus) {
  EXPECT_TRUE(IsOk(ValidateSkuList(Skus(1), "skus")));
  EXPECT_TRUE(IsOk(ValidateSkuList(Skus(kMaxSkusPerAvailabilityCall), "skus")));
  EXPECT_EQ(
      ValidateSkuList(Skus(kMaxSkusPerAvailabilityCall + 1), "skus").message(),
      "skus: 501 SKUs, too many (max 500)");
  EXPECT_TRUE(
      RefusedAt(ValidateSkuList(std::vector<std::string>{}, "skus"), "skus"));
}

// The gRPC lookup checks the request's own repeated field: the same rule.
TEST(SkuList, RepeatedFieldCheckedAlike) {
  const std::vector<std::string> skus = Skus(kMaxSkusPerAvailabilityCall + 1);
  google::protobuf::RepeatedPtrField<std::string> asked(skus.begin(),
                                                        skus.end());
  EXPECT_EQ(ValidateSkuList(asked, "skus").message(),
            "skus: 501 SKUs, too many (max 500)");
  asked.RemoveLast();
  EXPECT_TRUE(IsOk(ValidateSkuList(asked, "skus")));
  *asked.Mutable(3) = "bad\x01sku";
  EXPECT_TRUE(RefusedAt(ValidateSkuList(asked, "skus"), "skus[3]"));
  asked.Clear();
  EXPECT_TRUE(RefusedAt(ValidateSkuList(asked, "skus"), "skus"));
}

TEST(SkuList, EachSkuChecked) {
  std::vector<std::string> skus = Skus(10);
  skus[7] = std::string(kMaxSkuLength, 's');
  EXPECT_TRUE(IsOk(ValidateSkuList(skus, "skus")));
  skus[7] = std::string(kMaxSkuLength + 1, 's');
  EXPECT_TRUE(RefusedAt(ValidateSkuList(skus, "skus"), "skus[7]"));
  skus[7] = "";
  EXPECT_TRUE(RefusedAt(ValidateSkuList(skus, "skus"), "skus[7]"));
  skus[7] = std::string("a\x01", 2);
  EXPECT_TRUE(RefusedAt(ValidateSkuList(skus, "skus"), "skus[7]"));
  skus[7] = "\x7f";
  EXPECT_TRUE(RefusedAt(ValidateSkuList(skus, "skus"), "skus[7]"));
}

v1::SearchProductsRequest Search(const std::string& query, int limit) {
  v1::SearchProductsRequest r;
  r.set_query(query);
  r.set_limit(limit);
  return r;
}

TEST(Search, QueryAndLimit) {
  EXPECT_TRUE(IsOk(ValidateSearch(Search("mi", 0))));
  EXPECT_TRUE(IsOk(ValidateSearch(Search(std::string(128, 'q'), 1))));
  EXPECT_TRUE(IsOk(ValidateSearch(Search("milk", kMaxSearchLimit))));
  EXPECT_TRUE(
      RefusedAt(ValidateSearch(Search(std::string(129, 'q'), 0)), "query"));
  EXPECT_TRUE(RefusedAt(ValidateSearch(Search("", 0)), "query"));
  EXPECT_EQ(ValidateSearch(Search("milk", kMaxSearchLimit + 1)).message(),
            "limit: 51 out of range (0..50, 0 = default 20)");
  EXPECT_TRUE(RefusedAt(ValidateSearch(Search("milk", -1)), "limit"));
}

TEST(Search, BarcodeAllowedCardNumberRefused) {
  EXPECT_TRUE(IsOk(ValidateSearch(Search(kLuhnValidEan, 0))));
  EXPECT_TRUE(RefusedAt(ValidateSearch(Search(kPan, 0)), "query"));
}

TEST(ListHolds, StateAndLimit) {
  v1::ListHoldsRequest r;
  EXPECT_TRUE(IsOk(ValidateListHolds(r)));
  for (int s = 0; s <= 5; ++s) {
    r.set_state(static_cast<v1::HoldState>(s));
    EXPECT_TRUE(IsOk(ValidateListHolds(r))) << s;
  }
  r.set_state(static_cast<v1::HoldState>(6));
  EXPECT_TRUE(RefusedAt(ValidateListHolds(r), "state"));
  r.set_state(v1::HOLD_STATE_HELD);
  r.set_limit(kMaxListHoldsLimit);
  EXPECT_TRUE(IsOk(ValidateListHolds(r)));
  r.set_limit(kMaxListHoldsLimit + 1);
  EXPECT_EQ(ValidateListHolds(r).message(),
            "limit: 1001 out of range (0..1000, 0 = default 100)");
  r.set_limit(-1);
  EXPECT_TRUE(RefusedAt(ValidateListHolds(r), "limit"));
}

// ---- Catalog ----------------------------------------------------------------

v1::Product Product(const std::string& sku) {
  v1::Product p;
  p.set_sku(sku);
  p.set_name("Product " + sku);
  return p;
}

std::vector<v1::Product> Catalog(int n) {
  std::vector<v1::Product> products(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    products[static_cast<std::size_t>(i)].set_sku(std::to_string(i));
    products[static_cast<std::size_t>(i)].set_name("p");
  }
  return products;
}

v1::Product Full(const std::string& sku) {
  v1::Product p = Product(sku);
  p.add_gtins("4006381333931");
  p.set_department("Dairy");
  p.mutable_price()->set_minor_units(129);
  p.mutable_price()->set_currency("EUR");
  p.set_safety_stock(2);
  p.set_unit("each");
  return p;
}

TEST(Catalog, FullProductsValid) {
  v1::Product milli = Full("CHEESE");
  milli.clear_gtins();
  milli.add_gtins("036000291452");
  milli.add_gtins("96385074");
  milli.add_gtins("10036000291459");  // GTIN-14
  milli.set_unit("milli");
  v1::Product bare = Product("BAG");
  bare.set_unit("");
  EXPECT_TRUE(IsOk(ValidateCatalog({Full("MILK"), milli, bare})));
}

TEST(Catalog, ProductHasTheFieldsValidateCatalogChecks) {
  // A new field must get its check in ValidateCatalog: Product strings are
  // checked one by one (GTINs are barcodes, not free text).
  EXPECT_EQ(v1::Product::descriptor()->field_count(), 7);
}

TEST(Catalog, OneTo200000Products) {
  std::vector<v1::Product> products = Catalog(kMaxCatalogProducts);
  EXPECT_TRUE(IsOk(ValidateCatalog(products)));
  products.push_back(Product("one-more"));
  EXPECT_EQ(ValidateCatalog(products).message(),
            "products: 200001 products, too many (max 200000)");
  EXPECT_TRUE(RefusedAt(ValidateCatalog({}), "products"));
}

TEST(Catalog, DuplicateSkuNamesBothRows) {
  std::vector<v1::Product> products = Catalog(10);
  products[6].set_sku("2");
  EXPECT_EQ(ValidateCatalog(products).message(),
            "row 7 (sku 2): sku: duplicate of row 3");
  EXPECT_EQ(ValidateCatalog(products, 101).message(),
            "row 107 (sku 2): sku: duplicate of row 103");
}

TEST(Catalog, DuplicateGtinNamesBothRows) {
  std::vector<v1::Product> products = {Full("A"), Product("B"), Product("C")};
  products[2].add_gtins("96385074");
  products[2].add_gtins("4006381333931");
  EXPECT_EQ(ValidateCatalog(products).message(),
            "row 3 (sku C): gtins[1]: duplicate of row 1 (sku A) gtins[0]");
  // GTIN-12 and GTIN-13 spellings of one barcode are one GTIN.
  products = {Product("A"), Product("B")};
  products[0].add_gtins("036000291452");
  products[1].add_gtins("0036000291452");
  EXPECT_EQ(ValidateCatalog(products).message(),
            "row 2 (sku B): gtins[0]: duplicate of row 1 (sku A) gtins[0] "
            "(same GTIN-14)");
  products = {Product("A")};
  products[0].add_gtins("96385074");
  products[0].add_gtins("96385074");
  EXPECT_TRUE(RefusedAt(ValidateCatalog(products), "row 1 (sku A): gtins[1]"));
}

TEST(Catalog, GtinCheckDigits) {
  for (const char* good : {"4006381333931", "036000291452", "96385074",
                           "00036000291452", kLuhnValidEan}) {
    v1::Product p = Product("ABC");
    p.add_gtins(good);
    EXPECT_TRUE(IsOk(ValidateCatalog({p}))) << good;
  }
  for (const char* bad :
       {"4006381333932", "036000291453", "96385075", "10036000291458"}) {
    std::vector<v1::Product> products = Catalog(11);
    products[11 - 1] = Product("ABC");
    products[11 - 1].add_gtins("96385074");
    products[11 - 1].add_gtins(bad);
    EXPECT_EQ(ValidateCatalog(products, 2).message(),
              "row 12 (sku ABC): gtins[1]: check digit is wrong (GS1 mod 10)")
        << bad;
  }
  for (const char* malformed : {"", "1234567", "123456789", "12345678901",
                                "400638133393a", "123456789012345"}) {
    v1::Product p = Product("ABC");
    p.add_gtins(malformed);
    EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), "row 1 (sku ABC): gtins[0]"))
        << malformed;
  }
}

TEST(Catalog, TenGtinsPerProduct) {
  v1::Product p = Product("ABC");
  for (const char* g : {"96385074", "4006381333931", "036000291452",
                        "4006380000094", "00000000", "12345670", "40170725",
                        "50123452", "73513537", "20123451"}) {
    p.add_gtins(g);
  }
  ASSERT_EQ(p.gtins_size(), kMaxGtinsPerProduct);
  EXPECT_TRUE(IsOk(ValidateCatalog({p})));
  p.add_gtins("5901234123457");
  EXPECT_EQ(ValidateCatalog({p}).message(),
            "row 1 (sku ABC): gtins: 11 GTINs, too many (max 10)");
}

TEST(Catalog, SkuNameDepartmentLengths) {
  v1::Product p = Product(std::string(kMaxSkuLength, 'S'));
  EXPECT_TRUE(IsOk(ValidateCatalog({p})));
  p.set_sku(std::string(kMaxSkuLength + 1, 'S'));
  EXPECT_EQ(ValidateCatalog({p}).message(),
            "row 1: sku: too long, 65 characters (max 64)");
  p.set_sku("");
  EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), "row 1: sku"));
  p = Product("ABC");
  p.set_name(std::string(kMaxProductNameLength, 'n'));
  EXPECT_TRUE(IsOk(ValidateCatalog({p})));
  p.set_name(std::string(kMaxProductNameLength + 1, 'n'));
  EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), "row 1 (sku ABC): name"));
  p.set_name("");
  EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), "row 1 (sku ABC): name"));
  p = Product("ABC");
  p.set_department(std::string(kMaxDepartmentLength, 'd'));
  EXPECT_TRUE(IsOk(ValidateCatalog({p})));
  p.set_department(std::string(kMaxDepartmentLength + 1, 'd'));
  EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), "row 1 (sku ABC): department"));
}

TEST(Catalog, BadSkuNeverEchoed) {
  v1::Product p = Product("4111111111111111");
  const Status s = ValidateCatalog({Product("A"), p});
  EXPECT_TRUE(RefusedAt(s, "row 2: sku"));
  EXPECT_EQ(s.message().find("4111"), std::string::npos);
  p.set_sku("A\nB");
  EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), "row 1: sku"));
}

TEST(Catalog, PriceSafetyStockUnit) {
  v1::Product p = Full("ABC");
  p.mutable_price()->set_minor_units(kMaxAmountMinorUnits);
  EXPECT_TRUE(IsOk(ValidateCatalog({p})));
  p.mutable_price()->set_minor_units(0);
  EXPECT_TRUE(IsOk(ValidateCatalog({p})));
  const char* const kLabel = "row 1 (sku ABC): ";
  for (std::int64_t bad : {kMaxAmountMinorUnits + 1, std::int64_t{-1}}) {
    p.mutable_price()->set_minor_units(bad);
    EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), std::string(kLabel) + "price"));
  }
  p = Full("ABC");
  p.mutable_price()->set_currency("EUX");
  EXPECT_EQ(ValidateCatalog({p}).message(),
            "row 1 (sku ABC): price.currency: \"EUX\" is not an active ISO "
            "4217 code");
  for (const char* bad : {"", "eur", "EURO", "4111111111111111"}) {
    p.mutable_price()->set_currency(bad);
    const Status s = ValidateCatalog({p});
    EXPECT_TRUE(RefusedAt(s, std::string(kLabel) + "price.currency")) << bad;
    EXPECT_EQ(s.message().find("4111"), std::string::npos);
  }
  p = Full("ABC");
  p.set_safety_stock(kMaxSafetyStock);
  EXPECT_TRUE(IsOk(ValidateCatalog({p})));
  for (std::int64_t bad : {kMaxSafetyStock + 1, std::int64_t{-1}}) {
    p.set_safety_stock(bad);
    EXPECT_TRUE(
        RefusedAt(ValidateCatalog({p}), std::string(kLabel) + "safety_stock"));
  }
  p = Full("ABC");
  p.set_unit("kg");
  EXPECT_TRUE(RefusedAt(ValidateCatalog({p}), std::string(kLabel) + "unit"));
}

TEST(Catalog, FirstRowAtLeastOne) {
  EXPECT_TRUE(RefusedAt(ValidateCatalog(Catalog(1), 0), "first_row"));
  EXPECT_TRUE(RefusedAt(
      ValidateCatalog(Catalog(2), std::numeric_limits<std::int64_t>::max()),
      "first_row"));
}

}  // namespace
}  // namespace storeagent::core
