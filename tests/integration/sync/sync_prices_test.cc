// Head office's price book end to end, on each central backend: a real
// storecentrald publishes price lists and promotions (PublishPriceList,
// PublishPromotion) while the store is offline; a real storeagentd gets each
// version once when it reconnects, answers GetPrices from it by the
// effective windows and its region, and checks the till's sales against it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>

#include "storeagent/v1/price.grpc.pb.h"
#include "tests/integration/sync/sync_env.h"
#include "tests/unit/core/price_samples.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

using std::chrono::seconds;

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class SyncPricesTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      std::string why;
      if (TestPostgresUrl(&why).empty()) {
        const char* no_pg = std::getenv("STOREAGENT_TEST_NO_PG");
        if (no_pg != nullptr && std::string(no_pg) == "1") {
          GTEST_SKIP() << "PostgreSQL left out: STOREAGENT_TEST_NO_PG=1";
        }
        FAIL() << why;
      }
    }
    SyncEnv::Options o;
    o.postgres = GetParam();
    env_ = std::make_unique<SyncEnv>(o);
    ASSERT_TRUE(env_->Init()) << env_->error();
    ASSERT_TRUE(env_->central().Start()) << env_->central().log_path();
    ASSERT_TRUE(env_->agent().Start()) << env_->agent().log_path();
    ASSERT_TRUE(
        WaitFor([&] { return env_->CentralState().connected(); }, seconds(30)))
        << env_->LogTails();
  }

  // PostgreSQL's central is one database shared by every test of the run:
  // ids and regions of this test's own (its store id is unique there), and
  // no all_stores scope, which would queue to every other test's store.
  std::string Own(const std::string& name) const {
    return name + "-" + env_->store_id();
  }
  v1::PriceScope Mine() const { return test::StoresScope({env_->store_id()}); }

  static std::chrono::system_clock::time_point Deadline() {
    return std::chrono::system_clock::now() + seconds(10);
  }

  v1::PublishPriceListResponse Publish(const v1::PriceList& list) {
    auto admin = env_->central().NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::PublishPriceListRequest req;
    *req.mutable_list() = list;
    v1::PublishPriceListResponse reply;
    const grpc::Status s = admin->PublishPriceList(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return reply;
  }

  v1::PublishPromotionResponse Publish(const v1::Promotion& promotion) {
    auto admin = env_->central().NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::PublishPromotionRequest req;
    *req.mutable_promotion() = promotion;
    v1::PublishPromotionResponse reply;
    const grpc::Status s = admin->PublishPromotion(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return reply;
  }

  void SetRegion(const std::string& region) {
    auto admin = env_->central().NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::SetStoreRegionRequest req;
    req.set_store_id(env_->store_id());
    req.set_region(region);
    v1::SetStoreRegionResponse reply;
    const grpc::Status s = admin->SetStoreRegion(&ctx, req, &reply);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The agent's answer for `skus` at `at_us` (empty response on error).
  v1::GetPricesResponse Prices(const std::vector<std::string>& skus,
                               int64_t at_us, bool member = false) {
    auto channel = grpc::CreateChannel("unix:" + env_->agent().socket_path(),
                                       grpc::InsecureChannelCredentials());
    auto stub = v1::PriceService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::GetPricesRequest req;
    for (const std::string& s : skus) req.add_skus(s);
    req.set_at_us(at_us);
    if (member) req.mutable_member()->set_card_number("6012345678");
    v1::GetPricesResponse reply;
    const grpc::Status s = stub->GetPrices(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return reply;
  }

  int64_t ShelfPrice(const std::string& sku, int64_t at_us) {
    const v1::GetPricesResponse r = Prices({sku}, at_us);
    if (r.prices_size() != 1 || !r.prices(0).found()) return -1;
    return r.prices(0).unit_price().minor_units();
  }

  // The ids of the agent's inbox rows (central events applied) of `kind`
  // ("price_list" or "promotion"), in central_seq order.
  std::vector<std::string> InboxIds(const std::string& kind) {
    std::vector<std::string> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(env_->agent().db_path().c_str(), &db,
                        SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return {"(no database)"};
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db,
                           "SELECT event FROM inbox WHERE kind = ?1 "
                           "ORDER BY central_seq",
                           -1, &st, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
      while (sqlite3_step(st) == SQLITE_ROW) {
        v1::CentralEvent e;
        e.ParseFromArray(sqlite3_column_blob(st, 0),
                         sqlite3_column_bytes(st, 0));
        out.push_back(e.has_price_list()
                          ? e.price_list().id() + " v" +
                                std::to_string(e.price_list().version())
                          : e.promotion().id() + " v" +
                                std::to_string(e.promotion().version()));
      }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  // The agent's meta value `key` ("" when absent), read from its file.
  std::string AgentMeta(const std::string& key) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(env_->agent().db_path().c_str(), &db,
                        SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 5000);
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1,
                             &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
          out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        }
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
  }

  // Rows of the agent's inbox (central events applied) of `kind`.
  int InboxRows(const std::string& kind) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(env_->agent().db_path().c_str(), &db,
                        SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    int n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM inbox WHERE kind = ?1", -1,
                           &st, nullptr) == SQLITE_OK) {
      sqlite3_bind_text(st, 1, kind.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }

  std::unique_ptr<SyncEnv> env_;
};

TEST_P(SyncPricesTest, PublishedOfflineArriveOnceApplyInTheirWindowAndCheck) {
  const std::string north = Own("north");
  SetRegion(north);
  // The store drops off; head office publishes meanwhile.
  ASSERT_EQ(env_->agent().Terminate(), 0);
  const int64_t now = NowUs();
  const int64_t hour = 3'600'000'000;
  // The region's everyday list (a store list would be more specific than
  // the Christmas one and always win), from always.
  const v1::PriceList fleet = test::MakeList(
      Own("fleet"), 1,
      {{"SKU-00000", 199}, {"SKU-00001", 299}, {"SKU-00002", 349}},
      test::RegionScope(north));
  // The region's Christmas price, from an hour ahead for a day.
  const v1::PriceList xmas =
      test::MakeList(Own("xmas"), 1, {{"SKU-00000", 149}},
                     test::RegionScope(north), now + hour, now + 25 * hour);
  // Another region's, which never reaches this store.
  const v1::PriceList south = test::MakeList(
      Own("south"), 1, {{"SKU-00000", 99}}, test::RegionScope(Own("south")));
  v1::Promotion members = test::PercentOff(Own("MEMBERS"), {"SKU-00001"}, 1000);
  *members.mutable_scope() = Mine();
  members.set_member_only(true);
  EXPECT_EQ(Publish(fleet).outcome(), "added");
  EXPECT_EQ(Publish(xmas).stores_queued(), 1u);
  EXPECT_EQ(Publish(south).stores_queued(), 0u);
  EXPECT_EQ(Publish(members).outcome(), "added");
  // A retry queues nothing.
  const v1::PublishPriceListResponse again = Publish(fleet);
  EXPECT_EQ(again.outcome(), "unchanged");
  EXPECT_EQ(again.stores_queued(), 0u);

  ASSERT_TRUE(env_->agent().Start());
  ASSERT_TRUE(
      WaitFor([&] { return Prices({"SKU-00000"}, 0).book_central_seq() >= 3; },
              seconds(60)))
      << env_->LogTails();
  // Each version once.
  EXPECT_EQ(InboxRows("price_list"), 2)
      << ::testing::PrintToString(InboxIds("price_list"));
  EXPECT_EQ(InboxRows("promotion"), 1);

  // By the windows: the fleet's price now, the region's from its start to
  // its end (exclusive), then the fleet's again.
  EXPECT_EQ(ShelfPrice("SKU-00000", now), 199);
  EXPECT_EQ(ShelfPrice("SKU-00000", now + hour), 149)
      << "the agent's region: '" << AgentMeta("store_region") << "'\n"
      << env_->LogTails();
  EXPECT_EQ(ShelfPrice("SKU-00000", now + 25 * hour - 1), 149);
  EXPECT_EQ(ShelfPrice("SKU-00000", now + 25 * hour), 199);
  // The member-only promotion only for a member.
  EXPECT_EQ(Prices({"SKU-00001"}, now).prices(0).promotions_size(), 0);
  const v1::GetPricesResponse m = Prices({"SKU-00001"}, now, /*member=*/true);
  ASSERT_EQ(m.prices(0).promotions_size(), 1);
  EXPECT_EQ(m.prices(0).promotions(0).id(), Own("MEMBERS"));
  EXPECT_GT(m.synced_at_us(), 0);

  // A sale charged off the book is recorded with its deviation.
  v1::RecordTransactionRequest req;
  req.mutable_client_key()->set_terminal_id("till-1");
  req.mutable_client_key()->set_client_txn_id("sale-1");
  *req.mutable_transaction() = test::SampleSale(3);  // 399 for SKU-00002
  auto pos = env_->agent().NewStub();
  v1::RecordTransactionResponse rec;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    ASSERT_TRUE(pos->RecordTransaction(&ctx, req, &rec).ok());
  }
  v1::GetEventRequest get;
  get.set_seq(rec.seq());
  v1::GetEventResponse entry;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    ASSERT_TRUE(pos->GetEvent(&ctx, get, &entry).ok());
  }
  const v1::Sale& sale = entry.record().transaction().sale();
  EXPECT_GE(sale.price_book_central_seq(), 3u);
  ASSERT_TRUE(sale.lines(2).has_price_deviation());
  EXPECT_EQ(sale.lines(2).price_deviation().expected_unit_price(), 349);
  // Central takes the checked sale like any other (nothing quarantined).
  ASSERT_TRUE(WaitFor(
      [&] {
        const v1::GetStoreSyncStateResponse s = env_->CentralState();
        return s.store_seq_held() >= rec.seq();
      },
      seconds(60)))
      << env_->LogTails();
  EXPECT_EQ(env_->CentralState().quarantined(), 0);
  // Head office lists the deviation and counts the lines checked.
  {
    auto admin = env_->central().NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::ListPriceDeviationsRequest ask;
    ask.set_store_id(env_->store_id());
    v1::ListPriceDeviationsResponse list;
    const grpc::Status s = admin->ListPriceDeviations(&ctx, ask, &list);
    ASSERT_TRUE(s.ok()) << s.error_message();
    // Line 2 charged 399 for 349; line 1's 50 off matches no promotion in
    // force without a member (MEMBERS is member-only): both deviate.
    EXPECT_EQ(list.lines_checked(), 3);
    EXPECT_EQ(list.lines_deviating(), 2);
    ASSERT_EQ(list.deviations_size(), 2);
    std::map<uint32_t, v1::PriceDeviationEntry> by_line;
    for (const v1::PriceDeviationEntry& d : list.deviations()) {
      EXPECT_EQ(d.seq(), rec.seq());
      by_line[d.line()] = d;
    }
    ASSERT_EQ(by_line.count(2), 1u);
    EXPECT_EQ(by_line[2].sku(), "SKU-00002");
    EXPECT_EQ(by_line[2].deviation().kind(),
              v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
    EXPECT_EQ(by_line[2].deviation().difference(), 150);
    ASSERT_EQ(by_line.count(1), 1u);
    EXPECT_EQ(by_line[1].deviation().kind(),
              v1::PRICE_DEVIATION_KIND_NET_AMOUNT);
    EXPECT_EQ(by_line[1].deviation().difference(), -50);
  }

  // A later version replaces the list at the store.
  v1::PriceList fleet2 = test::MakeList(
      Own("fleet"), 2,
      {{"SKU-00000", 189}, {"SKU-00001", 299}, {"SKU-00002", 399}},
      test::RegionScope(north));
  EXPECT_EQ(Publish(fleet2).outcome(), "replaced");
  ASSERT_TRUE(
      WaitFor([&] { return ShelfPrice("SKU-00000", now) == 189; }, seconds(60)))
      << env_->LogTails();
}

TEST_P(SyncPricesTest, ANewRegionBringsItsListsAtTheNextHello) {
  const std::string region = Own("north");
  const v1::PriceList north = test::MakeList(
      Own("north"), 1, {{"SKU-00000", 149}}, test::RegionScope(region));
  EXPECT_EQ(Publish(north).stores_queued(), 0u);  // not in the region yet
  SetRegion(region);
  // The region reaches the agent with the next Welcome.
  ASSERT_EQ(env_->agent().Terminate(), 0);
  ASSERT_TRUE(env_->agent().Start());
  ASSERT_TRUE(
      WaitFor([&] { return ShelfPrice("SKU-00000", 0) == 149; }, seconds(60)))
      << env_->LogTails();
  EXPECT_EQ(InboxRows("price_list"), 1)
      << ::testing::PrintToString(InboxIds("price_list"));
}

// The store's disk dies: the re-seeded store gets its journal back from
// central, and with it its own catalog (a local import is journaled), and
// its price book with central's events, read again from the start (the
// version rule takes them in order).
TEST_P(SyncPricesTest, AReseededStoreGetsItsPriceBookAndCatalogBack) {
  ASSERT_EQ(
      Publish(test::MakeList(Own("fleet"), 1, {{"SKU-00000", 199}}, Mine()))
          .outcome(),
      "added");
  ASSERT_EQ(
      Publish(test::MakeList(Own("fleet"), 2, {{"SKU-00000", 189}}, Mine()))
          .outcome(),
      "replaced");
  v1::Promotion promo = test::PercentOff(Own("TEN"), {"SKU-00000"}, 1000);
  *promo.mutable_scope() = Mine();
  ASSERT_EQ(Publish(promo).outcome(), "added");
  ASSERT_TRUE(
      WaitFor([&] { return ShelfPrice("SKU-00000", 0) == 189; }, seconds(60)))
      << env_->LogTails();
  // The store's own catalog, imported locally (journaled with it).
  {
    auto stub = env_->AgentAvailabilityStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::ImportCatalogResponse reply;
    auto writer = stub->ImportCatalog(&ctx, &reply);
    v1::ImportCatalogRequest chunk;
    chunk.set_first_row(1);
    for (const char* sku : {"LOCAL-1", "LOCAL-2", "LOCAL-3"}) {
      v1::Product* p = chunk.add_products();
      p->set_sku(sku);
      p->set_name(std::string("Local ") + sku);
    }
    ASSERT_TRUE(writer->Write(chunk));
    writer->WritesDone();
    const grpc::Status s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(reply.products(), 3);
  }
  // Central holds the import before the disk dies.
  const uint64_t head = env_->AgentHead();
  ASSERT_TRUE(
      WaitFor([&] { return env_->CentralState().store_seq_held() == head; },
              seconds(60)))
      << env_->LogTails();

  env_->agent().Kill9();
  std::filesystem::remove_all(env_->dir() + "/agent/data");
  ASSERT_TRUE(env_->agent().Start());
  ASSERT_TRUE(WaitFor(
      [&] {
        const v1::GetPricesResponse r = Prices({"SKU-00000"}, 0);
        return r.prices_size() == 1 && r.prices(0).found() &&
               r.prices(0).promotions_size() == 1;
      },
      seconds(60)))
      << env_->LogTails();
  const v1::GetPricesResponse r = Prices({"SKU-00000"}, 0);
  EXPECT_EQ(r.prices(0).unit_price().minor_units(), 189);
  EXPECT_EQ(r.prices(0).price_list_version(), 2u);
  EXPECT_EQ(r.book_central_seq(), 3u);
  // And its own catalog with its journal.
  ASSERT_TRUE(WaitFor([&] { return env_->AgentHead() == head; }, seconds(60)))
      << env_->LogTails();
  for (const char* sku : {"LOCAL-1", "LOCAL-2", "LOCAL-3"}) {
    EXPECT_TRUE(env_->AgentAvailability(sku).in_catalog()) << sku;
  }
}

// Head office's catalog and its informational price reach the store
// (CentralEvent catalog and prices, pushed per store): the product is in the
// store's catalog with the price, and is head office's.
TEST_P(SyncPricesTest, ACatalogUpdateAndAPriceChangeReachTheStore) {
  auto admin = env_->central().NewAdminStub();
  auto push = [&](const std::string& key, v1::CentralEvent event) {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::PushCentralEventRequest req;
    req.set_store_id(env_->store_id());
    req.set_request_key(key);
    *req.mutable_event() = std::move(event);
    v1::PushCentralEventResponse reply;
    const grpc::Status s = admin->PushCentralEvent(&ctx, req, &reply);
    EXPECT_TRUE(s.ok()) << s.error_message();
  };
  v1::CentralEvent catalog;
  v1::Product* p = catalog.mutable_catalog()->add_products();
  p->set_sku("HQ-1");
  p->set_name("Head office kettle");
  p->mutable_price()->set_minor_units(3499);
  p->mutable_price()->set_currency("EUR");
  push("cat-1", catalog);
  v1::CentralEvent price;
  v1::PriceLine* line = price.mutable_prices()->add_lines();
  line->set_sku("HQ-1");
  line->mutable_price()->set_minor_units(2999);
  line->mutable_price()->set_currency("EUR");
  push("price-1", price);
  auto stub = env_->AgentAvailabilityStub();
  v1::SearchProductsResponse found;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext ctx;
        ctx.set_deadline(Deadline());
        v1::SearchProductsRequest req;
        req.set_query("HQ-1");
        return stub->SearchProducts(&ctx, req, &found).ok() &&
               found.products_size() == 1 &&
               found.products(0).product().price().minor_units() == 2999;
      },
      seconds(60)))
      << env_->LogTails();
  EXPECT_EQ(found.products(0).product().name(), "Head office kettle");
  EXPECT_TRUE(found.products(0).availability().in_catalog());
  // It is head office's: the store's own import may not name it.
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline());
  v1::ImportCatalogResponse reply;
  auto writer = stub->ImportCatalog(&ctx, &reply);
  v1::ImportCatalogRequest chunk;
  chunk.set_first_row(2);
  v1::Product* mine = chunk.add_products();
  mine->set_sku("HQ-1");
  mine->set_name("The store's kettle");
  ASSERT_TRUE(writer->Write(chunk));
  writer->WritesDone();
  const grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find("row 2 (sku HQ-1): sku: head office owns"),
            std::string::npos)
      << s.error_message();
}

// A day of sales at a till with deliberate deviations: the book prices line
// 2 of the sample sale (SKU-00002) at 349 where the till charges 399, and
// everything else as charged (line 1's 50 off is the book's 25 off each of
// its two units). Every sale is recorded; head office's deviation list
// holds exactly the lines injected, with each sale's reason code, and its
// lines_checked and the store's price_deviation_rate KPI count exactly the
// lines sold.
TEST_P(SyncPricesTest, ADayOfDeliberateDeviationsIsListedAndCountedAsInjected) {
  const v1::PriceList book = test::MakeList(Own("day"), 1,
                                            {{"SKU-00000", 199},
                                             {"SKU-00001", 299},
                                             {"SKU-00002", 349},
                                             {"SKU-00003", 499}},
                                            Mine());
  v1::Promotion spring = test::AmountOff(Own("SPRING"), {"SKU-00001"}, 25);
  *spring.mutable_scope() = Mine();
  EXPECT_EQ(Publish(book).stores_queued(), 1u);
  EXPECT_EQ(Publish(spring).stores_queued(), 1u);
  ASSERT_TRUE(
      WaitFor([&] { return Prices({"SKU-00000"}, 0).book_central_seq() >= 2; },
              seconds(60)))
      << env_->LogTails();

  const v1::PriceReason kReasons[] = {
      v1::PRICE_REASON_MANUAL_OVERRIDE, v1::PRICE_REASON_PRICE_MATCH,
      v1::PRICE_REASON_DAMAGED_GOODS, v1::PRICE_REASON_UNSPECIFIED};
  constexpr int kSales = 24;
  auto pos = env_->agent().NewStub();
  int64_t lines_sold = 0;
  // Injected: store seq of the sale -> the reason its line 2 was keyed with.
  std::map<uint64_t, v1::PriceReason> injected;
  uint64_t last_seq = 0;
  for (int i = 0; i < kSales; ++i) {
    const int lines = 1 + i % 4;  // 1..4 lines; from 3 on, SKU-00002
    v1::RecordTransactionRequest req;
    req.mutable_client_key()->set_terminal_id("till-1");
    req.mutable_client_key()->set_client_txn_id("day-" + std::to_string(i));
    *req.mutable_transaction() = test::SampleSale(lines);
    v1::Sale* sale = req.mutable_transaction()->mutable_sale();
    sale->set_receipt_number("R-DAY-" + std::to_string(i));
    const v1::PriceReason reason = kReasons[i % 4];
    if (lines >= 3) sale->mutable_lines(2)->set_price_reason(reason);
    v1::RecordTransactionResponse rec;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    const grpc::Status s = pos->RecordTransaction(&ctx, req, &rec);
    ASSERT_TRUE(s.ok()) << "sale " << i << " refused: " << s.error_message();
    lines_sold += lines;
    if (lines >= 3) injected[rec.seq()] = reason;
    last_seq = rec.seq();
  }
  ASSERT_TRUE(
      WaitFor([&] { return env_->CentralState().store_seq_held() >= last_seq; },
              seconds(60)))
      << env_->LogTails();
  EXPECT_EQ(env_->CentralState().quarantined(), 0);

  auto admin = env_->central().NewAdminStub();
  v1::ListPriceDeviationsResponse list;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::ListPriceDeviationsRequest ask;
    ask.set_store_id(env_->store_id());
    const grpc::Status s = admin->ListPriceDeviations(&ctx, ask, &list);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(list.lines_checked(), lines_sold);
  EXPECT_EQ(list.lines_deviating(), static_cast<int64_t>(injected.size()));
  std::map<uint64_t, v1::PriceReason> listed;
  for (const v1::PriceDeviationEntry& d : list.deviations()) {
    EXPECT_EQ(d.line(), 2u) << "seq " << d.seq();
    EXPECT_EQ(d.sku(), "SKU-00002") << "seq " << d.seq();
    EXPECT_EQ(d.deviation().kind(), v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
    EXPECT_EQ(d.deviation().expected_unit_price(), 349);
    EXPECT_EQ(d.deviation().charged_unit_price(), 399);
    EXPECT_EQ(d.deviation().price_list_id(), Own("day"));
    listed[d.seq()] = d.deviation().reason();
  }
  EXPECT_EQ(listed, injected);

  v1::GetKpiReportResponse report;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    v1::GetKpiReportRequest req;
    req.set_store_id(env_->store_id());
    const grpc::Status s = admin->GetKpiReport(&ctx, req, &report);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  const v1::Kpi* rate = nullptr;
  for (const v1::Kpi& k : report.kpis()) {
    if (k.name() == "price_deviation_rate") rate = &k;
  }
  ASSERT_NE(rate, nullptr) << report.DebugString();
  ASSERT_TRUE(rate->span().present()) << rate->DebugString();
  EXPECT_EQ(rate->span().numerator(), static_cast<int64_t>(injected.size()));
  EXPECT_EQ(rate->span().denominator(), lines_sold);
  EXPECT_DOUBLE_EQ(rate->span().value(), static_cast<double>(injected.size()) /
                                             static_cast<double>(lines_sold));
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncPricesTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "postgres" : "sqlite";
                         });

}  // namespace
}  // namespace storeagent::testing
