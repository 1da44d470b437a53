// A hostile central against the agent's sync client (issue #16, "Hostile
// sync peer"; docs/security.md has the table of cases): a scripted central
// on 127.0.0.1 sends malformed, out-of-order, oversized or lying messages.
// Each case checks what the agent says about it (SyncHealth.last_error,
// which `storeagentctl sync status` shows), that the agent's database did
// not change, and that an honest central afterwards syncs as usual.
//
// The scripts run one stream at a time and only when the test releases
// them, so the database is still between two streams when it is compared.
#include <gtest/gtest.h>

#include <future>
#include <limits>
#include <sstream>
#include <thread>

#include "agent/sync/session_machine.h"
#include "agent/sync/sync_client.h"
#include "core/journal_chain.h"
#include "core/stock_digest.h"
#include "storage/sync_store.h"
#include "tests/unit/stock/stock_test_env.h"
#include "tests/unit/sync/fake_central.h"

namespace storeagent::synctest {
namespace {

using agent::SyncClient;
using agent::SyncClientOptions;
using agent::SyncHealth;
using stocktest::StockTestEnv;
using storage::DbContext;
using storage::SyncStore;
using Kind = v1::SyncRequest::KindCase;

constexpr auto kHostileWait = std::chrono::seconds(30);

// What the agent's database holds that a central could change: compared
// before and after each hostile stream.
struct AgentState {
  uint64_t head = 0;
  std::string head_hash;
  uint64_t acked = 0;        // meta central_acked_seq
  uint64_t central_seq = 0;  // meta central_seq
  uint64_t confirmed = 0;    // meta sync_confirmed
  size_t inbox = 0;
  int64_t on_hand = 0;  // of SKU "A"
  bool operator==(const AgentState&) const = default;
};

std::ostream& operator<<(std::ostream& os, const AgentState& s) {
  return os << "{head " << s.head << ", acked " << s.acked << ", central_seq "
            << s.central_seq << ", confirmed " << s.confirmed << ", inbox "
            << s.inbox << ", on_hand(A) " << s.on_hand << "}";
}

uint64_t MetaOf(StockTestEnv& env, const char* key) {
  Result<uint64_t> v = env.ReadFresh<uint64_t>(
      [key](DbContext& c) { return SyncStore::ReadMetaU64(c, key); });
  return v.ok() ? *v : ~uint64_t{0};
}

// Read once the writer finished what was queued before (the client
// records acks without waiting for their commit).
AgentState StateOf(StockTestEnv& env) {
  EXPECT_TRUE(
      env.db()->writer().Run([](DbContext&) { return Status::Ok(); }).ok());
  AgentState s;
  s.head = env.db()->journal().head().seq;
  s.head_hash = env.db()->journal().head().hash;
  s.acked = MetaOf(env, storage::kMetaCentralAckedSeq);
  s.central_seq = MetaOf(env, storage::kMetaCentralSeq);
  s.confirmed = MetaOf(env, storage::kMetaSyncConfirmed);
  Result<std::vector<v1::CentralEvent>> inbox =
      env.ReadFresh<std::vector<v1::CentralEvent>>(
          [](DbContext& c) { return SyncStore::ReadInbox(c.db(), 0, 1000); });
  s.inbox = inbox.ok() ? inbox->size() : ~size_t{0};
  s.on_hand = env.Figures("A").on_hand();
  return s;
}

std::vector<v1::JournalEntry> EntriesOf(StockTestEnv& env) {
  Result<std::vector<v1::JournalEntry>> all =
      env.ReadFresh<std::vector<v1::JournalEntry>>([](DbContext& c) {
        return storage::JournalStore::ReadRange(c.db(), 1, 1000);
      });
  EXPECT_TRUE(all.ok());
  return all.ok() ? *all : std::vector<v1::JournalEntry>{};
}

v1::SyncResponse Receipts(uint64_t from, uint64_t to, int64_t q) {
  v1::SyncResponse m;
  for (uint64_t c = from; c <= to; ++c) {
    v1::CentralEvent* e = m.mutable_central_events()->add_events();
    e->set_central_seq(c);
    *e->mutable_movement() =
        stocktest::MovementOf(v1::StockMovement::REASON_RECEIPT, {{"A", q}});
  }
  return m;
}

v1::SyncResponse ReseedWelcome(uint64_t held, const std::string& hash) {
  v1::SyncResponse w = WelcomeAt(held, hash);
  w.mutable_welcome()->set_reseed(true);
  return w;
}

v1::SyncResponse ReseedOf(const std::vector<v1::JournalEntry>& entries,
                          size_t from, size_t to) {
  v1::SyncResponse b;
  for (size_t i = from; i < to; ++i)
    *b.mutable_reseed()->add_entries() = entries[i];
  return b;
}

v1::SyncResponse ReseedDoneAt(uint64_t seq) {
  v1::SyncResponse d;
  d.mutable_reseed_done()->set_store_seq(seq);
  return d;
}

// Reads until the agent sent store events up to `last`.
bool ReadEventsUpTo(CentralStream& s, uint64_t last) {
  v1::SyncRequest m;
  uint64_t got = 0;
  while (got < last && ReadUntil(s, Kind::kEvents, &m)) {
    got = m.events().entries(m.events().entries_size() - 1).record().seq();
  }
  return got >= last;
}

// A drill-down and its answer: the agent handled everything sent before.
bool RoundTrip(CentralStream& s) {
  v1::SyncResponse m;
  m.mutable_drill_down()->add_buckets(0);
  if (!s.Write(m)) return false;
  v1::SyncRequest answer;
  return ReadUntil(s, Kind::kDrillDownAnswer, &answer);
}

// One stream of a hostile central: `act` runs after the Hello; the agent
// must end the stream with a last_error containing `says`.
struct HostileStream {
  std::string what;
  std::function<void(CentralStream&)> act;
  std::string says;
};

// The client of `env` against a central whose stream n runs `streams[n]`
// once the test released it (Release(n)); the stream after the last runs
// `honest`, which returns true when it saw the agent sync.
class HostileRun {
 public:
  HostileRun(StockTestEnv& env, std::vector<HostileStream> streams,
             std::function<bool(CentralStream&)> honest,
             agent::SyncGate* gate = nullptr)
      : streams_(std::move(streams)),
        honest_(std::move(honest)),
        released_(streams_.size() + 1),
        central_([this](int n, CentralStream& s) { return Script(n, s); }) {
    SyncClientOptions o;
    o.store_id = "store-1";
    o.central = central_.address();
    o.insecure = true;
    o.poll_interval = std::chrono::milliseconds(50);
    o.backoff.initial = std::chrono::milliseconds(20);
    o.backoff.max = std::chrono::milliseconds(200);
    client_ = std::make_unique<SyncClient>(*env.db(), env.ops(), env.clock(),
                                           scheduler_, o, health_, gate);
    started_ = client_->Start();
  }
  ~HostileRun() {
    // Streams never released end at once.
    for (size_t n = 0; n < released_.size(); ++n) Release(n);
    client_->Stop();
    central_.Shutdown();
  }

  const Status& started() const { return started_; }
  SyncHealth& health() { return health_; }

  void Release(size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    if (n < released_.size() && !released_set_[n]) {
      released_set_[n] = true;
      released_[n].set_value();
    }
  }
  // Waits (bounded) until the client's last error contains `says`.
  bool SaidAtLast(const std::string& says, std::string* last) {
    for (int i = 0; i < 1500; ++i) {  // at most 30 s
      *last = health_.Get().last_error;
      if (last->find(says) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  // Whether the honest stream saw the agent sync (waits for it, bounded).
  bool HonestSynced() {
    return honest_done_.get_future().wait_for(kHostileWait) ==
               std::future_status::ready &&
           honest_ok_;
  }

 private:
  grpc::Status Script(int n, CentralStream& s) {
    const size_t i = static_cast<size_t>(n);
    if (i >= released_.size()) return Drain(s), grpc::Status::OK;
    std::future<void> go;
    {
      std::lock_guard<std::mutex> lock(mu_);
      go = released_[i].get_future();
    }
    if (go.wait_for(kHostileWait) != std::future_status::ready) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "never released");
    }
    v1::SyncRequest hello;
    EXPECT_TRUE(s.Read(&hello) && hello.has_hello()) << "stream " << n;
    if (i < streams_.size()) {
      streams_[i].act(s);
      Drain(s);  // until the agent ends the stream
      return grpc::Status::OK;
    }
    honest_ok_ = honest_(s);
    honest_done_.set_value();
    Drain(s);
    return grpc::Status::OK;
  }

  std::vector<HostileStream> streams_;
  std::function<bool(CentralStream&)> honest_;
  std::mutex mu_;
  std::vector<std::promise<void>> released_;
  std::vector<bool> released_set_ = std::vector<bool>(released_.size());
  std::promise<void> honest_done_;
  bool honest_ok_ = false;
  ThreadScheduler scheduler_;
  SyncHealth health_;
  FakeCentral central_;
  std::unique_ptr<SyncClient> client_;
  Status started_;
};

// Runs every hostile stream in turn, comparing the agent's state with
// `before` after each, then the honest one.
void RunCases(StockTestEnv& env, HostileRun& run,
              const std::vector<HostileStream>& cases,
              const AgentState& before) {
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].what);
    run.Release(i);
    std::string last;
    EXPECT_TRUE(run.SaidAtLast(cases[i].says, &last)) << "last error: " << last;
    EXPECT_EQ(StateOf(env), before);
  }
  run.Release(cases.size());
}

// The central of the hostile streams below holds the store's events up
// to seq 2 of 4 and has sent none of its own.
class HostileCentralTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(env_.db(), nullptr);
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(
          env_.Movement(v1::StockMovement::REASON_RECEIPT, {{"A", 1}}).ok());
    }
    // Central confirmed the store and acknowledged seq 2 on an earlier
    // stream.
    ASSERT_TRUE(env_.db()
                    ->writer()
                    .Run([](DbContext& c) {
                      Status s = SyncStore::RecordAck(c, 2);
                      return s.ok() ? SyncStore::MarkConfirmed(c) : s;
                    })
                    .ok());
    entries_ = EntriesOf(env_);
    ASSERT_EQ(entries_.size(), 4u);
  }

  v1::SyncResponse Welcome() const { return WelcomeAt(2, entries_[1].hash()); }

  StockTestEnv env_;
  std::vector<v1::JournalEntry> entries_;
};

TEST_F(HostileCentralTest, ProtocolErrorsEndTheStreamAndChangeNothing) {
  const v1::SyncResponse welcome = Welcome();
  v1::SyncResponse unknown_kind;  // a kind this agent does not know
  unknown_kind.GetReflection()
      ->MutableUnknownFields(&unknown_kind)
      ->AddVarint(99, 1);
  v1::SyncResponse no_kind_event = Receipts(1, 2, 5);
  no_kind_event.mutable_central_events()->mutable_events(1)->clear_movement();
  v1::SyncResponse oversized = Receipts(1, 1, 5);
  oversized.mutable_central_events()->mutable_events(0)->set_reference(
      std::string(agent::kSyncMaxMessageBytes + 1, 'x'));
  const std::vector<HostileStream> cases = {
      {"a central batch before Welcome",
       [](CentralStream& s) { s.Write(Receipts(1, 1, 5)); },
       "central sent another message before Welcome"},
      {"a second Welcome",
       [&](CentralStream& s) {
         s.Write(welcome);
         s.Write(welcome);
       },
       "protocol: a second Welcome"},
      {"a message of no kind this agent knows",
       [&](CentralStream& s) {
         s.Write(welcome);
         s.Write(unknown_kind);
       },
       "central sent an empty message"},
      {"a Welcome claiming seq 3 without its hash",
       [](CentralStream& s) { s.Write(WelcomeAt(3, "")); },
       "Welcome.store_hash_held is empty but central claims to hold store "
       "seq 3"},
      {"an ack beyond what was sent",
       [&](CentralStream& s) {
         s.Write(welcome);
         EXPECT_TRUE(ReadEventsUpTo(s, 4));
         s.Write(AckOf(9));
       },
       "ack of seq 9 beyond the last sent 4"},
      {"a central batch that skips central_seq 1",
       [&](CentralStream& s) {
         s.Write(welcome);
         s.Write(Receipts(2, 3, 5));
       },
       "applying central events: central_events.events[0].central_seq: 2 "
       "does not follow the last applied 0 (gap)"},
      {"a central batch whose second event has no kind",
       [&](CentralStream& s) {
         s.Write(welcome);
         s.Write(no_kind_event);
       },
       "central_events.events[1].kind"},
      {"a re-seed batch without Welcome.reseed",
       [&](CentralStream& s) {
         s.Write(welcome);
         s.Write(ReseedOf(entries_, 0, 2));
       },
       "ReseedBatch without Welcome.reseed"},
      {"ReseedDone without Welcome.reseed",
       [&](CentralStream& s) {
         s.Write(welcome);
         s.Write(ReseedDoneAt(4));
       },
       "ReseedDone without Welcome.reseed"},
      {"a message larger than the agent takes",
       [&](CentralStream& s) {
         s.Write(welcome);
         s.Write(oversized);
       },
       "(gRPC code 8)"},
  };
  HostileRun run(env_, cases, [&](CentralStream& s) {
    s.Write(Welcome());
    if (!ReadEventsUpTo(s, 4)) return false;
    s.Write(AckOf(4));
    s.Write(Receipts(1, 1, 5));
    v1::SyncRequest ack;
    if (!ReadUntil(s, Kind::kCentralAck, &ack)) return false;
    EXPECT_EQ(ack.central_ack().central_seq(), 1u);
    return RoundTrip(s);
  });
  ASSERT_TRUE(run.started().ok());
  const AgentState before = StateOf(env_);
  EXPECT_EQ(before.acked, 2u);
  EXPECT_EQ(before.on_hand, 4);
  RunCases(env_, run, cases, before);
  ASSERT_TRUE(run.HonestSynced());
  AgentState after = StateOf(env_);
  EXPECT_EQ(after.acked, 4u);
  EXPECT_EQ(after.central_seq, 1u);
  EXPECT_EQ(after.inbox, 1u);
  EXPECT_EQ(after.on_hand, 9);
  EXPECT_EQ(after.head, 4u);
}

// A store whose disk died, re-seeded by a central that misbehaves during
// the re-seed. Central's events and hold requests come only after
// ReseedDone: applied during a re-seed they would move the down watermark
// and could append to the journal central is copying down.
TEST(HostileCentralReseed, OutOfOrderOrShortReseedsChangeNothingUnverified) {
  StockTestEnv source;
  ASSERT_NE(source.db(), nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        source.Movement(v1::StockMovement::REASON_RECEIPT, {{"A", 1}}).ok());
  }
  const std::vector<v1::JournalEntry> entries = EntriesOf(source);
  ASSERT_EQ(entries.size(), 3u);
  const std::string head = entries.back().hash();

  StockTestEnv target;
  ASSERT_NE(target.db(), nullptr);
  agent::SyncGate gate(true);
  v1::SyncResponse hold;
  hold.mutable_hold_request()->set_request_id(1);
  *hold.mutable_hold_request()->mutable_hold() = stocktest::HoldOf(
      "WEB-1", {{"A", 1}}, target.clock().NowMicros() + 3'600'000'000);
  v1::SyncResponse escrow_hold;
  v1::CentralEvent* e = escrow_hold.mutable_central_events()->add_events();
  e->set_central_seq(1);
  *e->mutable_escrow_hold()->mutable_hold() = stocktest::HoldOf(
      "WEB-2", {{"A", 1}}, target.clock().NowMicros() + 3'600'000'000);
  const std::vector<HostileStream> cases = {
      {"central events during the re-seed",
       [&](CentralStream& s) {
         s.Write(ReseedWelcome(3, head));
         s.Write(escrow_hold);
       },
       "central sent a CentralBatch during the re-seed"},
      {"a hold request during the re-seed",
       [&](CentralStream& s) {
         s.Write(ReseedWelcome(3, head));
         s.Write(hold);
       },
       "central sent a HoldRequest during the re-seed"},
  };
  HostileRun run(
      target, cases,
      [&](CentralStream& s) {
        s.Write(ReseedWelcome(3, head));
        s.Write(ReseedOf(entries, 0, 3));
        v1::SyncRequest m;
        if (!ReadUntil(s, Kind::kReseedAck, &m)) return false;
        EXPECT_EQ(m.reseed_ack().store_seq(), 3u);
        s.Write(ReseedDoneAt(3));
        s.Write(Receipts(1, 1, 5));
        if (!ReadUntil(s, Kind::kCentralAck, &m)) return false;
        return RoundTrip(s);
      },
      &gate);
  ASSERT_TRUE(run.started().ok());
  const AgentState before = StateOf(target);
  EXPECT_EQ(before.head, 0u);
  RunCases(target, run, cases, before);
  EXPECT_TRUE(gate.closed());
  ASSERT_TRUE(run.HonestSynced());
  EXPECT_FALSE(gate.closed());
  const AgentState after = StateOf(target);
  EXPECT_EQ(after.head_hash, head);
  EXPECT_EQ(after.acked, 3u);
  EXPECT_EQ(after.central_seq, 1u);
  EXPECT_EQ(after.on_hand, 8);
}

// A re-seed that ends short of what Welcome claimed: the entries that
// chained are kept (they verified against the store's own chain), nothing
// opens, and the next stream re-seeds the rest.
TEST(HostileCentralReseed, AReseedEndingShortOfWelcomeIsRefused) {
  StockTestEnv source;
  ASSERT_NE(source.db(), nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        source.Movement(v1::StockMovement::REASON_RECEIPT, {{"A", 1}}).ok());
  }
  const std::vector<v1::JournalEntry> entries = EntriesOf(source);
  ASSERT_EQ(entries.size(), 3u);
  const std::string head = entries.back().hash();
  StockTestEnv target;
  ASSERT_NE(target.db(), nullptr);
  agent::SyncGate gate(true);
  const std::vector<HostileStream> cases = {
      {"ReseedDone after seq 2 of 3",
       [&](CentralStream& s) {
         s.Write(ReseedWelcome(3, head));
         s.Write(ReseedOf(entries, 0, 2));
         v1::SyncRequest m;
         EXPECT_TRUE(ReadUntil(s, Kind::kReseedAck, &m));
         s.Write(ReseedDoneAt(3));
       },
       "re-seed ended at seq 2 but central holds 3"},
  };
  HostileRun run(
      target, cases,
      [&](CentralStream& s) {
        s.Write(ReseedWelcome(3, head));
        s.Write(ReseedOf(entries, 0, 3));  // 1 and 2 again: skipped
        v1::SyncRequest m;
        if (!ReadUntil(s, Kind::kReseedAck, &m)) return false;
        s.Write(ReseedDoneAt(3));
        return RoundTrip(s);
      },
      &gate);
  ASSERT_TRUE(run.started().ok());
  run.Release(0);
  std::string last;
  EXPECT_TRUE(run.SaidAtLast("re-seed ended at seq 2", &last)) << last;
  AgentState mid = StateOf(target);
  EXPECT_EQ(mid.head, 2u);
  EXPECT_EQ(mid.head_hash, entries[1].hash());
  EXPECT_EQ(mid.acked, 0u);
  EXPECT_EQ(mid.confirmed, 0u);
  EXPECT_TRUE(gate.closed());
  run.Release(1);
  ASSERT_TRUE(run.HonestSynced());
  EXPECT_FALSE(gate.closed());
  EXPECT_EQ(StateOf(target).head_hash, head);
  EXPECT_EQ(StateOf(target).acked, 3u);
}

// A re-seed batch whose hashes do not chain is central's copy gone bad:
// nothing of the batch is written, the client stops (redialling gets the
// same copy), and a restart against an honest central re-seeds.
TEST(HostileCentralReseed, AReseedBatchThatDoesNotChainStopsSyncing) {
  StockTestEnv source;
  ASSERT_NE(source.db(), nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        source.Movement(v1::StockMovement::REASON_RECEIPT, {{"A", 1}}).ok());
  }
  const std::vector<v1::JournalEntry> entries = EntriesOf(source);
  ASSERT_EQ(entries.size(), 3u);
  std::vector<v1::JournalEntry> forged = entries;
  // Entry 2 with another quantity, its own hash recomputed: entry 3's
  // prev_hash no longer continues it.
  v1::JournalEntry& two = forged[1];
  two.clear_canonical_record();
  two.mutable_record()
      ->mutable_stock()
      ->mutable_movement()
      ->mutable_lines(0)
      ->set_quantity(50);
  two.set_hash(
      core::ChainHash(two.prev_hash(), core::EntryCanonicalBytes(two)));
  std::vector<v1::JournalEntry> edited = entries;
  edited[1].clear_canonical_record();  // the record edited, the hash kept
  edited[1]
      .mutable_record()
      ->mutable_stock()
      ->mutable_movement()
      ->mutable_lines(0)
      ->set_quantity(50);
  const std::string head = entries.back().hash();
  StockTestEnv target;
  ASSERT_NE(target.db(), nullptr);
  agent::SyncGate gate(true);
  // The forged entry 2 verifies on its own; entry 3 does not continue it.
  for (const auto& [bad, says] :
       {std::pair<const std::vector<v1::JournalEntry>*, std::string>{
            &forged, "re-seed: seq 3: prev_hash does not continue the chain"},
        {&edited, "re-seed: seq 2: hash does not match the content"}}) {
    SCOPED_TRACE(says);
    const std::vector<HostileStream> cases = {
        {"a re-seed batch that does not chain",
         [&](CentralStream& s) {
           s.Write(ReseedWelcome(3, head));
           s.Write(ReseedOf(*bad, 0, 3));
         },
         says},
    };
    HostileRun run(
        target, cases, [](CentralStream&) { return false; }, &gate);
    ASSERT_TRUE(run.started().ok());
    const AgentState before = StateOf(target);
    run.Release(0);
    std::string last;
    EXPECT_TRUE(run.SaidAtLast(says, &last)) << last;
    EXPECT_EQ(StateOf(target), before);
    EXPECT_TRUE(gate.closed());
  }
  // storeagentd restarted, central's copy mended.
  HostileRun honest(
      target, {},
      [&](CentralStream& s) {
        s.Write(ReseedWelcome(3, head));
        s.Write(ReseedOf(entries, 0, 3));
        v1::SyncRequest m;
        if (!ReadUntil(s, Kind::kReseedAck, &m)) return false;
        s.Write(ReseedDoneAt(3));
        return RoundTrip(s);
      },
      &gate);
  honest.Release(0);
  ASSERT_TRUE(honest.HonestSynced());
  EXPECT_EQ(StateOf(target).head_hash, head);
  EXPECT_FALSE(gate.closed());
}

// Limits in Welcome above the agent's own are held to the agent's; a
// digest never has more buckets than core::kMaxDigestBuckets.
TEST(HostileCentralLimits, AWelcomeCannotRaiseTheAgentsLimits) {
  agent::SessionMachineOptions o;
  o.store_id = "s1";
  o.max_batch_events = 500;
  o.max_batch_bytes = 1 << 20;
  o.window = 4;
  agent::SessionMachine m(o);
  agent::HelloState hello;
  hello.head_seq = 1;
  m.Start(hello, 0);
  (void)m.TakeActions();
  v1::SyncResponse w = WelcomeAt(0, core::GenesisHash());
  v1::SyncLimits* l = w.mutable_welcome()->mutable_limits();
  constexpr uint32_t kHuge = std::numeric_limits<uint32_t>::max();
  l->set_max_batch_events(kHuge);
  l->set_max_batch_bytes(kHuge);
  l->set_window(kHuge);
  l->set_digest_buckets(kHuge);
  m.OnMessage(w, 0);
  std::vector<agent::SessionAction> a = m.TakeActions();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(a[0].kind, agent::SessionAction::Kind::kMarkResumed);
  m.OnResumeMarked(Status::Ok());
  a = m.TakeActions();
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a[0].kind, agent::SessionAction::Kind::kReadOutbox);
  EXPECT_EQ(a[0].max_events, 500u);
  EXPECT_EQ(a[0].max_bytes, 1u << 20);
  EXPECT_EQ(m.window().limit(), 4u);
  // A drill-down is read with the clamped bucket count.
  v1::SyncResponse drill;
  drill.mutable_drill_down()->add_buckets(kHuge);
  m.OnMessage(drill, 0);
  a = m.TakeActions();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, agent::SessionAction::Kind::kReadDrillDown);
  EXPECT_EQ(a[0].buckets, core::kMaxDigestBuckets);
}

}  // namespace
}  // namespace storeagent::synctest
