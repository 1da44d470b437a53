// storecentrald's Sync service against a fake agent in the test process,
// on the SQLite backend: handshake, ingest, central events, holds and
// escrow, digests and drift, re-seed.
#include <gtest/gtest.h>

#include <future>

#include "core/journal_chain.h"
#include "core/stock_digest.h"
#include "core/stock_replay.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

class CentralSyncTest : public ::testing::Test {
 protected:
  void SetUp() override { central_.Start(); }

  std::unique_ptr<AgentStream> Connect(uint64_t central_applied = 0) {
    auto s = std::make_unique<AgentStream>(central_.SyncChannel());
    std::optional<v1::Welcome> w = s->Hello(
        "store-1", journal_.head_seq(), journal_.head_hash(), central_applied);
    EXPECT_TRUE(w.has_value()) << s->Finish().error_message();
    return s;
  }

  // Sends entries from..to and returns central's ack.
  v1::BatchAck Upload(AgentStream& s, uint64_t from, uint64_t to) {
    EXPECT_TRUE(s.SendEvents(journal_.Range(from, to)));
    std::optional<v1::SyncResponse> m = s.Read();
    EXPECT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "stream ended");
    return m && m->has_ack() ? m->ack() : v1::BatchAck();
  }

  v1::GetStoreSyncStateResponse State() {
    grpc::ClientContext ctx;
    v1::GetStoreSyncStateRequest r;
    r.set_store_id("store-1");
    v1::GetStoreSyncStateResponse out;
    grpc::Status s = central_.admin().GetStoreSyncState(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::SkuFigure Figure(const std::string& sku) {
    grpc::ClientContext ctx;
    v1::FindAvailabilityRequest r;
    r.add_skus(sku);
    r.add_store_ids("store-1");
    v1::FindAvailabilityResponse out;
    grpc::Status s = central_.admin().FindAvailability(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (out.stores_size() != 1 || out.stores(0).figures_size() != 1) return {};
    return out.stores(0).figures(0);
  }

  v1::PushCentralEventResponse PushReceipt(const std::string& key,
                                           const std::string& sku, int64_t q) {
    grpc::ClientContext ctx;
    v1::PushCentralEventRequest r;
    r.set_store_id("store-1");
    r.set_request_key(key);
    v1::StockMovement* m = r.mutable_event()->mutable_movement();
    m->set_reason(v1::StockMovement::REASON_RECEIPT);
    m->add_lines()->set_sku(sku);
    m->mutable_lines(0)->set_quantity(q);
    v1::PushCentralEventResponse out;
    grpc::Status s = central_.admin().PushCentralEvent(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  v1::HoldPlaced Hold(const std::string& order, const std::string& sku,
                      int64_t q) {
    v1::HoldPlaced h;
    h.set_order_ref(order);
    h.set_channel("online");
    h.add_lines()->set_sku(sku);
    h.mutable_lines(0)->set_quantity(q);
    h.set_expires_at_us(central_.clock().NowMicros() + 3'600'000'000);
    return h;
  }

  grpc::Status PlaceHold(const v1::HoldPlaced& h, uint32_t timeout_ms,
                         v1::CentralAdminServicePlaceHoldResponse* out) {
    grpc::ClientContext ctx;
    v1::CentralAdminServicePlaceHoldRequest r;
    r.set_store_id("store-1");
    *r.mutable_hold() = h;
    r.set_timeout_ms(timeout_ms);
    return central_.admin().PlaceHold(&ctx, r, out);
  }

  // The agent's digest of its own journal (and applied central events).
  v1::SyncRequest DigestOf(const core::StockReplay& replay, uint64_t S,
                           uint64_t C) {
    core::StockDigestBuilder b(core::kDefaultDigestBuckets);
    for (const auto& [sku, f] : replay.figures()) {
      b.Add({sku, f.on_hand, f.held, f.unavailable});
    }
    v1::SyncRequest m;
    m.mutable_digest()->set_store_seq(S);
    m.mutable_digest()->set_central_seq(C);
    for (std::string& h : b.Finish()) m.mutable_digest()->add_buckets(h);
    return m;
  }

  CentralFixture central_;
  FakeJournal journal_;
};

TEST_F(CentralSyncTest, HelloGetsWelcomeWithWatermarkAndLimits) {
  AgentStream s(central_.SyncChannel());
  std::optional<v1::Welcome> w = s.Hello("store-1", 0, core::GenesisHash());
  ASSERT_TRUE(w.has_value()) << s.Finish().error_message();
  EXPECT_EQ(w->store_seq_held(), 0u);
  EXPECT_EQ(w->store_hash_held(), core::GenesisHash());
  EXPECT_EQ(w->central_time_us(), central_.clock().NowMicros());
  EXPECT_EQ(w->limits().max_batch_events(), 500u);
  EXPECT_EQ(w->limits().digest_buckets(), 64u);
  EXPECT_EQ(w->central_head_seq(), 0u);
  EXPECT_FALSE(w->reseed());
  v1::GetStoreSyncStateResponse st = State();
  EXPECT_TRUE(st.connected());
  EXPECT_EQ(st.agent_version(), "0.0.0-test");
}

// A store still on 0.2 dials /storeagent.v1.Sync/Sync: central serves the
// same stream under that name until 1.0 (docs/contract.md).
TEST_F(CentralSyncTest, AStoreOn02SyncsThroughTheServiceOldName) {
  AgentStream s(central_.SyncChannel(), AgentStream::ServiceName::kV02);
  std::optional<v1::Welcome> w = s.Hello("store-1", 0, core::GenesisHash());
  ASSERT_TRUE(w.has_value()) << s.Finish().error_message();
  journal_.Movement("A", 5);
  EXPECT_EQ(Upload(s, 1, 1).acked_seq(), 1u);
  EXPECT_TRUE(State().connected());
  EXPECT_EQ(State().store_seq_held(), 1u);
}

// A head-office tool written against 0.2 calls /storeagent.v1.CentralAdmin/:
// the same API, the same answers, writes still idempotent.
TEST_F(CentralSyncTest, AHeadOfficeToolOn02CallsTheAdminApiByItsOldName) {
  auto s = Connect();
  v1::PushCentralEventRequest push;
  push.set_store_id("store-1");
  push.set_request_key("v02-1");
  v1::StockMovement* m = push.mutable_event()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  m->add_lines()->set_sku("A");
  m->mutable_lines(0)->set_quantity(3);
  v1::PushCentralEventResponse first;
  {
    grpc::ClientContext ctx;
    grpc::Status st = central_.admin_v02().PushCentralEvent(&ctx, push, &first);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  EXPECT_FALSE(first.replayed());
  // The same key through the 0.3 name answers the first push.
  v1::PushCentralEventResponse again = PushReceipt("v02-1", "A", 3);
  EXPECT_EQ(again.central_seq(), first.central_seq());
  EXPECT_TRUE(again.replayed());
  grpc::ClientContext ctx;
  v1::GetStoreSyncStateRequest r;
  r.set_store_id("store-1");
  v1::GetStoreSyncStateResponse state;
  ASSERT_TRUE(central_.admin_v02().GetStoreSyncState(&ctx, r, &state).ok());
  EXPECT_TRUE(state.connected());
  EXPECT_EQ(state.central_head_seq(), first.central_seq());
}

TEST_F(CentralSyncTest, FirstMessageMustBeHello) {
  AgentStream s(central_.SyncChannel());
  journal_.Movement("A", 1);
  ASSERT_TRUE(s.SendEvents(journal_.Range(1, 1)));
  EXPECT_FALSE(s.Read().has_value());
  EXPECT_EQ(s.Finish().error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(CentralSyncTest, BatchIsAckedAfterCommitAndAResendIsSkipped) {
  journal_.Movement("A", 5);
  journal_.Movement("A", 2);
  journal_.Movement("B", 7);
  auto s = std::make_unique<AgentStream>(central_.SyncChannel());
  ASSERT_TRUE(s->Hello("store-1", 3, journal_.head_hash()));
  EXPECT_EQ(Upload(*s, 1, 2).acked_seq(), 2u);
  EXPECT_EQ(State().store_seq_held(), 2u);
  // 2 again with 3: 2 is skipped, 3 applied once.
  EXPECT_EQ(Upload(*s, 2, 3).acked_seq(), 3u);
  EXPECT_EQ(Figure("A").on_hand(), 7);
  EXPECT_EQ(Figure("B").on_hand(), 7);
  // All of it again: nothing new, the ack repeats the watermark.
  EXPECT_EQ(Upload(*s, 1, 3).acked_seq(), 3u);
  EXPECT_EQ(Figure("A").on_hand(), 7);
  // A new stream resumes after central's watermark.
  s.reset();
  AgentStream again(central_.SyncChannel());
  std::optional<v1::Welcome> w =
      again.Hello("store-1", 3, journal_.head_hash());
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->store_seq_held(), 3u);
  EXPECT_EQ(w->store_hash_held(), journal_.hash_at(3));
}

TEST_F(CentralSyncTest, GapEndsTheStreamWithoutAnAck) {
  journal_.Movement("A", 5);
  journal_.Movement("A", 2);
  journal_.Movement("A", 1);
  {
    auto s = Connect();
    ASSERT_TRUE(s->SendEvents(journal_.Range(2, 3)));
    std::optional<v1::SyncResponse> m = s->Read();
    EXPECT_FALSE(m.has_value()) << m->DebugString();
    grpc::Status st = s->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_NE(st.error_message().find('1'), std::string::npos)
        << st.error_message();
  }
  EXPECT_EQ(State().store_seq_held(), 0u);
  auto s = Connect();
  EXPECT_EQ(Upload(*s, 1, 3).acked_seq(), 3u);
}

TEST_F(CentralSyncTest, BrokenChainEndsTheStreamWithDataLoss) {
  journal_.Movement("A", 5);
  v1::JournalEntry bad = journal_.Movement("A", 2);
  bad.mutable_record()
      ->mutable_stock()
      ->mutable_movement()
      ->mutable_lines(0)
      ->set_quantity(3);  // the hash no longer matches the record
  auto s = Connect();
  ASSERT_TRUE(s->SendEvents({journal_.entries()[0], bad}));
  EXPECT_FALSE(s->Read().has_value());
  EXPECT_EQ(s->Finish().error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(State().store_seq_held(), 0u);
}

// A newer agent's canonical bytes: field 1000 (varint 7), which this
// build's JournalRecord does not have, written before the known fields. This
// build re-serializes a record parsed from them with the unknown field
// last, so only the bytes themselves hash to what the agent chained.
std::string NewerAgentBytes(const v1::JournalRecord& r) {
  return std::string("\xc0\x3e\x07", 3) + core::CanonicalBytes(r);
}

// The entry after `prev_hash` carrying `bytes` as its record.
v1::JournalEntry BytesEntry(const std::string& prev_hash,
                            const std::string& bytes, bool with_record) {
  v1::JournalEntry e;
  v1::JournalRecord parsed;
  EXPECT_TRUE(parsed.ParseFromString(bytes));
  if (with_record) {
    *e.mutable_record() = parsed;
  } else {
    e.mutable_record()->set_seq(parsed.seq());  // bytes only
  }
  e.set_canonical_record(bytes);
  e.set_prev_hash(prev_hash);
  e.set_hash(core::ChainHash(prev_hash, bytes));
  return e;
}

TEST_F(CentralSyncTest, RecordBytesAreHashedStoredAndReseededVerbatim) {
  journal_.Movement("A", 5);  // a 0.3 entry: the record only
  v1::JournalRecord second = journal_.Movement("A", 2).record();
  v1::JournalRecord third = journal_.Movement("B", 7).record();
  const std::string bytes2 = NewerAgentBytes(second);
  const std::string bytes3 = NewerAgentBytes(third);
  const v1::JournalEntry e2 =
      BytesEntry(journal_.hash_at(1), bytes2, /*with_record=*/false);
  const v1::JournalEntry e3 = BytesEntry(e2.hash(), bytes3, true);
  {
    auto s = std::make_unique<AgentStream>(central_.SyncChannel());
    ASSERT_TRUE(s->Hello("store-1", 3, e3.hash()));
    ASSERT_TRUE(s->SendEvents({journal_.entries()[0], e2, e3}));
    std::optional<v1::SyncResponse> m = s->Read();
    ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
    EXPECT_EQ(m->ack().acked_seq(), 3u);
    EXPECT_EQ(m->ack().quarantined_size(), 0);
  }
  EXPECT_EQ(State().store_seq_held(), 3u);
  // The movements were read from the bytes (the bytes-only entry too).
  EXPECT_EQ(Figure("A").on_hand(), 7);
  EXPECT_EQ(Figure("B").on_hand(), 7);

  // An agent restored to seq 1 gets 2 and 3 back as the bytes it chained.
  AgentStream r(central_.SyncChannel());
  std::optional<v1::Welcome> w = r.Hello("store-1", 1, journal_.hash_at(1));
  ASSERT_TRUE(w && w->reseed());
  EXPECT_EQ(w->store_hash_held(), e3.hash());
  std::optional<v1::SyncResponse> m = r.Read();
  ASSERT_TRUE(m && m->has_reseed()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->reseed().entries_size(), 2);
  EXPECT_EQ(m->reseed().entries(0).canonical_record(), bytes2);
  EXPECT_EQ(m->reseed().entries(1).canonical_record(), bytes3);
  EXPECT_EQ(m->reseed().entries(1).hash(), e3.hash());
  EXPECT_EQ(m->reseed().entries(0).record().seq(), 2u);
}

TEST_F(CentralSyncTest, WithoutItsBytesANewerAgentsRecordBreaksTheChain) {
  // What 0.3 did: re-serialize the parsed record, which puts the unknown
  // field last; the hash the agent chained no longer matches.
  v1::JournalRecord first = journal_.Movement("A", 5).record();
  v1::JournalEntry e = BytesEntry(core::GenesisHash(), NewerAgentBytes(first),
                                  /*with_record=*/true);
  e.clear_canonical_record();
  auto s = std::make_unique<AgentStream>(central_.SyncChannel());
  ASSERT_TRUE(s->Hello("store-1", 1, e.hash()));
  ASSERT_TRUE(s->SendEvents({e}));
  EXPECT_FALSE(s->Read().has_value());
  EXPECT_EQ(s->Finish().error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(State().store_seq_held(), 0u);
}

TEST_F(CentralSyncTest, RecordBytesThatDoNotParseEndTheStreamWithDataLoss) {
  const std::string junk("\xff\xff\xff", 3);
  v1::JournalEntry e;
  e.mutable_record()->set_seq(1);
  e.set_canonical_record(junk);
  e.set_prev_hash(core::GenesisHash());
  e.set_hash(core::ChainHash(core::GenesisHash(), junk));
  auto s = std::make_unique<AgentStream>(central_.SyncChannel());
  ASSERT_TRUE(s->Hello("store-1", 1, e.hash()));
  ASSERT_TRUE(s->SendEvents({e}));
  EXPECT_FALSE(s->Read().has_value());
  grpc::Status st = s->Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_NE(st.error_message().find("events.entries[0]: canonical_record"),
            std::string::npos)
      << st.error_message();
  EXPECT_EQ(State().store_seq_held(), 0u);
}

TEST_F(CentralSyncTest, BadEventIsQuarantinedAndTheAckStillAdvances) {
  journal_.Movement("A", 5);
  journal_.NoBody();
  journal_.Movement("A", 1);
  auto s = Connect();
  v1::BatchAck ack = Upload(*s, 1, 3);
  EXPECT_EQ(ack.acked_seq(), 3u);
  ASSERT_EQ(ack.quarantined_size(), 1);
  EXPECT_EQ(ack.quarantined(0).seq(), 2u);
  EXPECT_FALSE(ack.quarantined(0).reason().empty());
  EXPECT_EQ(Figure("A").on_hand(), 6);
  grpc::ClientContext ctx;
  v1::ListQuarantineRequest r;
  r.set_store_id("store-1");
  v1::ListQuarantineResponse q;
  ASSERT_TRUE(central_.admin().ListQuarantine(&ctx, r, &q).ok());
  ASSERT_EQ(q.quarantined_size(), 1);
  EXPECT_EQ(q.quarantined(0).seq(), 2u);
  EXPECT_EQ(State().quarantined(), 1);
}

TEST_F(CentralSyncTest, CentralEventsGoDownAndAreAcknowledged) {
  {  // the store exists once it said Hello
    auto s = Connect();
  }
  EXPECT_EQ(PushReceipt("asn-1", "A", 10).central_seq(), 1u);
  EXPECT_TRUE(PushReceipt("asn-1", "A", 10).replayed());
  auto s = Connect();
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_central_events()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->central_events().events_size(), 1);
  EXPECT_EQ(m->central_events().events(0).central_seq(), 1u);
  v1::SyncRequest ack;
  ack.mutable_central_ack()->set_central_seq(1);
  ASSERT_TRUE(s->Send(ack));
  // Recorded while the stream is open: sent at once.
  EXPECT_EQ(PushReceipt("asn-2", "A", 4).central_seq(), 2u);
  m = s->Read();
  ASSERT_TRUE(m && m->has_central_events()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->central_events().events_size(), 1);
  EXPECT_EQ(m->central_events().events(0).central_seq(), 2u);
  ack.mutable_central_ack()->set_central_seq(2);
  ASSERT_TRUE(s->Send(ack));
  ASSERT_TRUE(s->Finish().ok());
  v1::GetStoreSyncStateResponse st = State();
  EXPECT_EQ(st.central_head_seq(), 2u);
  EXPECT_EQ(st.central_seq_acked(), 2u);
  // Central's replica counts acknowledged central receipts.
  EXPECT_EQ(Figure("A").on_hand(), 14);
}

// Central restored from an older backup: the store applied central events
// 1..5, central now holds 1..2. New events must be numbered after 5, or the
// store would take event 3 for the one it applied and skip it.
TEST_F(CentralSyncTest, StoreAheadOfARestoredCentralGetsNewEventsAfterItsOwn) {
  { auto s = Connect(); }
  EXPECT_EQ(PushReceipt("asn-1", "A", 10).central_seq(), 1u);
  EXPECT_EQ(PushReceipt("asn-2", "A", 1).central_seq(), 2u);
  {
    auto s = Connect(/*central_applied=*/5);
    ASSERT_TRUE(s->Finish().ok());
  }
  v1::GetStoreSyncStateResponse st = State();
  EXPECT_EQ(st.central_head_seq(), 5u);
  EXPECT_EQ(st.central_seq_acked(), 5u);
  EXPECT_EQ(PushReceipt("asn-3", "A", 4).central_seq(), 6u);
  auto s = Connect(5);
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_central_events()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->central_events().events_size(), 1);
  EXPECT_EQ(m->central_events().events(0).central_seq(), 6u);
  v1::SyncRequest ack;
  ack.mutable_central_ack()->set_central_seq(6);
  ASSERT_TRUE(s->Send(ack));
  ASSERT_TRUE(s->Finish().ok());
  EXPECT_EQ(State().central_seq_acked(), 6u);
  // The replica skips the numbers central lost (nothing to apply there).
  EXPECT_EQ(Figure("A").on_hand(), 15);
}

TEST_F(CentralSyncTest, PushIsValidatedNamingTheField) {
  grpc::ClientContext ctx;
  v1::PushCentralEventRequest r;
  r.set_store_id("store-1");
  r.set_request_key("k1");
  v1::StockMovement* m = r.mutable_event()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  m->add_lines()->set_sku("A");
  m->mutable_lines(0)->set_quantity(-3);  // a receipt must be positive
  v1::PushCentralEventResponse out;
  grpc::Status s = central_.admin().PushCentralEvent(&ctx, r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("event.movement"), std::string::npos)
      << s.error_message();
}

TEST_F(CentralSyncTest, HoldRequestIsAnsweredByTheStore) {
  auto s = Connect();
  // The hold must find the stream registered, not race its Hello.
  for (int i = 0; i < 500 && !State().connected(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(State().connected());
  v1::HoldPlaced h = Hold("order-1", "A", 2);
  v1::CentralAdminServicePlaceHoldResponse reply;
  std::future<grpc::Status> call = std::async(
      std::launch::async, [&] { return PlaceHold(h, 10000, &reply); });
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_hold_request()) << (m ? m->DebugString() : "");
  EXPECT_EQ(m->hold_request().hold().order_ref(), "order-1");
  v1::SyncRequest answer;
  v1::HoldAnswer* a = answer.mutable_hold_answer();
  a->set_request_id(m->hold_request().request_id());
  a->set_order_ref("order-1");
  a->set_granted(true);
  a->mutable_hold()->set_order_ref("order-1");
  a->mutable_hold()->set_state(v1::HOLD_STATE_HELD);
  a->mutable_hold()->set_placed_seq(9);
  ASSERT_TRUE(s->Send(answer));
  ASSERT_TRUE(call.get().ok());
  EXPECT_TRUE(reply.granted());
  EXPECT_EQ(reply.granted_by(), "store");
  EXPECT_EQ(reply.hold().placed_seq(), 9u);
}

TEST_F(CentralSyncTest, StoreRefusalIsFinalEvenWithEscrow) {
  journal_.Escrow("A", 10);
  auto s = Connect();
  EXPECT_EQ(Upload(*s, 1, 1).acked_seq(), 1u);
  v1::CentralAdminServicePlaceHoldResponse reply;
  std::future<grpc::Status> call = std::async(std::launch::async, [&] {
    return PlaceHold(Hold("order-1", "A", 2), 10000, &reply);
  });
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_hold_request()) << (m ? m->DebugString() : "");
  v1::SyncRequest answer;
  v1::HoldAnswer* a = answer.mutable_hold_answer();
  a->set_request_id(m->hold_request().request_id());
  a->set_order_ref("order-1");
  a->set_granted(false);
  a->add_shortfall()->set_sku("A");
  ASSERT_TRUE(s->Send(answer));
  ASSERT_TRUE(call.get().ok());
  EXPECT_FALSE(reply.granted());
  EXPECT_EQ(reply.granted_by(), "");
  ASSERT_EQ(reply.shortfall_size(), 1);
  EXPECT_EQ(State().central_head_seq(), 0u);  // no escrow hold recorded
}

TEST_F(CentralSyncTest, CancelHoldGoesDownAsACentralEvent) {
  auto s = Connect();
  grpc::ClientContext ctx;
  v1::CentralAdminServiceCancelHoldRequest r;
  r.set_store_id("store-1");
  r.set_order_ref("order-9");
  r.set_reason("customer cancelled");
  v1::CentralAdminServiceCancelHoldResponse out;
  ASSERT_TRUE(central_.admin().CancelHold(&ctx, r, &out).ok());
  EXPECT_EQ(out.central_seq(), 1u);
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_central_events()) << (m ? m->DebugString() : "");
  EXPECT_EQ(m->central_events().events(0).hold_cancel().order_ref(), "order-9");
}

TEST_F(CentralSyncTest, UnknownStoreIsNotFoundNamingTheField) {
  grpc::ClientContext ctx;
  v1::GetStoreSyncStateRequest r;
  r.set_store_id("store-404");
  v1::GetStoreSyncStateResponse out;
  grpc::Status s = central_.admin().GetStoreSyncState(&ctx, r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("store_id"), std::string::npos);
  v1::CentralAdminServicePlaceHoldResponse reply;
  EXPECT_EQ(PlaceHold(Hold("o", "A", 1), 0, &reply).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// FindAvailability over named stores (one read of their rows): each store
// in the order named, with its own figures, escrow, store_seq, age and
// connection; a store central knows but that is not connected answers
// zeros. The first store id that is malformed or unknown, in order, is
// the error, naming its index.
TEST_F(CentralSyncTest, FindAvailabilityAnswersTheNamedStoresInOrder) {
  journal_.Movement("A", 5);
  journal_.Escrow("A", 2);
  auto s = Connect();
  ASSERT_EQ(Upload(*s, 1, 2).acked_seq(), 2u);
  {
    grpc::ClientContext ctx;
    v1::PushCentralEventRequest r;
    r.set_store_id("store-2");  // known to central, never connected
    r.set_request_key("k2");
    v1::StockMovement* m = r.mutable_event()->mutable_movement();
    m->set_reason(v1::StockMovement::REASON_RECEIPT);
    m->add_lines()->set_sku("A");
    m->mutable_lines(0)->set_quantity(9);
    v1::PushCentralEventResponse out;
    ASSERT_TRUE(central_.admin().PushCentralEvent(&ctx, r, &out).ok());
  }

  v1::FindAvailabilityRequest r;
  r.add_skus("A");
  r.add_skus("NONE");
  r.add_store_ids("store-2");
  r.add_store_ids("store-1");
  v1::FindAvailabilityResponse out;
  {
    grpc::ClientContext ctx;
    grpc::Status st = central_.admin().FindAvailability(&ctx, r, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  ASSERT_EQ(out.stores_size(), 2);
  const v1::StoreAvailability& two = out.stores(0);
  EXPECT_EQ(two.store_id(), "store-2");
  EXPECT_FALSE(two.connected());
  EXPECT_EQ(two.store_seq(), 0u);
  EXPECT_EQ(two.replica_age_ms(), -1);
  ASSERT_EQ(two.figures_size(), 2);
  EXPECT_EQ(two.figures(0).sku(), "A");
  EXPECT_EQ(two.figures(0).on_hand(), 0);  // not acknowledged by the store
  ASSERT_EQ(two.escrow_size(), 2);
  const v1::StoreAvailability& one = out.stores(1);
  EXPECT_EQ(one.store_id(), "store-1");
  EXPECT_TRUE(one.connected());
  EXPECT_EQ(one.store_seq(), 2u);
  EXPECT_GE(one.replica_age_ms(), 0);
  ASSERT_EQ(one.figures_size(), 2);
  EXPECT_EQ(one.figures(0).sku(), "A");
  EXPECT_EQ(one.figures(0).on_hand(), 5);
  EXPECT_EQ(one.figures(1).sku(), "NONE");
  EXPECT_EQ(one.figures(1).on_hand(), 0);
  ASSERT_EQ(one.escrow_size(), 2);
  EXPECT_EQ(one.escrow(0), 2);
  EXPECT_EQ(one.escrow(1), 0);

  struct Case {
    std::vector<std::string> stores;
    grpc::StatusCode code;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {{"store-1", "store-404", "no spaces"},
            grpc::StatusCode::NOT_FOUND,
            "store_ids[1]: central has never heard of store store-404"},
           {{"store-1", "no spaces", "store-404"},
            grpc::StatusCode::INVALID_ARGUMENT,
            "store_ids[1]"},
           {{"store-404"},
            grpc::StatusCode::NOT_FOUND,
            "store_ids[0]: central has never heard of store store-404"}}) {
    v1::FindAvailabilityRequest bad = r;
    bad.clear_store_ids();
    for (const std::string& id : c.stores) bad.add_store_ids(id);
    grpc::ClientContext ctx;
    v1::FindAvailabilityResponse ignored;
    grpc::Status st = central_.admin().FindAvailability(&ctx, bad, &ignored);
    EXPECT_EQ(st.error_code(), c.code) << c.message;
    EXPECT_NE(st.error_message().find(c.message), std::string::npos)
        << st.error_message();
  }
}

TEST_F(CentralSyncTest, BatchOverTheLimitEndsTheStream) {
  central_.server().Shutdown(0);
  CentralFixture small;
  CentralConfig c = CentralFixture::DefaultConfig();
  c.max_batch_events = 2;
  small.Start(c);
  for (int i = 1; i <= 3; ++i) journal_.Movement("A", i);
  AgentStream s(small.SyncChannel());
  std::optional<v1::Welcome> w = s.Hello("store-1", 3, journal_.head_hash());
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->limits().max_batch_events(), 2u);
  ASSERT_TRUE(s.SendEvents(journal_.Range(1, 2)));  // at the limit
  std::optional<v1::SyncResponse> m = s.Read();
  ASSERT_TRUE(m && m->has_ack());
  ASSERT_TRUE(s.SendEvents(journal_.Range(1, 3)));  // one past it
  EXPECT_FALSE(s.Read().has_value());
  EXPECT_EQ(s.Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(CentralSyncTest, NewerStreamReplacesTheOlderOne) {
  auto first = Connect();
  auto second = Connect();
  EXPECT_FALSE(first->Read().has_value());
  EXPECT_EQ(first->Finish().error_code(), grpc::StatusCode::ABORTED);
  EXPECT_TRUE(State().connected());
}

TEST_F(CentralSyncTest, UnreachableStoreGetsHoldsInsideItsEscrowOnly) {
  journal_.Movement("A", 20);
  journal_.Escrow("A", 5);
  {
    auto s = Connect();
    EXPECT_EQ(Upload(*s, 1, 2).acked_seq(), 2u);
  }
  v1::CentralAdminServicePlaceHoldResponse first;
  ASSERT_TRUE(PlaceHold(Hold("order-1", "A", 3), 0, &first).ok());
  EXPECT_TRUE(first.granted()) << first.reason();
  EXPECT_EQ(first.granted_by(), "escrow");
  // A retry of the same order is the same grant, not a second one, even
  // when the client recomputed the expiry (storecentralctl --expires-in-s
  // does on every run) or sent another channel: the first grant's hold.
  v1::HoldPlaced again = Hold("order-1", "A", 3);
  again.set_expires_at_us(again.expires_at_us() + 5'000'000);
  again.set_channel("app");
  v1::CentralAdminServicePlaceHoldResponse retry;
  ASSERT_TRUE(PlaceHold(again, 0, &retry).ok());
  EXPECT_TRUE(retry.granted()) << retry.reason();
  EXPECT_EQ(retry.hold().SerializeAsString(), first.hold().SerializeAsString());
  // The same order with other lines is not a retry.
  v1::CentralAdminServicePlaceHoldResponse other;
  ASSERT_TRUE(PlaceHold(Hold("order-1", "A", 2), 0, &other).ok());
  EXPECT_FALSE(other.granted());
  EXPECT_NE(other.reason().find("other lines"), std::string::npos)
      << other.reason();
  // 5 - 3 = 2 left: 3 more do not fit.
  v1::CentralAdminServicePlaceHoldResponse second;
  ASSERT_TRUE(PlaceHold(Hold("order-2", "A", 3), 0, &second).ok());
  EXPECT_FALSE(second.granted());
  ASSERT_EQ(second.shortfall_size(), 1);
  EXPECT_EQ(second.shortfall(0).sku(), "A");
  EXPECT_EQ(second.shortfall(0).available(), 2);
  // The store's own figures, not zeros: 20 received, nothing held yet.
  EXPECT_EQ(second.shortfall(0).on_hand(), 20);
  EXPECT_EQ(second.shortfall(0).held(), 0);
  EXPECT_TRUE(second.shortfall(0).in_catalog());
  EXPECT_NE(second.reason().find("escrow"), std::string::npos);
  v1::CentralAdminServicePlaceHoldResponse third;
  ASSERT_TRUE(PlaceHold(Hold("order-3", "A", 2), 0, &third).ok());
  EXPECT_TRUE(third.granted()) << third.reason();
  // The store gets the escrow holds when it comes back.
  auto s = Connect();
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_central_events()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->central_events().events_size(), 2);
  EXPECT_TRUE(m->central_events().events(0).escrow_hold().hold().from_escrow());
  EXPECT_EQ(m->central_events().events(1).escrow_hold().hold().order_ref(),
            "order-3");
}

// The store applies central's escrow hold as its HoldPlaced at seq N and
// announces its escrow again at N+1; the link drops after N is acked. The
// escrow central holds is still the figure from before the hold, so the hold
// must still count: central may not promise the same units twice.
TEST_F(CentralSyncTest, EscrowHoldCountsUntilTheStoreAnnouncesItsEscrowAgain) {
  journal_.Movement("A", 20);
  journal_.Escrow("A", 5);
  {
    auto s = Connect();
    EXPECT_EQ(Upload(*s, 1, 2).acked_seq(), 2u);
  }
  v1::CentralAdminServicePlaceHoldResponse first;
  ASSERT_TRUE(PlaceHold(Hold("order-1", "A", 5), 0, &first).ok());
  ASSERT_TRUE(first.granted()) << first.reason();
  ASSERT_EQ(first.granted_by(), "escrow");
  // The store comes back, journals the hold (seq 3) and a new escrow for A
  // (seq 4: 15 still available, so 5 again), but only seq 3 reaches central.
  v1::JournalRecord placed;
  *placed.mutable_stock()->mutable_hold_placed() = Hold("order-1", "A", 5);
  placed.mutable_stock()->mutable_hold_placed()->set_from_escrow(true);
  journal_.Add(placed);
  journal_.Escrow("A", 5);
  {
    auto s = Connect(1);  // the store applied central's escrow hold
    EXPECT_EQ(Upload(*s, 3, 3).acked_seq(), 3u);
  }
  // A retry of order-1 now that the store journaled it: the store's hold.
  v1::CentralAdminServicePlaceHoldResponse retry;
  ASSERT_TRUE(PlaceHold(Hold("order-1", "A", 5), 0, &retry).ok());
  EXPECT_TRUE(retry.granted()) << retry.reason();
  EXPECT_EQ(retry.granted_by(), "store");
  EXPECT_EQ(retry.hold().order_ref(), "order-1");
  // The same order with other lines is refused, naming why.
  v1::CentralAdminServicePlaceHoldResponse other;
  ASSERT_TRUE(PlaceHold(Hold("order-1", "A", 4), 0, &other).ok());
  EXPECT_FALSE(other.granted());
  EXPECT_NE(other.reason().find("other lines"), std::string::npos)
      << other.reason();
  v1::CentralAdminServicePlaceHoldResponse second;
  ASSERT_TRUE(PlaceHold(Hold("order-2", "A", 5), 0, &second).ok());
  EXPECT_FALSE(second.granted()) << "granted escrow units twice";
  ASSERT_EQ(second.shortfall_size(), 1);
  EXPECT_EQ(second.shortfall(0).available(), 0);
  // Once the announcement after the hold arrives, its figure is what is free.
  {
    auto s = Connect(1);
    EXPECT_EQ(Upload(*s, 4, 4).acked_seq(), 4u);
  }
  v1::CentralAdminServicePlaceHoldResponse third;
  ASSERT_TRUE(PlaceHold(Hold("order-2", "A", 5), 0, &third).ok());
  EXPECT_TRUE(third.granted()) << third.reason();
  EXPECT_EQ(third.granted_by(), "escrow");
}

TEST_F(CentralSyncTest, StoreThatDoesNotAnswerInTimeFallsBackToEscrow) {
  journal_.Escrow("A", 4);
  auto s = Connect();
  EXPECT_EQ(Upload(*s, 1, 1).acked_seq(), 1u);
  v1::CentralAdminServicePlaceHoldResponse reply;
  // The agent reads the request but never answers.
  ASSERT_TRUE(PlaceHold(Hold("order-1", "A", 4), 200, &reply).ok());
  EXPECT_TRUE(reply.granted()) << reply.reason();
  EXPECT_EQ(reply.granted_by(), "escrow");
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_hold_request());
}

TEST_F(CentralSyncTest, DigestMatchesThenDriftIsFoundByDrillDown) {
  journal_.Movement("A", 5);
  journal_.Movement("B", 3);
  journal_.Movement("A", -1);
  core::StockReplay agent;
  for (const v1::JournalEntry& e : journal_.entries()) {
    ASSERT_TRUE(agent.Apply(e.record()).ok());
  }
  auto s = Connect();
  EXPECT_EQ(Upload(*s, 1, 3).acked_seq(), 3u);

  ASSERT_TRUE(s->Send(DigestOf(agent, 3, 0)));
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_digest_result()) << (m ? m->DebugString() : "");
  EXPECT_TRUE(m->digest_result().match());
  EXPECT_EQ(State().last_digest(), "match");

  // The agent's table went wrong: B shows 4 where the journal says 3.
  core::StockReplay wrong = agent;
  journal_.Movement("B", 1);
  ASSERT_TRUE(wrong.Apply(journal_.entries().back().record()).ok());
  ASSERT_TRUE(s->Send(DigestOf(wrong, 3, 0)));
  m = s->Read();
  ASSERT_TRUE(m && m->has_digest_result()) << (m ? m->DebugString() : "");
  EXPECT_FALSE(m->digest_result().match());
  ASSERT_EQ(m->digest_result().mismatched_buckets_size(), 1);
  const uint32_t bucket = m->digest_result().mismatched_buckets(0);
  EXPECT_EQ(bucket, core::DigestBucketOf("B", core::kDefaultDigestBuckets));
  m = s->Read();
  ASSERT_TRUE(m && m->has_drill_down()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->drill_down().buckets_size(), 1);
  EXPECT_EQ(State().last_digest(), "mismatch");

  v1::SyncRequest answer;
  v1::DrillDownAnswer* a = answer.mutable_drill_down_answer();
  a->set_store_seq(3);
  a->add_buckets(bucket);
  v1::SkuFigure* f = a->add_figures();
  f->set_sku("B");
  f->set_on_hand(4);
  ASSERT_TRUE(s->Send(answer));
  ASSERT_TRUE(s->Finish().ok());  // handled before the stream ends

  grpc::ClientContext ctx;
  v1::ListDriftRequest r;
  r.set_store_id("store-1");
  v1::ListDriftResponse drift;
  ASSERT_TRUE(central_.admin().ListDrift(&ctx, r, &drift).ok());
  ASSERT_EQ(drift.drift_size(), 1);
  EXPECT_EQ(drift.drift(0).sku(), "B");
  EXPECT_EQ(drift.drift(0).store().on_hand(), 4);
  EXPECT_EQ(drift.drift(0).central().on_hand(), 3);
  EXPECT_EQ(drift.drift(0).store_seq(), 3u);
}

TEST_F(CentralSyncTest, DigestAheadOfCentralIsDeferred) {
  journal_.Movement("A", 5);
  auto s = Connect();
  core::StockReplay agent;
  ASSERT_TRUE(agent.Apply(journal_.entries()[0].record()).ok());
  ASSERT_TRUE(s->Send(DigestOf(agent, 1, 0)));  // central holds 0
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_digest_result());
  EXPECT_TRUE(m->digest_result().deferred());
  EXPECT_FALSE(m->digest_result().match());
}

TEST_F(CentralSyncTest, AgentThatLostItsJournalIsReseeded) {
  for (int i = 1; i <= 5; ++i) journal_.Movement("A", i);
  {
    auto s = Connect();
    EXPECT_EQ(Upload(*s, 1, 5).acked_seq(), 5u);
  }
  // The agent came back from a backup at seq 2.
  AgentStream s(central_.SyncChannel());
  std::optional<v1::Welcome> w = s.Hello("store-1", 2, journal_.hash_at(2));
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE(w->reseed());
  std::optional<v1::SyncResponse> m = s.Read();
  ASSERT_TRUE(m && m->has_reseed()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->reseed().entries_size(), 3);
  EXPECT_EQ(m->reseed().entries(0).record().seq(), 3u);
  EXPECT_EQ(m->reseed().entries(2).hash(), journal_.hash_at(5));
  m = s.Read();
  ASSERT_TRUE(m && m->has_reseed_done());
  EXPECT_EQ(m->reseed_done().store_seq(), 5u);
  v1::SyncRequest ack;
  ack.mutable_reseed_ack()->set_store_seq(5);
  ASSERT_TRUE(s.Send(ack));
  EXPECT_TRUE(s.Finish().ok());
}

TEST_F(CentralSyncTest, ReseedBatchesKeepToMaxBatchBytes) {
  central_.server().Shutdown(0);
  CentralFixture small;
  CentralConfig c = CentralFixture::DefaultConfig();
  c.max_batch_bytes = 4096;
  small.Start(c);
  for (int i = 1; i <= 6; ++i) {  // about 1.9 KB each: two per batch
    v1::JournalRecord r;
    v1::StockMovement* m = r.mutable_stock()->mutable_movement();
    m->set_reason(v1::StockMovement::REASON_RECEIPT);
    for (int k = 0; k < 150; ++k) {
      v1::StockDelta* d = m->add_lines();
      d->set_sku("SKU-" + std::to_string(k));
      d->set_quantity(i);
    }
    journal_.Add(std::move(r));
  }
  {
    AgentStream s(small.SyncChannel());
    ASSERT_TRUE(s.Hello("store-1", 6, journal_.head_hash()).has_value());
    for (uint64_t seq = 1; seq <= 6; ++seq) {
      ASSERT_TRUE(s.SendEvents(journal_.Range(seq, seq)));
      std::optional<v1::SyncResponse> m = s.Read();
      ASSERT_TRUE(m && m->has_ack());
    }
  }
  AgentStream s(small.SyncChannel());
  std::optional<v1::Welcome> w = s.Hello("store-1", 0, core::GenesisHash());
  ASSERT_TRUE(w && w->reseed());
  uint64_t next = 1;
  int batches = 0;
  for (int i = 0; i < 20; ++i) {
    std::optional<v1::SyncResponse> m = s.Read();
    ASSERT_TRUE(m.has_value());
    if (m->has_reseed_done()) break;
    ASSERT_TRUE(m->has_reseed()) << m->DebugString();
    ++batches;
    EXPECT_LE(m->reseed().ByteSizeLong(), 4096u + 64u);
    for (const v1::JournalEntry& e : m->reseed().entries()) {
      EXPECT_EQ(e.record().seq(), next++);
    }
    v1::SyncRequest ack;
    ack.mutable_reseed_ack()->set_store_seq(next - 1);
    ASSERT_TRUE(s.Send(ack));
  }
  EXPECT_EQ(next, 7u);
  EXPECT_GE(batches, 3);
}

TEST_F(CentralSyncTest, UnknownHeadIsNotReseeded) {
  for (int i = 1; i <= 3; ++i) journal_.Movement("A", i);
  {
    auto s = Connect();
    EXPECT_EQ(Upload(*s, 1, 3).acked_seq(), 3u);
  }
  AgentStream s(central_.SyncChannel());
  std::optional<v1::Welcome> w =
      s.Hello("store-1", 2, std::string(core::kHashBytes, 'x'));
  ASSERT_TRUE(w.has_value());
  EXPECT_FALSE(w->reseed());
}

TEST_F(CentralSyncTest, TwoHundredStreamsAtOnce) {
  constexpr int kStreams = 200;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) channels.push_back(central_.SyncChannel());
  std::vector<std::unique_ptr<AgentStream>> streams;
  for (int i = 0; i < kStreams; ++i) {
    streams.push_back(std::make_unique<AgentStream>(channels[i % 4]));
    v1::SyncRequest m;
    m.mutable_hello()->set_store_id("store-" + std::to_string(i));
    m.mutable_hello()->set_journal_head_hash(core::GenesisHash());
    ASSERT_TRUE(streams.back()->Send(m));
  }
  for (int i = 0; i < kStreams; ++i) {
    std::optional<v1::SyncResponse> m = streams[i]->Read();
    ASSERT_TRUE(m && m->has_welcome()) << "stream " << i;
  }
  // All open at once.
  for (int i = 0; i < kStreams; i += 37) {
    grpc::ClientContext ctx;
    v1::GetStoreSyncStateRequest r;
    r.set_store_id("store-" + std::to_string(i));
    v1::GetStoreSyncStateResponse st;
    ASSERT_TRUE(central_.admin().GetStoreSyncState(&ctx, r, &st).ok());
    EXPECT_TRUE(st.connected()) << i;
  }
}

}  // namespace
}  // namespace storeagent::central::testing
