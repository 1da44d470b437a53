// Central's end of a sync stream as a state machine
// (central/server/stream_machine.h): driven by hand, no gRPC, no store.
#include "central/server/stream_machine.h"

#include <gtest/gtest.h>

#include "core/journal_chain.h"

namespace storeagent::central {
namespace {

using Kind = StreamAction::Kind;

class StreamMachineTest : public ::testing::Test {
 protected:
  explicit StreamMachineTest(std::string peer = "")
      : m_(Options(std::move(peer))) {}

  static StreamMachineOptions Options(std::string peer) {
    StreamMachineOptions o;
    o.peer_store_id = std::move(peer);
    o.window = 2;
    o.central_batch_events = 10;
    return o;
  }

  std::vector<StreamAction> Expect(std::vector<Kind> kinds) {
    std::vector<StreamAction> got = m_.TakeActions();
    std::vector<Kind> seen;
    for (const StreamAction& a : got) seen.push_back(a.kind);
    EXPECT_EQ(seen, kinds);
    return got;
  }

  static v1::SyncRequest Hello(const std::string& store, uint64_t head,
                               uint64_t applied = 0) {
    v1::SyncRequest m;
    m.mutable_hello()->set_store_id(store);
    m.mutable_hello()->set_journal_head_seq(head);
    m.mutable_hello()->set_central_seq_applied(applied);
    return m;
  }

  // Hello -> store row (central holds `held`, `central_head` events) ->
  // registered -> Welcome: running.
  void Open(uint64_t head, uint64_t held, uint64_t central_head = 0) {
    v1::SyncRequest h = Hello("s1", head);
    m_.OnMessage(h);
    Expect({Kind::kLoadStore});
    StoreFacts f;
    f.row.store_seq_held = held;
    f.row.central_head_seq = central_head;
    m_.OnStoreLoaded(f);
    Expect({Kind::kRegister});
    m_.OnRegistered(Status::Ok(), 42);
    std::vector<StreamAction> w = Expect({Kind::kSend, Kind::kReadCentral});
    EXPECT_EQ(w[0].message.welcome().store_seq_held(), held);
    EXPECT_EQ(w[0].message.welcome().central_time_us(), 42);
    ASSERT_TRUE(m_.running());
  }

  StreamMachine m_;
};

TEST_F(StreamMachineTest, TheFirstMessageMustBeAValidHello) {
  v1::SyncRequest ack;
  ack.mutable_central_ack()->set_central_seq(1);
  m_.OnMessage(ack);
  std::vector<StreamAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.code(), StatusCode::kFailedPrecondition);

  StreamMachine bad(Options(""));
  v1::SyncRequest h = Hello("", 0);
  bad.OnMessage(h);
  std::vector<StreamAction> got = bad.TakeActions();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].kind, Kind::kEnd);
  EXPECT_NE(got[0].status.message().find("hello.store_id"), std::string::npos);
}

class PeerStreamMachineTest : public StreamMachineTest {
 protected:
  PeerStreamMachineTest() : StreamMachineTest("s1") {}
};

TEST_F(PeerStreamMachineTest,
       AHelloForAnotherStoreThanTheCertificateIsRefused) {
  v1::SyncRequest h = Hello("s2", 0);
  m_.OnMessage(h);
  std::vector<StreamAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(end[0].status.message().find("certificate is for store s1"),
            std::string::npos);
}

TEST_F(StreamMachineTest, IngestsBatchesAndMapsCommitErrors) {
  Open(5, 2);
  m_.OnCentralPage(std::vector<v1::CentralEvent>{});
  Expect({});
  v1::SyncRequest b;
  b.mutable_events()->add_entries()->mutable_record()->set_seq(3);
  m_.OnMessage(b);
  std::vector<StreamAction> ingest = Expect({Kind::kIngest});
  EXPECT_EQ(ingest[0].seq, 2u);  // what central held before
  IngestResult r;
  r.acked_seq = 3;
  m_.OnIngested(r);
  std::vector<StreamAction> ack = Expect({Kind::kSend});
  EXPECT_EQ(ack[0].message.ack().acked_seq(), 3u);
  EXPECT_EQ(m_.held(), 3u);
  m_.OnMessage(b);
  Expect({Kind::kIngest});
  m_.OnIngested(Status(StatusCode::kFailedPrecondition, "gap"));
  std::vector<StreamAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.code(), StatusCode::kFailedPrecondition);
}

// An entry as a 0.4 agent sends it with send_parsed_records off: its
// canonical bytes and a seq-only record.
v1::JournalEntry BytesOnlyEntry(uint64_t seq) {
  v1::JournalRecord r;
  r.set_seq(seq);
  r.set_recorded_at_us(1'000'000);
  r.mutable_transaction()->mutable_no_sale();
  v1::JournalEntry e;
  e.set_canonical_record(core::CanonicalBytes(r));
  e.set_prev_hash(core::GenesisHash());
  e.set_hash(core::ChainHash(e.prev_hash(), e.canonical_record()));
  e.mutable_record()->set_seq(seq);
  return e;
}

TEST_F(StreamMachineTest, ABatchIsIngestedWithItsChecksWhoeverRanThem) {
  Open(5, 2);
  m_.OnCentralPage(std::vector<v1::CentralEvent>{});
  Expect({});
  // Not checked by the driver: the machine checks it.
  v1::SyncRequest b;
  *b.mutable_events()->add_entries() = BytesOnlyEntry(3);
  m_.OnMessage(b);
  std::vector<StreamAction> ingest = Expect({Kind::kIngest});
  ASSERT_EQ(ingest[0].entries.size(), 1u);
  ASSERT_EQ(ingest[0].checks.size(), 1u);
  EXPECT_TRUE(ingest[0].entries[0].record().has_transaction());  // parsed
  EXPECT_TRUE(ingest[0].checks[0].hash_covers);
  EXPECT_EQ(ingest[0].checks[0].kind, "no_sale");
  IngestResult r;
  r.acked_seq = 3;
  m_.OnIngested(r);
  Expect({Kind::kSend});

  // Checked by the driver (sync_stream.cc's check strand): the machine
  // takes its checks and does not run them again.
  v1::SyncRequest c;
  *c.mutable_events()->add_entries() = BytesOnlyEntry(4);
  CheckedEvents checked = CheckEvents(*c.mutable_events());
  ASSERT_TRUE(checked.status.ok()) << checked.status.ToString();
  EXPECT_TRUE(c.events().entries(0).record().has_transaction());
  checked.checks[0].quarantine_reason = "as the driver found";
  m_.OnMessage(c, &checked);
  ingest = Expect({Kind::kIngest});
  ASSERT_EQ(ingest[0].checks.size(), 1u);
  EXPECT_EQ(ingest[0].checks[0].quarantine_reason, "as the driver found");
}

TEST_F(StreamMachineTest, BytesThatDoNotParseEndTheStreamWithDataLoss) {
  Open(5, 2);
  m_.OnCentralPage(std::vector<v1::CentralEvent>{});
  Expect({});
  v1::SyncRequest b;
  v1::JournalEntry* e = b.mutable_events()->add_entries();
  *e = BytesOnlyEntry(3);
  e->set_canonical_record("\xff\xff\xff");
  CheckedEvents checked = CheckEvents(*b.mutable_events());
  EXPECT_EQ(checked.status.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(checked.checks.empty());
  m_.OnMessage(b, &checked);
  std::vector<StreamAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.code(), StatusCode::kDataLoss);
  EXPECT_NE(end[0].status.message().find("events.entries[0]"),
            std::string::npos)
      << end[0].status.message();
}

// The driver's verdict is the one the machine acts on, also when the
// batch itself would pass.
TEST_F(StreamMachineTest, TheDriversCheckFailureEndsTheStream) {
  Open(5, 2);
  m_.OnCentralPage(std::vector<v1::CentralEvent>{});
  Expect({});
  v1::SyncRequest b;
  *b.mutable_events()->add_entries() = BytesOnlyEntry(3);
  CheckedEvents checked;
  checked.status = DataLoss("events.entries[0]: as the driver found");
  m_.OnMessage(b, &checked);
  std::vector<StreamAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.message(), "events.entries[0]: as the driver found");
}

TEST_F(StreamMachineTest, CentralBatchesGoDownWindowedAndAcksBeyondAreRefused) {
  Open(0, 0, 3);
  std::vector<v1::CentralEvent> page(1);
  page[0].set_central_seq(1);
  m_.OnCentralPage(page);
  std::vector<StreamAction> a = Expect({Kind::kSend, Kind::kReadCentral});
  EXPECT_EQ(a[1].seq, 1u);
  page[0].set_central_seq(2);
  m_.OnCentralPage(page);
  Expect({Kind::kSend});  // window of 2 is full
  EXPECT_TRUE(m_.central_window().full());
  m_.OnPumpDown();
  Expect({});
  v1::SyncRequest ack;
  ack.mutable_central_ack()->set_central_seq(1);
  m_.OnMessage(ack);
  std::vector<StreamAction> rec = Expect({Kind::kAckCentral});
  EXPECT_TRUE(rec[0].answer);
  m_.OnCentralAckRecorded(Status::Ok());
  Expect({Kind::kReadCentral});
  m_.OnCentralPage(std::vector<v1::CentralEvent>{});
  ack.mutable_central_ack()->set_central_seq(5);  // never sent
  m_.OnMessage(ack);
  std::vector<StreamAction> end = Expect({Kind::kEnd});
  EXPECT_NE(end[0].status.message().find("beyond the last sent"),
            std::string::npos);
}

TEST_F(StreamMachineTest, EachHoldRequestEndsExactlyOnce) {
  Open(0, 0);
  m_.TakeActions();
  v1::HoldPlaced hold;
  hold.set_order_ref("web-1");
  const uint64_t first = m_.RequestHold(hold, 1000);
  std::vector<StreamAction> a = Expect({Kind::kStartHoldTimer, Kind::kSend});
  EXPECT_EQ(a[0].hold_id, first);
  EXPECT_EQ(a[1].message.hold_request().request_id(), first);
  const uint64_t second = m_.RequestHold(hold, 1000);
  const uint64_t third = m_.RequestHold(hold, 1000);
  m_.TakeActions();
  v1::SyncRequest answer;
  answer.mutable_hold_answer()->set_request_id(first);
  answer.mutable_hold_answer()->set_granted(true);
  m_.OnMessage(answer);
  std::vector<StreamAction> done = Expect({Kind::kHoldDone});
  ASSERT_TRUE(done[0].hold_answer.has_value());
  EXPECT_TRUE(done[0].hold_answer->granted());
  m_.OnMessage(answer);  // late or repeated: nothing more
  Expect({});
  m_.OnHoldTimeout(second);
  done = Expect({Kind::kHoldDone});
  EXPECT_FALSE(done[0].hold_answer.has_value());
  m_.OnHoldTimeout(second);
  Expect({});
  m_.OnEnded();  // the third gets "no answer"
  done = Expect({Kind::kHoldDone});
  EXPECT_EQ(done[0].hold_id, third);
  EXPECT_EQ(m_.RequestHold(hold, 1000), 0u);  // ended: refused
}

TEST_F(StreamMachineTest, ReseedsAnAgentThatLostItsJournal) {
  v1::SyncRequest h = Hello("s1", 0);
  h.mutable_hello()->set_journal_head_hash(core::GenesisHash());
  m_.OnMessage(h);
  Expect({Kind::kLoadStore});
  StoreFacts f;
  f.row.store_seq_held = 2;
  f.hash_at_agent_head = core::GenesisHash();
  m_.OnStoreLoaded(f);
  Expect({Kind::kRegister});
  m_.OnRegistered(Status::Ok(), 0);
  std::vector<StreamAction> a = Expect({Kind::kSend, Kind::kReadReseed});
  EXPECT_TRUE(a[0].message.welcome().reseed());
  EXPECT_EQ(a[1].upto, 2u);
  std::vector<v1::JournalEntry> page(2);
  page[0].mutable_record()->set_seq(1);
  page[1].mutable_record()->set_seq(2);
  m_.OnReseedPage(page);
  a = Expect({Kind::kSend, Kind::kSend});  // the batch, then ReseedDone
  EXPECT_EQ(a[0].message.reseed().entries_size(), 2);
  EXPECT_TRUE(a[1].message.has_reseed_done());
  v1::SyncRequest ack;
  ack.mutable_reseed_ack()->set_store_seq(2);
  m_.OnMessage(ack);
  Expect({Kind::kReadCentral});
  EXPECT_TRUE(m_.running());
}

}  // namespace
}  // namespace storeagent::central
