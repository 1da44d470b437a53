// Two storecentrald servers (in this process) over one PostgreSQL database:
// the fleet backend's "stateless replicas". Escrow grants decided by both at
// once for a store that is offline must never promise the same units twice.
// The database comes from STOREAGENT_TEST_PG_URL (scripts/test starts it);
// unset, the test FAILS unless STOREAGENT_TEST_NO_PG=1 asks to skip it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <thread>

#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

constexpr int kRounds = 12;
constexpr int64_t kEscrow = 5;
constexpr int64_t kAsk = 3;  // two asks of 3 never fit in 5

v1::HoldPlaced Hold(const std::string& order, const std::string& sku,
                    int64_t expires_at_us) {
  v1::HoldPlaced h;
  h.set_order_ref(order);
  h.set_channel("online");
  h.add_lines()->set_sku(sku);
  h.mutable_lines(0)->set_quantity(kAsk);
  h.set_expires_at_us(expires_at_us);
  return h;
}

TEST(CentralReplicasTest, EscrowIsNeverPromisedTwiceByTwoCentrals) {
  const char* no_pg = std::getenv("STOREAGENT_TEST_NO_PG");
  if (no_pg != nullptr && std::string(no_pg) == "1") {
    GTEST_SKIP() << "STOREAGENT_TEST_NO_PG=1: PostgreSQL tests skipped";
  }
  const char* url = std::getenv("STOREAGENT_TEST_PG_URL");
  ASSERT_TRUE(url != nullptr && *url != '\0')
      << "STOREAGENT_TEST_PG_URL is not set: run scripts/start-postgres "
         "(scripts/test does) or set STOREAGENT_TEST_NO_PG=1";
  CentralConfig config = CentralFixture::DefaultConfig();
  config.store_url = url;
  CentralFixture a;
  CentralFixture b;
  a.Start(config);
  b.Start(config);

  // One database, many runs: a store of its own.
  std::random_device rd;
  const std::string store = "replicas-" + std::to_string(::getpid()) + "-" +
                            std::to_string(rd() % 1000000);
  FakeJournal journal;
  for (int r = 0; r < kRounds; ++r) {
    const std::string sku = "SKU-" + std::to_string(r);
    journal.Movement(sku, 20);
    journal.Escrow(sku, kEscrow);
  }
  {
    AgentStream s(a.SyncChannel());
    ASSERT_TRUE(s.Hello(store, journal.head_seq(), journal.head_hash()))
        << s.Finish().error_message();
    ASSERT_TRUE(s.SendEvents(journal.entries()));
    std::optional<v1::SyncResponse> m = s.Read();
    ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
    ASSERT_EQ(m->ack().acked_seq(), journal.head_seq());
  }  // the store goes offline: holds are decided inside its escrow

  const int64_t expires = a.clock().NowMicros() + 3'600'000'000;
  int both = 0;
  int granted_total = 0;
  for (int r = 0; r < kRounds; ++r) {
    const std::string sku = "SKU-" + std::to_string(r);
    v1::CentralAdminServicePlaceHoldResponse replies[2];
    grpc::Status status[2];
    CentralFixture* centrals[2] = {&a, &b};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, i] {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
        v1::CentralAdminServicePlaceHoldRequest req;
        req.set_store_id(store);
        *req.mutable_hold() =
            Hold("order-" + std::to_string(r) + "-" + std::to_string(i), sku,
                 expires);
        req.set_timeout_ms(0);
        status[i] = centrals[i]->admin().PlaceHold(&ctx, req, &replies[i]);
      });
    }
    for (std::thread& t : threads) t.join();
    int granted = 0;
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(status[i].ok()) << status[i].error_message();
      if (replies[i].granted()) {
        ++granted;
        EXPECT_EQ(replies[i].granted_by(), "escrow");
      } else {
        EXPECT_NE(replies[i].reason().find("escrow"), std::string::npos)
            << replies[i].reason();
      }
    }
    if (granted == 2) ++both;
    granted_total += granted;
    EXPECT_EQ(granted, 1) << "round " << r << ": " << granted
                          << " of two holds of " << kAsk
                          << " granted inside an escrow of " << kEscrow;
  }
  EXPECT_EQ(both, 0);
  EXPECT_EQ(granted_total, kRounds);
}

}  // namespace
}  // namespace storeagent::central::testing
