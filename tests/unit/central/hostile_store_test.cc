// A hostile store against storecentrald's Sync service (issue #16,
// "Hostile sync peer"; docs/security.md has the table of cases): a fake
// agent on loopback sends malformed, out-of-order, oversized or lying
// messages. Each case checks the status the stream ends with (code and a
// message naming what is wrong), that central's tables for the store did
// not change, and that an honest stream afterwards syncs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "central/server/stream_machine.h"
#include "core/journal_chain.h"
#include "core/stock_digest.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

using ::testing::HasSubstr;

// What central holds for store-1 that an agent could change.
struct CentralState {
  uint64_t held = 0;
  uint64_t central_head = 0;
  uint64_t central_acked = 0;
  int64_t quarantined = 0;
  int64_t on_hand = 0;  // of SKU "A", in central's replica
  bool operator==(const CentralState&) const = default;
};

std::ostream& operator<<(std::ostream& os, const CentralState& s) {
  return os << "{held " << s.held << ", central_head " << s.central_head
            << ", central_acked " << s.central_acked << ", quarantined "
            << s.quarantined << ", on_hand(A) " << s.on_hand << "}";
}

class HostileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { central_.Start(); }

  CentralState State() {
    CentralState out;
    {
      grpc::ClientContext ctx;
      v1::GetStoreSyncStateRequest r;
      r.set_store_id("store-1");
      v1::GetStoreSyncStateResponse st;
      grpc::Status s = central_.admin().GetStoreSyncState(&ctx, r, &st);
      EXPECT_TRUE(s.ok()) << s.error_message();
      out.held = st.store_seq_held();
      out.central_head = st.central_head_seq();
      out.central_acked = st.central_seq_acked();
      out.quarantined = st.quarantined();
    }
    grpc::ClientContext ctx;
    v1::FindAvailabilityRequest r;
    r.add_skus("A");
    r.add_store_ids("store-1");
    v1::FindAvailabilityResponse found;
    grpc::Status s = central_.admin().FindAvailability(&ctx, r, &found);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (found.stores_size() == 1 && found.stores(0).figures_size() == 1) {
      out.on_hand = found.stores(0).figures(0).on_hand();
    }
    return out;
  }

  uint64_t PushReceipt(const std::string& key, int64_t q) {
    grpc::ClientContext ctx;
    v1::PushCentralEventRequest r;
    r.set_store_id("store-1");
    r.set_request_key(key);
    v1::StockMovement* m = r.mutable_event()->mutable_movement();
    m->set_reason(v1::StockMovement::REASON_RECEIPT);
    m->add_lines()->set_sku("A");
    m->mutable_lines(0)->set_quantity(q);
    v1::PushCentralEventResponse out;
    grpc::Status s = central_.admin().PushCentralEvent(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.central_seq();
  }

  // A stream past its Welcome, the agent's head at journal_'s head.
  std::unique_ptr<AgentStream> Connect(uint64_t central_applied = 0) {
    auto s = std::make_unique<AgentStream>(central_.SyncChannel());
    std::optional<v1::Welcome> w = s->Hello(
        "store-1", journal_.head_seq(), journal_.head_hash(), central_applied);
    EXPECT_TRUE(w.has_value());
    return s;
  }

  // Sends entries from..to; true when central acked up to `to`.
  bool Upload(AgentStream& s, uint64_t from, uint64_t to) {
    if (!s.SendEvents(journal_.Range(from, to))) return false;
    std::optional<v1::SyncResponse> m = s.Read();
    return m && m->has_ack() && m->ack().acked_seq() == to;
  }

  // Sends `m` on `s` and expects central to end the stream with `code`
  // and a message containing `says`, sending nothing else first.
  static void ExpectRefused(AgentStream& s, const v1::SyncRequest& m,
                            grpc::StatusCode code, const std::string& says) {
    ASSERT_TRUE(s.Send(m));
    std::optional<v1::SyncResponse> got = s.Read();
    EXPECT_FALSE(got.has_value()) << got->DebugString();
    grpc::Status st = s.Finish();
    EXPECT_EQ(st.error_code(), code) << st.error_message();
    EXPECT_THAT(st.error_message(), HasSubstr(says));
  }

  static v1::SyncRequest Events(const std::vector<v1::JournalEntry>& entries) {
    v1::SyncRequest m;
    for (const v1::JournalEntry& e : entries) {
      *m.mutable_events()->add_entries() = e;
    }
    return m;
  }

  CentralFixture central_;
  FakeJournal journal_;
};

// The central side of one "A" receipt of `q`, chained after `prev_hash`
// at `seq`: an entry a forger made.
v1::JournalEntry ForgedReceipt(uint64_t seq, const std::string& prev_hash,
                               int64_t q) {
  v1::JournalRecord r;
  r.set_seq(seq);
  r.set_recorded_at_us(1'700'000'000'000'000 + static_cast<int64_t>(seq));
  r.mutable_client_key()->set_terminal_id("till-1");
  r.mutable_client_key()->set_client_txn_id("forged-" + std::to_string(seq));
  v1::StockMovement* m = r.mutable_stock()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  m->add_lines()->set_sku("A");
  m->mutable_lines(0)->set_quantity(q);
  v1::JournalEntry e;
  e.set_prev_hash(prev_hash);
  e.set_canonical_record(core::CanonicalBytes(r));
  e.set_hash(core::ChainHash(prev_hash, e.canonical_record()));
  *e.mutable_record() = std::move(r);
  return e;
}

// Batches whose seqs repeat, go backwards or whose hashes do not chain are
// refused whole: nothing of them is stored, and the stream's status names
// the seq. A resend of what central holds is skipped, whatever it says.
TEST_F(HostileStoreTest, BatchesThatDoNotContinueTheChainChangeNothing) {
  journal_.Movement("A", 5);
  journal_.Movement("A", 2);
  journal_.Movement("A", 1);
  {
    auto s = Connect();
    ASSERT_TRUE(Upload(*s, 1, 1));
  }
  const CentralState before = State();
  ASSERT_EQ(before.held, 1u);
  ASSERT_EQ(before.on_hand, 5);
  const std::vector<v1::JournalEntry>& j = journal_.entries();

  // Entry 2's record edited, its bytes with it, the hash kept.
  v1::JournalEntry edited = j[1];
  edited.mutable_record()
      ->mutable_stock()
      ->mutable_movement()
      ->mutable_lines(0)
      ->set_quantity(200);
  edited.set_canonical_record(core::CanonicalBytes(edited.record()));
  // Entry 1 again, another quantity: central holds seq 1 already.
  v1::JournalEntry lying_resend = ForgedReceipt(1, core::GenesisHash(), 100);

  struct Case {
    const char* what;
    std::vector<v1::JournalEntry> entries;
    grpc::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"seq 2 twice",
       {j[1], j[1]},
       grpc::StatusCode::FAILED_PRECONDITION,
       "entries: expected seq 3, received seq 2 (central holds up to 1)"},
      {"seq 2 then back to 1",
       {j[1], j[0]},
       grpc::StatusCode::FAILED_PRECONDITION,
       "entries: expected seq 3, received seq 1"},
      {"seq 3 after 1 (a gap)",
       {j[2]},
       grpc::StatusCode::FAILED_PRECONDITION,
       "entries: expected seq 2, received seq 3"},
      {"seq 2 chained to genesis instead of seq 1",
       {ForgedReceipt(2, core::GenesisHash(), 2)},
       grpc::StatusCode::DATA_LOSS,
       "entries: seq 2: prev_hash does not continue the chain central holds"},
      {"seq 2 whose canonical_record is not what its hash covers",
       {edited},
       grpc::StatusCode::DATA_LOSS,
       "entries: seq 2: hash does not match SHA-256(prev_hash || record)"},
      {"seq 2 valid, seq 3 broken: the valid one is not kept either",
       {j[1], ForgedReceipt(3, j[0].hash(), 1)},
       grpc::StatusCode::DATA_LOSS,
       "entries: seq 3: prev_hash"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto s = Connect();
    ExpectRefused(*s, Events(c.entries), c.code, c.says);
    EXPECT_EQ(State(), before);
  }
  {
    // A resend of seq 1 that says something else: skipped, acked at the
    // watermark; central keeps what it holds.
    auto s = Connect();
    ASSERT_TRUE(s->Send(Events({lying_resend})));
    std::optional<v1::SyncResponse> m = s->Read();
    ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
    EXPECT_EQ(m->ack().acked_seq(), 1u);
    EXPECT_EQ(State(), before);
  }
  // The honest store goes on.
  auto s = Connect();
  ASSERT_TRUE(Upload(*s, 2, 3));
  EXPECT_EQ(State().held, 3u);
  EXPECT_EQ(State().on_hand, 8);
}

// Messages out of the protocol's order, of no kind, or stating what cannot
// be: the stream ends with a status naming the field, and nothing changes.
TEST_F(HostileStoreTest, ProtocolErrorsEndTheStreamAndChangeNothing) {
  journal_.Movement("A", 5);
  journal_.Movement("A", 1);
  {
    auto s = Connect();
    ASSERT_TRUE(Upload(*s, 1, 1));
  }
  const CentralState before = State();

  v1::SyncRequest hello;
  hello.mutable_hello()->set_store_id("store-1");
  hello.mutable_hello()->set_journal_head_seq(2);
  hello.mutable_hello()->set_journal_head_hash(journal_.head_hash());
  v1::SyncRequest unknown_kind;  // a kind this central does not know
  unknown_kind.GetReflection()
      ->MutableUnknownFields(&unknown_kind)
      ->AddVarint(99, 1);
  v1::SyncRequest ack_unsent;
  ack_unsent.mutable_central_ack()->set_central_seq(5);
  v1::SyncRequest no_buckets;
  no_buckets.mutable_digest()->set_store_seq(1);
  v1::SyncRequest many_buckets = no_buckets;
  for (uint32_t i = 0; i <= core::kMaxDigestBuckets; ++i) {
    many_buckets.mutable_digest()->add_buckets(std::string(32, '\0'));
  }
  struct Case {
    const char* what;
    const v1::SyncRequest* message;
    grpc::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"a second Hello", &hello, grpc::StatusCode::FAILED_PRECONDITION,
       "hello: sent twice on one stream"},
      {"a message of no kind central knows", &unknown_kind,
       grpc::StatusCode::INVALID_ARGUMENT, "message: no kind set"},
      {"an ack of central events never sent", &ack_unsent,
       grpc::StatusCode::INVALID_ARGUMENT,
       "central_ack.central_seq: 5 beyond the last sent 0"},
      {"a digest of no buckets", &no_buckets,
       grpc::StatusCode::INVALID_ARGUMENT, "digest.buckets: 1..4096 buckets"},
      {"a digest of too many buckets", &many_buckets,
       grpc::StatusCode::INVALID_ARGUMENT, "got 4097"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto s = Connect();
    ExpectRefused(*s, *c.message, c.code, c.says);
    EXPECT_EQ(State(), before);
  }
  // Answers to questions central never asked are ignored: the stream goes
  // on and the next batch is acked.
  {
    auto s = Connect();
    v1::SyncRequest answer;
    answer.mutable_hold_answer()->set_request_id(77);
    answer.mutable_hold_answer()->set_order_ref("WEB-77");
    answer.mutable_hold_answer()->set_granted(true);
    ASSERT_TRUE(s->Send(answer));
    v1::SyncRequest reseed_ack;
    reseed_ack.mutable_reseed_ack()->set_store_seq(99);
    ASSERT_TRUE(s->Send(reseed_ack));
    EXPECT_EQ(State(), before);
    ASSERT_TRUE(Upload(*s, 2, 2));
  }
  EXPECT_EQ(State().held, 2u);
  EXPECT_EQ(State().on_hand, 6);
}

// A CentralAck below or at what the store acknowledged before changes
// nothing: the mark never falls, and the stream goes on.
TEST_F(HostileStoreTest, AnAckOfCentralEventsGoingBackwardsIsIgnored) {
  journal_.Movement("A", 5);
  { auto s = Connect(); }
  EXPECT_EQ(PushReceipt("asn-1", 4), 1u);
  auto s = Connect();
  std::optional<v1::SyncResponse> m = s->Read();
  ASSERT_TRUE(m && m->has_central_events()) << (m ? m->DebugString() : "");
  for (uint64_t seq : {1, 0, 1}) {
    v1::SyncRequest ack;
    ack.mutable_central_ack()->set_central_seq(seq);
    ASSERT_TRUE(s->Send(ack));
  }
  ASSERT_TRUE(Upload(*s, 1, 1));
  EXPECT_EQ(State().central_acked, 1u);
  EXPECT_EQ(State().on_hand, 9);
}

// A Hello stating a sequence number central's tables cannot hold (they
// are signed 64-bit) is refused naming the field; before, a lying
// central_seq_applied was stored negative and wedged the store's flow
// down for good.
TEST_F(HostileStoreTest, AHelloStatingAnImpossibleWatermarkIsRefused) {
  { auto s = Connect(); }
  EXPECT_EQ(PushReceipt("asn-1", 4), 1u);
  const CentralState before = State();
  for (const auto& [field, seq] :
       {std::pair<std::string, uint64_t>{"hello.central_seq_applied",
                                         kMaxSyncSeq + 1},
        {"hello.journal_head_seq", ~uint64_t{0}}}) {
    SCOPED_TRACE(field);
    AgentStream s(central_.SyncChannel());
    v1::SyncRequest hello;
    hello.mutable_hello()->set_store_id("store-1");
    hello.mutable_hello()->set_journal_head_hash(core::GenesisHash());
    if (field == "hello.central_seq_applied") {
      hello.mutable_hello()->set_central_seq_applied(seq);
    } else {
      hello.mutable_hello()->set_journal_head_seq(seq);
    }
    ExpectRefused(s, hello, grpc::StatusCode::INVALID_ARGUMENT,
                  field + ": " + std::to_string(seq) +
                      " is beyond the largest sequence number");
    EXPECT_EQ(State(), before);
  }
  // The largest central can hold is a restored central's case: taken.
  {
    auto s = Connect(/*central_applied=*/kMaxSyncSeq - 10);
    ASSERT_TRUE(s->Finish().ok());
  }
  EXPECT_EQ(State().central_head, kMaxSyncSeq - 10);
  EXPECT_EQ(PushReceipt("asn-2", 1), kMaxSyncSeq - 9);
}

// While central re-seeds an agent that lost its journal, the agent sends
// nothing of its own journal: an EventBatch then is refused, and so is a
// ReseedAck beyond what was re-seeded.
TEST_F(HostileStoreTest, OutOfOrderMessagesDuringAReseedAreRefused) {
  for (int i = 1; i <= 3; ++i) journal_.Movement("A", i);
  {
    auto s = Connect();
    ASSERT_TRUE(Upload(*s, 1, 3));
  }
  const CentralState before = State();
  v1::SyncRequest next = Events({ForgedReceipt(4, journal_.hash_at(3), 10)});
  v1::SyncRequest ack_beyond;
  ack_beyond.mutable_reseed_ack()->set_store_seq(99);
  struct Case {
    const char* what;
    const v1::SyncRequest* message;
    grpc::StatusCode code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"an EventBatch during the re-seed", &next,
       grpc::StatusCode::FAILED_PRECONDITION,
       "events: sent during the re-seed (re-seeded up to 1 of 3)"},
      {"a ReseedAck beyond what was re-seeded", &ack_beyond,
       grpc::StatusCode::INVALID_ARGUMENT,
       "reseed_ack.store_seq: 99 beyond the last re-seeded 3"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    AgentStream s(central_.SyncChannel());
    std::optional<v1::Welcome> w = s.Hello("store-1", 1, journal_.hash_at(1));
    ASSERT_TRUE(w && w->reseed());
    std::optional<v1::SyncResponse> m = s.Read();
    ASSERT_TRUE(m && m->has_reseed()) << (m ? m->DebugString() : "ended");
    m = s.Read();
    ASSERT_TRUE(m && m->has_reseed_done()) << (m ? m->DebugString() : "ended");
    ExpectRefused(s, *c.message, c.code, c.says);
    EXPECT_EQ(State(), before);
  }
  // The honest agent, re-seeded, sends entry 4 after ReseedDone.
  AgentStream s(central_.SyncChannel());
  ASSERT_TRUE(s.Hello("store-1", 1, journal_.hash_at(1)));
  std::optional<v1::SyncResponse> m = s.Read();
  ASSERT_TRUE(m && m->has_reseed());
  m = s.Read();
  ASSERT_TRUE(m && m->has_reseed_done());
  v1::SyncRequest ack;
  ack.mutable_reseed_ack()->set_store_seq(3);
  ASSERT_TRUE(s.Send(ack));
  ASSERT_TRUE(s.Send(next));
  m = s.Read();
  ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
  EXPECT_EQ(m->ack().acked_seq(), 4u);
  EXPECT_EQ(State().on_hand, 16);
}

// A message larger than central takes is refused by gRPC itself
// (RESOURCE_EXHAUSTED) before central reads it.
TEST_F(HostileStoreTest, AnOversizedMessageIsRefusedBeforeItIsRead) {
  journal_.Movement("A", 5);
  { auto s = Connect(); }
  const CentralState before = State();
  v1::JournalEntry big = journal_.entries()[0];
  big.set_canonical_record(std::string(4 << 20, 'x'));  // over 3 MiB + 64 KiB
  auto s = Connect();
  ExpectRefused(*s, Events({big}), grpc::StatusCode::RESOURCE_EXHAUSTED,
                "larger than max");
  EXPECT_EQ(State(), before);
  auto honest = Connect();
  ASSERT_TRUE(Upload(*honest, 1, 1));
}

// A stream that never says Hello is ended after sync.hello_timeout_s
// (before, central held it open for as long as the agent liked); one that
// said Hello stays open however long it then waits.
TEST(HostileStoreHello, AStreamThatNeverSaysHelloIsEnded) {
  CentralFixture central;
  CentralConfig config = CentralFixture::DefaultConfig();
  config.hello_timeout_s = 1;
  central.Start(config);
  FakeJournal journal;
  journal.Movement("A", 5);
  AgentStream honest(central.SyncChannel());
  ASSERT_TRUE(honest.Hello("store-1", 1, journal.head_hash()));
  AgentStream silent(central.SyncChannel());
  std::optional<v1::SyncResponse> got = silent.Read();
  EXPECT_FALSE(got.has_value()) << got->DebugString();
  grpc::Status st = silent.Finish();
  EXPECT_EQ(st.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(st.error_message(),
              HasSubstr("hello: none within 1 s of the stream's start"));
  // The honest stream is older than the timeout now, and goes on.
  ASSERT_TRUE(honest.SendEvents(journal.Range(1, 1)));
  std::optional<v1::SyncResponse> m = honest.Read();
  ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
  EXPECT_EQ(m->ack().acked_seq(), 1u);
}

}  // namespace
}  // namespace storeagent::central::testing
