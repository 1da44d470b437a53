// The responses that repeat another message's fields (proto/wire_copy.h):
// each pair is checked field by field, so a field added to one and not the
// other fails here, and a copy keeps every value.
#include "proto/wire_copy.h"

#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/pos.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent {
namespace {

namespace v1 = ::storeagent::v1;
using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

std::string Shape(const FieldDescriptor& f) {
  std::string s = std::string(f.name()) + "=" + std::to_string(f.number()) +
                  " " + f.type_name() + (f.is_repeated() ? " repeated" : "");
  if (f.message_type() != nullptr) s += " " + f.message_type()->full_name();
  return s;
}

// What differs between the fields of `from` and `to`: a field of one the
// other lacks (unless `to` reserves its number) or has in another shape.
std::vector<std::string> Differences(const Descriptor& from,
                                     const Descriptor& to) {
  std::vector<std::string> out;
  for (int i = 0; i < from.field_count(); ++i) {
    const FieldDescriptor& f = *from.field(i);
    const FieldDescriptor* t = to.FindFieldByNumber(f.number());
    if (t == nullptr) {
      if (!to.IsReservedNumber(f.number())) {
        out.push_back(to.full_name() + " lacks " + Shape(f));
      }
    } else if (Shape(*t) != Shape(f)) {
      out.push_back(to.full_name() + " has " + Shape(*t) + " for " + Shape(f));
    }
  }
  for (int i = 0; i < to.field_count(); ++i) {
    if (from.FindFieldByNumber(to.field(i)->number()) == nullptr) {
      out.push_back(from.full_name() + " lacks " + Shape(*to.field(i)));
    }
  }
  return out;
}

struct Pair {
  const Descriptor* from;
  const Descriptor* to;
};

TEST(WireCopyTest, EverySplitResponseHasTheFieldsOfWhatItWasSplitFrom) {
  const std::vector<Pair> pairs = {
      {v1::RecordTransactionResponse::descriptor(),
       v1::RecordLoyaltySignalResponse::descriptor()},
      {v1::RecordTransactionResponse::descriptor(),
       v1::RecordStockEventResponse::descriptor()},
      {v1::GetHoldResponse::descriptor(), v1::UpdateHoldResponse::descriptor()},
      {v1::JournalEntry::descriptor(), v1::GetEventResponse::descriptor()},
      {v1::PushCentralEventResponse::descriptor(),
       v1::CentralAdminServiceCancelHoldResponse::descriptor()},
  };
  for (const Pair& p : pairs) {
    EXPECT_EQ(Differences(*p.from, *p.to), std::vector<std::string>{})
        << p.from->full_name() << " -> " << p.to->full_name();
  }
}

TEST(WireCopyTest, TheCheckSeesAPairOutOfStep) {
  std::vector<std::string> d =
      Differences(*v1::GetHoldResponse::descriptor(),
                  *v1::RecordTransactionResponse::descriptor());
  ASSERT_FALSE(d.empty());
  EXPECT_NE(d.front().find("hold=1"), std::string::npos) << d.front();
}

TEST(WireCopyTest, ACopyKeepsEveryValue) {
  v1::RecordTransactionResponse from;
  from.set_seq(42);
  from.set_hash(std::string(32, '\x7f'));
  from.set_recorded_at_us(1'700'000'000'000'000);
  from.set_replayed(true);
  from.set_member_pseudonym("pseudo");
  v1::RecordLoyaltySignalResponse to;
  to.set_seq(7);  // overwritten, not merged
  ASSERT_TRUE(rpc::CopyWireCompatible(from, &to));
  EXPECT_EQ(to.seq(), 42u);
  EXPECT_EQ(to.hash(), from.hash());
  EXPECT_EQ(to.recorded_at_us(), from.recorded_at_us());
  EXPECT_TRUE(to.replayed());
  EXPECT_EQ(to.member_pseudonym(), "pseudo");

  v1::GetHoldResponse hold;
  hold.mutable_hold()->set_order_ref("web-1");
  hold.mutable_hold()->add_lines()->set_sku("A-1");
  hold.set_replayed(true);
  v1::UpdateHoldResponse update;
  ASSERT_TRUE(rpc::CopyWireCompatible(hold, &update));
  EXPECT_EQ(update.hold().order_ref(), "web-1");
  ASSERT_EQ(update.hold().lines_size(), 1);
  EXPECT_EQ(update.hold().lines(0).sku(), "A-1");
  EXPECT_TRUE(update.replayed());
}

TEST(WireCopyTest, BytesThatDoNotParseLeaveTheTargetEmpty) {
  // PushCentralEventRequest's field 1 is a string; GetHoldResponse's field 1
  // is a message. A byte 0x0f (field 1, wire type 7) is no message.
  v1::PushCentralEventRequest push;
  push.set_store_id("\x0f");
  v1::GetHoldResponse target;
  target.set_replayed(true);
  EXPECT_FALSE(rpc::CopyWireCompatible(push, &target));
  EXPECT_FALSE(target.replayed());
}

}  // namespace
}  // namespace storeagent
