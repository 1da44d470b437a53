// The pure half of ingest: IngestProblem on journaled records, PlanIngest on
// batches, without a database.
#include "central/store/ingest_validation.h"

#include <gtest/gtest.h>

#include "central/store/ingest_plan.h"
#include "central/store/store_args.h"
#include "core/journal_chain.h"
#include "tests/unit/central_store/central_store_fixture.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

using central::IngestProblem;

v1::JournalRecord WithKey(const std::string& txn) {
  v1::JournalRecord r;
  *r.mutable_client_key() = test::SampleClientKey(txn);
  return r;
}

TEST(IngestProblemTest, ValidJournaledRecordsPass) {
  v1::JournalRecord sale = WithKey("s");
  *sale.mutable_transaction() = test::SampleSale();
  EXPECT_EQ(IngestProblem(sale), "");
  v1::JournalRecord move = WithKey("m");
  v1::StockMovement* m = move.mutable_stock()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_SHRINK);
  v1::StockDelta* d = m->add_lines();
  d->set_sku("sku-1");
  d->set_quantity(-2);
  EXPECT_EQ(IngestProblem(move), "");
}

// The agent's own close figures travel in the journaled close (the POS may
// not send them); a sale names its member by pseudonym only.
TEST(IngestProblemTest, AgentSetFieldsOfSalesAndClosesInTheirJournaledForm) {
  v1::JournalRecord close = WithKey("z");
  *close.mutable_transaction() = test::SampleDailyClose();
  v1::DailyClose* dc = close.mutable_transaction()->mutable_daily_close();
  dc->mutable_agent_totals()->set_business_day("2026-03-14");
  dc->mutable_agent_totals()->set_sale_count(4);
  v1::CloseDifference* d = dc->add_differences();
  d->set_figure("tender:CASH");
  d->set_pos(123450);
  d->set_agent(120000);
  EXPECT_EQ(IngestProblem(close), "");
  dc->set_transaction_count(-1);  // the rest is still checked
  EXPECT_NE(
      IngestProblem(close).find("transaction.daily_close.transaction_count"),
      std::string::npos);

  v1::JournalRecord sale = WithKey("m");
  *sale.mutable_transaction() = test::SampleSale();
  v1::LoyaltyMember* member =
      sale.mutable_transaction()->mutable_sale()->mutable_member();
  member->set_pseudonym(std::string(32, 'p'));
  EXPECT_EQ(IngestProblem(sale), "");
  member->set_card_number("6012345678");
  EXPECT_NE(IngestProblem(sale).find("transaction.sale.member.card_number"),
            std::string::npos);
}

TEST(IngestProblemTest, EachRefusalNamesTheField) {
  v1::JournalRecord bad_key = WithKey("k");
  bad_key.mutable_client_key()->set_terminal_id("");
  *bad_key.mutable_transaction() = test::SampleNoSale();
  EXPECT_NE(IngestProblem(bad_key).find("record.client_key.terminal_id"),
            std::string::npos);

  v1::JournalRecord short_pseudonym = WithKey("p");
  *short_pseudonym.mutable_loyalty() = test::SamplePointsEarned();
  short_pseudonym.mutable_loyalty()
      ->mutable_points_earned()
      ->mutable_member()
      ->set_pseudonym("short");
  EXPECT_EQ(IngestProblem(short_pseudonym),
            "signal.points_earned.member.pseudonym: required (32 bytes)");

  v1::JournalRecord plain_contact = WithKey("c");
  *plain_contact.mutable_loyalty() = test::SampleEnrolment();
  plain_contact.mutable_loyalty()
      ->mutable_enrolled()
      ->mutable_member()
      ->set_pseudonym(std::string(32, 'p'));
  EXPECT_NE(IngestProblem(plain_contact).find("signal.enrolled.contact"),
            std::string::npos);

  v1::JournalRecord wrong_sign = WithKey("w");
  v1::StockMovement* m = wrong_sign.mutable_stock()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  v1::StockDelta* d = m->add_lines();
  d->set_sku("sku-1");
  d->set_quantity(-2);
  EXPECT_NE(IngestProblem(wrong_sign).find("stock.movement.lines[0].quantity"),
            std::string::npos)
      << IngestProblem(wrong_sign);

  v1::JournalRecord escrow = WithKey("e");
  v1::EscrowLine* l =
      escrow.mutable_stock()->mutable_escrow_changed()->add_lines();
  l->set_sku("sku-1");
  l->set_quantity(1'000'001);
  EXPECT_EQ(IngestProblem(escrow),
            "stock.escrow_changed.lines[0].quantity: out of range "
            "(0..1000000)");
  l->set_quantity(1'000'000);
  EXPECT_EQ(IngestProblem(escrow), "");

  v1::JournalRecord empty_stock = WithKey("x");
  empty_stock.mutable_stock();
  EXPECT_EQ(IngestProblem(empty_stock),
            "stock.kind: exactly one kind is required");
}

TEST(PlanIngestTest, SkipsHeldEntriesAndPlansTheRest) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> all = chain.NoSales(4);
  central::ChainHead held{2, all[1].hash(), 2'000'000};
  const std::vector<central::EntryCheck> checks = central::CheckEntries(all);
  Result<central::IngestPlan> plan = central::PlanIngest(held, all, checks);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->entries.size(), 2u);
  EXPECT_EQ(plan->entries[0].seq, 3u);
  EXPECT_EQ(plan->entries[0].kind, "no_sale");
  EXPECT_EQ(plan->entries[0].canonical, core::CanonicalBytes(all[2].record()));
  EXPECT_EQ(plan->head.seq, 4u);
  EXPECT_EQ(plan->head.hash, chain.hash());
  EXPECT_EQ(plan->head.recorded_at_us, 4'000'000);

  // An entry at or below the watermark after a new one is out of order.
  std::vector<v1::JournalEntry> back = {all[2], all[1]};
  const std::vector<central::EntryCheck> back_checks =
      central::CheckEntries(back);
  Result<central::IngestPlan> bad =
      central::PlanIngest(held, back, back_checks);
  EXPECT_EQ(bad.status().code(), StatusCode::kFailedPrecondition);
}

// The sync stream checks each entry before the batch's transaction
// (CheckEntries); PlanIngest then takes those checks as they are.
TEST(PlanIngestTest, UsesTheChecksItIsGiven) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> all = chain.NoSales(2);
  const central::ChainHead held{0, core::GenesisHash(), 0};
  std::vector<central::EntryCheck> checks = central::CheckEntries(all);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_TRUE(checks[0].hash_covers);
  EXPECT_EQ(checks[1].kind, "no_sale");
  EXPECT_EQ(checks[1].canonical, core::CanonicalBytes(all[1].record()));

  checks[1].quarantine_reason = "as checked";
  Result<central::IngestPlan> plan = central::PlanIngest(held, all, checks);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->entries[1].quarantine_reason, "as checked");

  checks[1].hash_covers = false;
  Result<central::IngestPlan> broken = central::PlanIngest(held, all, checks);
  EXPECT_EQ(broken.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(broken.status().message().find("seq 2: hash does not match"),
            std::string::npos)
      << broken.status().message();

  // After a resent prefix is skipped, entry i still gets check i.
  const central::ChainHead one{1, all[0].hash(), 1'000'000};
  Result<central::IngestPlan> rest = central::PlanIngest(one, all, checks);
  EXPECT_EQ(rest.status().code(), StatusCode::kDataLoss);
  checks[1].hash_covers = true;
  rest = central::PlanIngest(one, all, checks);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  ASSERT_EQ(rest->entries.size(), 1u);
  EXPECT_EQ(rest->entries[0].seq, 2u);
  EXPECT_EQ(rest->entries[0].quarantine_reason, "as checked");

  checks.pop_back();
  EXPECT_EQ(central::PlanIngest(held, all, checks).status().code(),
            StatusCode::kInternal);
}

TEST(StoreArgsTest, LimitsAtTheirEdges) {
  EXPECT_TRUE(central::ValidateStoreId(std::string(64, 's')).ok());
  EXPECT_FALSE(central::ValidateStoreId(std::string(65, 's')).ok());
  EXPECT_TRUE(central::ValidateRequestKey(std::string(64, 'k')).ok());
  EXPECT_FALSE(central::ValidateRequestKey(std::string(65, 'k')).ok());
  EXPECT_FALSE(central::ValidateRequestKey("a\nb").ok());
  EXPECT_EQ(central::ClampLimit(0), central::kMaxReadRows);
  EXPECT_EQ(central::ClampLimit(central::kMaxReadRows + 1),
            central::kMaxReadRows);
  EXPECT_EQ(central::ClampLimit(7), 7u);
}

}  // namespace
}  // namespace storeagent::testing
