// The sync client (agent/sync/sync_client.h) against a scripted fake
// central on 127.0.0.1, over a real agent database. Every wait is bounded;
// the scripts synchronise with the agent through the stream itself (a
// DrillDown's answer comes after everything the agent did before it).
#include "agent/sync/sync_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/stock_digest.h"
#include "core/stock_replay.h"
#include "storage/escrow_keeper.h"
#include "storage/stock_rebuild.h"
#include "storage/sync_store.h"
#include "tests/unit/stock/stock_test_env.h"
#include "tests/unit/sync/fake_central.h"

namespace storeagent::synctest {
namespace {

using agent::SyncClient;
using agent::SyncClientOptions;
using agent::SyncHealth;
using agent::SyncHealthSnapshot;
using stocktest::StockTestEnv;
using storage::DbContext;
using storage::SyncStore;
using Kind = v1::SyncRequest::KindCase;

constexpr auto kWait = std::chrono::seconds(30);

SyncClientOptions Options(const std::string& address) {
  SyncClientOptions o;
  o.store_id = "store-1";
  o.central = address;
  o.insecure = true;
  o.poll_interval = std::chrono::milliseconds(50);
  o.backoff.initial = std::chrono::milliseconds(20);
  o.backoff.max = std::chrono::milliseconds(200);
  return o;
}

// Asks for a drill-down and waits for its answer: the agent has handled
// every message sent before it.
bool Sync(CentralStream& s, std::vector<v1::SyncRequest>* skipped = nullptr) {
  v1::SyncResponse m;
  m.mutable_drill_down()->add_buckets(0);
  if (!s.Write(m)) return false;
  v1::SyncRequest answer;
  return ReadUntil(s, Kind::kDrillDownAnswer, &answer, skipped);
}

// Reads a meta value once the writer finished what was queued before: the
// client records acks without waiting for their commit, and a command run
// now commits after them (one queue, in order).
uint64_t Meta(StockTestEnv& env, const std::string& key) {
  if (!env.db()->writer().Run([](DbContext&) { return Status::Ok(); }).ok()) {
    return ~uint64_t{0};
  }
  Result<uint64_t> v = env.ReadFresh<uint64_t>(
      [&](DbContext& c) { return SyncStore::ReadMetaU64(c, key); });
  return v.ok() ? *v : ~uint64_t{0};
}

std::string HashAt(StockTestEnv& env, uint64_t seq) {
  Result<std::string> h =
      env.ReadFresh<std::string>([seq](DbContext& c) -> Result<std::string> {
        Result<std::optional<v1::JournalEntry>> e =
            storage::JournalStore::ReadBySeq(c.db(), seq);
        if (!e.ok()) return e.status();
        return e->has_value() ? (*e)->hash() : std::string();
      });
  return h.ok() ? *h : std::string();
}

void Receipts(StockTestEnv& env, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(
        env.Movement(v1::StockMovement::REASON_RECEIPT, {{"A", 1}}).ok());
  }
}

v1::SyncResponse CentralReceipts(uint64_t from, uint64_t to, int64_t q) {
  v1::SyncResponse m;
  for (uint64_t c = from; c <= to; ++c) {
    v1::CentralEvent* e = m.mutable_central_events()->add_events();
    e->set_central_seq(c);
    *e->mutable_movement() =
        stocktest::MovementOf(v1::StockMovement::REASON_RECEIPT, {{"A", q}});
  }
  return m;
}

// Runs `script` as central for a client on `env` until `done` is set. The
// client's timers (backoff, a stopped client's retry) are on `scheduler`,
// or on a real-time one of the run's own.
class ClientRun {
 public:
  ClientRun(StockTestEnv& env, FakeCentral::Script script,
            SyncClientOptions* opts = nullptr, agent::SyncGate* gate = nullptr,
            storage::EscrowKeeper* keeper = nullptr,
            Scheduler* scheduler = nullptr)
      : central_(std::move(script)) {
    SyncClientOptions o = Options(central_.address());
    if (opts != nullptr) {
      opts->central = o.central;
      o = *opts;
    }
    if (scheduler == nullptr) {
      own_scheduler_ = std::make_unique<ThreadScheduler>();
      scheduler = own_scheduler_.get();
    }
    client_ =
        std::make_unique<SyncClient>(*env.db(), env.ops(), env.clock(),
                                     *scheduler, o, health_, gate, keeper);
    started_ = client_->Start();
  }
  ~ClientRun() {
    client_->Stop();
    central_.Shutdown();
  }
  const Status& started() const { return started_; }
  SyncHealth& health() { return health_; }
  FakeCentral& central() { return central_; }
  SyncClient& client() { return *client_; }

 private:
  FakeCentral central_;
  SyncHealth health_;
  std::unique_ptr<ThreadScheduler> own_scheduler_;
  std::unique_ptr<SyncClient> client_;
  Status started_;
};

TEST(SyncClient, ResumesAfterWelcomeWatermarkAndAcksAdvance) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  Receipts(env, 10);
  const std::string hash4 = HashAt(env, 4);
  std::promise<uint64_t> first;
  std::promise<void> done;
  ClientRun run(env, [&](int n, CentralStream& s) {
    if (n > 0) return Drain(s), grpc::Status::OK;
    v1::SyncRequest m;
    EXPECT_TRUE(s.Read(&m) && m.has_hello());
    EXPECT_EQ(m.hello().journal_head_seq(), 10u);
    EXPECT_EQ(m.hello().store_id(), "store-1");
    s.Write(WelcomeAt(4, hash4));
    uint64_t last = 0;
    bool got_first = false;
    while (last < 10 && ReadUntil(s, Kind::kEvents, &m)) {
      if (!got_first) first.set_value(m.events().entries(0).record().seq());
      got_first = true;
      last = m.events().entries(m.events().entries_size() - 1).record().seq();
    }
    s.Write(AckOf(7));
    s.Write(AckOf(10));
    Sync(s);
    done.set_value();
    Drain(s);
    return grpc::Status::OK;
  });
  ASSERT_TRUE(run.started().ok());
  std::future<uint64_t> f = first.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(f.get(), 5u);
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(Meta(env, storage::kMetaCentralAckedSeq), 10u);
  EXPECT_TRUE(run.health().Get().connected);
  EXPECT_EQ(Meta(env, storage::kMetaSyncConfirmed), 1u);
}

TEST(SyncClient, WindowNeverExceedsItsLimit) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  Receipts(env, 20);
  SyncClientOptions o = Options("");
  o.max_batch_events = 2;
  o.window = 3;
  std::promise<std::pair<size_t, uint64_t>> result;  // max unacked, last seq
  ClientRun run(
      env,
      [&](int n, CentralStream& s) {
        if (n > 0) return Drain(s), grpc::Status::OK;
        v1::SyncRequest m;
        EXPECT_TRUE(s.Read(&m) && m.has_hello());
        s.Write(WelcomeAt(0));
        std::deque<uint64_t> unacked;
        size_t most = 0;
        uint64_t last = 0;
        auto take = [&](const v1::SyncRequest& msg) {
          if (!msg.has_events()) return;
          EXPECT_LE(msg.events().entries_size(), 2);
          last = msg.events()
                     .entries(msg.events().entries_size() - 1)
                     .record()
                     .seq();
          unacked.push_back(last);
          most = std::max(most, unacked.size());
        };
        while (last < 20 && s.Read(&m)) {
          take(m);
          if (unacked.size() >= 3) {
            // Anything the agent sends before answering is beyond the window.
            std::vector<v1::SyncRequest> between;
            EXPECT_TRUE(Sync(s, &between));
            for (const v1::SyncRequest& b : between) take(b);
            s.Write(AckOf(unacked.front()));
            unacked.pop_front();
          }
        }
        result.set_value({most, last});
        Drain(s);
        return grpc::Status::OK;
      },
      &o);
  ASSERT_TRUE(run.started().ok());
  std::future<std::pair<size_t, uint64_t>> f = result.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  auto [most, last] = f.get();
  EXPECT_EQ(most, 3u);
  EXPECT_EQ(last, 20u);
}

TEST(SyncClient, AckNeverRegresses) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  Receipts(env, 6);
  std::promise<void> done;
  ClientRun run(env, [&](int n, CentralStream& s) {
    if (n > 0) return Drain(s), grpc::Status::OK;
    v1::SyncRequest m;
    EXPECT_TRUE(s.Read(&m));
    s.Write(WelcomeAt(0));
    uint64_t last = 0;
    while (last < 6 && ReadUntil(s, Kind::kEvents, &m)) {
      last = m.events().entries(m.events().entries_size() - 1).record().seq();
    }
    s.Write(AckOf(5));
    s.Write(AckOf(3));
    Sync(s);
    done.set_value();
    Drain(s);
    return grpc::Status::OK;
  });
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(Meta(env, storage::kMetaCentralAckedSeq), 5u);
}

TEST(SyncClient, DroppedStreamResendsFromTheAck) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  Receipts(env, 10);
  SyncClientOptions o = Options("");
  o.max_batch_events = 3;
  const std::string hash6 = HashAt(env, 6);
  std::mutex mu;
  std::map<uint64_t, int> seen;  // seq -> times
  uint64_t second_first = 0;
  std::promise<void> done;
  auto record = [&](const v1::SyncRequest& m) {
    std::lock_guard<std::mutex> lock(mu);
    for (const v1::JournalEntry& e : m.events().entries()) {
      ++seen[e.record().seq()];
    }
  };
  ClientRun run(
      env,
      [&](int n, CentralStream& s) {
        v1::SyncRequest m;
        if (n == 0) {
          EXPECT_TRUE(s.Read(&m));
          s.Write(WelcomeAt(0));
          uint64_t last = 0;
          while (last < 6 && ReadUntil(s, Kind::kEvents, &m)) {
            record(m);
            last = m.events()
                       .entries(m.events().entries_size() - 1)
                       .record()
                       .seq();
          }
          s.Write(AckOf(6));
          std::vector<v1::SyncRequest> between;
          Sync(s, &between);
          for (const v1::SyncRequest& b : between) {
            if (b.has_events()) record(b);
          }
          return grpc::Status(grpc::StatusCode::UNAVAILABLE, "dropped");
        }
        if (n > 1) return Drain(s), grpc::Status::OK;
        EXPECT_TRUE(s.Read(&m) && m.has_hello());
        s.Write(WelcomeAt(6, hash6));
        uint64_t last = 0;
        while (last < 10 && ReadUntil(s, Kind::kEvents, &m)) {
          if (second_first == 0) {
            second_first = m.events().entries(0).record().seq();
          }
          record(m);
          last =
              m.events().entries(m.events().entries_size() - 1).record().seq();
        }
        s.Write(AckOf(10));
        Sync(s);
        done.set_value();
        Drain(s);
        return grpc::Status::OK;
      },
      &o);
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(second_first, 7u);
  std::lock_guard<std::mutex> lock(mu);
  for (uint64_t seq = 1; seq <= 10; ++seq) {
    ASSERT_GE(seen[seq], 1) << "seq " << seq << " never reached central";
    if (seq <= 6) {
      EXPECT_EQ(seen[seq], 1) << "acked seq " << seq << " resent";
    }
  }
  EXPECT_EQ(Meta(env, storage::kMetaCentralAckedSeq), 10u);
  EXPECT_GE(run.health().Get().streams_opened, 2u);
}

TEST(SyncClient, CentralEventsAppliedOnceThenAcked) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  std::promise<std::pair<uint64_t, uint64_t>> acks;
  ClientRun run(env, [&](int n, CentralStream& s) {
    if (n > 0) return Drain(s), grpc::Status::OK;
    v1::SyncRequest m;
    EXPECT_TRUE(s.Read(&m));
    s.Write(WelcomeAt(0));
    s.Write(CentralReceipts(1, 3, 5));
    EXPECT_TRUE(ReadUntil(s, Kind::kCentralAck, &m));
    const uint64_t a1 = m.central_ack().central_seq();
    s.Write(CentralReceipts(2, 4, 5));  // resent overlap
    EXPECT_TRUE(ReadUntil(s, Kind::kCentralAck, &m));
    acks.set_value({a1, m.central_ack().central_seq()});
    Drain(s);
    return grpc::Status::OK;
  });
  std::future<std::pair<uint64_t, uint64_t>> f = acks.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(f.get(), std::make_pair(uint64_t{3}, uint64_t{4}));
  EXPECT_EQ(env.Figures("A").on_hand(), 20);
  EXPECT_EQ(Meta(env, storage::kMetaCentralSeq), 4u);
}

TEST(SyncClient, HoldRequestsRespectEscrow) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  storage::EscrowKeeper keeper(env.db()->journal(), {2, 0});
  env.db()->journal().SetAfterAppend(
      [&keeper](DbContext& c, const v1::JournalRecord& r,
                const std::vector<std::string>& t) {
        return keeper.AfterAppend(c, r, t);
      });
  const int64_t exp = env.clock().NowMicros() + 3'600'000'000;
  std::promise<std::pair<v1::HoldAnswer, v1::HoldAnswer>> answers;
  ClientRun run(
      env,
      [&](int n, CentralStream& s) {
        if (n > 0) return Drain(s), grpc::Status::OK;
        v1::SyncRequest m;
        EXPECT_TRUE(s.Read(&m));
        s.Write(WelcomeAt(0));
        s.Write(CentralReceipts(1, 1, 5));
        EXPECT_TRUE(ReadUntil(s, Kind::kCentralAck, &m));
        v1::SyncResponse req;
        req.mutable_hold_request()->set_request_id(1);
        *req.mutable_hold_request()->mutable_hold() =
            stocktest::HoldOf("WEB-1", {{"A", 3}}, exp);
        s.Write(req);
        EXPECT_TRUE(ReadUntil(s, Kind::kHoldAnswer, &m));
        v1::HoldAnswer first = m.hold_answer();
        req.mutable_hold_request()->set_request_id(2);
        *req.mutable_hold_request()->mutable_hold() =
            stocktest::HoldOf("WEB-2", {{"A", 1}}, exp);
        s.Write(req);
        EXPECT_TRUE(ReadUntil(s, Kind::kHoldAnswer, &m));
        answers.set_value({first, m.hold_answer()});
        Drain(s);
        return grpc::Status::OK;
      },
      nullptr, nullptr, &keeper);
  auto f = answers.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  auto [granted, refused] = f.get();
  EXPECT_EQ(granted.request_id(), 1u);
  EXPECT_TRUE(granted.granted());
  EXPECT_EQ(granted.hold().order_ref(), "WEB-1");
  EXPECT_EQ(refused.request_id(), 2u);
  EXPECT_FALSE(refused.granted());
  ASSERT_EQ(refused.shortfall_size(), 1);
  EXPECT_EQ(refused.shortfall(0).available(), 0);  // 2 left, both escrowed
  int escrow_events = 0;
  Result<std::vector<v1::JournalRecord>> journal = env.Journal();
  ASSERT_TRUE(journal.ok());
  for (const v1::JournalRecord& r : *journal) {
    if (r.has_stock() && r.stock().has_escrow_changed()) ++escrow_events;
  }
  EXPECT_EQ(escrow_events, 1);  // granted 2 after central's receipt
}

TEST(SyncClient, DigestEqualsReplayOfJournalAndInbox) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  Receipts(env, 3);
  ASSERT_TRUE(env.Record(stocktest::SaleOf({{"A", 1}})).ok());
  std::promise<v1::StockDigest> digest;
  std::promise<void> done;
  ClientRun run(env, [&](int n, CentralStream& s) {
    if (n > 0) return Drain(s), grpc::Status::OK;
    v1::SyncRequest m;
    EXPECT_TRUE(s.Read(&m));
    s.Write(WelcomeAt(0));
    s.Write(CentralReceipts(1, 2, 4));
    std::vector<v1::SyncRequest> before;
    EXPECT_TRUE(ReadUntil(s, Kind::kCentralAck, &m, &before));
    for (const v1::SyncRequest& b : before) {
      if (!b.has_events()) continue;
      const auto& e = b.events().entries();
      s.Write(AckOf(e[e.size() - 1].record().seq()));
    }
    bool got = false;
    while (!got && s.Read(&m)) {
      if (m.has_events()) {
        s.Write(AckOf(
            m.events().entries(m.events().entries_size() - 1).record().seq()));
      } else if (m.has_digest()) {
        digest.set_value(m.digest());
        got = true;
        v1::SyncResponse r;
        r.mutable_digest_result()->set_store_seq(m.digest().store_seq());
        r.mutable_digest_result()->set_central_seq(m.digest().central_seq());
        r.mutable_digest_result()->set_match(true);
        s.Write(r);
        Sync(s);
        done.set_value();
      }
    }
    Drain(s);
    return grpc::Status::OK;
  });
  auto f = digest.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  const v1::StockDigest d = f.get();
  ASSERT_EQ(done.get_future().wait_for(kWait), std::future_status::ready);
  core::StockReplay replay;
  Result<std::vector<v1::JournalRecord>> journal = env.Journal();
  ASSERT_TRUE(journal.ok());
  for (const v1::JournalRecord& r : *journal) ASSERT_TRUE(replay.Apply(r).ok());
  auto inbox = env.ReadFresh<std::vector<v1::CentralEvent>>(
      [](DbContext& c) { return SyncStore::ReadInbox(c.db(), 0, 100); });
  ASSERT_TRUE(inbox.ok());
  for (const v1::CentralEvent& e : *inbox)
    ASSERT_TRUE(replay.ApplyCentral(e).ok());
  core::StockDigestBuilder b(core::kDefaultDigestBuckets);
  for (const auto& [sku, fig] : replay.figures()) {
    b.Add({sku, fig.on_hand, fig.held, fig.unavailable});
  }
  EXPECT_EQ(std::vector<std::string>(d.buckets().begin(), d.buckets().end()),
            b.Finish());
  EXPECT_EQ(d.store_seq(), 4u);
  EXPECT_EQ(d.central_seq(), 2u);
  EXPECT_EQ(replay.Figures("A").on_hand, 10);
  EXPECT_EQ(run.health().Get().last_digest, "match");
}

TEST(SyncClient, ReseedsAnEmptyDatabaseBehindTheGate) {
  StockTestEnv source;
  ASSERT_NE(source.db(), nullptr);
  const int64_t exp = source.clock().NowMicros() + 3'600'000'000;
  Receipts(source, 3);
  ASSERT_TRUE(source.Record(stocktest::SaleOf({{"A", 1}})).ok());
  ASSERT_TRUE(
      source.PlaceHold(stocktest::HoldOf("O-1", {{"A", 1}}, exp))->granted());
  auto entries =
      source.ReadFresh<std::vector<v1::JournalEntry>>([](DbContext& c) {
        return storage::JournalStore::ReadRange(c.db(), 1, 100);
      });
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 5u);

  StockTestEnv target;
  ASSERT_NE(target.db(), nullptr);
  agent::SyncGate gate(true);
  agent::RecorderOptions ro;
  ro.sync_gate = &gate;
  agent::Recorder recorder(*target.db(), ro);
  v1::RecordTransactionRequest sale;
  *sale.mutable_client_key() = target.NextKey();
  *sale.mutable_transaction() = stocktest::SaleOf({{"A", 1}});
  auto record = [&] {
    return stocktest::Await<v1::RecordTransactionResponse>(
        [&](auto done) { recorder.RecordTransaction(sale, std::move(done)); });
  };
  Result<v1::RecordTransactionResponse> refused = record();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("waiting for central"),
            std::string::npos);

  std::promise<std::vector<uint64_t>> acks;
  ClientRun run(
      target,
      [&](int n, CentralStream& s) {
        if (n > 0) return Drain(s), grpc::Status::OK;
        v1::SyncRequest m;
        EXPECT_TRUE(s.Read(&m) && m.has_hello());
        EXPECT_EQ(m.hello().journal_head_seq(), 0u);
        v1::SyncResponse w = WelcomeAt(5, entries->back().hash());
        w.mutable_welcome()->set_reseed(true);
        s.Write(w);
        std::vector<uint64_t> got;
        for (auto [from, to] : {std::pair<int, int>{0, 2}, {2, 5}}) {
          v1::SyncResponse b;
          for (int i = from; i < to; ++i) {
            *b.mutable_reseed()->add_entries() = (*entries)[i];
          }
          s.Write(b);
          EXPECT_TRUE(ReadUntil(s, Kind::kReseedAck, &m));
          got.push_back(m.reseed_ack().store_seq());
        }
        v1::SyncResponse d;
        d.mutable_reseed_done()->set_store_seq(5);
        s.Write(d);
        Sync(s);
        acks.set_value(got);
        Drain(s);
        return grpc::Status::OK;
      },
      nullptr, &gate);
  auto f = acks.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(f.get(), (std::vector<uint64_t>{2, 5}));
  EXPECT_FALSE(gate.closed());
  EXPECT_EQ(target.db()->journal().head().hash, entries->back().hash());
  EXPECT_EQ(target.Figures("A").on_hand(), source.Figures("A").on_hand());
  EXPECT_EQ(target.Figures("A").held(), 1);
  EXPECT_EQ(Meta(target, storage::kMetaCentralAckedSeq), 5u);
  storage::ConnectionOptions ro_opts;
  ro_opts.read_only = true;
  auto conn = storage::Connection::Open(target.db()->path(), ro_opts);
  ASSERT_TRUE(conn.ok());
  auto report = storage::VerifyStock(conn->get());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->agrees());
  Result<v1::RecordTransactionResponse> now = record();
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(now->seq(), 6u);
}

TEST(SyncClient, BehindCentralWithoutReseedStopsWithAClearError) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  agent::SyncGate gate(true);
  ClientRun run(
      env,
      [&](int n, CentralStream& s) {
        if (n > 0) return Drain(s), grpc::Status::OK;
        v1::SyncRequest m;
        EXPECT_TRUE(s.Read(&m));
        s.Write(WelcomeAt(5));
        Drain(s);
        return grpc::Status::OK;
      },
      nullptr, &gate);
  std::string error;
  for (int i = 0; i < 600 && error.empty(); ++i) {  // at most 30 s
    error = run.health().Get().last_error;
    if (error.empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(error.find("behind central"), std::string::npos) << error;
  EXPECT_TRUE(gate.closed());
  EXPECT_FALSE(run.health().Get().connected);
}

// Polls `done` every 20 ms for at most 30 s.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

uint64_t Errors(const SyncHealthSnapshot& h, std::string_view reason) {
  return h.errors[agent::SyncErrorReasonIndex(reason)];
}

// Central refuses this store (PERMISSION_DENIED): the client stops
// dialling, says so with central's message, and dials again only after a
// reload (the SIGHUP path: ReloadTls). Its timers are on a SimScheduler:
// time passes only when the test says.
TEST(SyncClient, PermissionDeniedStopsDiallingUntilReload) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  SimScheduler sched;
  ClientRun run(
      env,
      [](int, CentralStream& s) {
        v1::SyncRequest hello;
        EXPECT_TRUE(s.Read(&hello));
        return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                            "hello.store_id: names store store-1 but the "
                            "client certificate is for store store-2");
      },
      nullptr, nullptr, nullptr, &sched);
  ASSERT_TRUE(run.started().ok()) << run.started().ToString();
  ASSERT_TRUE(Eventually([&] { return run.health().Get().stopped; }));
  SyncHealthSnapshot h = run.health().Get();
  EXPECT_NE(h.last_error.find("central refused this store: hello.store_id: "
                              "names store store-1 but the client "
                              "certificate is for store store-2"),
            std::string::npos)
      << h.last_error;
  EXPECT_NE(h.last_error.find("SIGHUP"), std::string::npos) << h.last_error;
  EXPECT_EQ(Errors(h, "permission_denied"), 1u);
  EXPECT_EQ(h.reconnects, 0u);
  EXPECT_EQ(run.central().streams(), 1);
  // The client's one timer is the stopped client's retry (an hour), not a
  // backoff (at most 200 ms here): a minute of the scheduler's time fires
  // nothing, so the client, whose only ways on are that timer and a
  // reload, cannot have dialled again.
  ASSERT_TRUE(Eventually([&] { return sched.pending() == 1; }));
  EXPECT_EQ(sched.Advance(60'000'000), 0);
  EXPECT_EQ(sched.pending(), 1u);
  EXPECT_EQ(run.central().streams(), 1);
  EXPECT_TRUE(run.health().Get().stopped);

  ASSERT_TRUE(run.client().ReloadTls("", "", "").ok());
  ASSERT_TRUE(Eventually([&] { return run.central().streams() >= 2; }));
  // The error is counted before the client marks itself stopped: wait for
  // both.
  ASSERT_TRUE(Eventually([&] {
    SyncHealthSnapshot now = run.health().Get();
    return Errors(now, "permission_denied") == 2 && now.stopped;
  }));
  h = run.health().Get();
  EXPECT_TRUE(h.stopped);
  EXPECT_EQ(h.reconnects, 1u);
  EXPECT_EQ(run.central().streams(), 2);
}

// A refused client does not wait for a person for ever: after
// options.stopped_retry (an hour, as in storeagentd) it dials again by
// itself, so a store head office has since fixed comes back without a
// reload. On simulated time: the hour passes when the test says, and not
// a microsecond before it does the client dial again.
TEST(SyncClient, PermissionDeniedRetriesAfterStoppedRetry) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  SyncClientOptions o = Options("");
  constexpr int64_t kHour = 3'600'000'000;
  o.stopped_retry = std::chrono::hours(1);
  SimScheduler sched;
  ClientRun run(
      env,
      [](int, CentralStream& s) {
        v1::SyncRequest hello;
        EXPECT_TRUE(s.Read(&hello));
        return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                            "store store-1 is not enrolled");
      },
      &o, nullptr, nullptr, &sched);
  ASSERT_TRUE(run.started().ok()) << run.started().ToString();
  for (int dials = 1; dials <= 3; ++dials) {
    // Refused, the client waits on its one timer, the hourly retry.
    ASSERT_TRUE(Eventually([&] {
      return run.central().streams() == dials && sched.pending() == 1;
    })) << "dial "
        << dials;
    EXPECT_EQ(sched.Advance(kHour - 1), 0);
    EXPECT_EQ(run.central().streams(), dials);
    EXPECT_EQ(sched.Advance(1), 1);  // the retry: it dials again
  }
  ASSERT_TRUE(Eventually([&] { return run.central().streams() == 4; }));
  SyncHealthSnapshot h = run.health().Get();
  EXPECT_GE(Errors(h, "permission_denied"), 3u);
  EXPECT_GE(h.reconnects, 3u);
}

// Each ended stream counts once under its reason, and every dial after the
// first is a reconnect.
TEST(SyncClient, ErrorsAreCountedByReason) {
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  ClientRun run(env, [](int n, CentralStream& s) {
    v1::SyncRequest hello;
    EXPECT_TRUE(s.Read(&hello));
    if (n == 0) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "busy");
    if (n == 1) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not now");
    }
    if (n == 2) return grpc::Status(grpc::StatusCode::INTERNAL, "oops");
    s.Write(WelcomeAt(0));
    Drain(s);
    return grpc::Status::OK;
  });
  ASSERT_TRUE(run.started().ok());
  ASSERT_TRUE(Eventually([&] { return run.health().Get().connected; }));
  const SyncHealthSnapshot h = run.health().Get();
  EXPECT_EQ(Errors(h, "unavailable"), 1u);
  EXPECT_EQ(Errors(h, "failed_precondition"), 1u);
  EXPECT_EQ(Errors(h, "other"), 1u);
  EXPECT_EQ(Errors(h, "permission_denied"), 0u);
  EXPECT_EQ(h.reconnects, 3u);
  EXPECT_FALSE(h.stopped);
}

}  // namespace
}  // namespace storeagent::synctest
