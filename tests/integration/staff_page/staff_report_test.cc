// GET /api/v1/reports/day: the X/Z report of a day with its cash-up
// discrepancies, for a manager; refused to staff (403) and for a bad day
// (400 naming the field).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "storage/day_close_store.h"
#include "storage/event_store.h"
#include "tests/integration/staff_page/staff_test_env.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::agent::test {
namespace {

constexpr char kDay[] = "2026-03-14";

class StaffReportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.Start().ok()); }

  // Appends a till transaction as the Recorder would (a close through
  // AppendDailyClose, which computes the agent's figures).
  Status Append(const std::string& terminal, const std::string& id,
                const v1::Transaction& txn) {
    storage::AgentDatabase& db = env_.agent().database();
    return db.writer().Run([&](storage::WriteContext& ctx) {
      v1::JournalRecord r;
      r.mutable_client_key()->set_terminal_id(terminal);
      r.mutable_client_key()->set_client_txn_id(id);
      *r.mutable_transaction() = txn;
      Result<storage::AppendResult> a =
          txn.has_daily_close()
              ? storage::AppendDailyClose(ctx, db.journal(), std::move(r))
              : storage::AppendEvent(ctx, db.journal(), std::move(r));
      return a.status();
    });
  }

  HttpReply Get(const std::string& target, const std::string& token) {
    return HttpClient(env_.port()).Send("GET", target, "", Auth(token));
  }

  StaffEnv env_;
};

TEST_F(StaffReportTest, DayReportShowsTheDiscrepancyToAManagerOnly) {
  const v1::Transaction sale = storeagent::test::SampleCashSale();
  const int64_t total = sale.sale().totals().total().minor_units();
  ASSERT_TRUE(Append("till-01", "s1", sale).ok());
  ASSERT_TRUE(Append("till-01", "s2", sale).ok());

  HttpReply x = Get("/api/v1/reports/day?day=2026-03-14", kManagerToken);
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(x.json["kind"], "X");
  EXPECT_EQ(x.json["totals"]["sale_count"], 2);
  EXPECT_EQ(x.json["totals"]["sales_amount"], 2 * total);
  EXPECT_EQ(x.json["discrepancies"], 0);

  v1::Transaction close = storeagent::test::SampleDailyClose();
  v1::DailyClose* dc = close.mutable_daily_close();
  dc->clear_tenders();
  dc->clear_taxes();
  v1::TenderTotal* cash = dc->add_tenders();
  cash->set_kind(v1::Tender::KIND_CASH);
  *cash->mutable_net_amount() = storeagent::test::Eur(total);
  dc->set_transaction_count(2);
  ASSERT_TRUE(Append("till-01", "c1", close).ok());

  HttpReply z =
      Get(std::string("/api/v1/reports/day?day=") + kDay + "&terminal=till-01",
          kManagerToken);
  ASSERT_EQ(z.status, 200) << z.body;
  EXPECT_EQ(z.json["kind"], "Z");
  EXPECT_EQ(z.json["terminal_id"], "till-01");
  EXPECT_EQ(z.json["currency"], "EUR");
  ASSERT_EQ(z.json["closes"].size(), 1u) << z.body;
  const auto& d = z.json["closes"][0]["differences"][0];
  EXPECT_EQ(d["figure"], "tender:CASH");
  EXPECT_EQ(d["pos"], total);
  EXPECT_EQ(d["agent"], 2 * total);
  EXPECT_EQ(z.json["discrepancies"], 3);  // cash, taxable, tax
  EXPECT_TRUE(z.json["as_of"]["seq"].is_number_unsigned());

  HttpReply staff = Get("/api/v1/reports/day?day=2026-03-14", kStaffToken);
  EXPECT_EQ(staff.status, 403) << staff.body;
  EXPECT_EQ(staff.json["error"]["code"], "PERMISSION_DENIED");

  HttpReply bad = Get("/api/v1/reports/day?day=2026-02-30", kManagerToken);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.json["error"]["field"], "day");
  EXPECT_THAT(bad.json["error"]["message"].get<std::string>(),
              ::testing::StartsWith("day: "));
  // A misspelt parameter is refused, not read as "today, whole store".
  HttpReply unknown =
      Get("/api/v1/reports/day?business_day=2026-03-14", kManagerToken);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(unknown.json["error"]["field"], "business_day");
  EXPECT_THAT(unknown.json["error"]["message"].get<std::string>(),
              ::testing::HasSubstr("unknown query parameter"));
}

}  // namespace
}  // namespace storeagent::agent::test
