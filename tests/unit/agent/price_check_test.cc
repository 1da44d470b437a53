// The price check of every sale at record time (agent/recorder.h,
// CheckPrices): through the Recorder over a real agent database whose price
// book came in as central events, the way a store gets it. A sale that
// agrees with the book carries only the book's version; a line charged
// otherwise carries its deviation with the POS's reason; the sale is never
// refused; a store without a book checks nothing; a retry after the book
// moved is still the same sale.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <utility>

#include "agent/price_book_holder.h"
#include "agent/recorder.h"
#include "storage/agent_database.h"
#include "storage/journal_store.h"
#include "storage/sync_store.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/price_samples.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::agent {
namespace {

// 2026-03-14 12:00 UTC: the sales' moment.
constexpr int64_t kNoonUs = 1'773'489'600'000'000;

class PriceCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(kNoonUs);
    storage::DatabaseOptions o;
    o.path = dir_.File("agent.db");
    o.store_id = "s1";
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, clock_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    prices_ = std::make_unique<PriceBookHolder>("s1", "EUR");
    ASSERT_TRUE(prices_->Reload(*db_).ok());
    RecorderOptions ro;
    ro.prices = prices_.get();
    ro.clock = &clock_;
    recorder_ = std::make_unique<Recorder>(*db_, ro);
  }

  // Central's events, applied as the sync stream does, then the holder
  // reloaded as the daemon does after such a batch.
  void Push(std::vector<v1::CentralEvent> events) {
    v1::CentralBatch b;
    for (v1::CentralEvent& e : events) {
      e.set_central_seq(++central_seq_);
      *b.add_events() = std::move(e);
    }
    ASSERT_TRUE(db_->writer()
                    .Run([&](storage::WriteContext& ctx) {
                      return storage::SyncStore::ApplyCentralBatch(
                                 ctx, db_->journal(), b, nullptr, kNoonUs)
                          .status();
                    })
                    .ok());
    ASSERT_TRUE(prices_->Reload(*db_).ok());
  }
  static v1::CentralEvent ListEvent(const v1::PriceList& list) {
    v1::CentralEvent e;
    *e.mutable_price_list() = list;
    return e;
  }
  static v1::CentralEvent PromotionEvent(const v1::Promotion& p) {
    v1::CentralEvent e;
    *e.mutable_promotion() = p;
    return e;
  }

  // The book for SampleSale(3): SKU-00000 at 199 as charged; SKU-00001 at
  // 299 with 25 off each unit (the sale's 50 off its 2 units); SKU-00002 at
  // 349 where the till charges 399 for each of 3.
  void PushBook() {
    Push({ListEvent(test::MakeList(
              "fleet", 1,
              {{"SKU-00000", 199}, {"SKU-00001", 299}, {"SKU-00002", 349}})),
          PromotionEvent(test::AmountOff("SPRING", {"SKU-00001"}, 25))});
  }

  Result<v1::RecordTransactionResponse> Record(const std::string& txn_id,
                                               const v1::Transaction& txn) {
    v1::RecordTransactionRequest req;
    req.mutable_client_key()->set_terminal_id("T1");
    req.mutable_client_key()->set_client_txn_id(txn_id);
    *req.mutable_transaction() = txn;
    std::promise<Result<v1::RecordTransactionResponse>> p;
    recorder_->RecordTransaction(req,
                                 [&p](Result<v1::RecordTransactionResponse> r) {
                                   p.set_value(std::move(r));
                                 });
    return p.get_future().get();
  }

  v1::Sale Journaled(uint64_t seq) {
    std::optional<v1::JournalEntry> out;
    EXPECT_TRUE(db_->writer()
                    .Run([&](storage::WriteContext& ctx) {
                      Result<std::optional<v1::JournalEntry>> e =
                          storage::JournalStore::ReadBySeq(ctx.db(), seq);
                      if (!e.ok()) return e.status();
                      out = std::move(*e);
                      return Status::Ok();
                    })
                    .ok());
    EXPECT_TRUE(out.has_value()) << seq;
    return out ? out->record().transaction().sale() : v1::Sale();
  }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  std::unique_ptr<PriceBookHolder> prices_;
  std::unique_ptr<Recorder> recorder_;
  uint64_t central_seq_ = 0;
};

TEST_F(PriceCheckTest, WithoutABookNothingIsChecked) {
  Result<v1::RecordTransactionResponse> r = Record("t1", test::SampleSale(3));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const v1::Sale s = Journaled(r->seq());
  EXPECT_EQ(s.price_book_central_seq(), 0u);
  for (const v1::TransactionLine& l : s.lines()) {
    EXPECT_FALSE(l.has_price_deviation()) << l.sku();
  }
}

TEST_F(PriceCheckTest, ALineChargedOtherwiseCarriesItsDeviationAndSells) {
  PushBook();
  v1::Transaction txn = test::SampleSale(3);
  txn.mutable_sale()->mutable_lines(2)->set_price_reason(
      v1::PRICE_REASON_MANUAL_OVERRIDE);
  Result<v1::RecordTransactionResponse> r = Record("t1", txn);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const v1::Sale s = Journaled(r->seq());
  EXPECT_EQ(s.price_book_central_seq(), 2u);
  EXPECT_FALSE(s.lines(0).has_price_deviation());
  EXPECT_FALSE(s.lines(1).has_price_deviation())
      << s.lines(1).price_deviation().DebugString();  // SPRING: 2 x 25 off
  ASSERT_TRUE(s.lines(2).has_price_deviation());
  const v1::PriceDeviation& d = s.lines(2).price_deviation();
  EXPECT_EQ(d.kind(), v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
  EXPECT_EQ(d.reason(), v1::PRICE_REASON_MANUAL_OVERRIDE);
  EXPECT_EQ(d.expected_unit_price(), 349);
  EXPECT_EQ(d.expected_net(), 3 * 349);
  EXPECT_EQ(d.charged_unit_price(), 399);
  EXPECT_EQ(d.charged_net(), 3 * 399);
  EXPECT_EQ(d.difference(), 150);
  EXPECT_EQ(d.price_list_id(), "fleet");
  EXPECT_EQ(d.price_list_version(), 1u);
}

TEST_F(PriceCheckTest, AMissedPromotionAndAnUnknownSkuAreDeviationsToo) {
  PushBook();
  v1::Transaction txn = test::SampleSale(4);  // SKU-00003 is in no list
  // SKU-00001 without its 50 off: the promotion was missed.
  v1::TransactionLine* missed = txn.mutable_sale()->mutable_lines(1);
  missed->clear_discounts();
  test::RecomputeTotals(&txn);
  Result<v1::RecordTransactionResponse> r = Record("t1", txn);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const v1::Sale s = Journaled(r->seq());
  ASSERT_TRUE(s.lines(1).has_price_deviation());
  EXPECT_EQ(s.lines(1).price_deviation().kind(),
            v1::PRICE_DEVIATION_KIND_NET_AMOUNT);
  EXPECT_EQ(s.lines(1).price_deviation().difference(), 50);
  EXPECT_EQ(s.lines(1).price_deviation().reason(),
            v1::PRICE_REASON_UNSPECIFIED);
  ASSERT_TRUE(s.lines(3).has_price_deviation());
  EXPECT_EQ(s.lines(3).price_deviation().kind(),
            v1::PRICE_DEVIATION_KIND_NOT_IN_BOOK);
  EXPECT_EQ(s.lines(3).price_deviation().difference(), 0);
}

TEST_F(PriceCheckTest, ARetryAfterTheBookMovedIsTheSameSale) {
  PushBook();
  const v1::Transaction txn = test::SampleSale(3);
  Result<v1::RecordTransactionResponse> first = Record("t1", txn);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Head office fixes SKU-00002's price; the till retries the same sale.
  Push({ListEvent(test::MakeList(
      "fleet", 2,
      {{"SKU-00000", 199}, {"SKU-00001", 299}, {"SKU-00002", 399}}))});
  Result<v1::RecordTransactionResponse> again = Record("t1", txn);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed());
  EXPECT_EQ(again->seq(), first->seq());
  // The journal keeps the first check.
  EXPECT_TRUE(Journaled(first->seq()).lines(2).has_price_deviation());
  // Another sale with other content under the same key is still refused.
  v1::Transaction other = txn;
  other.mutable_sale()->set_receipt_number("R-OTHER");
  EXPECT_EQ(Record("t1", other).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(PriceCheckTest, APosThatSendsTheAgentsFieldsIsRefused) {
  v1::Transaction txn = test::SampleSale(3);
  txn.mutable_sale()->mutable_lines(0)->mutable_price_deviation()->set_kind(
      v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
  Result<v1::RecordTransactionResponse> r = Record("t1", txn);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "transaction.sale.lines[0].price_deviation: set by the agent, not "
            "the POS");
  txn = test::SampleSale(3);
  txn.mutable_sale()->set_price_book_central_seq(7);
  r = Record("t2", txn);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(
      r.status().message().find("transaction.sale.price_book_central_seq"),
      std::string::npos)
      << r.status().ToString();
  txn = test::SampleSale(3);
  txn.mutable_sale()->mutable_lines(1)->set_price_reason(
      static_cast<v1::PriceReason>(9));
  r = Record("t3", txn);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("lines[1].price_reason: unknown value 9"),
            std::string::npos)
      << r.status().ToString();
}

}  // namespace
}  // namespace storeagent::agent
