// The conformance suite on the SQLite backend: one temp file per test.
#include <string>
#include <string_view>

#include "central/store/sqlite_central_store.h"
#include "storage/sqlite_handle.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/central_store/central_store_fixture.h"

namespace storeagent::testing {
namespace {

class SqliteInstance : public BackendInstance {
 public:
  Result<std::unique_ptr<central::CentralStore>> Open() override {
    return central::OpenCentralStore("sqlite:" + dir_.File("central.db"),
                                     SystemClock());
  }
  bool multi_writer() const override { return false; }

 private:
  TempDir dir_;
};

Backend Sqlite() {
  return Backend{"sqlite", []() -> Result<std::unique_ptr<BackendInstance>> {
                   return std::unique_ptr<BackendInstance>(
                       std::make_unique<SqliteInstance>());
                 }};
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CentralStoreTest, ::testing::Values(Sqlite()),
                         [](const auto&) { return std::string("sqlite"); });

// Runs `sql` on the central database at `path` behind the store's back
// (to give it an older schema's shape).
// What schema version 11 added (the stores' checkpoint keys), undone first
// by every test that takes a database back to an older version.
constexpr char kUndoVersion11[] =
    "DROP TABLE store_signing_keys; "
    "ALTER TABLE stores DROP COLUMN signing_key_id; "
    "ALTER TABLE stores DROP COLUMN last_checkpoint_seq; "
    "ALTER TABLE stores DROP COLUMN signature_problem; "
    "ALTER TABLE stores DROP COLUMN signature_problem_at_us; ";

Status ExecOn(const std::string& path, std::string_view sql) {
  Result<storage::Connection> c =
      storage::Connection::Open(path, storage::ConnectionOptions{});
  if (!c.ok()) return c.status();
  return c->Exec(sql);
}

TEST(SqliteCentralStoreTest, UnknownUrlSchemeIsRefused) {
  Result<std::unique_ptr<central::CentralStore>> s =
      central::OpenCentralStore("mysql://x", SystemClock());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("url"), std::string::npos);
  EXPECT_FALSE(central::OpenCentralStore("sqlite:", SystemClock()).ok());
}

// A database made by an earlier release (schema 1: no admin_audit, no
// replica_snapshots, no KPI tables) is migrated on open and keeps what it
// held.
TEST(SqliteCentralStoreTest, VersionOneIsMigratedOnOpen) {
  TempDir dir;
  const std::string path = dir.File("central.db");
  {
    Result<std::unique_ptr<central::CentralStore>> s =
        central::OpenCentralStore("sqlite:" + path, SystemClock());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->GetOrCreateStore("s1").ok());
  }
  ASSERT_TRUE(
      ExecOn(path,
             std::string(kUndoVersion11) +
                 std::string(
                     "DROP TABLE price_deviations; "
                     "DROP INDEX kpi_counters_price_lines; "
                     "DROP TABLE price_book; DROP TABLE price_book_stores; "
                     "DROP TABLE price_book_sent; "
                     "DROP TABLE escrow_holds; DROP TABLE at_risk_orders; "
                     "DROP TABLE at_risk_skus; "
                     "DROP TABLE escrow_breach_orders; "
                     "ALTER TABLE escrow_breaches DROP COLUMN at_risk; "
                     "DROP TABLE admin_audit; DROP TABLE replica_snapshots; "
                     "DROP TABLE kpi_counters; DROP TABLE kpi_sales; "
                     "DROP TABLE kpi_returns; DROP TABLE kpi_holds; "
                     "ALTER TABLE stores DROP COLUMN region; "
                     "UPDATE schema_version SET version = 1"))
          .ok());
  Result<std::unique_ptr<central::CentralStore>> s =
      central::OpenCentralStore("sqlite:" + path, SystemClock());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<std::optional<central::StoreRow>> row = (*s)->GetStore("s1");
  ASSERT_TRUE(row.ok());
  EXPECT_TRUE(row->has_value());
  Result<bool> region = (*s)->SetStoreRegion("s1", "north", kNow);
  ASSERT_TRUE(region.ok()) << region.status().ToString();
  v1::AdminAuditEntry e;
  e.set_caller("operator:alice");
  e.set_method("PushCentralEvent");
  e.set_store_id("s1");
  e.set_code("OK");
  ASSERT_TRUE((*s)->RecordAdminAudit(e).ok());
  Result<std::vector<v1::AdminAuditEntry>> audit = (*s)->ListAdminAudit("", 10);
  ASSERT_TRUE(audit.ok());
  EXPECT_EQ(audit->size(), 1u);
  central::ReplicaSnapshotRow snap;
  snap.store_seq = 1;
  snap.state = "state";
  ASSERT_TRUE((*s)->PutReplicaSnapshot("s1", snap).ok());
  Result<std::optional<central::ReplicaSnapshotRow>> back =
      (*s)->GetReplicaSnapshot("s1");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->state, "state");
}

// A version 6 database (breaches without their orders) opens at version 7:
// its breaches are listed with no orders named, and new ones name theirs.
TEST(SqliteCentralStoreTest, VersionSixKeepsItsBreaches) {
  TempDir dir;
  const std::string path = dir.File("central.db");
  ASSERT_TRUE(central::OpenCentralStore("sqlite:" + path, SystemClock()).ok());
  ASSERT_TRUE(
      ExecOn(path,
             std::string(kUndoVersion11) +
                 std::string(
                     "DROP TABLE price_deviations; "
                     "DROP INDEX kpi_counters_price_lines; "
                     "DROP TABLE price_book; DROP TABLE price_book_stores; "
                     "DROP TABLE price_book_sent; "
                     "DROP TABLE escrow_holds; DROP TABLE at_risk_orders; "
                     "DROP TABLE at_risk_skus; "
                     "DROP TABLE escrow_breach_orders; "
                     "ALTER TABLE escrow_breaches DROP COLUMN at_risk; "
                     "INSERT INTO escrow_breaches VALUES "
                     "('s1', 4, 'sku-a', 2, 1); "
                     "UPDATE schema_version SET version = 6"))
          .ok());
  Result<std::unique_ptr<central::CentralStore>> s =
      central::OpenCentralStore("sqlite:" + path, SystemClock());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<v1::ListQuarantineResponse> q = (*s)->ListQuarantine("s1", 10);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->breaches_size(), 1);
  EXPECT_EQ(q->breaches(0).seq(), 4u);
  EXPECT_EQ(q->breaches(0).order_refs_size(), 0);
  EXPECT_EQ(q->breaches(0).at_risk(), 0);
  Result<std::vector<v1::AtRiskOrder>> risk =
      (*s)->ListAtRiskOrders("", false, 10);
  ASSERT_TRUE(risk.ok()) << risk.status().ToString();
  EXPECT_TRUE(risk->empty());
}

// A version 7 database (kpi_sales keyed by client key alone) opens at
// version 8 with its sales index copied over: a later return still finds
// its original there, and the same key may come again with another sale.
TEST(SqliteCentralStoreTest, VersionSevenKeepsItsSalesIndex) {
  TempDir dir;
  const std::string path = dir.File("central.db");
  ChainBuilder chain;
  // A sale with key `txn`, or a return of this store's sale "a".
  auto record = [](const std::string& txn, bool sale) {
    return sale ? KpiSale(txn, "", "") : KpiReturn(txn, "", "a", "", "store");
  };
  {
    Result<std::unique_ptr<central::CentralStore>> s =
        central::OpenCentralStore("sqlite:" + path, SystemClock());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(
        (*s)->IngestBatch("s1", {chain.Next(record("a", true))}, kNow).ok());
  }
  ASSERT_TRUE(
      ExecOn(
          path,
          std::string(kUndoVersion11) +
              std::string(
                  "DROP TABLE price_deviations; "
                  "DROP INDEX kpi_counters_price_lines; "
                  "DROP TABLE price_book; DROP TABLE price_book_stores; "
                  "DROP TABLE price_book_sent; "
                  "CREATE TABLE v7 (store_id TEXT NOT NULL, terminal_id TEXT "
                  "NOT NULL, client_txn_id TEXT NOT NULL, seq INTEGER NOT "
                  "NULL, "
                  "recorded_at_us INTEGER NOT NULL, receipt_number TEXT NOT "
                  "NULL, order_ref TEXT NOT NULL, channel TEXT NOT NULL, "
                  "business_day TEXT NOT NULL, total_minor INTEGER NOT NULL, "
                  "lines INTEGER NOT NULL, member INTEGER NOT NULL, voided "
                  "INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (store_id, "
                  "terminal_id, client_txn_id)) WITHOUT ROWID; "
                  "INSERT INTO v7 SELECT * FROM kpi_sales; "
                  "DROP TABLE kpi_sales; ALTER TABLE v7 RENAME TO kpi_sales; "
                  "CREATE INDEX kpi_sales_receipt ON kpi_sales (store_id, "
                  "receipt_number) WHERE receipt_number <> ''; "
                  "CREATE INDEX kpi_sales_order ON kpi_sales (order_ref) "
                  "WHERE order_ref <> ''; "
                  "UPDATE schema_version SET version = 7"))
          .ok());
  Result<std::unique_ptr<central::CentralStore>> s =
      central::OpenCentralStore("sqlite:" + path, SystemClock());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<central::IngestResult> r =
      (*s)->IngestBatch("s1", {chain.Next(record("r", false))}, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Result<std::optional<v1::ResolvedOriginal>> o =
      (*s)->ResolveOriginal("s1", 2);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_TRUE(o->has_value());
  EXPECT_TRUE((*o)->found());
  EXPECT_EQ((*o)->seq(), 1u);
  r = (*s)->IngestBatch("s1", {chain.Next(record("a", true))}, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->acked_seq, 3u);
  s->reset();
  // The new table has the indexes the old one had.
  Result<storage::Connection> c =
      storage::Connection::Open(path, storage::ConnectionOptions{});
  ASSERT_TRUE(c.ok());
  Result<storage::Statement> st = storage::Statement::Prepare(
      c->get(),
      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
      "tbl_name = 'kpi_sales' AND name IN ('kpi_sales_receipt', "
      "'kpi_sales_order')");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  Result<bool> row = st->Step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(st->ColumnInt(0), 2);
}

// A version 8 database (no price book) opens at version 9 with an empty
// book; its stores get what is published from then on, and a Hello queues
// nothing more.
TEST(SqliteCentralStoreTest, VersionEightGetsAnEmptyPriceBook) {
  TempDir dir;
  const std::string path = dir.File("central.db");
  {
    Result<std::unique_ptr<central::CentralStore>> s =
        central::OpenCentralStore("sqlite:" + path, SystemClock());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->GetOrCreateStore("s1").ok());
  }
  ASSERT_TRUE(
      ExecOn(path,
             std::string(kUndoVersion11) +
                 std::string(
                     "DROP TABLE price_deviations; "
                     "DROP INDEX kpi_counters_price_lines; "
                     "DROP TABLE price_book; DROP TABLE price_book_stores; "
                     "DROP TABLE price_book_sent; "
                     "UPDATE schema_version SET version = 8"))
          .ok());
  Result<std::unique_ptr<central::CentralStore>> s =
      central::OpenCentralStore("sqlite:" + path, SystemClock());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<central::PriceBookRead> book = (*s)->ReadPriceBook("", false);
  ASSERT_TRUE(book.ok()) << book.status().ToString();
  EXPECT_TRUE(book->summaries.empty());
  v1::Promotion p;
  p.set_id("P");
  p.set_version(1);
  p.mutable_scope()->set_all_stores(true);
  p.add_skus("A");
  p.mutable_percent_off()->set_basis_points(500);
  Result<central::PublishResult> r = (*s)->PublishPromotion(p, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stores_queued, std::vector<std::string>{"s1"});
  Result<central::PriceBookQueued> q = (*s)->QueuePriceBook("s1", kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->queued, 0u);
}

// A version 9 database opens at version 10 with no price deviations;
// checked sales ingested from then on are listed and counted.
TEST(SqliteCentralStoreTest, VersionNineStartsAnEmptyDeviationList) {
  TempDir dir;
  const std::string path = dir.File("central.db");
  ChainBuilder chain;
  {
    Result<std::unique_ptr<central::CentralStore>> s =
        central::OpenCentralStore("sqlite:" + path, SystemClock());
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE(
        (*s)->IngestBatch("s1", {chain.Next(KpiSale("a", "", ""))}, kNow).ok());
  }
  ASSERT_TRUE(
      ExecOn(path, std::string(kUndoVersion11) +
                       std::string("DROP TABLE price_deviations; "
                                   "DROP INDEX kpi_counters_price_lines; "
                                   "UPDATE schema_version SET version = 9"))
          .ok());
  Result<std::unique_ptr<central::CentralStore>> s =
      central::OpenCentralStore("sqlite:" + path, SystemClock());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Result<central::PriceDeviationList> none = (*s)->ListPriceDeviations({});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->entries.empty());
  EXPECT_EQ(none->lines_checked, 0);
  v1::JournalRecord sale = KpiSale("b", "", "");
  sale.mutable_transaction()->mutable_sale()->set_price_book_central_seq(1);
  sale.mutable_transaction()
      ->mutable_sale()
      ->mutable_lines(0)
      ->mutable_price_deviation()
      ->set_kind(v1::PRICE_DEVIATION_KIND_NOT_IN_BOOK);
  ASSERT_TRUE((*s)->IngestBatch("s1", {chain.Next(sale)}, kNow).ok());
  Result<central::PriceDeviationList> one = (*s)->ListPriceDeviations({});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->entries.size(), 1u);
  EXPECT_EQ(one->entries[0].seq(), 2u);
  EXPECT_EQ(one->lines_checked, 2);
  EXPECT_EQ(one->lines_deviating, 1);
}

TEST(SqliteCentralStoreTest, NewerSchemaIsRefused) {
  TempDir dir;
  const std::string path = dir.File("central.db");
  ASSERT_TRUE(central::OpenCentralStore("sqlite:" + path, SystemClock()).ok());
  ASSERT_TRUE(ExecOn(path, "UPDATE schema_version SET version = 99").ok());
  Result<std::unique_ptr<central::CentralStore>> s =
      central::OpenCentralStore("sqlite:" + path, SystemClock());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.status().message().find("upgrade storecentrald"),
            std::string::npos);
}

}  // namespace
}  // namespace storeagent::testing
