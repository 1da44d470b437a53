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
#include <memory>
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
                      Done<v1::SearchProductsResponse> done) override {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = std::move(done);
    cv_.notify_all();
  }

  // Waits (bounded) for a search to be handed over and takes it.
  Done<v1::SearchProductsResponse> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10),
                 [this] { return static_cast<bool>(held_); });
    return std::move(held_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Done<v1::SearchProductsResponse> held_;
};

// The agent, and a staff HTTP server of its own on HandOffOps with one
// staff lookup handed off and held (`done_`).
class HttpStopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.Start().ok());
    ops_ = std::make_unique<HandOffOps>(env_.agent().database(), env_.clock());
    AgentConfig config = env_.config();
    config.http_listen = "127.0.0.1:0";
    Result<std::unique_ptr<StaffHttpServer>> started =
        StaffHttpServer::Start(config, *ops_, env_.clock());
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
    const int port = server_->port();
    client_ = std::thread([port] {
      HttpClient c(port);
      c.Send("GET", "/api/v1/products?q=milk", "", Auth(kStaffToken));
    });
    done_ = ops_->Take();
    ASSERT_TRUE(done_) << "the search never reached StockOps";
  }

  void TearDown() override {
    if (client_.joinable()) client_.join();
    env_.Stop();
  }

  StaffEnv env_;
  std::unique_ptr<HandOffOps> ops_;
  std::unique_ptr<StaffHttpServer> server_;
  std::thread client_;
  StockOps::Done<v1::SearchProductsResponse> done_;
};

TEST_F(HttpStopTest, StopWaitsUntilHandedOffReplyIsDestroyed) {
  // Stop (and destroy) the server while the read is still out...
  std::promise<void> stopped;
  std::future<void> stop_returned = stopped.get_future();
  std::thread stopper([this, &stopped] {
    server_.reset();
    stopped.set_value();
  });
  // ...then the read finishes and answers, as a read-pool thread would,
  // but still holds the callback for a while afterwards.
  done_(v1::SearchProductsResponse());
  const bool returned_while_held =
      stop_returned.wait_for(std::chrono::seconds(2)) ==
      std::future_status::ready;
  // The storage thread lets go of the callback. Before the fix the server
  // and its io_context were already destroyed here (ASan: use after free).
  done_ = nullptr;
  stopper.join();
  EXPECT_FALSE(returned_while_held)
      << "Stop() returned while a reply callback handed to another thread "
         "still held the connection and its strand executor";
}

// A callback dropped without ever being called (a storage thread that was
// stopped) lets Stop() finish.
TEST_F(HttpStopTest, DroppedUncalledReplyLetsStopFinish) {
  std::thread stopper([this] { server_.reset(); });
  done_ = nullptr;  // never called
  stopper.join();
}

}  // namespace
}  // namespace storeagent::agent::test
