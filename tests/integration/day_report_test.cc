// X and Z reports against the real storeagentd and storeagentctl: a close
// with a cash-up discrepancy is shown by PosService.GetDayReport and by
// `storeagentctl report z`; a late sale is refused over gRPC naming the
// terminal and day; `report z` of an open day fails saying so.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/agent_process.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent {
namespace {

using testing::AgentProcess;
using ::testing::HasSubstr;
using testing::RunProgram;
using testing::RunResult;

constexpr char kDay[] = "2026-03-14";

class DayReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    agent_ = std::make_unique<AgentProcess>(dir_.path());
    ASSERT_TRUE(agent_->Start());
    stub_ = agent_->NewStub();
  }

  grpc::Status Record(const std::string& terminal, const std::string& id,
                      const v1::Transaction& txn,
                      v1::RecordTransactionResponse* reply) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    v1::RecordTransactionRequest req;
    req.mutable_client_key()->set_terminal_id(terminal);
    req.mutable_client_key()->set_client_txn_id(id);
    *req.mutable_transaction() = txn;
    return stub_->RecordTransaction(&ctx, req, reply);
  }

  RunResult Report(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {AgentProcess::CtlPath(), "--config",
                                     agent_->config_path(), "report"};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, 30000);
  }

  testing::TempDir dir_;
  std::unique_ptr<AgentProcess> agent_;
  std::unique_ptr<v1::PosService::Stub> stub_;
};

TEST_F(DayReportTest, ADiscrepancyIsShownByGetDayReportAndReportZ) {
  const v1::Transaction sale = test::SampleCashSale();
  const int64_t total = sale.sale().totals().total().minor_units();
  v1::RecordTransactionResponse reply;
  ASSERT_TRUE(Record("till-01", "s1", sale, &reply).ok());
  ASSERT_TRUE(Record("till-01", "s2", sale, &reply).ok());

  // X while open; `report z` refuses to call it final.
  RunResult x = Report({"x", "--day", kDay});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_THAT(x.out, HasSubstr("X report: store (every terminal), business "
                               "day 2026-03-14 (open"));
  RunResult open = Report({"z", "--day", kDay});
  EXPECT_EQ(open.exit_code, 1);
  EXPECT_THAT(open.err, HasSubstr("is not closed, so there is no Z report"));

  // The till closes with one sale's cash only.
  v1::Transaction close = test::SampleDailyClose();
  v1::DailyClose* dc = close.mutable_daily_close();
  dc->clear_tenders();
  dc->clear_taxes();
  v1::TenderTotal* cash = dc->add_tenders();
  cash->set_kind(v1::Tender::KIND_CASH);
  *cash->mutable_net_amount() = test::Eur(total);
  cash->set_count(1);
  dc->set_transaction_count(2);
  ASSERT_TRUE(Record("till-01", "close-1", close, &reply).ok());
  const uint64_t close_seq = reply.seq();

  grpc::Status late = Record("till-01", "s3", sale, &reply);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(late.error_message(), HasSubstr("terminal till-01"));
  EXPECT_THAT(late.error_message(), HasSubstr(kDay));

  grpc::ClientContext ctx;
  v1::GetDayReportRequest req;
  req.set_business_day(kDay);
  req.set_terminal_id("till-01");
  v1::GetDayReportResponse report;
  ASSERT_TRUE(stub_->GetDayReport(&ctx, req, &report).ok());
  EXPECT_EQ(report.kind(), "Z");
  EXPECT_EQ(report.totals().sale_count(), 2);
  ASSERT_EQ(report.closes_size(), 1);
  EXPECT_EQ(report.closes(0).seq(), close_seq);
  ASSERT_EQ(report.closes(0).close().differences_size(), 3);  // cash, 2 tax
  EXPECT_EQ(report.closes(0).close().differences(0).figure(), "tender:CASH");
  EXPECT_EQ(report.closes(0).close().differences(0).pos(), total);
  EXPECT_EQ(report.closes(0).close().differences(0).agent(), 2 * total);

  RunResult z = Report({"z", "--day", kDay, "--terminal", "till-01"});
  ASSERT_EQ(z.exit_code, 0) << z.err;
  EXPECT_THAT(z.out, HasSubstr("Z report: terminal till-01"));
  EXPECT_THAT(z.out, HasSubstr("cash-up discrepancy: tender:CASH pos " +
                               std::to_string(total) + " agent " +
                               std::to_string(2 * total)));
  RunResult json = Report({"z", "--day", kDay, "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << json.out;
  EXPECT_EQ(j["kind"], "Z");
  EXPECT_EQ(j["closes"][0]["close"]["differences"][0]["figure"], "tender:CASH");

  RunResult bad = Report({"x", "--day", "2026-02-30"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("business_day"));
}

}  // namespace
}  // namespace storeagent
