// The day's close at the store, in process: the Recorder over a real agent
// database. A closed day refuses late events of its terminal (the next day
// and other terminals still record), a whole-store close closes every
// terminal, a second close answers the first, the agent's own figures and
// the cash-up differences are journaled with the close and reported, and
// the closed days survive a restart, a lost index and a re-seed. And the
// return limits (storage/return_limits.h): a return takes back at most what
// its original sold, counted across restarts, a lost index and a re-seed.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "agent/day_report.h"
#include "agent/recorder.h"
#include "platform/crypto.h"
#include "storage/agent_database.h"
#include "storage/journal_store.h"
#include "storage/sync_store.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::agent {
namespace {

constexpr char kDay[] = "2026-03-14";
constexpr char kNextDay[] = "2026-03-15";
constexpr char kLoyaltyKey[] = "0123456789abcdef0123456789abcdef";

v1::Transaction Dated(v1::Transaction txn, const std::string& day) {
  switch (txn.kind_case()) {
    case v1::Transaction::kSale:
      txn.mutable_sale()->set_business_day(day);
      break;
    case v1::Transaction::kReturn:
      txn.mutable_return_()->set_business_day(day);
      break;
    case v1::Transaction::kPostVoid:
      txn.mutable_post_void()->set_business_day(day);
      break;
    case v1::Transaction::kNoSale:
      txn.mutable_no_sale()->set_business_day(day);
      break;
    case v1::Transaction::kDailyClose:
      txn.mutable_daily_close()->set_business_day(day);
      break;
    case v1::Transaction::KIND_NOT_SET:
      break;
  }
  return txn;
}

// A post-void of (terminal, txn_id) dated `day`.
v1::Transaction VoidOf(const std::string& terminal, const std::string& txn_id,
                       const std::string& day) {
  v1::Transaction txn = Dated(test::SamplePostVoid(), day);
  txn.mutable_post_void()->mutable_original()->set_terminal_id(terminal);
  txn.mutable_post_void()->mutable_original()->set_client_txn_id(txn_id);
  return txn;
}

class DayCloseTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(const std::string& file = "agent.db") {
    recorder_.reset();
    if (db_) db_->Close();
    db_.reset();
    storage::DatabaseOptions o;
    o.path = dir_.File(file);
    o.store_id = "store-1";
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, clock_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    RecorderOptions ro;
    ro.loyalty_key = kLoyaltyKey;
    recorder_ = std::make_unique<Recorder>(*db_, ro);
  }

  Result<v1::RecordTransactionResponse> Record(const std::string& terminal,
                                               const std::string& txn_id,
                                               const v1::Transaction& txn) {
    v1::RecordTransactionRequest req;
    req.mutable_client_key()->set_terminal_id(terminal);
    req.mutable_client_key()->set_client_txn_id(txn_id);
    *req.mutable_transaction() = txn;
    std::promise<Result<v1::RecordTransactionResponse>> p;
    recorder_->RecordTransaction(req,
                                 [&p](Result<v1::RecordTransactionResponse> r) {
                                   p.set_value(std::move(r));
                                 });
    return p.get_future().get();
  }

  v1::Transaction Close(const std::string& day, bool whole_store = false) {
    v1::Transaction txn = Dated(test::SampleDailyClose(), day);
    txn.mutable_daily_close()->set_whole_store(whole_store);
    return txn;
  }

  v1::JournalEntry Entry(uint64_t seq) {
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
    return out.value_or(v1::JournalEntry());
  }

  Result<v1::GetDayReportResponse> Report(const std::string& day,
                                          const std::string& terminal) {
    v1::GetDayReportRequest req;
    req.set_business_day(day);
    req.set_terminal_id(terminal);
    std::promise<Result<v1::GetDayReportResponse>> p;
    GetDayReport(*db_, clock_, req, [&p](Result<v1::GetDayReportResponse> r) {
      p.set_value(std::move(r));
    });
    return p.get_future().get();
  }

  // Expects `r` refused as a late event of `terminal`'s `day`.
  void ExpectClosed(const Result<v1::RecordTransactionResponse>& r,
                    const std::string& terminal, const std::string& day,
                    const std::string& field) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
    const std::string& m = r.status().message();
    EXPECT_EQ(m.rfind(field + ": ", 0), 0u) << m;
    EXPECT_NE(m.find("terminal " + terminal), std::string::npos) << m;
    EXPECT_NE(m.find(day), std::string::npos) << m;
  }

  uint64_t Head() { return db_->journal().head().seq; }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  std::unique_ptr<Recorder> recorder_;
};

TEST_F(DayCloseTest, AClosedDayRefusesLateEventsOfItsTerminalOnly) {
  ASSERT_TRUE(Record("till-01", "s1", test::SampleSale()).ok());
  Result<v1::RecordTransactionResponse> close =
      Record("till-01", "c1", Close(kDay));
  ASSERT_TRUE(close.ok()) << close.status().ToString();
  EXPECT_FALSE(close->replayed());
  const uint64_t head = Head();

  ExpectClosed(Record("till-01", "s2", test::SampleSale()), "till-01", kDay,
               "transaction.sale.business_day");
  ExpectClosed(Record("till-01", "r1", Dated(test::SampleReturn(), kDay)),
               "till-01", kDay, "transaction.return.business_day");
  ExpectClosed(Record("till-01", "v1", VoidOf("till-01", "s1", kDay)),
               "till-01", kDay, "transaction.post_void.business_day");
  ExpectClosed(Record("till-01", "n1", test::SampleNoSale()), "till-01", kDay,
               "transaction.no_sale.business_day");
  EXPECT_EQ(Head(), head) << "a refused event was journaled";

  // A retry of what was recorded before the close still gets its answer.
  Result<v1::RecordTransactionResponse> retry =
      Record("till-01", "s1", test::SampleSale());
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->seq(), 1u);

  // Another terminal, and the next day, still record.
  EXPECT_TRUE(Record("till-02", "s1", test::SampleSale()).ok());
  EXPECT_TRUE(
      Record("till-01", "s3", Dated(test::SampleSale(), kNextDay)).ok());
  // A void of the closed day's sale, dated the next day, is accepted.
  EXPECT_TRUE(Record("till-01", "v2", VoidOf("till-01", "s1", kNextDay)).ok());
  EXPECT_EQ(Head(), head + 3);
}

TEST_F(DayCloseTest, AWholeStoreCloseClosesEveryTerminal) {
  ASSERT_TRUE(Record("till-01", "s1", test::SampleSale()).ok());
  ASSERT_TRUE(Record("till-02", "s1", test::SampleSale()).ok());
  Result<v1::RecordTransactionResponse> close =
      Record("backoffice", "z1", Close(kDay, /*whole_store=*/true));
  ASSERT_TRUE(close.ok()) << close.status().ToString();
  for (const char* t : {"till-01", "till-02", "till-03", "backoffice"}) {
    ExpectClosed(Record(t, "late", test::SampleSale()), t, kDay,
                 "transaction.sale.business_day");
  }
  // A terminal's own close of the day now answers the store's.
  Result<v1::RecordTransactionResponse> again =
      Record("till-01", "c1", Close(kDay));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed());
  EXPECT_EQ(again->seq(), close->seq());
  EXPECT_TRUE(
      Record("till-03", "s1", Dated(test::SampleSale(), kNextDay)).ok());
}

TEST_F(DayCloseTest, ASecondCloseOfTheSameTerminalAndDayAnswersTheFirst) {
  ASSERT_TRUE(Record("till-01", "s1", test::SampleSale()).ok());
  Result<v1::RecordTransactionResponse> first =
      Record("till-01", "c1", Close(kDay));
  ASSERT_TRUE(first.ok());
  const uint64_t head = Head();
  v1::Transaction other = Close(kDay);
  other.mutable_daily_close()->set_transaction_count(999);  // other figures
  Result<v1::RecordTransactionResponse> second = Record("till-01", "c2", other);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->replayed());
  EXPECT_EQ(second->seq(), first->seq());
  EXPECT_EQ(second->hash(), first->hash());
  EXPECT_EQ(second->recorded_at_us(), first->recorded_at_us());
  EXPECT_EQ(Head(), head);
  // The same client key again is the ordinary retry.
  Result<v1::RecordTransactionResponse> retry =
      Record("till-01", "c1", Close(kDay));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->seq(), first->seq());
  // Another terminal's close of that day is a close of its own.
  Result<v1::RecordTransactionResponse> t2 =
      Record("till-02", "c1", Close(kDay));
  ASSERT_TRUE(t2.ok());
  EXPECT_FALSE(t2->replayed());
  EXPECT_NE(t2->seq(), first->seq());
}

TEST_F(DayCloseTest, ADiscrepancyIsJournaledWithTheCloseAndReported) {
  const v1::Transaction sale = test::SampleCashSale();
  const int64_t total = sale.sale().totals().total().minor_units();
  ASSERT_TRUE(Record("till-01", "s1", sale).ok());
  ASSERT_TRUE(Record("till-01", "s2", sale).ok());
  ASSERT_TRUE(Record("till-02", "s1", sale).ok());  // not till-01's figures
  // The POS lost one of its two sales: it counts one and one sale's cash.
  v1::Transaction close = Close(kDay);
  v1::DailyClose* dc = close.mutable_daily_close();
  dc->clear_tenders();
  dc->clear_taxes();
  v1::TenderTotal* cash = dc->add_tenders();
  cash->set_kind(v1::Tender::KIND_CASH);
  *cash->mutable_net_amount() = test::Eur(total);
  cash->set_count(1);
  dc->set_transaction_count(1);
  Result<v1::RecordTransactionResponse> r = Record("till-01", "c1", close);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  const v1::DailyClose journaled =
      Entry(r->seq()).record().transaction().daily_close();
  EXPECT_EQ(journaled.agent_totals().terminal_id(), "till-01");
  EXPECT_EQ(journaled.agent_totals().sale_count(), 2);
  EXPECT_EQ(journaled.agent_totals().sales_amount().minor_units(), 2 * total);
  bool cash_seen = false, count_seen = false;
  for (const v1::CloseDifference& d : journaled.differences()) {
    if (d.figure() == "tender:CASH") {
      cash_seen = true;
      EXPECT_EQ(d.pos(), total);
      EXPECT_EQ(d.agent(), 2 * total);
    }
    if (d.figure() == "transaction_count") {
      count_seen = true;
      EXPECT_EQ(d.pos(), 1);
      EXPECT_EQ(d.agent(), 2);
    }
  }
  EXPECT_TRUE(cash_seen && count_seen) << journaled.DebugString();

  Result<v1::GetDayReportResponse> z = Report(kDay, "till-01");
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_EQ(z->kind(), "Z");
  EXPECT_EQ(z->totals().sale_count(), 2);
  ASSERT_EQ(z->closes_size(), 1);
  EXPECT_EQ(z->closes(0).seq(), r->seq());
  EXPECT_EQ(z->closes(0).close().differences_size(),
            journaled.differences_size());
  EXPECT_EQ(z->head_seq(), Head());
  // The store's day is still open: till-02 has not closed.
  Result<v1::GetDayReportResponse> x = Report(kDay, "");
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->kind(), "X");
  EXPECT_EQ(x->totals().sale_count(), 3);
  EXPECT_EQ(x->by_terminal_size(), 2);
  EXPECT_EQ(x->closes_size(), 1);
  ASSERT_TRUE(Record("till-02", "c1", Close(kDay)).ok());
  EXPECT_EQ(Report(kDay, "")->kind(), "Z");
  // Bad requests name their field.
  Result<v1::GetDayReportResponse> bad = Report("2026-02-30", "");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("business_day: ", 0), 0u);
  bad = Report(kDay, "till 01");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("terminal_id: ", 0), 0u);
}

TEST_F(DayCloseTest, ClosedDaysSurviveARestartAndALostIndex) {
  ASSERT_TRUE(Record("till-01", "s1", test::SampleSale()).ok());
  ASSERT_TRUE(Record("till-01", "c1", Close(kDay)).ok());
  Open();
  ExpectClosed(Record("till-01", "s2", test::SampleSale()), "till-01", kDay,
               "transaction.sale.business_day");
  // As a database from before schema 5 would be: no day on the rows, no
  // closed days. Opening it rebuilds both from the journal.
  ASSERT_TRUE(db_->writer()
                  .Run([](storage::WriteContext& ctx) {
                    const int rc = sqlite3_exec(
                        ctx.db(),
                        "UPDATE journal SET business_day = NULL;"
                        "DELETE FROM closed_days;"
                        "DELETE FROM meta WHERE key = 'day_index';",
                        nullptr, nullptr, nullptr);
                    return rc == SQLITE_OK
                               ? Status::Ok()
                               : storage::SqliteStatus(ctx.db(), rc, "reset");
                  })
                  .ok());
  EXPECT_TRUE(Record("till-01", "s2", test::SampleSale()).ok())
      << "the lost index no longer closes the day";
  Open();
  ExpectClosed(Record("till-01", "s3", test::SampleSale()), "till-01", kDay,
               "transaction.sale.business_day");
  Result<v1::GetDayReportResponse> z = Report(kDay, "till-01");
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->totals().sale_count(), 2);
  EXPECT_EQ(z->kind(), "Z");
}

TEST_F(DayCloseTest, AReseedRebuildsTheClosedDays) {
  ASSERT_TRUE(Record("till-01", "s1", test::SampleSale()).ok());
  ASSERT_TRUE(
      Record("backoffice", "z1", Close(kDay, /*whole_store=*/true)).ok());
  v1::ReseedBatch batch;
  for (uint64_t seq = 1; seq <= Head(); ++seq) {
    *batch.add_entries() = Entry(seq);
  }
  // A new, empty database of the same store, re-seeded from central's copy.
  Open("reseeded.db");
  ASSERT_TRUE(db_->writer()
                  .Run([&](storage::WriteContext& ctx) {
                    Result<uint64_t> h =
                        storage::SyncStore::Reseed(ctx, db_->journal(), batch);
                    return h.status();
                  })
                  .ok());
  ASSERT_EQ(Head(), 2u);
  ExpectClosed(Record("till-02", "s1", test::SampleSale()), "till-02", kDay,
               "transaction.sale.business_day");
  EXPECT_EQ(Report(kDay, "")->kind(), "Z");
}

TEST_F(DayCloseTest, ASalesMemberCardNumberIsPseudonymised) {
  v1::Transaction sale = test::SampleSale();
  sale.mutable_sale()->mutable_member()->set_card_number("6012345678");
  sale.mutable_sale()->set_channel(v1::SALES_CHANNEL_CLICK_AND_COLLECT);
  sale.mutable_sale()->set_order_ref("WEB-1001");
  Result<v1::RecordTransactionResponse> r = Record("till-01", "m1", sale);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string expected(
      crypto::AsBytes(crypto::HmacSha256(kLoyaltyKey, "6012345678")));
  EXPECT_EQ(r->member_pseudonym(), expected);
  const v1::Sale journaled = Entry(r->seq()).record().transaction().sale();
  EXPECT_EQ(journaled.member().pseudonym(), expected);
  EXPECT_FALSE(journaled.member().has_card_number());
  EXPECT_EQ(journaled.channel(), v1::SALES_CHANNEL_CLICK_AND_COLLECT);
  // A retry compares on the pseudonymised record: the same answer.
  Result<v1::RecordTransactionResponse> retry = Record("till-01", "m1", sale);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed());
  // The pseudonym the POS cached is taken as it is.
  sale.mutable_sale()->mutable_member()->set_pseudonym(expected);
  r = Record("till-01", "m2", sale);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Entry(r->seq()).record().transaction().sale().member().pseudonym(),
            expected);
  // Without a loyalty key a card number cannot be pseudonymised.
  recorder_ = std::make_unique<Recorder>(*db_, RecorderOptions{});
  sale.mutable_sale()->mutable_member()->set_card_number("6012345678");
  Result<v1::RecordTransactionResponse> refused = Record("till-01", "m3", sale);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.status().message().rfind(
                "transaction.sale.member.card_number: ", 0),
            0u);
}

}  // namespace
}  // namespace storeagent::agent

namespace storeagent::agent {
namespace {

// A return cannot take back more than its original sold (an independent
// POS client returned more units than a sale held; docs/pos-api.md,
// "Returns"). The same Recorder over a real database as the day's close.
class ReturnLimitsTest : public DayCloseTest {
 protected:
  // A return dated kNextDay of `lines` (sku, unit, quantity) naming
  // (till-01, `original`) of this store.
  static v1::Transaction ReturnOf(
      const std::string& original,
      const std::vector<std::pair<int, int64_t>>& lines) {
    v1::Transaction txn = Dated(test::SampleReturn(), kNextDay);
    v1::Return* ret = txn.mutable_return_();
    ret->clear_lines();
    for (const auto& [sample_line, quantity] : lines) {
      v1::TransactionLine* l = ret->add_lines();
      *l = test::SampleSale(sample_line + 1).sale().lines(sample_line);
      l->set_quantity(quantity);
      l->mutable_extended_amount()->set_minor_units(
          quantity * l->unit_price().minor_units());
      l->clear_discounts();
      l->mutable_tax()->set_rate_bp(0);  // keeps the sums simple
      *l->mutable_tax()->mutable_amount() = test::Eur(0);
    }
    ret->mutable_original()->mutable_client_key()->set_terminal_id("till-01");
    ret->mutable_original()->mutable_client_key()->set_client_txn_id(original);
    test::RecomputeTotals(&txn);
    return txn;
  }

  void ExpectOver(const Result<v1::RecordTransactionResponse>& r,
                  const std::string& field, const std::string& what) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
    const std::string& m = r.status().message();
    EXPECT_EQ(m.rfind(field + ": ", 0), 0u) << m;
    EXPECT_NE(m.find(what), std::string::npos) << m;
  }
};

// SampleSale sells SKU-00000 x1, SKU-00001 x2, SKU-00002 x3, SKU-00003 x1
// (each) and SKU-00004 by weight.
TEST_F(ReturnLimitsTest, AReturnTakesBackAtMostWhatTheSaleSold) {
  ASSERT_TRUE(Record("till-01", "s1", test::SampleSale()).ok());
  const uint64_t head = Head();
  // Two of the three SKU-00002, then the third: fine.
  Result<v1::RecordTransactionResponse> r1 =
      Record("till-01", "r1", ReturnOf("s1", {{2, 2}}));
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  ASSERT_TRUE(Record("till-01", "r2", ReturnOf("s1", {{2, 1}})).ok());
  // A retry of r1 is answered, not counted again.
  Result<v1::RecordTransactionResponse> again =
      Record("till-01", "r1", ReturnOf("s1", {{2, 2}}));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->replayed());
  // A fourth is one too many; so is a SKU the sale did not sell, and more
  // than the sale's quantity in one go.
  ExpectOver(Record("till-01", "r3", ReturnOf("s1", {{0, 1}, {2, 1}})),
             "transaction.return.lines[1].quantity",
             "SKU SKU-00002: this return takes back 1, but the sale (till-01, "
             "s1) sold 3 and earlier returns took back 3 (at most 0)");
  ExpectOver(Record("till-01", "r3", ReturnOf("s1", {{5, 1}})),
             "transaction.return.lines[0].quantity", "sold 0");
  ExpectOver(Record("till-01", "r3", ReturnOf("s1", {{1, 3}})),
             "transaction.return.lines[0].quantity", "sold 2");
  EXPECT_EQ(Head(), head + 2);
  // Post-voiding r1 gives its two back.
  ASSERT_TRUE(Record("till-01", "v1", VoidOf("till-01", "r1", kNextDay)).ok());
  ASSERT_TRUE(Record("till-01", "r3", ReturnOf("s1", {{2, 2}})).ok());
  ExpectOver(Record("till-01", "r4", ReturnOf("s1", {{2, 1}})),
             "transaction.return.lines[0].quantity", "took back 3");
  // A post-voided sale: nothing to return.
  ASSERT_TRUE(Record("till-01", "s2", test::SampleSale()).ok());
  ASSERT_TRUE(Record("till-01", "v2", VoidOf("till-01", "s2", kDay)).ok());
  ExpectOver(Record("till-01", "r5", ReturnOf("s2", {{0, 1}})),
             "transaction.return.original.client_key", "post-voided");
  // Not checked: an original this store does not hold, or another store's.
  EXPECT_TRUE(Record("till-01", "r6", ReturnOf("nowhere", {{2, 9}})).ok());
  v1::Transaction other = ReturnOf("s1", {{2, 9}});
  other.mutable_return_()->mutable_original()->set_store_id("store-2");
  EXPECT_TRUE(Record("till-01", "r7", other).ok());
}

TEST_F(ReturnLimitsTest, TheCountsSurviveALostIndexAndAReseed) {
  ASSERT_TRUE(Record("till-01", "s1", test::SampleSale()).ok());
  ASSERT_TRUE(Record("till-01", "r1", ReturnOf("s1", {{2, 2}})).ok());
  ASSERT_TRUE(Record("till-01", "r2", ReturnOf("s1", {{1, 2}})).ok());
  ASSERT_TRUE(Record("till-01", "v1", VoidOf("till-01", "r2", kNextDay)).ok());
  // As a database from before schema 6 would be: no counts. Opening it
  // counts the journal's returns and post-voids.
  ASSERT_TRUE(db_->writer()
                  .Run([](storage::WriteContext& ctx) {
                    const int rc = sqlite3_exec(
                        ctx.db(),
                        "DELETE FROM returned_units;"
                        "DELETE FROM meta WHERE key = 'returned_index';",
                        nullptr, nullptr, nullptr);
                    return rc == SQLITE_OK
                               ? Status::Ok()
                               : storage::SqliteStatus(ctx.db(), rc, "reset");
                  })
                  .ok());
  Open();
  ExpectOver(Record("till-01", "r3", ReturnOf("s1", {{2, 2}})),
             "transaction.return.lines[0].quantity", "took back 2");
  ASSERT_TRUE(Record("till-01", "r3", ReturnOf("s1", {{1, 2}})).ok());
  // A new database of the same store, re-seeded from central's copy.
  v1::ReseedBatch batch;
  for (uint64_t seq = 1; seq <= Head(); ++seq) {
    *batch.add_entries() = Entry(seq);
  }
  Open("reseeded.db");
  ASSERT_TRUE(db_->writer()
                  .Run([&](storage::WriteContext& ctx) {
                    return storage::SyncStore::Reseed(ctx, db_->journal(),
                                                      batch)
                        .status();
                  })
                  .ok());
  ExpectOver(Record("till-01", "r4", ReturnOf("s1", {{1, 1}})),
             "transaction.return.lines[0].quantity", "took back 2");
  ASSERT_TRUE(Record("till-01", "r4", ReturnOf("s1", {{2, 1}})).ok());
}

}  // namespace
}  // namespace storeagent::agent
