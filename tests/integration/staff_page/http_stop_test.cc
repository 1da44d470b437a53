// The staff HTTP server stopping while a call it handed to a storage thread
// is still there (docs/architecture.md, "Threads": who owns a hand-off).
//
// The reply callback a connection hands to StockOps holds the session and
// a strand executor of the server's io_context. A storage thread may drop
// its last copy of the callback after it has run; if the server's Stop()
// returned when the reply ran, the io_context could be gone by then and
// dropping the callback would touch freed memory (seen under ASan as a
// heap-use-after-free in ~strand_impl on a read-pool thread). Stop() must
// wait until every handed-off callback is destroyed.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "agent/http/staff_http_server.h"
#include "agent/stock_ops.h"
#include "tests/integration/staff_page/staff_test_env.h"

namespace storeagent::agent::test {
namespace {

// Holds SearchProducts' `done` where a read-pool thread would, so the test
// decides when it is called and when it is dropped.
class HandOffOps : public StockOps {
 public:
  using StockOps::StockOps;

  void SearchProducts(const v1::SearchProductsRequest&,
                      Done<v1::SearchProductsReply> done) override {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = std::move(done);
    cv_.notify_all();
  }

  // Waits (bounded) for a search to be handed over and takes it.
  Done<v1::SearchProductsReply> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10),
                 [this] { return static_cast<bool>(held_); });
    return std::move(held_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Done<v1::SearchProductsReply> held_;
};

TEST(HttpStopTest, StopWaitsUntilHandedOffReplyIsDestroyed) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  HandOffOps ops(env.agent().database(), env.clock());
  AgentConfig config = env.config();
  config.http_listen = "127.0.0.1:0";
  Result<std::unique_ptr<StaffHttpServer>> started =
      StaffHttpServer::Start(config, ops, env.clock());
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  std::unique_ptr<StaffHttpServer> server = std::move(started).value();

  // A staff lookup; its read is now "blocked in the pool".
  const int port = server->port();
  std::thread client([port] {
    HttpClient c(port);
    c.Send("GET", "/api/v1/products?q=milk", "", Auth(kStaffToken));
  });
  StockOps::Done<v1::SearchProductsReply> done = ops.Take();
  ASSERT_TRUE(done) << "the search never reached StockOps";

  // Stop (and destroy) the server while the read is still out...
  std::promise<void> stopped;
  std::future<void> stop_returned = stopped.get_future();
  std::thread stopper([&server, &stopped] {
    server.reset();
    stopped.set_value();
  });
  // ...then the read finishes and answers, as a read-pool thread would,
  // but still holds the callback for a while afterwards.
  done(v1::SearchProductsReply());
  const bool returned_while_held =
      stop_returned.wait_for(std::chrono::seconds(2)) ==
      std::future_status::ready;
  // The storage thread lets go of the callback. Before the fix the server
  // and its io_context were already destroyed here (ASan: use after free).
  done = nullptr;
  stopper.join();
  client.join();
  EXPECT_FALSE(returned_while_held)
      << "Stop() returned while a reply callback handed to another thread "
         "still held the connection and its strand executor";
  env.Stop();
}

// Stop() with nothing handed off, and a callback dropped without ever
// being called (a storage thread that was stopped): neither hangs.
TEST(HttpStopTest, DroppedUncalledReplyLetsStopFinish) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  HandOffOps ops(env.agent().database(), env.clock());
  AgentConfig config = env.config();
  config.http_listen = "127.0.0.1:0";
  Result<std::unique_ptr<StaffHttpServer>> started =
      StaffHttpServer::Start(config, ops, env.clock());
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  std::unique_ptr<StaffHttpServer> server = std::move(started).value();
  const int port = server->port();
  std::thread client([port] {
    HttpClient c(port);
    c.Send("GET", "/api/v1/products?q=milk", "", Auth(kStaffToken));
  });
  StockOps::Done<v1::SearchProductsReply> done = ops.Take();
  ASSERT_TRUE(done);
  std::thread stopper([&server] { server.reset(); });
  done = nullptr;  // never called
  stopper.join();
  client.join();
  env.Stop();
}

}  // namespace
}  // namespace storeagent::agent::test
