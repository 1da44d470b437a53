// The change feed's send path (docs/feed.md, "How fast"): a FeedEvent's and
// a StreamEventsResponse's protobuf wire bytes written straight from the
// stored event, without parsing the stored record into a message and
// serializing it again.
//
// A FeedEvent's `record` (field 7) and `central` (field 8) are embedded
// messages, and an embedded message travels as a length-delimited field:
// tag, varint length, the message's own bytes. So the stored
// JournalRecord / CentralEvent bytes are appended verbatim after the
// envelope's small fields, written in field-number order with proto3's
// rules (a field at its default is left out), exactly as protobuf's own
// serializer writes them: what a consumer receives is the message it
// received before, byte for byte. Pure functions; no gRPC.
#ifndef STOREAGENT_CENTRAL_SERVER_FEED_WIRE_H_
#define STOREAGENT_CENTRAL_SERVER_FEED_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// One event the feed sends, as central stored it.
struct FeedItem {
  std::string store_id;
  bool central = false;      // a central event (else a store event)
  uint64_t seq = 0;          // a store event's journal seq, else 0
  uint64_t central_seq = 0;  // a central event's central_seq, else 0
  std::string kind;
  int64_t at_us = 0;
  int64_t ingested_at_us = 0;
  // The stored bytes: a serialized JournalRecord (a store event) or
  // CentralEvent (a central event), sent as FeedEvent.record / .central.
  std::string body;
  std::string quarantined;
  std::optional<v1::ResolvedOriginal> original;  // returns only
};

// The size of the FeedEvent `item` encodes to (FeedEvent.ByteSizeLong()).
size_t FeedEventSize(const FeedItem& item);

// Appends the FeedEvent's wire bytes (FeedEventSize(item) of them) to *out.
void AppendFeedEvent(const FeedItem& item, std::string* out);

// A StreamEventsResponse carrying items[0] alone in `event` (count 1) or
// items[0..count) in `events` (a FeedBatch).
std::string EncodeFeedResponse(const FeedItem* items, size_t count, bool batch);

// Whether `bytes` is a well-formed protobuf message at its top level: every
// field a valid tag (field number >= 1; wire type varint, fixed64,
// length-delimited or fixed32) with its whole value inside `bytes`. Nested
// messages are not descended into. What the feed checks of a stored record
// it passes through (the record was parsed and checked at ingest).
bool WireWellFormed(std::string_view bytes);

// The same event built as a FeedEvent message, the stored bytes parsed
// (tests compare the two; false when the stored bytes do not parse).
bool FeedEventMessage(const FeedItem& item, v1::FeedEvent* out);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_FEED_WIRE_H_
