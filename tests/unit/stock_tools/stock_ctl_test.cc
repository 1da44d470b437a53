// The real storeagentctl against the real storeagentd: catalog import (and a
// bad file refused with its line, the catalog unchanged), stock adjust,
// count and show, holds list / pick / collect, and stock rebuild --verify.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "storeagent/v1/availability.grpc.pb.h"
#include "tests/support/agent_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"

namespace storeagent {
namespace {

using testing::AgentProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

using testing::RunProgram;
using testing::RunResult;

using testing::ReadText;

// The line of `text` that contains `needle`, or "".
std::string LineWith(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

// Whitespace-separated words of `line`.
std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

class StockCtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(agent_.Start()) << ReadText(agent_.log_path());
    stub_ = v1::AvailabilityService::NewStub(agent_.Channel());
  }

  RunResult Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), {AgentProcess::BinDir() + "/storeagentctl",
                               "--config", agent_.config_path()});
    return RunProgram(args);
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  // True when `sku` is in the agent's catalog.
  bool InCatalog(const std::string& sku) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::GetAvailabilityRequest req;
    req.add_skus(sku);
    v1::GetAvailabilityResponse reply;
    const grpc::Status s = stub_->GetAvailability(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok() && reply.items_size() == 1 && reply.items(0).in_catalog();
  }

  void PlaceHold(const std::string& ref, const std::string& sku, int64_t qty) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::PlaceHoldRequest req;
    req.mutable_client_key()->set_terminal_id("web");
    req.mutable_client_key()->set_client_txn_id("place-" + ref);
    v1::HoldPlaced* h = req.mutable_hold();
    h->set_order_ref(ref);
    h->set_channel("online");
    h->set_expires_at_us(
        std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now().time_since_epoch() +
            std::chrono::hours(2))
            .count());
    v1::HoldLine* l = h->add_lines();
    l->set_sku(sku);
    l->set_quantity(qty);
    v1::PlaceHoldResponse reply;
    const grpc::Status s = stub_->PlaceHold(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_TRUE(reply.granted());
  }

  // on_hand .. available of `sku` as `stock show` prints them.
  std::vector<std::string> ShowFigures(const std::string& sku) {
    RunResult r = Ctl({"stock", "show", sku});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("as of seq"));
    return Words(LineWith(r.out, sku + " "));
  }

  TempDir dir_;
  AgentProcess agent_{dir_.path()};
  std::unique_ptr<v1::AvailabilityService::Stub> stub_;
};

constexpr char kCatalog[] =
    "sku,name,gtins,department,price_minor,currency,safety_stock,unit\n"
    "A-1,\"Apples, red\",4006381333931|96385074,Fruit,129,EUR,2,each\n"
    "B-2,Bread,,Bakery,250,EUR,0,each\n"
    "C-3,Cheese,012345678905,Dairy,,,,milli\n";

TEST_F(StockCtlTest, CatalogImportAndABadFileNamingItsLine) {
  RunResult r = Ctl({"catalog", "import", WriteFile("cat.csv", kCatalog)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 3 products, 3 gtins"));
  EXPECT_TRUE(InCatalog("A-1"));
  EXPECT_TRUE(InCatalog("C-3"));

  // Line 4 has a price that is not a whole number.
  r = Ctl({"catalog", "import",
           WriteFile("bad.csv",
                     "sku,name,price_minor,currency\n"
                     "N-1,New one,100,EUR\n"
                     "N-2,New two,100,EUR\n"
                     "N-3,New three,1.00,EUR\n")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("line 4"));
  EXPECT_THAT(r.err, HasSubstr("price_minor"));
  EXPECT_THAT(r.out, Not(HasSubstr("imported")));
  // Unchanged: the old catalog is there, nothing of the bad file.
  EXPECT_TRUE(InCatalog("A-1"));
  EXPECT_FALSE(InCatalog("N-1"));

  // A check of the whole catalog: a duplicate SKU further down.
  r = Ctl({"catalog", "import", WriteFile("dup.json", R"({"products": [
             {"sku": "N-1", "name": "New"}, {"sku": "N-1", "name": "Again"}]})")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("products[1] (sku N-1): sku: duplicate"));
  EXPECT_FALSE(InCatalog("N-1"));
  EXPECT_TRUE(InCatalog("B-2"));

  // JSON with --format on a file without the extension.
  r = Ctl({"catalog", "import", "--format", "json",
           WriteFile("cat.txt", R"([{"sku": "J-1", "name": "Jam"}])")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 1 products, 0 gtins"));
  EXPECT_TRUE(InCatalog("J-1"));
  EXPECT_FALSE(InCatalog("A-1"));  // replaced, all of it
}

TEST_F(StockCtlTest, StockAdjustCountAndShow) {
  ASSERT_EQ(
      Ctl({"catalog", "import", WriteFile("cat.csv", kCatalog)}).exit_code, 0);
  RunResult r = Ctl({"stock", "adjust", "A-1", "10", "--reason", "receipt",
                     "--note", "delivery 77"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("recorded at seq"));
  EXPECT_THAT(r.out, HasSubstr("terminal ctl"));
  // The key to retry with is printed; retrying with it counts once.
  const std::vector<std::string> retry = Words(LineWith(r.out, "--key"));
  ASSERT_FALSE(retry.empty()) << r.out;
  r = Ctl({"stock", "adjust", "A-1", "10", "--reason", "receipt", "--note",
           "delivery 77", "--key", retry.back()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("already recorded"));

  // Shrink of 3: a positive QTY counts units out.
  r = Ctl({"stock", "adjust", "A-1", "3", "--reason", "shrink"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // on_hand held unavailable safety_stock available
  EXPECT_THAT(ShowFigures("A-1"),
              ::testing::ElementsAre("A-1", "7", "0", "0", "2", "5"));

  r = Ctl({"stock", "adjust", "A-1", "-1", "--reason", "correction"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Ctl({"stock", "adjust", "A-1", "2", "--reason", "quality-hold"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(ShowFigures("A-1"),
              ::testing::ElementsAre("A-1", "6", "0", "2", "2", "2"));

  r = Ctl({"stock", "count", "B-2", "4"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(ShowFigures("B-2"),
              ::testing::ElementsAre("B-2", "4", "0", "0", "0", "4"));

  // Sold more than there was: flagged, and a SKU not in the catalog.
  r = Ctl({"stock", "adjust", "Z-9", "5", "--reason", "transfer-out"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::vector<std::string> z = ShowFigures("Z-9");
  EXPECT_THAT(z, ::testing::ElementsAre("Z-9", "-5", "0", "0", "0", "0",
                                        "NEGATIVE", "not-in-catalog"));

  // Refused input: exit 1 with the field named.
  r = Ctl({"stock", "adjust", "A-1", "-5", "--reason", "receipt"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("QTY"));
  // A reason the command does not know is a usage error: exit 2.
  r = Ctl({"stock", "adjust", "A-1", "5", "--reason", "theft"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("reason"));
  r = Ctl({"stock", "count", "A-1", "-2"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("count.lines[0].counted"));

  r = Ctl({"stock", "adjust", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--reason"));
  EXPECT_THAT(r.out, HasSubstr("--key"));
}

TEST_F(StockCtlTest, HoldsListPickCollectAndRebuildVerify) {
  ASSERT_EQ(
      Ctl({"stock", "adjust", "A-1", "10", "--reason", "receipt"}).exit_code,
      0);
  PlaceHold("ORD-1", "A-1", 3);
  PlaceHold("ORD-2", "A-1", 1);

  RunResult r = Ctl({"holds", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(LineWith(r.out, "ORD-1"), HasSubstr("HELD"));
  EXPECT_THAT(LineWith(r.out, "ORD-2"), HasSubstr("HELD"));
  EXPECT_THAT(r.out, HasSubstr("2 open holds"));

  r = Ctl({"holds", "pick", "ORD-1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("PICKED"));
  r = Ctl({"holds", "pick", "ORD-1"});  // the same key again: a retry
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("retry"));
  r = Ctl({"holds", "collect", "ORD-1"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("COLLECTED"));
  r = Ctl({"holds", "collect", "ORD-2"});  // not picked yet
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("FAILED_PRECONDITION"));
  r = Ctl({"holds", "cancel", "ORD-2", "--reason", "customer called"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Ctl({"holds", "show", "ORD-404"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));

  r = Ctl({"holds", "list", "--state", "collected"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(LineWith(r.out, "ORD-1"), HasSubstr("COLLECTED"));
  EXPECT_EQ(LineWith(r.out, "ORD-2"), "");
  EXPECT_THAT(
      ShowFigures("A-1"),
      ::testing::ElementsAre("A-1", "7", "0", "0", "0", "7", "not-in-catalog"));

  // Verified next to the running agent, through the config file.
  r = Ctl({"stock", "rebuild", "--verify"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok: 1 SKUs, 2 holds agree with the journal"));

  // Tampered with the agent stopped: exit 3 naming the SKU.
  stub_.reset();
  ASSERT_EQ(agent_.Terminate(), 0) << ReadText(agent_.log_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(agent_.db_path().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE stock SET on_hand = 9 WHERE sku = 'A-1'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  r = RunProgram({AgentProcess::BinDir() + "/storeagentctl", "stock", "rebuild",
                  "--verify", "--db", agent_.db_path()});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("sku A-1: on_hand: table 9, journal 7"));
}

}  // namespace
}  // namespace storeagent
