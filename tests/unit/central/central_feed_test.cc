// The change feed (CentralAdminService.StreamEvents, docs/feed.md) against
// a central server in the test process on SQLite: every event once, in
// order per store, then one caught_up; the cursor; filters; bad requests;
// follow (and its caught_up after every pass that sent events); a consumer
// that leaves mid-stream; the metrics.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "tests/unit/central/fake_agent.h"
#include "tests/unit/central/feed_history.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::central::testing {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kRecordedAt = 1'700'000'000'000'000;  // fake_agent.cc's

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// Following: the next response that is not a caught_up (counted in
// *caught_ups when given). False when the stream ended.
bool NextEvent(grpc::ClientReader<v1::StreamEventsResponse>& reader,
               v1::StreamEventsResponse* m, int* caught_ups = nullptr) {
  while (reader.Read(m)) {
    if (!m->has_caught_up()) return true;
    if (caught_ups != nullptr) ++*caught_ups;
  }
  return false;
}

struct FeedRead {
  std::vector<v1::FeedEvent> events;
  std::vector<v1::FeedCaughtUp> caught_up;
  bool caught_up_last = false;
  int largest_batch = 0;  // events in the largest FeedBatch (max_batch)
  grpc::Status status;
};

// The value of a metric sample line "name value" on a /metrics page.
double Metric(const std::string& page, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = page.find(key);
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + key.size()));
}

class CentralFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    central_.Start();
    history_ =
        std::make_unique<FeedHistory>(central_.SyncChannel(), central_.admin());
  }

  // Reads a feed that ends (no follow) to its end.
  FeedRead ReadAll(const v1::StreamEventsRequest& r) {
    FeedRead out;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(60));
    auto reader = central_.admin().StreamEvents(&ctx, r);
    v1::StreamEventsResponse m;
    while (reader->Read(&m)) {
      if (m.has_event()) out.events.push_back(m.event());
      for (const v1::FeedEvent& e : m.events().events()) {
        out.events.push_back(e);
      }
      if (m.has_events()) {
        out.largest_batch =
            std::max(out.largest_batch, m.events().events_size());
      }
      if (m.has_caught_up()) out.caught_up.push_back(m.caught_up());
      out.caught_up_last = m.has_caught_up();
    }
    out.status = reader->Finish();
    return out;
  }

  // Every store's events in the order they came.
  static std::map<std::string, std::vector<uint64_t>> SeqsByStore(
      const std::vector<v1::FeedEvent>& events, bool central) {
    std::map<std::string, std::vector<uint64_t>> out;
    for (const v1::FeedEvent& e : events) {
      if ((e.central_seq() != 0) == central) {
        out[e.store_id()].push_back(central ? e.central_seq() : e.seq());
      }
    }
    return out;
  }

  static std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
    std::vector<uint64_t> out;
    for (uint64_t n = from; n <= to; ++n) out.push_back(n);
    return out;
  }

  // Waits (bounded) until no feed stream is open on the server.
  bool NoStreamLeft() {
    for (int i = 0; i < 500; ++i) {
      if (Metric(central_.server().RenderMetrics(),
                 "storecentral_feed_streams") == 0) {
        return true;
      }
      SleepMicros(20'000);
    }
    return false;
  }

  CentralFixture central_;
  std::unique_ptr<FeedHistory> history_;
};

TEST_F(CentralFeedTest, EveryEventOnceInOrderPerStoreThenOneCaughtUp) {
  ASSERT_TRUE(history_->Upload("s1", 1205));  // more than one page
  ASSERT_TRUE(history_->Upload("s2", 30));
  ASSERT_TRUE(history_->Push("s1", 5));
  ASSERT_TRUE(history_->Push("s3", 3));  // central events only

  FeedRead f = ReadAll(v1::StreamEventsRequest());
  ASSERT_TRUE(f.status.ok()) << f.status.error_message();
  ASSERT_EQ(f.caught_up.size(), 1u);
  EXPECT_TRUE(f.caught_up_last);
  EXPECT_EQ(f.caught_up[0].events_sent(), f.events.size());
  EXPECT_EQ(f.events.size(), history_->size());

  const auto store = SeqsByStore(f.events, false);
  const auto central = SeqsByStore(f.events, true);
  EXPECT_EQ(store.at("s1"), Range(1, 1205));
  EXPECT_EQ(store.at("s2"), Range(1, 30));
  EXPECT_EQ(store.count("s3"), 0u);
  EXPECT_EQ(central.at("s1"), Range(1, 5));
  EXPECT_EQ(central.at("s3"), Range(1, 3));

  for (const v1::FeedEvent& e : f.events) {
    SCOPED_TRACE(e.ShortDebugString().substr(0, 200));
    if (e.seq() != 0) {
      ASSERT_TRUE(e.has_record());
      EXPECT_FALSE(e.has_central());
      EXPECT_EQ(e.kind(), "stock.movement");
      EXPECT_EQ(e.record().seq(), e.seq());
      EXPECT_EQ(e.at_us(), e.record().recorded_at_us());
      EXPECT_GT(e.ingested_at_us(), 0);
      EXPECT_EQ(e.quarantined(), "");
    } else {
      ASSERT_TRUE(e.has_central());
      EXPECT_FALSE(e.has_record());
      EXPECT_EQ(e.kind(), "central.movement");
      EXPECT_EQ(e.central().central_seq(), e.central_seq());
      EXPECT_EQ(e.at_us(), e.central().created_at_us());
    }
    EXPECT_FALSE(e.has_original());
  }
  const std::string metrics = central_.server().RenderMetrics();
  EXPECT_EQ(Metric(metrics, "storecentral_feed_events_sent_total"),
            static_cast<double>(f.events.size()));
  EXPECT_TRUE(NoStreamLeft());
}

TEST_F(CentralFeedTest, AReturnCarriesTheOriginalCentralResolved) {
  v1::JournalRecord sale;
  *sale.mutable_transaction() = storeagent::test::SampleSale(2);
  sale.mutable_client_key()->set_terminal_id("till-1");
  sale.mutable_client_key()->set_client_txn_id("sale-1");
  v1::JournalRecord ret;
  *ret.mutable_transaction() = storeagent::test::SampleReturn();
  ret.mutable_client_key()->set_terminal_id("till-2");
  ret.mutable_client_key()->set_client_txn_id("return-1");
  v1::OriginalTransaction* original =
      ret.mutable_transaction()->mutable_return_()->mutable_original();
  original->Clear();
  *original->mutable_client_key() = sale.client_key();
  ASSERT_TRUE(history_->UploadRecords("s1", {sale, ret}));

  v1::StreamEventsRequest r;
  r.add_kinds("return");
  FeedRead returns = ReadAll(r);
  ASSERT_TRUE(returns.status.ok()) << returns.status.error_message();
  ASSERT_EQ(returns.events.size(), 1u);
  const v1::FeedEvent& e = returns.events[0];
  EXPECT_EQ(e.seq(), 2u);
  EXPECT_EQ(e.quarantined(), "");
  ASSERT_TRUE(e.original().found());
  EXPECT_EQ(e.original().store_id(), "s1");
  EXPECT_EQ(e.original().seq(), 1u);
  EXPECT_EQ(e.original().sold_at_us(), kRecordedAt + 1);
  EXPECT_EQ(e.original().channel(), "store");

  r.clear_kinds();
  r.add_kinds("sale");
  FeedRead sales = ReadAll(r);
  ASSERT_EQ(sales.events.size(), 1u);
  EXPECT_FALSE(sales.events[0].has_original());
}

TEST_F(CentralFeedTest, BatchesCarryTheSameEventsInTheSameOrder) {
  ASSERT_TRUE(history_->Upload("s1", 1205));
  ASSERT_TRUE(history_->Upload("s2", 30));
  ASSERT_TRUE(history_->Push("s1", 5));
  FeedRead one = ReadAll(v1::StreamEventsRequest());
  v1::StreamEventsRequest r;
  r.set_max_batch(100);
  FeedRead batched = ReadAll(r);
  ASSERT_TRUE(batched.status.ok()) << batched.status.error_message();
  EXPECT_EQ(batched.largest_batch, 100);
  ASSERT_EQ(batched.events.size(), one.events.size());
  for (size_t i = 0; i < one.events.size(); ++i) {
    ASSERT_EQ(batched.events[i].SerializeAsString(),
              one.events[i].SerializeAsString())
        << i;
  }
  ASSERT_EQ(batched.caught_up.size(), 1u);
  EXPECT_EQ(batched.caught_up[0].events_sent(), batched.events.size());
  EXPECT_EQ(one.largest_batch, 0);  // without max_batch: one event each

  r.set_max_batch(1001);
  FeedRead refused = ReadAll(r);
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.status.error_message(), HasSubstr("max_batch"));
}

TEST_F(CentralFeedTest, ResumesAfterTheCursorAndNothingElse) {
  ASSERT_TRUE(history_->Upload("s1", 1100));
  ASSERT_TRUE(history_->Upload("s2", 30));
  ASSERT_TRUE(history_->Push("s1", 5));
  ASSERT_TRUE(history_->Push("s3", 3));
  v1::StreamEventsRequest r;
  v1::FeedPosition* p = r.add_after();
  p->set_store_id("s1");
  p->set_seq(1000);
  p->set_central_seq(3);
  p = r.add_after();
  p->set_store_id("s2");
  p->set_seq(30);
  FeedRead f = ReadAll(r);
  ASSERT_TRUE(f.status.ok()) << f.status.error_message();
  const auto store = SeqsByStore(f.events, false);
  const auto central = SeqsByStore(f.events, true);
  EXPECT_EQ(store.at("s1"), Range(1001, 1100));
  EXPECT_EQ(store.count("s2"), 0u);
  EXPECT_EQ(central.at("s1"), Range(4, 5));
  EXPECT_EQ(central.at("s3"), Range(1, 3));
  EXPECT_EQ(f.events.size(), 100u + 2u + 3u);
}

TEST_F(CentralFeedTest, FiltersByStoreKindAndTime) {
  ASSERT_TRUE(history_->Upload("s1", 20));
  ASSERT_TRUE(history_->Upload("s2", 10));
  ASSERT_TRUE(history_->Push("s1", 4));

  v1::StreamEventsRequest only_s2;
  only_s2.add_store_ids("s2");
  FeedRead f = ReadAll(only_s2);
  ASSERT_TRUE(f.status.ok()) << f.status.error_message();
  EXPECT_EQ(f.events.size(), 10u);
  for (const v1::FeedEvent& e : f.events) EXPECT_EQ(e.store_id(), "s2");

  v1::StreamEventsRequest central_only;
  central_only.add_kinds("central.movement");
  f = ReadAll(central_only);
  ASSERT_TRUE(f.status.ok()) << f.status.error_message();
  EXPECT_EQ(SeqsByStore(f.events, true).at("s1"), Range(1, 4));
  EXPECT_EQ(f.events.size(), 4u);
  EXPECT_EQ(f.caught_up.size(), 1u);

  v1::StreamEventsRequest store_only;
  store_only.add_kinds("stock.movement");
  store_only.add_kinds("sale");
  f = ReadAll(store_only);
  EXPECT_EQ(f.events.size(), 30u);

  v1::StreamEventsRequest none;
  none.add_kinds("central.prices");
  f = ReadAll(none);
  ASSERT_TRUE(f.status.ok()) << f.status.error_message();
  EXPECT_TRUE(f.events.empty());
  EXPECT_EQ(f.caught_up.size(), 1u);

  // recorded_at_us is kRecordedAt + seq: [5, 8) holds seqs 5, 6, 7 of
  // each store; central events were created at the fake clock's time.
  v1::StreamEventsRequest window;
  window.set_from_us(kRecordedAt + 5);
  window.set_to_us(kRecordedAt + 8);
  f = ReadAll(window);
  ASSERT_TRUE(f.status.ok()) << f.status.error_message();
  const auto store = SeqsByStore(f.events, false);
  EXPECT_EQ(store.at("s1"), Range(5, 7));
  EXPECT_EQ(store.at("s2"), Range(5, 7));
  EXPECT_EQ(f.events.size(), 6u);
}

TEST_F(CentralFeedTest, BadRequestsAreRefusedNamingTheField) {
  struct Case {
    std::string name;
    v1::StreamEventsRequest request;
    std::string field;
  };
  std::vector<Case> cases(5);
  cases[0].name = "duplicate store in after";
  cases[0].request.add_after()->set_store_id("s1");
  cases[0].request.add_after()->set_store_id("s1");
  cases[0].field = "after[1].store_id";
  cases[1].name = "unknown kind";
  cases[1].request.add_kinds("sale");
  cases[1].request.add_kinds("sales");
  cases[1].field = "kinds[1]";
  cases[2].name = "window backwards";
  cases[2].request.set_from_us(10);
  cases[2].request.set_to_us(5);
  cases[2].field = "from_us";
  cases[3].name = "store id syntax";
  cases[3].request.add_store_ids("no spaces allowed");
  cases[3].field = "store_ids[0]";
  cases[4].name = "store id syntax in after";
  cases[4].request.add_after()->set_store_id("");
  cases[4].field = "after[0].store_id";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FeedRead f = ReadAll(c.request);
    EXPECT_EQ(f.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(f.status.error_message(), HasSubstr(c.field));
    EXPECT_TRUE(f.events.empty());
    EXPECT_TRUE(f.caught_up.empty());
  }
  EXPECT_TRUE(NoStreamLeft());
}

// The method is served raw (feed_stream.h): the feed parses the request
// itself, and bytes that are not a StreamEventsRequest are refused.
TEST_F(CentralFeedTest, ARequestThatDoesNotParseIsRefused) {
  grpc::GenericStub stub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(central_.server().admin_port()),
      grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60));
  grpc::Slice junk(
      std::string("\x0a\x05"
                  "ab",
                  4));  // field 1: 5 bytes announced, 2 sent
  grpc::ByteBuffer request(&junk, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/storeagent.v1.CentralAdminService/StreamEvents",
                 grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  const grpc::Status st = done.get_future().get();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("request"));
  EXPECT_TRUE(NoStreamLeft());
}

TEST_F(CentralFeedTest, FollowDeliversWhatCommitsAfterCaughtUp) {
  ASSERT_TRUE(history_->Upload("s1", 3));
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60));
  v1::StreamEventsRequest r;
  r.set_follow(true);
  auto reader = central_.admin().StreamEvents(&ctx, r);
  v1::StreamEventsResponse m;
  int events = 0;
  while (reader->Read(&m) && !m.has_caught_up()) ++events;
  ASSERT_TRUE(m.has_caught_up());
  EXPECT_EQ(events, 3);

  // A central event, then a store batch, then a store central never saw:
  // each arrives on the open stream.
  // (Each pass that sent events ends with another caught_up: skipped.)
  ASSERT_TRUE(history_->Push("s1", 1));
  ASSERT_TRUE(NextEvent(*reader, &m));
  ASSERT_TRUE(m.has_event()) << m.ShortDebugString();
  EXPECT_EQ(m.event().store_id(), "s1");
  EXPECT_EQ(m.event().central_seq(), 1u);
  ASSERT_TRUE(history_->Upload("s1", 2));
  for (uint64_t seq : {4u, 5u}) {
    ASSERT_TRUE(NextEvent(*reader, &m));
    ASSERT_TRUE(m.has_event()) << m.ShortDebugString();
    EXPECT_EQ(m.event().seq(), seq);
  }
  ASSERT_TRUE(history_->Upload("s9", 1));
  ASSERT_TRUE(NextEvent(*reader, &m));
  EXPECT_EQ(m.event().store_id(), "s9");
  EXPECT_EQ(m.event().seq(), 1u);

  ctx.TryCancel();
  while (reader->Read(&m)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(NoStreamLeft());
}

TEST_F(CentralFeedTest, FollowSendsCaughtUpAgainAfterEveryPassWithEvents) {
  // A following consumer that commits at caught_up must get one after the
  // events of every later pass, not only after the first.
  ASSERT_TRUE(history_->Upload("s1", 2));
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60));
  v1::StreamEventsRequest r;
  r.set_follow(true);
  auto reader = central_.admin().StreamEvents(&ctx, r);
  v1::StreamEventsResponse m;
  int events = 0;
  while (reader->Read(&m) && !m.has_caught_up()) ++events;
  ASSERT_TRUE(m.has_caught_up());
  EXPECT_EQ(events, 2);
  EXPECT_EQ(m.caught_up().events_sent(), 2u);

  uint64_t sent = 2;
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(history_->Push("s1", 1 + round));
    // The round's events (in one pass or several), each pass that sent
    // any closed by a caught_up counting the whole stream.
    const uint64_t want = sent + 1 + round;
    while (sent < want) {
      ASSERT_TRUE(reader->Read(&m)) << "round " << round;
      if (m.has_caught_up()) {
        EXPECT_EQ(m.caught_up().events_sent(), sent) << "round " << round;
        continue;
      }
      ASSERT_TRUE(m.has_event()) << m.ShortDebugString();
      ++sent;
    }
    ASSERT_TRUE(reader->Read(&m)) << "round " << round;
    ASSERT_TRUE(m.has_caught_up())
        << "round " << round << ": " << m.ShortDebugString();
    EXPECT_EQ(m.caught_up().events_sent(), want);
  }

  ctx.TryCancel();
  while (reader->Read(&m)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(NoStreamLeft());
}

TEST_F(CentralFeedTest, FollowFindsEventsCommittedWithoutTheBellByPolling) {
  // Another replica's commit rings no bell here: the poll finds it.
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60));
  v1::StreamEventsRequest r;
  r.set_follow(true);
  auto reader = central_.admin().StreamEvents(&ctx, r);
  v1::StreamEventsResponse m;
  ASSERT_TRUE(reader->Read(&m));
  ASSERT_TRUE(m.has_caught_up());
  v1::CentralEvent e;
  e.mutable_movement()->set_reason(v1::StockMovement::REASON_RECEIPT);
  e.mutable_movement()->add_lines()->set_sku("SKU-1");
  e.mutable_movement()->mutable_lines(0)->set_quantity(2);
  ASSERT_TRUE(central_.server()
                  .store()
                  .AppendCentralEvent("s7", "elsewhere", e, kRecordedAt)
                  .ok());
  ASSERT_TRUE(NextEvent(*reader, &m));
  EXPECT_EQ(m.event().store_id(), "s7");
  EXPECT_EQ(m.event().central_seq(), 1u);
  ctx.TryCancel();
  while (reader->Read(&m)) {
  }
  (void)reader->Finish();
  EXPECT_TRUE(NoStreamLeft());
}

TEST_F(CentralFeedTest, AConsumerLeavingMidStreamLeavesNothingBehind) {
  ASSERT_TRUE(history_->Upload("s1", 2500));
  for (int round = 0; round < 3; ++round) {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(60));
    auto reader =
        central_.admin().StreamEvents(&ctx, v1::StreamEventsRequest());
    v1::StreamEventsResponse m;
    for (int i = 0; i <= round * 700 && reader->Read(&m); ++i) {
    }
    ctx.TryCancel();
    (void)reader->Finish();
  }
  EXPECT_TRUE(NoStreamLeft());
  // The server still serves a whole feed afterwards.
  FeedRead f = ReadAll(v1::StreamEventsRequest());
  ASSERT_TRUE(f.status.ok()) << f.status.error_message();
  EXPECT_EQ(f.events.size(), 2500u);
}

}  // namespace
}  // namespace storeagent::central::testing
