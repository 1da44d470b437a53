#include "tests/simulation/sync_sim.h"

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "agent/agent_server.h"
#include "agent/stock_ops.h"
#include "agent/sync/session_machine.h"
#include "agent/sync/session_storage.h"
#include "agent/sync/sync_gate.h"
#include "central/server/central_config.h"
#include "central/server/central_metrics.h"
#include "central/server/escrow_grant.h"
#include "central/server/replica_cache.h"
#include "central/server/stream_machine.h"
#include "central/server/stream_storage.h"
#include "central/server/sync_hub.h"
#include "central/store/central_store.h"
#include "central/store/sqlite_central_store.h"
#include "central/store/stream_leases.h"
#include "core/stock_digest.h"
#include "platform/clock.h"
#include "storage/agent_database.h"
#include "storage/escrow_keeper.h"
#include "storage/event_store.h"
#include "storage/sync_store.h"
#include "tests/support/fault_vfs.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::sim {
namespace {

namespace fs = std::filesystem;
using agent::SessionMachine;
using central::StreamMachine;

constexpr int64_t kMs = 1000;
constexpr int64_t kSec = 1000 * kMs;

// splitmix64: the one source of every choice in a run.
class Prng {
 public:
  explicit Prng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // 0..n-1. REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // True with probability per_mille / 1000.
  bool Chance(uint64_t per_mille) { return Below(1000) < per_mille; }

 private:
  uint64_t s_;
};

std::string Str(uint64_t v) { return std::to_string(v); }

// The name of the message's kind (its oneof field), for the trace.
template <typename M>
std::string KindName(const M& m) {
  const google::protobuf::FieldDescriptor* f =
      m.GetDescriptor()->FindFieldByNumber(static_cast<int>(m.kind_case()));
  return f != nullptr ? f->name() : "empty";
}

// A message on the wire: its bytes (each side parses its own copy, as
// over gRPC) and when it arrives.
struct WireMsg {
  int64_t at = 0;
  std::string bytes;
};

// One direction of a stream.
struct Wire {
  std::deque<WireMsg> queue;
  int64_t stall_until = 0;  // nothing arrives before
  int64_t last_at = 0;      // of the last message sent in order
  // A message was lost: TCP gives up on the connection, nothing more
  // arrives and the stream ends at the next tick.
  bool broken = false;
};

// The message of `w` that arrives first (the earliest; of equal times,
// the first sent). REQUIRES: !w.queue.empty().
std::deque<WireMsg>::iterator Earliest(Wire& w) {
  auto best = w.queue.begin();
  for (auto it = w.queue.begin(); it != w.queue.end(); ++it) {
    if (it->at < best->at) best = it;
  }
  return best;
}

// One stream between a store and central.
struct Conn {
  uint64_t id = 0;
  Wire up;    // agent -> central
  Wire down;  // central -> agent
  std::unique_ptr<SessionMachine> agent;
  std::unique_ptr<StreamMachine> central;
  std::shared_ptr<central::SyncSession> session;  // registered in the hub
  bool pump = false;                              // the hub asked for PumpDown
  bool replaced = false;                    // the hub replaced this stream
  std::map<uint64_t, int64_t> hold_timers;  // central hold id -> deadline
  std::string end_reason;                   // set once the stream ends
};

// What the hub sees of a simulated stream.
class SimSession : public central::SyncSession {
 public:
  explicit SimSession(Conn* conn) : conn_(conn) {}
  void PumpDown() override {
    if (conn_ != nullptr) conn_->pump = true;
  }
  void RequestHold(const v1::HoldPlaced&, std::chrono::milliseconds,
                   central::HoldCallback done) override {
    done(std::nullopt);  // the simulator asks the machine directly
  }
  void Replace() override {
    if (conn_ != nullptr) conn_->replaced = true;
  }
  void Detach() { conn_ = nullptr; }

 private:
  Conn* conn_;
};

struct AckedSale {
  std::string txn;
  uint64_t seq = 0;
  std::string hash;
};

struct Store {
  std::string id;
  std::string path;
  std::unique_ptr<storage::AgentDatabase> db;
  std::unique_ptr<storage::EscrowKeeper> keeper;
  std::unique_ptr<agent::SyncGate> gate;
  std::unique_ptr<agent::StockOps> ops;
  std::unique_ptr<agent::SessionStorage> storage;
  std::unique_ptr<Conn> conn;
  int64_t dial_at = 0;            // no dial before
  int64_t partitioned_until = 0;  // no dial before either
  int next_sale = 0;
  std::vector<AckedSale> sales;  // told to the till
  std::string last_digest;       // "match", "mismatch", "deferred"
  uint64_t last_digest_seq = 0;
  uint64_t last_digest_central_seq = 0;
  bool stopped = false;  // a fatal end: the agent stops syncing
};

class World {
 public:
  World(const SyncSimOptions& o, std::string dir)
      : o_(o), rng_(o.seed), dir_(std::move(dir)) {}

  ~World() {
    for (Store& s : stores_) CloseStore(s);
    CloseCentral();
  }

  SyncSimResult Run();

 private:
  void Trace(const std::string& line) {
    const std::string l =
        "t=" +
        Str(static_cast<uint64_t>((clock_.MonotonicMicros() - start_) / kMs)) +
        "ms " + line;
    for (unsigned char c : l) {
      r_.trace_hash = (r_.trace_hash ^ c) * 0x100000001b3ULL;
    }
    r_.trace_hash = (r_.trace_hash ^ '\n') * 0x100000001b3ULL;
    if (o_.keep_trace) r_.trace.push_back(l);
  }
  void Fail(const std::string& what) {
    Trace("FAIL " + what);
    r_.failures.push_back(what);
  }

  Status OpenCentral();
  void CloseCentral();
  Status OpenStore(Store& s);
  void CloseStore(Store& s);

  void Dial(Store& s);
  void EndConn(Store& s, const std::string& why);
  void RunAgent(Store& s);
  void RunCentral(Store& s);
  void Send(Store& s, Wire& wire, const std::string& bytes, bool faults);
  // Delivers the earliest due message of any stream; false when none is.
  bool DeliverOne();
  void Tick();

  void RecordSale(Store& s);
  void PushDelivery(Store& s);
  void RequestHold(Store& s);
  void EscrowHold(Store& s);
  void CheckEscrowGrant(Store& s, const v1::HoldPlaced& granted);
  void Fault();
  void Step(bool faults);
  bool Converged();
  void Check();

  const SyncSimOptions o_;
  Prng rng_;
  std::string dir_;
  FakeClock clock_;
  int64_t start_ = clock_.MonotonicMicros();
  SyncSimResult r_;
  bool faults_ = true;

  // Central.
  central::CentralConfig config_;
  std::unique_ptr<central::CentralStore> store_;
  std::unique_ptr<central::ReplicaCache> replicas_;
  std::unique_ptr<central::CentralMetrics> metrics_;
  std::unique_ptr<central::LocalStreamLeases> leases_;
  boost::asio::io_context io_;
  std::unique_ptr<central::SyncHub> hub_;
  std::unique_ptr<central::StreamStorage> central_storage_;
  bool central_up_ = false;
  int64_t central_down_until_ = 0;
  uint64_t next_conn_ = 0;
  int pushes_ = 0;
  int holds_asked_ = 0;
  int holds_done_ = 0;
  // Escrow holds head office asked for while a store was unreachable.
  int escrow_asked_ = 0;
  uint64_t escrow_granted_ = 0;
  // The last one asked, and its store, for a retry.
  v1::HoldPlaced last_escrow_;
  std::string last_escrow_store_;
  // A one-shot fault for the next message sent: 1 lost (the connection
  // breaks), 2 duplicated. Nothing is reordered: a gRPC stream is in order,
  // so a reorder inside one is no fault the product can meet.
  int wire_fault_ = 0;

  std::vector<Store> stores_;
};

Status World::OpenCentral() {
  // Central's SQLite store through the fault VFS, as the stores' are.
  Result<std::unique_ptr<central::CentralStore>> st =
      central::OpenSqliteCentralStore(dir_ + "/central.db",
                                      testing::kFaultVfsName);
  if (!st.ok()) return st.status();
  store_ = std::move(st).value();
  central::ReplicaCache::Options ro;
  ro.snapshot_every = 64;  // snapshots are part of what restarts read
  replicas_ = std::make_unique<central::ReplicaCache>(*store_, clock_, ro);
  metrics_ = std::make_unique<central::CentralMetrics>();
  leases_ = std::make_unique<central::LocalStreamLeases>("sim");
  hub_ = std::make_unique<central::SyncHub>(central::SyncContext{
      config_, *store_, *replicas_, clock_, io_, *metrics_, *leases_});
  central_storage_ = std::make_unique<central::StreamStorage>(*hub_);
  central_up_ = true;
  return Status::Ok();
}

void World::CloseCentral() {
  for (Store& s : stores_) {
    if (s.conn) EndConn(s, "central went down");
  }
  central_storage_.reset();
  hub_.reset();
  leases_.reset();
  metrics_.reset();
  replicas_.reset();
  store_.reset();
  central_up_ = false;
}

Status World::OpenStore(Store& s) {
  storage::DatabaseOptions o;
  o.path = s.path;
  o.store_id = s.id;
  o.vfs = testing::kFaultVfsName;
  o.read_threads = 1;
  Result<std::unique_ptr<storage::AgentDatabase>> db =
      storage::AgentDatabase::Open(o, clock_);
  if (!db.ok()) return db.status();
  s.db = std::move(db).value();
  // Wired as the daemon wires it: escrow keeper and empty-DB gate.
  agent::AgentConfig config;
  config.sync_central = "sim";
  config.sync_escrow_units = 2;
  if (Status st = agent::PrepareSync(*s.db, config, &s.keeper, &s.gate);
      !st.ok()) {
    return st;
  }
  s.ops =
      std::make_unique<agent::StockOps>(*s.db, clock_, nullptr, s.gate.get());
  agent::SessionStorageOptions so;
  so.wait_for_acks = true;
  const Clock* clock = &clock_;
  so.now_us = [clock] { return clock->NowMicros(); };
  s.storage = std::make_unique<agent::SessionStorage>(*s.db, s.gate.get(),
                                                      s.keeper.get(), so);
  return Status::Ok();
}

void World::CloseStore(Store& s) {
  if (s.conn) EndConn(s, "the agent went down");
  s.storage.reset();
  s.ops.reset();
  if (s.db) s.db->Close();
  s.db.reset();
  s.keeper.reset();
  s.gate.reset();
}

void World::EndConn(Store& s, const std::string& why) {
  if (!s.conn) return;
  Conn& c = *s.conn;
  Trace(s.id + " stream " + Str(c.id) + " ends: " + why);
  if (c.central) {
    c.central->OnEnded();
    RunCentral(s);  // pending holds are done
    const std::string& id = c.central->store_id();
    if (!id.empty() && hub_) hub_->Unregister(id, c.session.get());
  }
  if (c.session) static_cast<SimSession*>(c.session.get())->Detach();
  s.conn.reset();
  s.dial_at = clock_.MonotonicMicros() + rng_.Between(100 * kMs, 3 * kSec);
}

void World::Dial(Store& s) {
  Result<agent::HelloState> hello = s.storage->ReadHello();
  if (!hello.ok()) {
    Fail(s.id + ": reading the Hello: " + hello.status().ToString());
    s.stopped = true;
    return;
  }
  auto c = std::make_unique<Conn>();
  c->id = ++next_conn_;
  agent::SessionMachineOptions ao;
  ao.store_id = s.id;
  ao.max_batch_events = 1 + static_cast<uint32_t>(rng_.Below(8));
  ao.window = 1 + static_cast<uint32_t>(rng_.Below(3));
  ao.digest_interval_us = 120 * kSec;
  ao.digest_min_gap_us = 5 * kSec;
  ao.stall_timeout_us = 20 * kSec;
  c->agent = std::make_unique<SessionMachine>(ao);
  c->central = std::make_unique<StreamMachine>(
      central::StreamOptionsFor(config_, "", false));
  c->session = std::make_shared<SimSession>(c.get());
  s.conn = std::move(c);
  Trace(s.id + " dials: stream " + Str(s.conn->id) + ", head " +
        Str(hello->head_seq) + ", central applied " +
        Str(hello->central_seq_applied));
  s.conn->agent->Start(*hello, clock_.MonotonicMicros());
  RunAgent(s);
}

void World::Send(Store& s, Wire& wire, const std::string& bytes, bool faults) {
  if (wire.broken) return;
  const int64_t now = clock_.MonotonicMicros();
  int64_t at =
      std::max(now, wire.stall_until) + rng_.Between(1 * kMs, 40 * kMs);
  at = std::max(at, wire.last_at);  // in order
  if (faults && wire_fault_ != 0) {
    const int f = wire_fault_;
    wire_fault_ = 0;
    ++r_.faults_injected;
    if (f == 1) {
      Trace(s.id + " wire: a message lost, the connection breaks");
      wire.broken = true;
      return;
    }
    Trace(s.id + " wire: a message duplicated");
    wire.queue.push_back({at, bytes});
  }
  wire.queue.push_back({at, bytes});
  wire.last_at = at;
}

void World::RunAgent(Store& s) {
  if (!s.conn) return;
  Conn& c = *s.conn;
  bool ended = false;
  agent::SessionStorage::Transport t;
  t.send = [&](v1::SyncRequest m) {
    std::string bytes;
    m.SerializeToString(&bytes);
    Send(s, c.up, bytes, faults_);
  };
  t.place_hold = [&](v1::HoldRequest r) {
    std::promise<Result<v1::PlaceHoldResponse>> p;
    std::future<Result<v1::PlaceHoldResponse>> f = p.get_future();
    s.ops->PlaceCentralHold(r.hold(), [&p](Result<v1::PlaceHoldResponse> rep) {
      p.set_value(std::move(rep));
    });
    v1::HoldAnswer a = agent::HoldAnswerOf(r, f.get());
    Trace(s.id + " places hold " + r.hold().order_ref() + ": " +
          (a.granted() ? "granted" : "refused"));
    c.agent->OnHoldAnswered(std::move(a));
  };
  std::string why;
  t.end = [&](const Status& st, bool fatal) {
    ended = true;
    why = st.ToString();
    if (fatal) {
      Fail(s.id + ": the agent stopped syncing (fatal): " + why);
      s.stopped = true;
    }
  };
  s.storage->Run(*c.agent, t);
  if (ended) EndConn(s, "the agent ended it: " + why);
}

void World::RunCentral(Store& s) {
  if (!s.conn || !central_storage_) return;
  Conn& c = *s.conn;
  bool ended = false;
  std::string why;
  central::StreamStorage::Transport t;
  t.send = [&](v1::SyncResponse m) {
    std::string bytes;
    m.SerializeToString(&bytes);
    Send(s, c.down, bytes, faults_);
  };
  t.end = [&](const Status& st) {
    ended = true;
    why = st.ToString();
  };
  t.register_stream = [&](const std::string& id) {
    return hub_->Register(id, c.session);
  };
  t.start_hold_timer = [&](uint64_t id, int64_t timeout_us) {
    c.hold_timers[id] = clock_.MonotonicMicros() + timeout_us;
  };
  t.hold_done = [&](uint64_t id, std::optional<v1::HoldAnswer> answer) {
    c.hold_timers.erase(id);
    ++holds_done_;
    Trace(s.id + " central hold " + Str(id) + " done: " +
          (answer ? (answer->granted() ? "granted" : "refused") : "no answer"));
  };
  central_storage_->Run(*c.central, t);
  if (ended && s.conn && s.conn.get() == &c) {
    EndConn(s, "central ended it: " + why);
  }
}

bool World::DeliverOne() {
  const int64_t now = clock_.MonotonicMicros();
  Store* best = nullptr;
  bool best_up = false;
  int64_t best_at = INT64_MAX;
  for (Store& s : stores_) {
    if (!s.conn) continue;
    Conn& c = *s.conn;
    for (Wire* w : {&c.up, &c.down}) {
      if (w->queue.empty() || now < w->stall_until) continue;
      const int64_t at = Earliest(*w)->at;
      if (at <= now && at < best_at) {
        best = &s;
        best_up = w == &c.up;
        best_at = at;
      }
    }
  }
  if (best == nullptr) return false;
  Store& s = *best;
  Conn& c = *s.conn;
  ++r_.messages_delivered;
  if (best_up) {
    v1::SyncRequest m;
    auto it = Earliest(c.up);
    m.ParseFromString(it->bytes);
    c.up.queue.erase(it);
    Trace(s.id + " -> central: " + KindName(m) +
          (m.has_events() && m.events().entries_size() > 0
               ? " " + Str(static_cast<uint64_t>(m.events().entries_size())) +
                     " entries from " +
                     Str(m.events().entries(0).record().seq())
               : ""));
    c.central->OnMessage(m);
    RunCentral(s);
    return true;
  }
  v1::SyncResponse m;
  auto it = Earliest(c.down);
  m.ParseFromString(it->bytes);
  c.down.queue.erase(it);
  Trace("central -> " + s.id + ": " + KindName(m));
  if (m.has_ack() && store_) {
    // No ack above what central committed.
    Result<std::optional<central::StoreRow>> row = store_->GetStore(s.id);
    if (row.ok() && row->has_value() &&
        m.ack().acked_seq() > (*row)->store_seq_held) {
      Fail(s.id + ": BatchAck of seq " + Str(m.ack().acked_seq()) +
           " but central holds " + Str((*row)->store_seq_held));
    }
  }
  if (m.has_digest_result()) {
    const v1::DigestResult& d = m.digest_result();
    s.last_digest = d.deferred() ? "deferred"
                    : d.match()  ? "match"
                                 : "mismatch";
    s.last_digest_seq = d.store_seq();
    s.last_digest_central_seq = d.central_seq();
    Trace(s.id + " digest at " + Str(d.store_seq()) + "/" +
          Str(d.central_seq()) + ": " + s.last_digest);
    if (s.last_digest == "mismatch") {
      Fail(s.id + ": stock digest mismatch at store seq " + Str(d.store_seq()) +
           ", central seq " + Str(d.central_seq()));
    }
  }
  c.agent->OnMessage(std::move(m), clock_.MonotonicMicros());
  RunAgent(s);
  return true;
}

void World::Tick() {
  const int64_t now = clock_.MonotonicMicros();
  for (Store& s : stores_) {
    if (!s.db || s.stopped) continue;
    if (!s.conn) {
      if (central_up_ && now >= s.dial_at && now >= s.partitioned_until) {
        Dial(s);
      }
      continue;
    }
    Conn& c = *s.conn;
    if (c.replaced) {
      EndConn(s, "replaced by a newer stream");
      continue;
    }
    if (c.up.broken || c.down.broken) {
      EndConn(s, "the connection broke");
      continue;
    }
    if (c.pump) {
      c.pump = false;
      c.central->OnPumpDown();
      RunCentral(s);
      if (!s.conn) continue;
    }
    for (auto it = c.hold_timers.begin(); it != c.hold_timers.end();) {
      const uint64_t id = it->first;
      if (it->second > now) {
        ++it;
        continue;
      }
      it = c.hold_timers.erase(it);
      c.central->OnHoldTimeout(id);
      RunCentral(s);
      if (!s.conn) break;
    }
    if (!s.conn) continue;
    s.conn->agent->OnTick(s.db->journal().head().seq, now);
    RunAgent(s);
  }
}

v1::JournalRecord SaleRecord(const std::string& store, int i, int lines) {
  v1::JournalRecord r;
  r.mutable_client_key()->set_terminal_id("till-1");
  r.mutable_client_key()->set_client_txn_id(store + "-sale-" + Str(i));
  *r.mutable_transaction() = test::SampleSale(lines);
  r.mutable_transaction()->mutable_sale()->set_receipt_number("R-" + Str(i));
  return r;
}

void World::RecordSale(Store& s) {
  if (!s.db || !s.gate->Admit().ok()) return;
  const int i = s.next_sale++;
  const int lines = static_cast<int>(rng_.Between(1, 4));
  storage::AppendResult out;
  Status st = s.db->writer().Run([&](storage::WriteContext& ctx) -> Status {
    Result<storage::AppendResult> a =
        storage::AppendEvent(ctx, s.db->journal(), SaleRecord(s.id, i, lines));
    if (!a.ok()) return a.status();
    out = *a;
    return Status::Ok();
  });
  if (!st.ok()) {
    Fail(s.id + ": recording a sale: " + st.ToString());
    return;
  }
  s.sales.push_back({s.id + "-sale-" + Str(i), out.seq, out.hash});
  ++r_.sales;
  Trace(s.id + " sale " + Str(static_cast<uint64_t>(i)) + " at seq " +
        Str(out.seq));
}

void World::PushDelivery(Store& s) {
  if (!central_up_) return;
  v1::CentralEvent e;
  const int n = pushes_++;
  e.set_reference("asn-" + Str(static_cast<uint64_t>(n)));
  v1::StockMovement* m = e.mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  v1::StockDelta* d = m->add_lines();
  d->set_sku("SKU-000" + Str(rng_.Below(5)));
  d->set_quantity(rng_.Between(1, 12));
  Result<central::PushResult> p =
      store_->AppendCentralEvent(s.id, "push-" + Str(static_cast<uint64_t>(n)),
                                 std::move(e), clock_.NowMicros());
  if (!p.ok()) {
    Fail("central: pushing a delivery to " + s.id + ": " +
         p.status().ToString());
    return;
  }
  ++r_.central_events;
  Trace("central pushes delivery " + Str(p->central_seq) + " to " + s.id);
  hub_->NotifyCentralEvent(s.id);
}

void World::RequestHold(Store& s) {
  if (!s.conn || !s.conn->central->running()) return;
  v1::HoldPlaced h;
  h.set_order_ref("web-" + Str(static_cast<uint64_t>(holds_asked_)));
  h.set_channel("online");
  v1::HoldLine* l = h.add_lines();
  l->set_sku("SKU-000" + Str(rng_.Below(5)));
  l->set_quantity(rng_.Between(1, 3));
  h.set_expires_at_us(clock_.NowMicros() + 3600 * kSec);
  const uint64_t id = s.conn->central->RequestHold(h, 2 * kSec);
  if (id == 0) return;
  ++holds_asked_;
  Trace("central asks " + s.id + " for hold " + h.order_ref() + " (request " +
        Str(id) + ")");
  RunCentral(s);
}

// Head office asks for a hold while the store cannot answer (no stream to
// it): central grants it from the escrow the store granted, or refuses,
// through the admin service's own decision (central/server/escrow_grant.h).
// Now and then the same order again, as a client retrying: the first grant
// comes back and nothing new is recorded.
void World::EscrowHold(Store& picked) {
  if (!central_up_) return;
  // The picked store, or the next one without a stream to it.
  Store* unreachable = nullptr;
  for (size_t i = 0; i < stores_.size() && unreachable == nullptr; ++i) {
    Store& s = stores_[(static_cast<size_t>(&picked - stores_.data()) + i) %
                       stores_.size()];
    if (!s.conn || !s.conn->central->running()) unreachable = &s;
  }
  if (unreachable == nullptr) return;
  Store& s = *unreachable;
  v1::HoldPlaced h;
  const bool retry = last_escrow_store_ == s.id && rng_.Chance(300);
  if (retry) {
    h = last_escrow_;
  } else {
    h.set_order_ref("esc-" + Str(static_cast<uint64_t>(escrow_asked_)));
    h.set_channel("online");
    const int lines = static_cast<int>(rng_.Between(1, 2));
    const uint64_t first = rng_.Below(5);
    for (int i = 0; i < lines; ++i) {
      v1::HoldLine* l = h.add_lines();
      l->set_sku("SKU-000" + Str((first + static_cast<uint64_t>(i)) % 5));
      l->set_quantity(rng_.Between(1, 2));
    }
  }
  // Head office asks only for a store central knows (PlaceHold refuses
  // another with NOT_FOUND before any escrow is looked at).
  Result<std::optional<central::StoreRow>> before = store_->GetStore(s.id);
  if (!before.ok() || !before->has_value()) return;
  ++escrow_asked_;
  h.set_expires_at_us(clock_.NowMicros() + 3600 * kSec);  // a client's "now"
  v1::CentralAdminServicePlaceHoldResponse reply;
  const Status st = central::GrantFromEscrowOnce(
      *store_, *replicas_, clock_.NowMicros(), s.id, h, &reply);
  if (!st.ok()) {
    Fail("central: an escrow hold for " + s.id + ": " + st.ToString());
    return;
  }
  Trace("central escrow hold " + h.order_ref() + (retry ? " (again)" : "") +
        " for " + s.id + ": " +
        (reply.granted() ? "granted by " + reply.granted_by()
                         : "refused: " + reply.reason()));
  last_escrow_ = h;
  last_escrow_store_ = s.id;
  if (!reply.granted() || reply.granted_by() != "escrow") return;
  Result<std::optional<central::StoreRow>> after = store_->GetStore(s.id);
  const uint64_t head_before =
      before.ok() && before->has_value() ? (*before)->central_head_seq : 0;
  const uint64_t head_after =
      after.ok() && after->has_value() ? (*after)->central_head_seq : 0;
  if (head_after == head_before + 1) {
    ++escrow_granted_;
    ++r_.central_events;
    CheckEscrowGrant(s, h);
    hub_->NotifyCentralEvent(s.id);
  } else if (!retry || head_after != head_before) {
    Fail("central: escrow hold " + h.order_ref() + " for " + s.id +
         " moved central's head from " + Str(head_before) + " to " +
         Str(head_after) + (retry ? " (a retry must record nothing)" : ""));
  }
}

// No hold beyond escrow, from central's tables alone (not the replica cache
// or escrow_book.h the grant decided with): the escrow of a SKU is the
// quantity of the store's last EscrowChanged central holds; an escrow hold
// takes its lines from it until the store has journaled the hold and
// announced the SKU's escrow again after that. Right after a grant, what
// the escrow holds take of each of its SKUs must fit the escrow.
void World::CheckEscrowGrant(Store& s, const v1::HoldPlaced& granted) {
  Result<std::vector<v1::JournalEntry>> events =
      store_->ReadStoreEvents(s.id, 0, 0, 1'000'000);
  Result<std::vector<v1::CentralEvent>> pushed =
      store_->ReadCentralEvents(s.id, 0, 0, 1'000'000);
  if (!events.ok() || !pushed.ok()) {
    Fail("central: reading " + s.id + "'s events to check an escrow grant");
    return;
  }
  std::map<std::string, int64_t> escrow;
  std::map<std::string, uint64_t> announced_at;  // sku -> store seq
  std::map<std::string, uint64_t> placed_at;     // order -> store seq
  for (const v1::JournalEntry& e : *events) {
    const v1::JournalRecord& r = e.record();
    if (!r.has_stock()) continue;
    if (r.stock().has_escrow_changed()) {
      for (const v1::EscrowLine& l : r.stock().escrow_changed().lines()) {
        escrow[l.sku()] = l.quantity();
        announced_at[l.sku()] = r.seq();
      }
    } else if (r.stock().has_hold_placed() &&
               r.stock().hold_placed().from_escrow()) {
      placed_at.emplace(r.stock().hold_placed().order_ref(), r.seq());
    }
  }
  std::map<std::string, v1::HoldPlaced> holds;  // open escrow holds, by order
  for (const v1::CentralEvent& e : *pushed) {
    if (e.has_escrow_hold()) {
      holds[e.escrow_hold().hold().order_ref()] = e.escrow_hold().hold();
    } else if (e.has_hold_cancel()) {
      holds.erase(e.hold_cancel().order_ref());
    }
  }
  std::map<std::string, int64_t> taken;
  for (const auto& [order, hold] : holds) {
    auto placed = placed_at.find(order);
    for (const v1::HoldLine& l : hold.lines()) {
      auto again = announced_at.find(l.sku());
      const bool absorbed = placed != placed_at.end() &&
                            again != announced_at.end() &&
                            again->second > placed->second;
      if (!absorbed) taken[l.sku()] += l.quantity();
    }
  }
  for (const v1::HoldLine& l : granted.lines()) {
    if (taken[l.sku()] > escrow[l.sku()]) {
      Fail("central: escrow hold " + granted.order_ref() + " for " + s.id +
           " takes " + Str(static_cast<uint64_t>(taken[l.sku()])) + " of " +
           l.sku() + " from an escrow of " +
           Str(static_cast<uint64_t>(escrow[l.sku()])));
    }
  }
}

// Counts a fault only when it takes effect (a cut with no stream to cut, a
// missed roll of the disk's death, a crash of a central already down do
// not): sim_faults_injected is what the run went through.
void World::Fault() {
  Store& s = stores_[rng_.Below(stores_.size())];
  switch (rng_.Below(9)) {
    case 0:
      if (!s.conn) return;
      ++r_.faults_injected;
      EndConn(s, "the link was cut");
      return;
    case 1:
      if (s.conn) {
        ++r_.faults_injected;
        s.conn->up.stall_until =
            clock_.MonotonicMicros() + rng_.Between(1 * kSec, 30 * kSec);
        Trace(s.id + " wire: up stalled");
      }
      return;
    case 2:
      if (s.conn) {
        ++r_.faults_injected;
        s.conn->down.stall_until =
            clock_.MonotonicMicros() + rng_.Between(1 * kSec, 30 * kSec);
        Trace(s.id + " wire: down stalled");
      }
      return;
    case 3:
      ++r_.faults_injected;
      s.partitioned_until =
          clock_.MonotonicMicros() + rng_.Between(1 * kSec, 60 * kSec);
      Trace(s.id + " partitioned");
      if (s.conn) EndConn(s, "partition");
      return;
    case 4:
      wire_fault_ = static_cast<int>(rng_.Between(1, 2));  // counted in Send
      return;
    case 5:
      ++r_.faults_injected;
      Trace(s.id + " agent crashes and restarts");
      CloseStore(s);
      if (Status st = OpenStore(s); !st.ok()) {
        r_.harness_error = "reopening " + s.id + ": " + st.ToString();
      }
      return;
    case 6:
      if (!central_up_) return;
      ++r_.faults_injected;
      Trace("central crashes");
      CloseCentral();
      central_down_until_ =
          clock_.MonotonicMicros() + rng_.Between(0, 10 * kSec);
      return;
    case 7: {
      if (!rng_.Chance(250)) return;
      // The store's disk dies: a new, empty database. What central did not
      // hold yet is gone with it.
      ++r_.faults_injected;
      Trace(s.id + " disk dies");
      uint64_t held = 0;
      if (store_) {
        Result<std::optional<central::StoreRow>> row = store_->GetStore(s.id);
        if (row.ok() && row->has_value()) held = (*row)->store_seq_held;
      }
      CloseStore(s);
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::remove(s.path + suffix, ec);
      }
      std::vector<AckedSale> kept;
      for (const AckedSale& a : s.sales) {
        if (a.seq <= held) kept.push_back(a);
      }
      s.sales = std::move(kept);
      if (Status st = OpenStore(s); !st.ok()) {
        r_.harness_error = "re-creating " + s.id + ": " + st.ToString();
      }
      return;
    }
    default:
      // Time jumps: timers (stall, digests, hold timeouts) come due.
      ++r_.faults_injected;
      clock_.Advance(rng_.Between(5 * kSec, 90 * kSec));
      Trace("time jumps");
      return;
  }
}

void World::Step(bool faults) {
  clock_.Advance(rng_.Between(1 * kMs, 300 * kMs));
  if (!central_up_ && clock_.MonotonicMicros() >= central_down_until_) {
    if (Status st = OpenCentral(); !st.ok()) {
      r_.harness_error = "reopening central: " + st.ToString();
      return;
    }
    Trace("central restarts");
  }
  if (faults) {
    Store& s = stores_[rng_.Below(stores_.size())];
    const uint64_t roll = rng_.Below(100);
    if (roll < 43) {
      RecordSale(s);
    } else if (roll < 57) {
      PushDelivery(s);
    } else if (roll < 63) {
      RequestHold(s);
    } else if (roll < 69) {
      EscrowHold(s);
    } else if (roll < 77) {
      Fault();
    }
  }
  while (DeliverOne()) {
  }
  Tick();
  while (DeliverOne()) {
  }
}

bool World::Converged() {
  if (!central_up_) return false;
  for (Store& s : stores_) {
    if (!s.conn || !s.conn->agent->running() || s.stopped) return false;
    if (!s.conn->up.queue.empty() || !s.conn->down.queue.empty()) {
      return false;
    }
    Result<std::optional<central::StoreRow>> row = store_->GetStore(s.id);
    if (!row.ok() || !row->has_value()) return false;
    const uint64_t head = s.db->journal().head().seq;
    if ((*row)->store_seq_held != head) return false;
    if ((*row)->central_seq_acked != (*row)->central_head_seq) return false;
    if (s.last_digest != "match" || s.last_digest_seq != head ||
        s.last_digest_central_seq != (*row)->central_head_seq) {
      return false;
    }
  }
  return true;
}

void World::Check() {
  for (Store& s : stores_) {
    // Each store event once at central, with the agent's seq and hash.
    Result<std::vector<v1::JournalEntry>> theirs =
        store_->ReadStoreEvents(s.id, 0, 0, 1'000'000);
    if (!theirs.ok()) {
      Fail(s.id + ": reading central's copy: " + theirs.status().ToString());
      continue;
    }
    std::vector<v1::JournalEntry> ours;
    Status read = s.db->writer().Run([&](storage::WriteContext& ctx) {
      Result<std::vector<v1::JournalEntry>> all =
          storage::JournalStore::ReadRange(ctx.db(), 1, 1'000'000);
      if (!all.ok()) return all.status();
      ours = std::move(all).value();
      return Status::Ok();
    });
    if (!read.ok()) {
      Fail(s.id + ": reading the journal: " + read.ToString());
      continue;
    }
    if (theirs->size() != ours.size()) {
      Fail(s.id + ": central holds " + Str(theirs->size()) +
           " events, the store's journal " + Str(ours.size()));
    }
    std::set<std::string> txns;
    for (size_t i = 0; i < std::min(theirs->size(), ours.size()); ++i) {
      const v1::JournalEntry& a = ours[i];
      const v1::JournalEntry& b = (*theirs)[i];
      if (a.record().seq() != i + 1 || b.record().seq() != i + 1 ||
          a.hash() != b.hash()) {
        Fail(s.id + ": entry " + Str(i + 1) + " differs (store seq " +
             Str(a.record().seq()) + ", central seq " + Str(b.record().seq()) +
             ")");
        break;
      }
      if (b.record().has_client_key()) {
        txns.insert(b.record().client_key().client_txn_id());
      }
    }
    for (const AckedSale& a : s.sales) {
      if (!txns.count(a.txn)) {
        Fail(s.id + ": sale " + a.txn + " (seq " + Str(a.seq) +
             ") acknowledged to the till is not at central");
      }
    }
    // Each central event once at the store.
    Result<std::optional<central::StoreRow>> row = store_->GetStore(s.id);
    std::vector<v1::CentralEvent> inbox;
    Status in = s.db->writer().Run([&](storage::WriteContext& ctx) {
      Result<std::vector<v1::CentralEvent>> all =
          storage::SyncStore::ReadInbox(ctx.db(), 0, 1'000'000);
      if (!all.ok()) return all.status();
      inbox = std::move(all).value();
      return Status::Ok();
    });
    if (!in.ok() || !row.ok() || !row->has_value()) {
      Fail(s.id + ": reading the inbox or central's row");
      continue;
    }
    const uint64_t central_head = (*row)->central_head_seq;
    if (inbox.size() != central_head) {
      Fail(s.id + ": the store applied " + Str(inbox.size()) +
           " central events, central recorded " + Str(central_head));
    }
    for (size_t i = 0; i < inbox.size(); ++i) {
      if (inbox[i].central_seq() != i + 1) {
        Fail(s.id + ": central event " + Str(i + 1) + " applied as " +
             Str(inbox[i].central_seq()));
        break;
      }
    }
  }
  if (holds_done_ != holds_asked_) {
    Fail("central: " + Str(static_cast<uint64_t>(holds_asked_)) +
         " hold requests, " + Str(static_cast<uint64_t>(holds_done_)) +
         " answered or timed out (each must end exactly once)");
  }
}

SyncSimResult World::Run() {
  r_.trace_hash = 0xcbf29ce484222325ULL;
  config_.max_batch_events = 6;
  config_.window = 2;
  config_.digest_buckets = 16;
  config_.central_batch_events = 3;
  if (Status st = OpenCentral(); !st.ok()) {
    r_.harness_error = "opening central: " + st.ToString();
    return r_;
  }
  for (int i = 0; i < o_.stores; ++i) {
    Store s;
    s.id = "s" + Str(static_cast<uint64_t>(i + 1));
    s.path = dir_ + "/" + s.id + ".db";
    stores_.push_back(std::move(s));
  }
  for (Store& s : stores_) {
    if (Status st = OpenStore(s); !st.ok()) {
      r_.harness_error = "opening " + s.id + ": " + st.ToString();
      return r_;
    }
  }
  Trace("seed " + Str(o_.seed));
  for (int i = 0; i < o_.steps && r_.harness_error.empty(); ++i) Step(true);
  // Heal: no more faults; the network and every side come back.
  faults_ = false;
  wire_fault_ = 0;
  Trace("heal");
  central_down_until_ = 0;
  for (Store& s : stores_) {
    s.partitioned_until = 0;
    if (s.conn) {
      s.conn->up.stall_until = 0;
      s.conn->down.stall_until = 0;
    }
  }
  bool converged = false;
  for (int i = 0; i < 4000 && r_.harness_error.empty(); ++i) {
    Step(false);
    if (Converged()) {
      converged = true;
      break;
    }
    if (i % 20 == 19) clock_.Advance(2 * kSec);  // digests and redials
  }
  if (!r_.harness_error.empty()) return r_;
  if (!converged) {
    std::string state;
    for (Store& s : stores_) {
      state += " " + s.id + (s.conn ? " connected" : " not connected") +
               (s.stopped ? " stopped" : "") + " head " +
               Str(s.db ? s.db->journal().head().seq : 0) + " digest " +
               s.last_digest + "@" + Str(s.last_digest_seq) + ";";
    }
    Fail("did not converge after the heal:" + state);
  }
  if (central_up_) Check();
  Trace("end: " + Str(r_.failures.size()) + " failures; escrow holds " +
        Str(escrow_granted_) + " granted of " +
        Str(static_cast<uint64_t>(escrow_asked_)) + " asked");
  return r_;
}

}  // namespace

SyncSimResult RunSyncSim(const SyncSimOptions& options) {
  testing::RegisterFaultVfs();
  testing::ResetFaultVfs();
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  if (fs::is_directory("/dev/shm") && tmp == nullptr) base = "/dev/shm";
  std::string dir = base + "/storeagent-sim-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    SyncSimResult r;
    r.harness_error = "mkdtemp under " + base + " failed";
    return r;
  }
  SyncSimResult r;
  {
    World w(options, dir);
    r = w.Run();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return r;
}

}  // namespace storeagent::sim
