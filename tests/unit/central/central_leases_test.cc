// Two real storecentrald processes over one PostgreSQL database, and a
// store (this test's sync client) streaming to one of them: the stream's
// lease and forwarding between replicas (docs/central.md, "Replicas").
//
//   * a hold placed at replica B for a store streaming to A reaches the
//     store through A (LISTEN/NOTIFY) and the store's answer comes back;
//   * GetStoreSyncState says connected at both replicas;
//   * a newer stream at B ends the old one at A;
//   * kill -9 of A: the store reconnects to B, B takes the lease, and every
//     event the store recorded is at central once, the chain intact.
//
// The database comes from STOREAGENT_TEST_PG_URL (scripts/test starts it);
// unset, the test FAILS unless STOREAGENT_TEST_NO_PG=1 asks to skip it. It
// works in a schema of its own (random suffix), dropped at the end.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "central/store/pg_pool.h"
#include "core/journal_chain.h"
#include "platform/crypto.h"
#include "tests/support/central_process.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

using storeagent::testing::CentralOptions;
using storeagent::testing::CentralProcess;
using storeagent::testing::TempDir;

std::string WithSearchPath(const std::string& url, const std::string& schema) {
  const char sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + "options=-csearch_path%3D" + schema;
}

// Polls `done` every 50 ms for at most `limit`.
bool WaitFor(const std::function<bool()>& done,
             std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::optional<v1::GetStoreSyncStateResponse> State(CentralProcess& c,
                                                   const std::string& store) {
  auto stub = c.NewAdminStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  v1::GetStoreSyncStateRequest req;
  req.set_store_id(store);
  v1::GetStoreSyncStateResponse reply;
  if (!stub->GetStoreSyncState(&ctx, req, &reply).ok()) return std::nullopt;
  return reply;
}

std::shared_ptr<grpc::Channel> SyncChannel(const CentralProcess& c) {
  return grpc::CreateChannel(c.sync_address(),
                             grpc::InsecureChannelCredentials());
}

// An online order's hold of `quantity` of SKU-1, expiring in an hour,
// waiting up to `timeout_ms` for the store.
v1::CentralAdminServicePlaceHoldRequest HoldOfSku1(const std::string& store,
                                                   const std::string& order,
                                                   int quantity,
                                                   int timeout_ms) {
  v1::CentralAdminServicePlaceHoldRequest req;
  req.set_store_id(store);
  v1::HoldPlaced* h = req.mutable_hold();
  h->set_order_ref(order);
  h->set_channel("online");
  v1::HoldLine* line = h->add_lines();
  line->set_sku("SKU-1");
  line->set_quantity(quantity);
  h->set_expires_at_us(std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count() +
                       3'600'000'000);
  req.set_timeout_ms(timeout_ms);
  return req;
}

class CentralLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* no_pg = std::getenv("STOREAGENT_TEST_NO_PG");
    if (no_pg != nullptr && std::string(no_pg) == "1") {
      GTEST_SKIP() << "STOREAGENT_TEST_NO_PG=1: PostgreSQL tests skipped";
    }
    const char* url = std::getenv("STOREAGENT_TEST_PG_URL");
    ASSERT_TRUE(url != nullptr && *url != '\0')
        << "STOREAGENT_TEST_PG_URL is not set: run scripts/start-postgres "
           "(scripts/test does) or set STOREAGENT_TEST_NO_PG=1";
    base_url_ = url;
    schema_ = "lease_test_" + crypto::ToHex(crypto::RandomBytes(6));
    pqxx::connection c(base_url_);
    pqxx::nontransaction tx(c);
    tx.exec("CREATE SCHEMA " + schema_);
    made_schema_ = true;
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    if (!made_schema_) return;
    try {
      pqxx::connection c(base_url_);
      pqxx::nontransaction tx(c);
      tx.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "drop schema " << schema_ << ": " << e.what();
    }
  }

  void StartBoth() {
    CentralOptions o;
    o.store_url = WithSearchPath(base_url_, schema_);
    // No poll: a central event recorded at the other replica reaches the
    // stream only through its wake-up.
    o.sync_toml = "poll_interval_s = 3600\n";
    o.extra_toml = "[log]\nlevel = \"debug\"\n";
    a_ = std::make_unique<CentralProcess>(dir_a_.path(), o);
    ASSERT_TRUE(a_->Start()) << "replica A did not start: " << a_->log_path();
    b_ = std::make_unique<CentralProcess>(dir_b_.path(), o);
    ASSERT_TRUE(b_->Start()) << "replica B did not start: " << b_->log_path();
  }

  // The replica id holding the store's unexpired lease ("" none).
  std::string LeaseHolder(const std::string& store) {
    pqxx::connection c(WithSearchPath(base_url_, schema_));
    pqxx::nontransaction tx(c);
    pqxx::result r = tx.exec_params(
        "SELECT replica_id FROM stream_leases WHERE store_id = $1 AND "
        "expires_at_us > (EXTRACT(EPOCH FROM clock_timestamp()) * "
        "1000000)::BIGINT",
        store);
    return r.empty() ? std::string() : r[0][0].as<std::string>();
  }

  std::string base_url_;
  std::string schema_;
  bool made_schema_ = false;
  TempDir dir_a_;
  TempDir dir_b_;
  std::unique_ptr<CentralProcess> a_;
  std::unique_ptr<CentralProcess> b_;
};

bool HeldBy(const std::string& replica_id, const CentralProcess& c) {
  return replica_id.find(":" + std::to_string(c.pid()) + ":") !=
         std::string::npos;
}

TEST_F(CentralLeasesTest, HoldsForwardAndAStoreMovesWhenItsReplicaDies) {
  ASSERT_NO_FATAL_FAILURE(StartBoth());
  const std::string store = "lease-store";
  FakeJournal journal;
  journal.Movement("SKU-1", 20);
  journal.Escrow("SKU-1", 0);  // escrow alone could grant nothing

  auto at_a = std::make_unique<AgentStream>(SyncChannel(*a_));
  ASSERT_TRUE(at_a->Hello(store, 0, core::GenesisHash()))
      << at_a->Finish().error_message();
  ASSERT_TRUE(at_a->SendEvents(journal.entries()));
  std::optional<v1::SyncResponse> m = at_a->Read();
  ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
  EXPECT_TRUE(HeldBy(LeaseHolder(store), *a_)) << LeaseHolder(store);

  // (b) connected, whichever replica is asked.
  for (CentralProcess* c : {a_.get(), b_.get()}) {
    std::optional<v1::GetStoreSyncStateResponse> s = State(*c, store);
    ASSERT_TRUE(s) << "GetStoreSyncState at port " << c->admin_port();
    EXPECT_TRUE(s->connected()) << "at admin port " << c->admin_port();
    EXPECT_EQ(s->store_seq_held(), journal.head_seq());
  }

  uint64_t applied = 0;  // central events the store applied
  // A central event pushed at B, and a cancel placed at B, go down the
  // stream at A at once (B wakes A: A does not poll in this test).
  {
    auto stub = b_->NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::PushCentralEventRequest r;
    r.set_store_id(store);
    r.set_request_key("receipt-at-b");
    v1::StockMovement* mv = r.mutable_event()->mutable_movement();
    mv->set_reason(v1::StockMovement::REASON_RECEIPT);
    mv->add_lines()->set_sku("SKU-1");
    mv->mutable_lines(0)->set_quantity(4);
    v1::PushCentralEventResponse pushed;
    grpc::Status st = stub->PushCentralEvent(&ctx, r, &pushed);
    ASSERT_TRUE(st.ok()) << st.error_message();
    std::optional<v1::SyncResponse> down;
    while ((down = at_a->Read()) && !down->has_central_events()) {
    }
    ASSERT_TRUE(down) << "the stream at A ended before the pushed event came";
    ASSERT_EQ(down->central_events().events_size(), 1);
    EXPECT_EQ(down->central_events().events(0).central_seq(),
              pushed.central_seq());
    EXPECT_TRUE(down->central_events().events(0).has_movement());
    v1::SyncRequest ack;
    ack.mutable_central_ack()->set_central_seq(pushed.central_seq());
    ASSERT_TRUE(at_a->Send(ack));
  }
  {
    auto stub = b_->NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::CentralAdminServiceCancelHoldRequest r;
    r.set_store_id(store);
    r.set_order_ref("web-lease-0");
    r.set_reason("customer cancelled");
    v1::CentralAdminServiceCancelHoldResponse cancelled;
    grpc::Status st = stub->CancelHold(&ctx, r, &cancelled);
    ASSERT_TRUE(st.ok()) << st.error_message();
    std::optional<v1::SyncResponse> down;
    while ((down = at_a->Read()) && !down->has_central_events()) {
    }
    ASSERT_TRUE(down) << "the stream at A ended before the cancel came";
    ASSERT_EQ(down->central_events().events_size(), 1);
    EXPECT_EQ(down->central_events().events(0).hold_cancel().order_ref(),
              "web-lease-0");
    v1::SyncRequest ack;
    ack.mutable_central_ack()->set_central_seq(cancelled.central_seq());
    ASSERT_TRUE(at_a->Send(ack));
    applied = cancelled.central_seq();
  }

  // (a) a hold placed at B: the store (streaming to A) answers it.
  v1::CentralAdminServicePlaceHoldResponse placed;
  grpc::Status placed_status;
  std::thread asker([&] {
    auto stub = b_->NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    const v1::CentralAdminServicePlaceHoldRequest req =
        HoldOfSku1(store, "web-lease-1", 2, 10000);
    placed_status = stub->PlaceHold(&ctx, req, &placed);
  });
  std::optional<v1::SyncResponse> request;
  while ((request = at_a->Read()) && !request->has_hold_request()) {
  }
  ASSERT_TRUE(request) << "the stream at A ended before a HoldRequest came";
  EXPECT_EQ(request->hold_request().hold().order_ref(), "web-lease-1");
  v1::SyncRequest answer;
  v1::HoldAnswer* a = answer.mutable_hold_answer();
  a->set_request_id(request->hold_request().request_id());
  a->set_order_ref("web-lease-1");
  a->set_granted(true);
  v1::Hold* held = a->mutable_hold();
  held->set_order_ref("web-lease-1");
  held->set_channel("online");
  held->set_state(v1::HOLD_STATE_HELD);
  *held->mutable_lines() = request->hold_request().hold().lines();
  held->set_placed_seq(42);  // only the store could say this
  ASSERT_TRUE(at_a->Send(answer));
  asker.join();
  ASSERT_TRUE(placed_status.ok()) << placed_status.error_message();
  EXPECT_TRUE(placed.granted()) << placed.reason();
  EXPECT_EQ(placed.granted_by(), "store");
  EXPECT_EQ(placed.hold().placed_seq(), 42u);

  // A newer stream at B takes the lease; A ends its stream.
  {
    AgentStream at_b(SyncChannel(*b_));
    ASSERT_TRUE(
        at_b.Hello(store, journal.head_seq(), journal.head_hash(), applied))
        << at_b.Finish().error_message();
    EXPECT_TRUE(HeldBy(LeaseHolder(store), *b_)) << LeaseHolder(store);
    while (at_a->Read()) {
    }
    EXPECT_EQ(at_a->Finish().error_code(), grpc::StatusCode::ABORTED);
    at_b.Finish();
  }

  // (c) back on A with more events; A is killed mid-batch.
  for (int i = 0; i < 6; ++i) journal.Movement("SKU-2", 1 + i);
  at_a = std::make_unique<AgentStream>(SyncChannel(*a_));
  std::optional<v1::Welcome> w =
      at_a->Hello(store, 2, journal.hash_at(2), applied);
  ASSERT_TRUE(w) << at_a->Finish().error_message();
  ASSERT_EQ(w->store_seq_held(), 2u);
  ASSERT_TRUE(HeldBy(LeaseHolder(store), *a_)) << LeaseHolder(store);
  ASSERT_TRUE(at_a->SendEvents(journal.Range(3, 5)));
  m = at_a->Read();
  ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
  ASSERT_EQ(m->ack().acked_seq(), 5u);
  ASSERT_TRUE(at_a->SendEvents(journal.Range(6, journal.head_seq())));
  a_->Kill9();
  at_a.reset();

  // A's lease lives on until it expires: a hold placed at B now is sent to
  // A, which never answers, and escrow decides (it has nothing to give).
  {
    auto stub = b_->NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    const v1::CentralAdminServicePlaceHoldRequest req =
        HoldOfSku1(store, "web-lease-2", 1, 500);
    v1::CentralAdminServicePlaceHoldResponse reply;
    grpc::Status st = stub->PlaceHold(&ctx, req, &reply);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_FALSE(reply.granted());
    EXPECT_NE(reply.reason().find("escrow"), std::string::npos)
        << reply.reason();
  }

  // The store reconnects to B, which takes the lease at once.
  AgentStream again(SyncChannel(*b_));
  w = again.Hello(store, journal.head_seq(), journal.head_hash(), applied);
  ASSERT_TRUE(w) << again.Finish().error_message();
  ASSERT_GE(w->store_seq_held(), 5u);
  ASSERT_LE(w->store_seq_held(), journal.head_seq());
  // What central holds continues the store's chain.
  EXPECT_EQ(w->store_hash_held(), journal.hash_at(w->store_seq_held()));
  EXPECT_TRUE(HeldBy(LeaseHolder(store), *b_)) << LeaseHolder(store);
  if (w->store_seq_held() < journal.head_seq()) {
    ASSERT_TRUE(again.SendEvents(
        journal.Range(w->store_seq_held() + 1, journal.head_seq())));
    m = again.Read();
    ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
    EXPECT_EQ(m->ack().acked_seq(), journal.head_seq());
  }
  std::optional<v1::GetStoreSyncStateResponse> s = State(*b_, store);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->connected());
  EXPECT_EQ(s->store_seq_held(), journal.head_seq());
  EXPECT_EQ(s->quarantined(), 0);
  again.Finish();

  // A fresh Hello at B: central's head is the store's head, same hash.
  AgentStream check(SyncChannel(*b_));
  w = check.Hello(store, journal.head_seq(), journal.head_hash(), applied);
  ASSERT_TRUE(w) << check.Finish().error_message();
  EXPECT_EQ(w->store_seq_held(), journal.head_seq());
  EXPECT_EQ(w->store_hash_held(), journal.head_hash());
  EXPECT_FALSE(w->reseed());
  check.Finish();
  // Its stream ended: the lease is released, B says not connected.
  EXPECT_TRUE(WaitFor([&] {
    std::optional<v1::GetStoreSyncStateResponse> st = State(*b_, store);
    return st && !st->connected();
  }));
}

}  // namespace
}  // namespace storeagent::central::testing
