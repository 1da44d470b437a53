// What storecentralctl prints for each CentralAdminService reply (tables for a
// person, names instead of numbers), and --json's proto-JSON.
#include "central/ctl_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CtlFormatTest, TimesAreUtcAndZeroIsADash) {
  EXPECT_EQ(FormatMicros(0), "-");
  EXPECT_EQ(FormatMicros(1'800'000'000'000'000), "2027-01-15 08:00:00Z");
}

TEST(CtlFormatTest, AGrantedHoldSaysByWhomItsStateAndLines) {
  v1::CentralAdminServicePlaceHoldResponse r;
  r.set_granted(true);
  r.set_granted_by("escrow");
  v1::Hold* h = r.mutable_hold();
  h->set_order_ref("web-1");
  h->set_state(v1::HOLD_STATE_HELD);
  h->set_expires_at_us(1'800'000'000'000'000);
  v1::HoldLine* l = h->add_lines();
  l->set_sku("A-1");
  l->set_quantity(2);
  EXPECT_EQ(FormatReply(r),
            "granted by escrow: order web-1, held, expires 2027-01-15 "
            "08:00:00Z, lines A-1=2\n");
}

TEST(CtlFormatTest, ARefusedHoldListsTheShortfallAsATable) {
  v1::CentralAdminServicePlaceHoldResponse r;
  r.set_reason("escrow: SKU A-1 has 1 free, 2 asked");
  v1::SkuAvailability* s = r.add_shortfall();
  s->set_sku("A-1");
  s->set_available(1);
  s->set_on_hand(10);
  s->set_in_catalog(true);
  const std::string text = FormatReply(r);
  EXPECT_THAT(text, HasSubstr("not granted: escrow: SKU A-1 has 1 free"));
  EXPECT_THAT(text, HasSubstr("SKU  AVAILABLE  ON_HAND"));
  EXPECT_THAT(text, HasSubstr("A-1  1          10"));
  EXPECT_THAT(text, HasSubstr("yes"));
}

TEST(CtlFormatTest, EmptyListsSaySo) {
  EXPECT_EQ(FormatReply(v1::ListDriftResponse()), "no drift\n");
  EXPECT_EQ(FormatReply(v1::ListAdminAuditResponse()),
            "no admin writes recorded\n");
  EXPECT_EQ(FormatReply(v1::ListQuarantineResponse()),
            "quarantined events:\nnone\n\nescrow breaches:\nnone\n");
}

TEST(CtlFormatTest, ColumnsAlignAndFreeTextComesLast) {
  v1::ListQuarantineResponse r;
  v1::QuarantineEntry* q = r.add_quarantined();
  q->set_store_id("store-0001");
  q->set_seq(7);
  q->set_reason("transaction.lines[0].sku: required");
  q->set_at_us(1'800'000'000'000'000);
  v1::EscrowBreachEntry* b = r.add_breaches();
  b->set_store_id("store-0001");
  b->set_seq(12);
  b->set_sku("SKU-F");
  b->set_escrow(2);
  b->set_available(0);
  b->add_order_refs("web-9");
  b->add_order_refs("web-4");
  b->set_at_risk(3);
  EXPECT_EQ(
      FormatReply(r),
      "quarantined events:\n"
      "AT                    STORE       SEQ  REASON\n"
      "2027-01-15 08:00:00Z  store-0001  7    "
      "transaction.lines[0].sku: required\n"
      "\nescrow breaches:\n"
      "STORE       SEQ  SKU    ESCROW  AVAILABLE  AT_RISK  ORDERS\n"
      "store-0001  12   SKU-F  2       0          3        web-9 web-4\n");
}

TEST(CtlFormatTest, AtRiskOrdersSayWhetherTheyEnded) {
  EXPECT_EQ(FormatReply(v1::ListAtRiskOrdersResponse()), "no orders at risk\n");
  v1::ListAtRiskOrdersResponse r;
  v1::AtRiskOrder* open = r.add_orders();
  open->set_store_id("store-0001");
  open->set_order_ref("web-9");
  open->add_skus("SKU-F");
  open->add_skus("SKU-G");
  open->set_since_us(1'800'000'000'000'000);
  open->set_breach_seq(12);
  v1::AtRiskOrder* done = r.add_orders();
  done->set_store_id("store-0001");
  done->set_order_ref("web-4");
  done->add_skus("SKU-F");
  done->set_since_us(1'800'000'000'000'000);
  done->set_breach_seq(12);
  done->set_resolution("collected");
  done->set_resolved_seq(15);
  done->set_resolved_at_us(1'800'000'060'000'000);
  EXPECT_EQ(FormatReply(r),
            "SINCE                 STORE       ORDER  SKUS         BREACH_SEQ  "
            "STATUS\n"
            "2027-01-15 08:00:00Z  store-0001  web-9  SKU-F,SKU-G  12          "
            "at risk\n"
            "2027-01-15 08:00:00Z  store-0001  web-4  SKU-F        12          "
            "collected 2027-01-15 08:01:00Z (seq 15)\n");
}

TEST(CtlFormatTest, JsonIsTheProtoJsonWithDefaults) {
  v1::PushCentralEventResponse r;
  r.set_central_seq(3);
  const std::string json = FormatReplyJson(r);
  EXPECT_THAT(json, HasSubstr("\"central_seq\": \"3\""));
  EXPECT_THAT(json, HasSubstr("\"replayed\": false"));
  EXPECT_EQ(FormatReply(r), "central_seq 3 (recorded)\n");
  // CancelHold answers with its own type of the same fields.
  v1::CentralAdminServiceCancelHoldResponse cancel;
  cancel.set_central_seq(4);
  cancel.set_replayed(true);
  EXPECT_EQ(FormatReply(cancel),
            "central_seq 4 (replayed: recorded before under this key)\n");
}

TEST(CtlFormatTest, StatusesByNameWithAHintWhereOneHelps) {
  EXPECT_EQ(FormatStatus(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                      "store-9: unknown store")),
            "NOT_FOUND: store-9: unknown store");
  const std::string down =
      FormatStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "refused"));
  EXPECT_THAT(down, HasSubstr("UNAVAILABLE: refused"));
  EXPECT_THAT(down, HasSubstr("is storecentrald running?"));
  EXPECT_THAT(down, Not(HasSubstr("14")));
  EXPECT_THAT(
      FormatStatus(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "reader")),
      HasSubstr("operator role"));
}

}  // namespace
}  // namespace storeagent::central
