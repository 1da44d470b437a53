// Checks of head office's PushCentralEvent requests: each refusal names the
// field, each limit is accepted at its edge and refused one past it.
#include "central/server/admin_validation.h"

#include <gtest/gtest.h>

namespace storeagent::central {
namespace {

v1::PushCentralEventRequest Receipt() {
  v1::PushCentralEventRequest r;
  r.set_store_id("store-1");
  r.set_request_key("asn-1");
  v1::StockMovement* m = r.mutable_event()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  m->add_lines()->set_sku("A");
  m->mutable_lines(0)->set_quantity(3);
  return r;
}

void ExpectRefused(const v1::PushCentralEventRequest& r,
                   const std::string& field) {
  Status s = ValidatePushCentralEvent(r);
  ASSERT_FALSE(s.ok()) << r.DebugString();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind(field, 0), 0u) << s.message();
}

TEST(AdminValidationTest, AReceiptIsAccepted) {
  EXPECT_TRUE(ValidatePushCentralEvent(Receipt()).ok());
}

TEST(AdminValidationTest, StoreIdAndRequestKeyLimits) {
  v1::PushCentralEventRequest r = Receipt();
  r.set_store_id("");
  ExpectRefused(r, "store_id");
  r.set_store_id("store 1");
  ExpectRefused(r, "store_id");
  r = Receipt();
  r.set_request_key(std::string(64, 'k'));
  EXPECT_TRUE(ValidatePushCentralEvent(r).ok());
  r.set_request_key(std::string(65, 'k'));
  ExpectRefused(r, "request_key");
  r.set_request_key("#hold:x");
  ExpectRefused(r, "request_key");
  r.set_request_key("");
  ExpectRefused(r, "request_key");
}

TEST(AdminValidationTest, EventChecks) {
  v1::PushCentralEventRequest r = Receipt();
  r.mutable_event()->set_reference(std::string(64, 'r'));
  EXPECT_TRUE(ValidatePushCentralEvent(r).ok());
  r.mutable_event()->set_reference(std::string(65, 'r'));
  ExpectRefused(r, "event.reference");

  r = Receipt();
  r.mutable_event()->mutable_movement()->mutable_lines(0)->set_quantity(-1);
  ExpectRefused(r, "event.movement");

  r = Receipt();
  r.mutable_event()->mutable_escrow_hold()->mutable_hold()->set_order_ref("o");
  ExpectRefused(r, "event.escrow_hold");

  r = Receipt();
  r.mutable_event()->clear_kind();
  r.mutable_event()->clear_movement();
  ExpectRefused(r, "event");

  r = Receipt();
  r.mutable_event()->mutable_hold_cancel()->set_order_ref("");
  ExpectRefused(r, "event.hold_cancel.order_ref");
}

TEST(AdminValidationTest, Prices) {
  v1::PushCentralEventRequest r = Receipt();
  v1::PriceLine* l = r.mutable_event()->mutable_prices()->add_lines();
  l->set_sku("A");
  l->mutable_price()->set_minor_units(199);
  l->mutable_price()->set_currency("EUR");
  EXPECT_TRUE(ValidatePushCentralEvent(r).ok());
  l->mutable_price()->set_currency("eur");
  ExpectRefused(r, "event.prices.lines[0].price.currency");
  l->mutable_price()->set_currency("EUR");
  l->mutable_price()->set_minor_units(-1);
  ExpectRefused(r, "event.prices.lines[0].price.minor_units");
  l->mutable_price()->set_minor_units(1);
  *r.mutable_event()->mutable_prices()->add_lines() = *l;
  ExpectRefused(r, "event.prices.lines[1].sku");
}

TEST(AdminValidationTest, Catalog) {
  v1::PushCentralEventRequest r = Receipt();
  r.mutable_event()->mutable_catalog();
  ExpectRefused(r, "event.catalog.products");
  v1::Product* p = r.mutable_event()->mutable_catalog()->add_products();
  p->set_sku("A");
  p->set_name("Apples");
  EXPECT_TRUE(ValidatePushCentralEvent(r).ok());
  p->set_name("");
  ExpectRefused(r, "event.catalog.products");
}

TEST(AdminValidationTest, ListLimit) {
  EXPECT_EQ(*ListLimit(0, "limit"), 100u);
  EXPECT_EQ(*ListLimit(1000, "limit"), 1000u);
  EXPECT_FALSE(ListLimit(1001, "limit").ok());
  EXPECT_FALSE(ListLimit(-1, "limit").ok());
}

// The price book's versions are published (PublishPriceList,
// PublishPromotion), never pushed to one store by hand: a valid list or
// promotion in a push is refused naming its field and the method to use.
TEST(AdminValidationTest, PriceBookKindsAreRefused) {
  v1::PushCentralEventRequest r = Receipt();
  v1::PriceList* l = r.mutable_event()->mutable_price_list();
  l->set_id("L");
  l->set_version(1);
  l->set_currency("EUR");
  l->mutable_scope()->set_all_stores(true);
  ExpectRefused(r, "event.price_list");
  EXPECT_NE(ValidatePushCentralEvent(r).message().find("PublishPriceList"),
            std::string::npos);

  r = Receipt();
  v1::Promotion* p = r.mutable_event()->mutable_promotion();
  p->set_id("P");
  p->set_version(1);
  p->mutable_scope()->set_all_stores(true);
  p->add_skus("A");
  p->mutable_percent_off()->set_basis_points(1000);
  ExpectRefused(r, "event.promotion");
  EXPECT_NE(ValidatePushCentralEvent(r).message().find("PublishPromotion"),
            std::string::npos);
}

// ListPriceDeviations' filters, each at its edge: the limit as ListLimit's
// (an unsigned field: above 1000 is refused, not wrapped), a 64-character
// SKU, and a window [since_us, until_us) that is not empty.
TEST(AdminValidationTest, DeviationFilters) {
  auto refused = [](const v1::ListPriceDeviationsRequest& r,
                    const std::string& field) {
    const Status s = ValidateDeviationFilters(r);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(s.message().rfind(field + ":", 0), 0u) << s.message();
  };
  v1::ListPriceDeviationsRequest r;
  EXPECT_TRUE(ValidateDeviationFilters(r).ok());
  r.set_limit(1000);
  r.set_sku(std::string(64, 'x'));
  r.set_since_us(10);
  r.set_until_us(11);
  EXPECT_TRUE(ValidateDeviationFilters(r).ok());
  v1::ListPriceDeviationsRequest bad = r;
  bad.set_limit(1001);
  refused(bad, "limit");
  bad.set_limit(4'294'967'295u);
  refused(bad, "limit");
  bad = r;
  bad.set_sku(std::string(65, 'x'));
  refused(bad, "sku");
  bad = r;
  bad.set_until_us(10);
  refused(bad, "until_us");
  bad.set_until_us(0);  // open
  EXPECT_TRUE(ValidateDeviationFilters(bad).ok());
  bad.set_since_us(-1);
  refused(bad, "since_us");
  bad = r;
  bad.set_since_us(0);
  bad.set_until_us(-5);
  refused(bad, "until_us");
}

}  // namespace
}  // namespace storeagent::central
