#include "bench/fleet_sim.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>

#include "core/journal_chain.h"
#include "platform/clock.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::bench {

class Stream;

struct SimStore {
  int index = 0;
  std::string id;
  testing::CertAndKey pem;
  // Owner thread only.
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::SyncService::Stub> stub;
  std::unique_ptr<Stream> stream;

  // Everything below, and the live stream's state, under `mu`.
  std::mutex mu;
  Stream* live = nullptr;  // the stream until its OnDone
  uint64_t head = 0;
  std::string head_hash = core::GenesisHash();
  uint64_t acked = 0;  // central's ack watermark
  uint64_t sent = 0;   // last seq sent on the live stream
  // Serialized entries acked+1 .. head, and the end seq of each batch in
  // flight.
  std::deque<std::string> unacked;
  std::deque<uint64_t> inflight;
  std::vector<int64_t> recorded_at;  // [seq - 1]
  uint32_t max_batch = 500;
  uint32_t window = 4;
  std::vector<int64_t> ack_lags;
};

// One stream of one store (a ClientBidiReactor). A hold keeps OnDone away
// until the stream is dead and no write is in flight, so Pump() may start
// a write from any thread. gRPC operations start outside the store's lock
// (their reactions may run inline and take it).
class Stream
    : public grpc::ClientBidiReactor<v1::SyncRequest, v1::SyncResponse> {
 public:
  Stream(SimFleet& fleet, SimStore& store) : fleet_(fleet), store_(store) {}

  void Start() {
    std::unique_lock lock(store_.mu);
    v1::Hello* h = out_.mutable_hello();
    h->set_store_id(store_.id);
    h->set_agent_version("bench-fleet");
    h->set_journal_head_seq(store_.head);
    h->set_journal_head_hash(store_.head_hash);
    writing_ = true;
    store_.live = this;
    lock.unlock();
    ctx_.set_wait_for_ready(true);
    store_.stub->async()->Sync(&ctx_, this);
    AddHold();
    StartWrite(&out_);
    StartRead(&in_);
    StartCall();
  }

  // The store's connection is lost: no more writes, the stream ends.
  void Close() {
    {
      std::lock_guard lock(store_.mu);
      closing_ = true;
    }
    ctx_.TryCancel();
  }

  bool done() const { return done_.load(); }

  // REQUIRES: `lock` holds store_.mu. Sends the next batch when the window
  // allows, or lets the stream end once it is dead. May release `lock`.
  void Pump(std::unique_lock<std::mutex>& lock) {
    SimStore& s = store_;
    if (dead_ || closing_) {
      if (dead_ && !writing_ && !hold_removed_) {
        hold_removed_ = true;
        lock.unlock();
        RemoveHold();
      }
      return;
    }
    if (writing_ || !welcomed_ || s.sent >= s.head ||
        s.inflight.size() >= s.window) {
      return;
    }
    out_.Clear();
    v1::EventBatch* b = out_.mutable_events();
    const uint64_t end = std::min<uint64_t>(s.head, s.sent + s.max_batch);
    for (uint64_t seq = s.sent + 1; seq <= end; ++seq) {
      b->add_entries()->ParseFromString(s.unacked[seq - s.acked - 1]);
    }
    s.inflight.push_back(end);
    s.sent = end;
    writing_ = true;
    lock.unlock();
    StartWrite(&out_);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(store_.mu);
    // A fresh message: Clear() would keep 500 parsed entries allocated per
    // stream (gigabytes over 2,000 streams in the drain).
    v1::SyncRequest().Swap(&out_);
    writing_ = false;
    if (!ok) dead_ = true;
    Pump(lock);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      std::unique_lock lock(store_.mu);
      dead_ = true;
      Pump(lock);
      return;
    }
    const v1::SyncResponse msg = std::move(in_);
    in_.Clear();
    StartRead(&in_);
    std::unique_lock lock(store_.mu);
    SimStore& s = store_;
    if (msg.has_welcome()) {
      const v1::Welcome& w = msg.welcome();
      const uint64_t held = std::min(w.store_seq_held(), s.head);
      if (held > s.acked) {
        for (uint64_t seq = s.acked + 1; seq <= held; ++seq) {
          s.unacked.pop_front();
        }
        fleet_.Acked(held - s.acked);
        s.acked = held;
      }
      s.sent = s.acked;
      s.inflight.clear();
      if (w.limits().max_batch_events() > 0) {
        s.max_batch = w.limits().max_batch_events();
      }
      if (w.limits().window() > 0) s.window = w.limits().window();
      welcomed_ = true;
      fleet_.StreamWelcomed();
    } else if (msg.has_ack()) {
      const uint64_t a = std::min(msg.ack().acked_seq(), s.head);
      if (a > s.acked) {
        const int64_t now = SystemClock().NowMicros();
        for (uint64_t seq = s.acked + 1; seq <= a; ++seq) {
          const int64_t at = s.recorded_at[seq - 1];
          if (fleet_.LagWanted(at)) s.ack_lags.push_back(now - at);
          s.unacked.pop_front();
        }
        fleet_.Acked(a - s.acked);
        s.acked = a;
      }
      while (!s.inflight.empty() && s.inflight.front() <= a) {
        s.inflight.pop_front();
      }
    }
    // Central events, digests and hold requests never come: the bench
    // pushes no central events and sends no digests.
    Pump(lock);
  }

  void OnDone(const grpc::Status& status) override {
    bool welcomed = false;
    bool closing = false;
    {
      std::lock_guard lock(store_.mu);
      store_.live = nullptr;
      welcomed = welcomed_;
      closing = closing_;
    }
    fleet_.StreamEnded(welcomed, !closing,
                       store_.id + ": " + std::to_string(status.error_code()) +
                           " " + status.error_message());
    done_.store(true);  // last: the owner may delete this from now on
  }

 private:
  SimFleet& fleet_;
  SimStore& store_;
  grpc::ClientContext ctx_;
  v1::SyncRequest out_;
  v1::SyncResponse in_;
  // Under store_.mu.
  bool welcomed_ = false;
  bool writing_ = false;
  bool dead_ = false;
  bool closing_ = false;
  bool hold_removed_ = false;
  std::atomic<bool> done_{false};
};

namespace {

const v1::Transaction& Sale() {
  static const v1::Transaction sale = test::SampleSale(5);
  return sale;
}

}  // namespace

SimFleet::SimFleet(std::string target, std::string ca_pem,
                   std::vector<std::string> ids,
                   std::vector<testing::CertAndKey> certs)
    : target_(std::move(target)), ca_pem_(std::move(ca_pem)) {
  (void)Sale();
  for (size_t i = 0; i < ids.size(); ++i) {
    auto s = std::make_unique<SimStore>();
    s->index = static_cast<int>(i);
    s->id = std::move(ids[i]);
    s->pem = std::move(certs[i]);
    stores_.push_back(std::move(s));
  }
}

SimFleet::~SimFleet() { DisconnectAll(30); }

const std::string& SimFleet::id(int store) const {
  return stores_[static_cast<size_t>(store)]->id;
}

void SimFleet::StartStream(SimStore& s) {
  s.stream = std::make_unique<Stream>(*this, s);
  s.stream->Start();
}

void SimFleet::ConnectAll() {
  connected_ = true;
  for (std::unique_ptr<SimStore>& s : stores_) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ca_pem_;
    ssl.pem_cert_chain = s->pem.cert_pem;
    ssl.pem_private_key = s->pem.key_pem;
    grpc::ChannelArguments args;
    // Its own connection, whatever gRPC's subchannel sharing would do.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetSslTargetNameOverride("localhost");
    args.SetMaxReceiveMessageSize(16 << 20);
    // The agent's keepalive (agent/sync/sync_client.cc).
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    s->channel =
        grpc::CreateCustomChannel(target_, grpc::SslCredentials(ssl), args);
    s->stub = v1::SyncService::NewStub(s->channel);
    StartStream(*s);
  }
}

bool SimFleet::DisconnectAll(double timeout_s) {
  connected_ = false;
  for (std::unique_ptr<SimStore>& s : stores_) {
    if (s->stream && !s->stream->done()) s->stream->Close();
  }
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  for (std::unique_ptr<SimStore>& s : stores_) {
    while (s->stream && !s->stream->done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    s->stream.reset();
    s->stub.reset();
    s->channel.reset();
  }
  return true;
}

int SimFleet::Maintain() {
  if (!connected_) return 0;
  int n = 0;
  for (std::unique_ptr<SimStore>& s : stores_) {
    if (s->stream && s->stream->done()) {
      StartStream(*s);
      ++n;
    }
  }
  return n;
}

void SimFleet::Record(int store, int64_t recorded_at_us) {
  SimStore& s = *stores_[static_cast<size_t>(store)];
  std::unique_lock lock(s.mu);
  v1::JournalEntry e;
  v1::JournalRecord* r = e.mutable_record();
  const uint64_t seq = s.head + 1;
  r->set_seq(seq);
  r->set_recorded_at_us(recorded_at_us);
  r->mutable_client_key()->set_terminal_id("till-01");
  r->mutable_client_key()->set_client_txn_id(s.id + "-" + std::to_string(seq));
  *r->mutable_transaction() = Sale();
  std::string bytes = core::CanonicalBytes(*r);
  e.set_prev_hash(s.head_hash);
  e.set_hash(core::ChainHash(s.head_hash, bytes));
  // As a 0.4 agent sends by default: the record parsed and its bytes.
  e.set_canonical_record(std::move(bytes));
  s.head_hash = e.hash();
  s.head = seq;
  s.unacked.push_back(e.SerializeAsString());
  s.recorded_at.push_back(recorded_at_us);
  ++recorded_;
  if (s.live != nullptr) s.live->Pump(lock);
}

void SimFleet::StreamEnded(bool welcomed, bool failed, const std::string& why) {
  if (welcomed) --open_;
  if (failed) {
    ++failed_;
    std::lock_guard lock(mu_);
    last_failure_ = why;
  }
}

std::string SimFleet::last_failure() const {
  std::lock_guard lock(mu_);
  return last_failure_;
}

void SimFleet::CollectAckLag(int64_t from_us, int64_t to_us) {
  lag_to_.store(to_us);
  lag_from_.store(from_us);
}

std::vector<int64_t> SimFleet::TakeAckLags() {
  std::vector<int64_t> out;
  for (std::unique_ptr<SimStore>& s : stores_) {
    std::lock_guard lock(s->mu);
    out.insert(out.end(), s->ack_lags.begin(), s->ack_lags.end());
    s->ack_lags.clear();
  }
  return out;
}

int64_t SimFleet::RecordedAt(int store, uint64_t seq) const {
  SimStore& s = *stores_[static_cast<size_t>(store)];
  std::lock_guard lock(s.mu);
  return seq >= 1 && seq <= s.recorded_at.size() ? s.recorded_at[seq - 1] : 0;
}

uint64_t SimFleet::Head(int store) const {
  SimStore& s = *stores_[static_cast<size_t>(store)];
  std::lock_guard lock(s.mu);
  return s.head;
}

}  // namespace storeagent::bench
