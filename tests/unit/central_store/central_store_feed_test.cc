// Conformance of CentralStore::ReadFeedPage (the change feed's read,
// docs/feed.md) on every backend: key-range pages of one store's events,
// its central events, the time window, quarantined entries; and the
// feed's reader over them (central/server/feed_reader.h).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "central/server/feed_reader.h"
#include "central/server/feed_wire.h"
#include "central/store/central_store.h"
#include "tests/unit/central_store/central_store_fixture.h"

namespace storeagent::testing {
namespace {

using central::FeedPageQuery;
using central::FeedRow;
using central::FeedSource;

std::vector<uint64_t> Numbers(const std::vector<FeedRow>& rows) {
  std::vector<uint64_t> out;
  for (const FeedRow& r : rows) out.push_back(r.number);
  return out;
}

std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
  std::vector<uint64_t> out;
  for (uint64_t n = from; n <= to; ++n) out.push_back(n);
  return out;
}

FeedPageQuery Query(const std::string& store, FeedSource source, uint64_t after,
                    uint64_t through, size_t limit) {
  FeedPageQuery q;
  q.store_id = store;
  q.source = source;
  q.after = after;
  q.through = through;
  q.limit = limit;
  return q;
}

std::vector<FeedRow> Read(central::CentralStore& store,
                          const FeedPageQuery& q) {
  Result<std::vector<FeedRow>> rows = store.ReadFeedPage(q);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  return rows.ok() ? *std::move(rows) : std::vector<FeedRow>{};
}

void Ingest(central::CentralStore& store, const std::string& id,
            ChainBuilder& chain, int n) {
  Result<central::IngestResult> r =
      store.IngestBatch(id, chain.NoSales(n), kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
}

void PushCentral(central::CentralStore& store, const std::string& id, int n) {
  for (int i = 0; i < n; ++i) {
    v1::CentralEvent e;
    e.set_reference("asn-" + std::to_string(i));
    v1::StockDelta* d = e.mutable_movement()->add_lines();
    d->set_sku("SKU-" + std::to_string(i));
    d->set_quantity(1);
    e.mutable_movement()->set_reason(v1::StockMovement::REASON_RECEIPT);
    ASSERT_TRUE(
        store.AppendCentralEvent(id, "k" + std::to_string(i), e, kNow + i)
            .ok());
  }
}

TEST_P(CentralStoreTest, FeedStoreEventsComeInKeyRangePagesOfOneStore) {
  ChainBuilder s1, s2;
  Ingest(*store_, "s1", s1, 25);
  Ingest(*store_, "s2", s2, 5);

  std::vector<FeedRow> page =
      Read(*store_, Query("s1", FeedSource::kStore, 0, 0, 10));
  EXPECT_EQ(Numbers(page), Range(1, 10));
  EXPECT_EQ(Numbers(Read(*store_, Query("s1", FeedSource::kStore, 10, 0, 10))),
            Range(11, 20));
  EXPECT_EQ(Numbers(Read(*store_, Query("s1", FeedSource::kStore, 20, 22, 10))),
            Range(21, 22));
  EXPECT_TRUE(
      Read(*store_, Query("s1", FeedSource::kStore, 25, 0, 10)).empty());
  EXPECT_EQ(Numbers(Read(*store_, Query("s2", FeedSource::kStore, 0, 0, 0))),
            Range(1, 5));
  EXPECT_TRUE(Read(*store_, Query("s9", FeedSource::kStore, 0, 0, 10)).empty());

  const FeedRow& r = page.at(2);
  EXPECT_EQ(r.kind, "no_sale");
  EXPECT_EQ(r.at_us, 3'000'000);  // recorded_at_us (ChainBuilder)
  EXPECT_EQ(r.ingested_at_us, kNow);
  EXPECT_EQ(r.quarantined, "");
  v1::JournalRecord rec;
  ASSERT_TRUE(rec.ParseFromString(r.bytes));
  EXPECT_EQ(rec.seq(), 3u);
  EXPECT_TRUE(rec.has_transaction());
}

TEST_P(CentralStoreTest, FeedTheTimeWindowIsHalfOpen) {
  ChainBuilder s1;
  Ingest(*store_, "s1", s1, 10);
  FeedPageQuery q = Query("s1", FeedSource::kStore, 0, 0, 100);
  q.from_us = 5'000'000;
  q.to_us = 8'000'000;
  EXPECT_EQ(Numbers(Read(*store_, q)), Range(5, 7));
  q.to_us = 0;
  EXPECT_EQ(Numbers(Read(*store_, q)), Range(5, 10));
}

TEST_P(CentralStoreTest,
       FeedCentralEventsComeByCentralSeqWithTheirCreationTime) {
  PushCentral(*store_, "s1", 5);
  PushCentral(*store_, "s2", 2);
  std::vector<FeedRow> page =
      Read(*store_, Query("s1", FeedSource::kCentral, 1, 0, 3));
  EXPECT_EQ(Numbers(page), Range(2, 4));
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0].at_us, kNow + 1);
  EXPECT_EQ(page[0].ingested_at_us, kNow + 1);
  EXPECT_EQ(page[0].kind, "");
  v1::CentralEvent e;
  ASSERT_TRUE(e.ParseFromString(page[0].bytes));
  EXPECT_EQ(e.central_seq(), 2u);
  EXPECT_TRUE(e.has_movement());
  FeedPageQuery q = Query("s1", FeedSource::kCentral, 0, 4, 10);
  q.from_us = kNow + 2;
  EXPECT_EQ(Numbers(Read(*store_, q)), Range(3, 4));
  EXPECT_EQ(Numbers(Read(*store_, Query("s2", FeedSource::kCentral, 0, 0, 10))),
            Range(1, 2));
}

TEST_P(CentralStoreTest, FeedQuarantinedEntriesAreInTheFeedWithTheirReason) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> batch;
  batch.push_back(chain.Next(NoSale("ok-1")));
  v1::JournalRecord no_body;
  *no_body.mutable_client_key() = NoSale("x").client_key();
  batch.push_back(chain.Next(no_body));
  ASSERT_TRUE(store_->IngestBatch("s1", batch, kNow).ok());
  std::vector<FeedRow> page =
      Read(*store_, Query("s1", FeedSource::kStore, 0, 0, 10));
  ASSERT_EQ(Numbers(page), Range(1, 2));
  EXPECT_EQ(page[0].quarantined, "");
  EXPECT_EQ(page[1].quarantined, "record: no body set");
}

TEST_P(CentralStoreTest, FeedABadStoreIdIsRefusedNamingTheField) {
  Result<std::vector<FeedRow>> r =
      store_->ReadFeedPage(Query("bad store", FeedSource::kStore, 0, 0, 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("store_id"), std::string::npos);
}

// The feed's reader over this backend sends every stored record as it was
// stored (FeedItem.body, passed through unparsed), and the response it
// encodes is byte for byte what protobuf writes for the same messages.
TEST_P(CentralStoreTest, FeedReaderPassesStoredRecordsThroughByteForByte) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> batch = chain.NoSales(12);
  std::vector<std::string> stored;
  for (const v1::JournalEntry& e : batch) {
    stored.push_back(e.record().SerializeAsString());
  }
  ASSERT_TRUE(store_->IngestBatch("s1", batch, kNow).ok());
  PushCentral(*store_, "s1", 3);

  central::FeedReader reader(*store_, central::FeedPlan(), /*page_rows=*/5);
  std::vector<central::FeedItem> items;
  for (int i = 0; i < 20; ++i) {
    Result<central::FeedReader::Step> step = reader.Next(&items);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    if (*step == central::FeedReader::Step::kPassDone) break;
  }
  ASSERT_EQ(items.size(), 15u);
  v1::StreamEventsResponse expected;
  for (size_t i = 0; i < items.size(); ++i) {
    const central::FeedItem& e = items[i];
    v1::FeedEvent* m = expected.mutable_events()->add_events();
    ASSERT_TRUE(central::FeedEventMessage(e, m));
    if (i < 12) {
      EXPECT_EQ(e.seq, i + 1);
      EXPECT_FALSE(e.central);
      EXPECT_EQ(e.body, stored[i]);
      EXPECT_EQ(e.kind, "no_sale");
    } else {
      EXPECT_EQ(e.central_seq, i - 11);
      EXPECT_TRUE(e.central);
      EXPECT_EQ(e.kind, "central.movement");
      EXPECT_TRUE(m->central().has_movement());
    }
  }
  EXPECT_EQ(central::EncodeFeedResponse(items.data(), items.size(), true),
            expected.SerializeAsString());
}

// A page whose events hold more bytes than page_bytes halves the next
// read's rows, down to what fits; nothing is skipped or sent twice.
TEST_P(CentralStoreTest, FeedReaderPagesShrinkWhenEventsAreLarge) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> batch = chain.NoSales(20);
  const size_t size = batch[0].record().ByteSizeLong();
  ASSERT_TRUE(store_->IngestBatch("s1", batch, kNow).ok());

  // 8 rows are over 3 events' bytes, 4 too; 2 fit.
  central::FeedReader reader(*store_, central::FeedPlan(), /*page_rows=*/8,
                             /*page_bytes=*/3 * size);
  std::vector<central::FeedItem> items;
  std::vector<size_t> pages;
  for (int i = 0; i < 40; ++i) {
    const size_t before = items.size();
    Result<central::FeedReader::Step> step = reader.Next(&items);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    if (*step == central::FeedReader::Step::kPassDone) break;
    if (items.size() > before) pages.push_back(items.size() - before);
  }
  EXPECT_EQ(pages, (std::vector<size_t>{8, 4, 2, 2, 2, 2}));
  ASSERT_EQ(items.size(), 20u);
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i].seq, i + 1);
}

// bytea / BLOB columns come back as stored, every byte value (PostgreSQL
// sends bytea as hex text, decoded by the backend; the feed reads its
// records through the same path).
TEST_P(CentralStoreTest, BlobsComeBackByteForByte) {
  central::ReplicaSnapshotRow snap;
  snap.store_seq = 1;
  for (int rep = 0; rep < 3; ++rep) {
    for (int b = 0; b < 256; ++b) snap.state += static_cast<char>(b);
  }
  ASSERT_TRUE(store_->PutReplicaSnapshot("s1", snap).ok());
  Result<std::optional<central::ReplicaSnapshotRow>> got =
      store_->GetReplicaSnapshot("s1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->state, snap.state);
}

}  // namespace
}  // namespace storeagent::testing
