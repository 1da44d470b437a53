// The change feed's send path (central/server/feed_wire.h): the responses
// written from stored bytes are, byte for byte, what protobuf's serializer
// writes for the same StreamEventsResponse built as messages (the send path
// before the feed passed records through), and the framing check of a
// stored record.
#include "central/server/feed_wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/core/sample_events.h"

namespace storeagent::central {
namespace {

// A stored sale, as central keeps it: the record serialized.
FeedItem Sale(uint64_t seq) {
  v1::JournalRecord r;
  *r.mutable_client_key() =
      storeagent::test::SampleClientKey("txn-" + std::to_string(seq));
  *r.mutable_transaction() = storeagent::test::SampleSale(3);
  r.set_seq(seq);
  r.set_recorded_at_us(1'700'000'000'000'000 + static_cast<int64_t>(seq));
  FeedItem e;
  e.store_id = "store-0001";
  e.seq = seq;
  e.kind = "sale";
  e.at_us = r.recorded_at_us();
  e.ingested_at_us = r.recorded_at_us() + 5;
  e.body = r.SerializeAsString();
  return e;
}

// Every field the envelope has, at and off its defaults.
std::vector<FeedItem> Items() {
  std::vector<FeedItem> items;
  items.push_back(Sale(1));
  FeedItem ret = Sale(300);  // a 2-byte varint seq
  ret.kind = "return";
  v1::ResolvedOriginal o;
  o.set_found(true);
  o.set_store_id("store-0002");
  o.set_seq(17);
  o.set_sold_at_us(1'699'000'000'000'000);
  o.set_business_day("2026-03-14");
  o.set_channel("store");
  ret.original = o;
  items.push_back(ret);
  FeedItem unknown;  // quarantined without a body: an empty record
  unknown.store_id = "s";
  unknown.seq = 3;
  unknown.kind = "unknown";
  unknown.at_us = -5;  // a negative time: a ten-byte varint
  unknown.quarantined = "no body";
  items.push_back(unknown);
  FeedItem central;
  central.central = true;
  central.store_id = "store-0001";
  central.central_seq = 1u << 20;
  v1::CentralEvent c;
  c.set_central_seq(central.central_seq);
  c.set_reference("asn-1");
  c.mutable_movement()->set_reason(v1::StockMovement::REASON_RECEIPT);
  c.mutable_movement()->add_lines()->set_sku("SKU-1");
  central.body = c.SerializeAsString();
  central.kind = "central.movement";
  central.at_us = central.ingested_at_us = 42;
  items.push_back(central);
  return items;
}

v1::FeedEvent Message(const FeedItem& item) {
  v1::FeedEvent e;
  EXPECT_TRUE(FeedEventMessage(item, &e));
  return e;
}

TEST(FeedWireTest, AnEventIsWhatProtobufWritesForTheSameMessage) {
  for (const FeedItem& item : Items()) {
    SCOPED_TRACE(item.kind);
    const v1::FeedEvent e = Message(item);
    std::string bytes;
    AppendFeedEvent(item, &bytes);
    EXPECT_EQ(bytes, e.SerializeAsString());
    EXPECT_EQ(FeedEventSize(item), e.ByteSizeLong());

    v1::StreamEventsResponse r;
    *r.mutable_event() = e;
    EXPECT_EQ(EncodeFeedResponse(&item, 1, false), r.SerializeAsString());
  }
}

TEST(FeedWireTest, ABatchIsWhatProtobufWritesForTheSameMessage) {
  const std::vector<FeedItem> items = Items();
  v1::StreamEventsResponse r;
  for (const FeedItem& item : items) {
    *r.mutable_events()->add_events() = Message(item);
  }
  const std::string bytes =
      EncodeFeedResponse(items.data(), items.size(), true);
  EXPECT_EQ(bytes, r.SerializeAsString());

  v1::StreamEventsResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  ASSERT_EQ(parsed.events().events_size(), 4);
  EXPECT_TRUE(parsed.events().events(0).has_record());
  EXPECT_EQ(
      parsed.events().events(0).record().transaction().sale().lines_size(), 3);
  EXPECT_EQ(parsed.events().events(1).original().store_id(), "store-0002");
  EXPECT_TRUE(parsed.events().events(2).has_record());  // empty, but set
  EXPECT_EQ(parsed.events().events(2).at_us(), -5);
  EXPECT_TRUE(parsed.events().events(3).has_central());
  EXPECT_FALSE(parsed.events().events(3).has_record());
}

TEST(FeedWireTest, ALargeBatchNeedsALongerLengthPrefix) {
  std::vector<FeedItem> items;
  for (uint64_t s = 1; s <= 1000; ++s) items.push_back(Sale(s));
  v1::StreamEventsResponse r;
  for (const FeedItem& item : items) {
    *r.mutable_events()->add_events() = Message(item);
  }
  EXPECT_EQ(EncodeFeedResponse(items.data(), items.size(), true),
            r.SerializeAsString());
}

TEST(FeedWireTest, AStoredRecordMustBeWellFormedAtItsTopLevel) {
  const std::string record = Sale(1).body;
  EXPECT_TRUE(WireWellFormed(record));
  EXPECT_TRUE(WireWellFormed(""));
  // The record cut inside its last field.
  EXPECT_FALSE(WireWellFormed(record.substr(0, record.size() - 1)));
  EXPECT_FALSE(
      WireWellFormed(std::string("\x0a\x05"
                                 "ab",
                                 4)));                       // too short
  EXPECT_FALSE(WireWellFormed(std::string("\x08", 1)));      // no varint value
  EXPECT_FALSE(WireWellFormed(std::string("\x08\x80", 2)));  // varint cut
  EXPECT_FALSE(WireWellFormed(std::string("\x00\x01", 2)));  // field 0
  EXPECT_FALSE(WireWellFormed(std::string("\x0b", 1)));      // a group
  EXPECT_FALSE(WireWellFormed(std::string("\x0b\x0c", 2)));  // (empty)
  EXPECT_FALSE(WireWellFormed(std::string("\x0e", 1)));      // wire type 6
  EXPECT_FALSE(
      WireWellFormed(std::string("\x09"
                                 "1234567",
                                 8)));                    // fixed64
  EXPECT_FALSE(WireWellFormed(std::string(11, '\xff')));  // endless varint
  EXPECT_TRUE(
      WireWellFormed(std::string("\x08\x96\x01\x15"
                                 "abcd",
                                 8)));
}

}  // namespace
}  // namespace storeagent::central
