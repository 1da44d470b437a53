#include "central/server/feed_wire.h"

namespace storeagent::central {
namespace {

// Protobuf's wire types (the low three bits of a tag).
enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5,
};

// FeedEvent's field numbers (proto/storeagent/v1/sync.proto).
enum FeedEventField : uint32_t {
  kStoreId = 1,
  kSeq = 2,
  kCentralSeq = 3,
  kKind = 4,
  kAtUs = 5,
  kIngestedAtUs = 6,
  kRecord = 7,
  kCentral = 8,
  kQuarantined = 9,
  kOriginal = 10,
};

// StreamEventsResponse's `event` and `events`, FeedBatch's `events`.
constexpr uint32_t kResponseEvent = 1;
constexpr uint32_t kResponseEvents = 3;
constexpr uint32_t kBatchEvents = 1;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void AppendVarint(uint64_t v, std::string* out) {
  char buf[10];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

uint32_t Tag(uint32_t field, WireType type) { return (field << 3) | type; }

// A length-delimited field of `len` bytes, tag and length included (every
// tag here is one byte: field numbers below 16).
size_t DelimitedSize(size_t len) { return 1 + VarintSize(len) + len; }

void AppendDelimitedHead(uint32_t field, size_t len, std::string* out) {
  AppendVarint(Tag(field, kLengthDelimited), out);
  AppendVarint(len, out);
}

void AppendDelimited(uint32_t field, std::string_view bytes, std::string* out) {
  AppendDelimitedHead(field, bytes.size(), out);
  out->append(bytes);
}

// proto3 int64/uint64: a varint of the two's complement (a negative int64
// takes ten bytes), left out at 0.
size_t IntSize(uint64_t v) { return v == 0 ? 0 : 1 + VarintSize(v); }

void AppendInt(uint32_t field, uint64_t v, std::string* out) {
  if (v == 0) return;
  AppendVarint(Tag(field, kVarint), out);
  AppendVarint(v, out);
}

size_t StringSize(const std::string& s) {
  return s.empty() ? 0 : DelimitedSize(s.size());
}

void AppendString(uint32_t field, const std::string& s, std::string* out) {
  if (!s.empty()) AppendDelimited(field, s, out);
}

bool ReadVarint(std::string_view bytes, size_t* at, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *at < bytes.size(); shift += 7) {
    const auto b = static_cast<unsigned char>(bytes[(*at)++]);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

size_t FeedEventSize(const FeedItem& item) {
  size_t n = StringSize(item.store_id) + IntSize(item.seq) +
             IntSize(item.central_seq) + StringSize(item.kind) +
             IntSize(static_cast<uint64_t>(item.at_us)) +
             IntSize(static_cast<uint64_t>(item.ingested_at_us)) +
             DelimitedSize(item.body.size()) + StringSize(item.quarantined);
  if (item.original.has_value()) {
    n += DelimitedSize(item.original->ByteSizeLong());
  }
  return n;
}

void AppendFeedEvent(const FeedItem& item, std::string* out) {
  AppendString(kStoreId, item.store_id, out);
  AppendInt(kSeq, item.seq, out);
  AppendInt(kCentralSeq, item.central_seq, out);
  AppendString(kKind, item.kind, out);
  AppendInt(kAtUs, static_cast<uint64_t>(item.at_us), out);
  AppendInt(kIngestedAtUs, static_cast<uint64_t>(item.ingested_at_us), out);
  // Exactly one of record and central is set, also when empty (an entry
  // quarantined without a body still has its empty record).
  AppendDelimited(item.central ? kCentral : kRecord, item.body, out);
  AppendString(kQuarantined, item.quarantined, out);
  if (item.original.has_value()) {
    AppendDelimited(kOriginal, item.original->SerializeAsString(), out);
  }
}

std::string EncodeFeedResponse(const FeedItem* items, size_t count,
                               bool batch) {
  std::string out;
  if (!batch) {
    const size_t size = FeedEventSize(items[0]);
    out.reserve(DelimitedSize(size));
    AppendDelimitedHead(kResponseEvent, size, &out);
    AppendFeedEvent(items[0], &out);
    return out;
  }
  size_t inner = 0;
  for (size_t i = 0; i < count; ++i) {
    inner += DelimitedSize(FeedEventSize(items[i]));
  }
  out.reserve(DelimitedSize(inner));
  AppendDelimitedHead(kResponseEvents, inner, &out);
  for (size_t i = 0; i < count; ++i) {
    AppendDelimitedHead(kBatchEvents, FeedEventSize(items[i]), &out);
    AppendFeedEvent(items[i], &out);
  }
  return out;
}

bool WireWellFormed(std::string_view bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    uint64_t tag = 0;
    if (!ReadVarint(bytes, &at, &tag) || (tag >> 3) == 0 ||
        (tag >> 3) > 0x1fffffff) {
      return false;
    }
    uint64_t len = 0;
    switch (tag & 7) {
      case kVarint:
        if (!ReadVarint(bytes, &at, &len)) return false;
        continue;
      case kFixed64:
        len = 8;
        break;
      case kLengthDelimited:
        if (!ReadVarint(bytes, &at, &len)) return false;
        break;
      case kFixed32:
        len = 4;
        break;
      default:  // groups (never in this contract) and invalid types
        return false;
    }
    if (len > bytes.size() - at) return false;
    at += len;
  }
  return true;
}

bool FeedEventMessage(const FeedItem& item, v1::FeedEvent* out) {
  v1::FeedEvent& e = *out;
  e.Clear();
  e.set_store_id(item.store_id);
  e.set_seq(item.seq);
  e.set_central_seq(item.central_seq);
  e.set_kind(item.kind);
  e.set_at_us(item.at_us);
  e.set_ingested_at_us(item.ingested_at_us);
  const bool parsed = item.central
                          ? e.mutable_central()->ParseFromString(item.body)
                          : e.mutable_record()->ParseFromString(item.body);
  e.set_quarantined(item.quarantined);
  if (item.original.has_value()) *e.mutable_original() = *item.original;
  return parsed;
}

}  // namespace storeagent::central
