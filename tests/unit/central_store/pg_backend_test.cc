// The conformance suite on the PostgreSQL backend. The server comes from
// STOREAGENT_TEST_PG_URL (scripts/start-postgres prints one; scripts/test
// exports it). Unset, every test FAILS, unless STOREAGENT_TEST_NO_PG=1 says
// to skip them. Each test works in its own schema (random suffix), reached
// through the URL's search_path, and drops it at the end.
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "central/store/central_schema.h"
#include "central/store/pg_arrays.h"
#include "central/store/pg_central_store.h"
#include "central/store/pg_pool.h"
#include "central/store/pg_stream_leases.h"
#include "platform/crypto.h"
#include "tests/unit/central_store/central_store_fixture.h"

namespace storeagent::testing {
namespace {

// What schema version 11 added (the stores' checkpoint keys), undone first
// by every test that takes a database back to an older version.
constexpr char kUndoVersion11[] =
    "DROP TABLE store_signing_keys; ALTER TABLE stores DROP COLUMN "
    "signing_key_id, DROP COLUMN last_checkpoint_seq, DROP COLUMN "
    "signature_problem, DROP COLUMN signature_problem_at_us; ";

std::string WithSearchPath(const std::string& url, const std::string& schema) {
  const char sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + "options=-csearch_path%3D" + schema;
}

class PgInstance : public BackendInstance {
 public:
  PgInstance(std::string base_url, std::string schema)
      : base_url_(std::move(base_url)), schema_(std::move(schema)) {}
  ~PgInstance() override {
    try {
      pqxx::connection c(base_url_);
      pqxx::nontransaction tx(c);
      tx.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "drop schema " << schema_ << ": " << e.what();
    }
  }
  Result<std::unique_ptr<central::CentralStore>> Open() override {
    return central::OpenCentralStore(WithSearchPath(base_url_, schema_),
                                     SystemClock());
  }
  bool multi_writer() const override { return true; }

 private:
  const std::string base_url_;
  const std::string schema_;
};

// The server's URL, or a Status (SKIPPED_ when PostgreSQL tests are off).
Result<std::string> PgUrl() {
  const char* no_pg = std::getenv("STOREAGENT_TEST_NO_PG");
  if (no_pg != nullptr && std::string(no_pg) == "1") {
    return FailedPrecondition(std::string(kSkipPrefix) +
                              "STOREAGENT_TEST_NO_PG=1: PostgreSQL tests "
                              "skipped on request");
  }
  const char* url = std::getenv("STOREAGENT_TEST_PG_URL");
  if (url == nullptr || *url == '\0') {
    return FailedPrecondition(
        "STOREAGENT_TEST_PG_URL is not set: run scripts/start-postgres and "
        "export the URL it prints (or set STOREAGENT_TEST_NO_PG=1 to skip "
        "the PostgreSQL tests explicitly)");
  }
  return std::string(url);
}

Result<std::unique_ptr<BackendInstance>> MakePg() {
  Result<std::string> url = PgUrl();
  if (!url.ok()) return url.status();
  const std::string schema =
      "cstore_test_" + crypto::ToHex(crypto::RandomBytes(6));
  try {
    pqxx::connection c(*url);
    pqxx::nontransaction tx(c);
    tx.exec("CREATE SCHEMA " + schema);
  } catch (...) {
    return central::PgStatus(std::current_exception(),
                             "create test schema on STOREAGENT_TEST_PG_URL");
  }
  return std::unique_ptr<BackendInstance>(
      std::make_unique<PgInstance>(*url, schema));
}

INSTANTIATE_TEST_SUITE_P(Pg, CentralStoreTest,
                         ::testing::Values(Backend{"postgresql", MakePg}),
                         [](const auto&) { return std::string("postgresql"); });

// PostgreSQL-only behaviour, each test in a schema of its own.
class PgOnlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::string> url = PgUrl();
    if (!url.ok()) {
      const std::string why = url.status().message();
      if (why.rfind(kSkipPrefix, 0) == 0) GTEST_SKIP() << why;
      FAIL() << why;
    }
    schema_ = "cstore_test_" + crypto::ToHex(crypto::RandomBytes(6));
    instance_ = std::make_unique<PgInstance>(*url, schema_);
    conn_ = std::make_unique<pqxx::connection>(*url);
    pqxx::nontransaction tx(*conn_);
    tx.exec("CREATE SCHEMA " + schema_);
    tx.exec("SET search_path TO " + schema_);
  }

  std::string schema_;
  std::unique_ptr<PgInstance> instance_;  // drops the schema at the end
  std::unique_ptr<pqxx::connection> conn_;
};

// A batch travels as one array per column: whatever text a column holds
// must come back from the server as it went in.
TEST_F(PgOnlyTest, ArrayLiteralsRoundTripAnyText) {
  const std::vector<std::string> texts = {"",
                                          "plain",
                                          "with \"quotes\"",
                                          "back\\slash\\",
                                          "a,b",
                                          "{braces}",
                                          "NULL",
                                          "  spaced  ",
                                          "caf\xc3\xa9 \xe2\x82\xac",
                                          "\\\"",
                                          "line\nbreak\ttab"};
  const std::vector<int64_t> ints = {0, -1, INT64_MAX, INT64_MIN + 1, 42};
  pqxx::nontransaction tx(*conn_);
  pqxx::result t =
      tx.exec_params("SELECT unnest($1::text[])", central::TextArray(texts));
  ASSERT_EQ(t.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    EXPECT_FALSE(t[i][0].is_null()) << i;
    EXPECT_EQ(t[i][0].as<std::string>(), texts[i]) << i;
  }
  pqxx::result n =
      tx.exec_params("SELECT unnest($1::bigint[])", central::IntArray(ints));
  ASSERT_EQ(n.size(), ints.size());
  for (size_t i = 0; i < ints.size(); ++i) {
    EXPECT_EQ(n[i][0].as<int64_t>(), ints[i]) << i;
  }
  EXPECT_EQ(tx.exec_params("SELECT cardinality($1::text[])",
                           central::TextArray({}))[0][0]
                .as<int>(),
            0);
}

// A database made by the previous release (schema v2, unpartitioned event
// tables, rows in them) is moved to the partitioned tables on open, with
// every row kept and the store going on from where it was.
TEST_F(PgOnlyTest, AVersion2DatabaseMovesToPartitionedEventTables) {
  ChainBuilder chain;
  const std::vector<v1::JournalEntry> first = chain.NoSales(3);
  {
    pqxx::work tx(*conn_);
    tx.exec(std::string(central::kPgSchema[0]));
    tx.exec(std::string(central::kPgSchema[1]));
    tx.exec("CREATE TABLE schema_version (version INTEGER NOT NULL)");
    tx.exec("INSERT INTO schema_version VALUES (2)");
    tx.exec_params(
        "INSERT INTO stores (store_id, store_seq_held, store_hash_held, "
        "central_head_seq) VALUES ('s1', 3, $1, 1)",
        pqxx::binarystring(first.back().hash()));
    for (const v1::JournalEntry& e : first) {
      tx.exec_params(
          "INSERT INTO store_events (store_id, seq, recorded_at_us, kind, "
          "record, prev_hash, hash, quarantined, ingested_at_us) VALUES "
          "('s1', $1::bigint, 0, 'transaction', $2, $3, $4, "
          "CASE WHEN $1::bigint = 2 THEN 'kept for the test' END, 7)",
          static_cast<int64_t>(e.record().seq()),
          pqxx::binarystring(core::CanonicalBytes(e.record())),
          pqxx::binarystring(e.prev_hash()), pqxx::binarystring(e.hash()));
    }
    tx.exec(
        "INSERT INTO central_events (store_id, central_seq, request_key, "
        "created_at_us, event) VALUES ('s1', 1, 'k1', 5, '')");
    tx.commit();
  }

  Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
  ASSERT_TRUE(store.ok()) << store.status().message();

  {
    pqxx::nontransaction tx(*conn_);
    EXPECT_EQ(tx.exec1("SELECT version FROM schema_version")[0].as<int>(),
              central::kCentralSchemaVersion);
    for (const char* table : {"store_events", "central_events"}) {
      SCOPED_TRACE(table);
      EXPECT_EQ(tx.exec_params1("SELECT c.relkind FROM pg_class c JOIN "
                                "pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE n.nspname = $1 AND c.relname = $2",
                                schema_, std::string(table))[0]
                    .as<std::string>(),
                "p");  // partitioned
      EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM pg_inherits WHERE "
                                "inhparent = ($1 || '.' || $2)::regclass",
                                schema_, std::string(table))[0]
                    .as<int>(),
                central::kPgEventPartitions);
    }
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM pg_tables WHERE tablename LIKE "
                       "'%_v2' AND schemaname = current_schema()")[0]
                  .as<int>(),
              0);
  }

  Result<std::vector<v1::JournalEntry>> held =
      (*store)->ReadStoreEvents("s1", 0, 0, 100);
  ASSERT_TRUE(held.ok()) << held.status().message();
  ASSERT_EQ(held->size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ((*held)[i].hash(), first[i].hash());
  Result<std::vector<uint64_t>> q = (*store)->QuarantinedSeqs("s1", 0, 0);
  ASSERT_TRUE(q.ok()) << q.status().message();
  EXPECT_EQ(*q, std::vector<uint64_t>{2});
  Result<std::vector<v1::CentralEvent>> down =
      (*store)->ReadCentralEvents("s1", 0, 0, 10);
  ASSERT_TRUE(down.ok()) << down.status().message();
  EXPECT_EQ(down->size(), 1u);

  // The chain goes on after the move.
  Result<central::IngestResult> more =
      (*store)->IngestBatch("s1", chain.NoSales(2), 9);
  ASSERT_TRUE(more.ok()) << more.status().message();
  EXPECT_EQ(more->acked_seq, 5u);
  // The keys moved with the rows: the database itself refuses a second
  // (store, seq) and a second (store, request_key).
  EXPECT_THROW(
      {
        pqxx::work tx(*conn_);
        tx.exec(
            "INSERT INTO store_events (store_id, seq, recorded_at_us, kind, "
            "record, prev_hash, hash, ingested_at_us) VALUES ('s1', 1, 0, "
            "'transaction', '', '', '', 0)");
      },
      pqxx::unique_violation);
  EXPECT_THROW(
      {
        pqxx::work tx(*conn_);
        tx.exec(
            "INSERT INTO central_events (store_id, central_seq, request_key, "
            "created_at_us, event) VALUES ('s1', 2, 'k1', 5, '')");
      },
      pqxx::unique_violation);
}

// A batch that brings a store's sales reads the pending returns naming that
// store (FOR UPDATE) but writes back only those it resolves: a return whose
// original never arrives is not rewritten by every later batch (its row
// version, xmin, stays the one its own ingest wrote).
TEST_F(PgOnlyTest, APendingReturnNoBatchResolvesIsNotRewritten) {
  Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
  ASSERT_TRUE(store.ok()) << store.status().message();
  // A sale with receipt "R-<txn>"; a return of s1's sale `orig`.
  auto sale = [](const std::string& txn) {
    return KpiSale(txn, "R-" + txn, "");
  };
  auto return_of = [](const std::string& txn, const std::string& orig) {
    return KpiReturn(txn, "s1", orig, "", "store");
  };
  auto ingest = [&](const std::string& id, ChainBuilder& c,
                    std::vector<v1::JournalRecord> records) {
    std::vector<v1::JournalEntry> batch;
    for (v1::JournalRecord& r : records) batch.push_back(c.Next(std::move(r)));
    Result<central::IngestResult> r =
        (*store)->IngestBatch(id, batch, 1'700'000'000'000'000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->quarantined.empty()) << r->quarantined[0].reason();
  };
  // (resolved, xmin) of s2's return at `seq`.
  auto state = [&](int seq) {
    pqxx::nontransaction tx(*conn_);
    pqxx::row row = tx.exec_params1(
        "SELECT resolved, xmin::text FROM kpi_returns WHERE store_id = 's2' "
        "AND seq = $1",
        seq);
    return std::make_pair(row[0].as<int>(), row[1].as<std::string>());
  };
  ChainBuilder s1, s2;
  // Two returns of s1's sales s1 has not sent: both pending.
  ingest("s2", s2, {return_of("r1", "a1"), return_of("r2", "never")});
  const std::pair<int, std::string> r1_before = state(1);
  const std::pair<int, std::string> r2_before = state(2);
  EXPECT_EQ(r1_before.first, 0);
  EXPECT_EQ(r2_before.first, 0);

  // s1's sales: two batches that resolve nothing, then one that brings a1.
  ingest("s1", s1, {sale("b1"), sale("b2")});
  ingest("s1", s1, {sale("b3")});
  EXPECT_EQ(state(1), r1_before);
  EXPECT_EQ(state(2), r2_before);
  ingest("s1", s1, {sale("b4"), sale("a1")});
  const std::pair<int, std::string> r1_after = state(1);
  EXPECT_EQ(r1_after.first, 1);
  EXPECT_NE(r1_after.second, r1_before.second);
  EXPECT_EQ(state(2), r2_before);  // still pending, never written again
}

// A version 7 database (kpi_sales keyed by client key alone) opens at
// version 8 with its rows: a later return still finds its original, and
// the same key may come again with another sale.
TEST_F(PgOnlyTest, AVersion7SalesIndexIsRekeyedWithItsRows) {
  ChainBuilder chain;
  // A sale with key `txn`, or a return of this store's sale "a".
  auto record = [](const std::string& txn, bool sale) {
    return sale ? KpiSale(txn, "", "") : KpiReturn(txn, "", "a", "", "store");
  };
  {
    Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE(
        (*store)->IngestBatch("s1", {chain.Next(record("a", true))}, 5).ok());
  }
  {
    pqxx::nontransaction tx(*conn_);
    tx.exec(std::string(kUndoVersion11) +
            std::string(
                "DROP VIEW price_deviation_facts; DROP TABLE price_deviations; "
                "DROP INDEX kpi_counters_price_lines; "
                "DROP TABLE price_book; DROP TABLE price_book_stores; "
                "DROP TABLE price_book_sent; "
                "ALTER TABLE kpi_sales DROP CONSTRAINT kpi_sales_pkey; "
                "ALTER TABLE kpi_sales ADD PRIMARY KEY (store_id, terminal_id, "
                "client_txn_id); UPDATE schema_version SET version = 7"));
  }
  Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
  ASSERT_TRUE(store.ok()) << store.status().message();
  {
    pqxx::nontransaction tx(*conn_);
    EXPECT_EQ(tx.exec1("SELECT version FROM schema_version")[0].as<int>(),
              central::kCentralSchemaVersion);
    EXPECT_EQ(tx.exec1("SELECT array_length(indkey, 1) FROM pg_index WHERE "
                       "indrelid = 'kpi_sales'::regclass AND indisprimary")[0]
                  .as<int>(),
              4);
  }
  ASSERT_TRUE(
      (*store)->IngestBatch("s1", {chain.Next(record("r", false))}, 6).ok());
  Result<std::optional<v1::ResolvedOriginal>> o =
      (*store)->ResolveOriginal("s1", 2);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  ASSERT_TRUE(o->has_value());
  EXPECT_TRUE((*o)->found());
  EXPECT_EQ((*o)->seq(), 1u);
  Result<central::IngestResult> again =
      (*store)->IngestBatch("s1", {chain.Next(record("a", true))}, 7);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->acked_seq, 3u);
}

// A version 8 database (no price book) opens at version 9 with an empty
// book, and its stores get what is published from then on.
TEST_F(PgOnlyTest, AVersion8DatabaseGetsAnEmptyPriceBook) {
  {
    Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->GetOrCreateStore("s1").ok());
  }
  {
    pqxx::nontransaction tx(*conn_);
    tx.exec(std::string(kUndoVersion11) +
            std::string(
                "DROP VIEW price_deviation_facts; DROP TABLE price_deviations; "
                "DROP INDEX kpi_counters_price_lines; "
                "DROP TABLE price_book; DROP TABLE price_book_stores; "
                "DROP TABLE price_book_sent; UPDATE schema_version SET version "
                "= 8"));
  }
  Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
  ASSERT_TRUE(store.ok()) << store.status().message();
  {
    pqxx::nontransaction tx(*conn_);
    EXPECT_EQ(tx.exec1("SELECT version FROM schema_version")[0].as<int>(),
              central::kCentralSchemaVersion);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM price_book")[0].as<int>(), 0);
  }
  v1::PriceList l;
  l.set_id("L");
  l.set_version(1);
  l.set_currency("EUR");
  l.mutable_scope()->set_all_stores(true);
  Result<central::PublishResult> r = (*store)->PublishPriceList(l, 5);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stores_queued, std::vector<std::string>{"s1"});
}

// A version 9 database opens at version 10 with no price deviations and
// the KPI views rebuilt with the price lines; checked sales ingested from
// then on are listed, counted and in the views.
TEST_F(PgOnlyTest, AVersion9DatabaseStartsAnEmptyDeviationList) {
  ChainBuilder chain;
  {
    Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)
                    ->IngestBatch("s1", {chain.Next(KpiSale("a", "", ""))}, 5)
                    .ok());
  }
  {
    pqxx::nontransaction tx(*conn_);
    // The views as version 6 made them (their v6 text, without the rest).
    tx.exec(
        std::string(kUndoVersion11) +
        std::string(
            "DROP VIEW price_deviation_facts; DROP TABLE price_deviations; "
            "DROP INDEX kpi_counters_price_lines; DROP VIEW kpi_weekly; "
            "DROP VIEW kpi_weekly_counts; "
            "CREATE VIEW kpi_weekly_counts AS SELECT k.store_id, s.region, "
            "k.week, SUM(k.value) AS sales FROM kpi_counters k JOIN stores s "
            "ON s.store_id = k.store_id GROUP BY k.store_id, s.region, k.week; "
            "CREATE VIEW kpi_weekly AS SELECT c.* FROM kpi_weekly_counts c; "
            "UPDATE schema_version SET version = 9"));
  }
  Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
  ASSERT_TRUE(store.ok()) << store.status().message();
  Result<central::PriceDeviationList> none = (*store)->ListPriceDeviations({});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->entries.empty());
  v1::JournalRecord sale = KpiSale("b", "", "");
  sale.mutable_transaction()->mutable_sale()->set_price_book_central_seq(1);
  sale.mutable_transaction()
      ->mutable_sale()
      ->mutable_lines(1)
      ->mutable_price_deviation()
      ->set_kind(v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
  ASSERT_TRUE((*store)->IngestBatch("s1", {chain.Next(sale)}, 6).ok());
  Result<central::PriceDeviationList> one = (*store)->ListPriceDeviations({});
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->entries.size(), 1u);
  EXPECT_EQ(one->lines_checked, 2);
  pqxx::nontransaction tx(*conn_);
  EXPECT_EQ(tx.exec1("SELECT version FROM schema_version")[0].as<int>(),
            central::kCentralSchemaVersion);
  const pqxx::row w = tx.exec1(
      "SELECT price_lines_checked, price_lines_deviating, "
      "price_deviation_rate FROM kpi_weekly WHERE store_id = 's1'");
  EXPECT_EQ(w[0].as<int64_t>(), 2);
  EXPECT_EQ(w[1].as<int64_t>(), 1);
  EXPECT_DOUBLE_EQ(w[2].as<double>(), 0.5);
  const pqxx::row f =
      tx.exec1("SELECT seq, line, kind, reason FROM price_deviation_facts");
  EXPECT_EQ(f[0].as<int64_t>(), 2);
  EXPECT_EQ(f[1].as<int64_t>(), 1);
  EXPECT_EQ(f[2].as<std::string>(), "unit_price");
  EXPECT_EQ(f[3].as<std::string>(), "none_given");
}

// The adapter's half of the retry, end to end: a seam call that PostgreSQL
// aborts (here a real deadlock) reaches PgPool, which runs the whole method
// again. The test's transaction holds the request key the store's append
// inserts, then asks for the store's row, which the append holds. Which of
// the two PostgreSQL aborts is the one whose deadlock check (deadlock_timeout
// after it began to wait) first sees the cycle: normally the append, which
// waited first; but on a loaded machine the test's second wait can come
// later than the append's check, and then the test's transaction is the
// victim and the append never needed a second attempt. Such a round proves
// nothing, so the scenario runs again with a fresh key (at most five
// rounds); the test fails unless one round made the append the victim and
// its second attempt then succeeded.
TEST_F(PgOnlyTest, AMethodPostgresAbortsForADeadlockRunsAgain) {
  Result<std::unique_ptr<central::CentralStore>> store = instance_->Open();
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE((*store)->GetOrCreateStore("s1").ok());
  pqxx::connection watcher(*PgUrl());

  v1::CentralEvent event;
  event.set_reference("asn-a");
  v1::StockMovement* m = event.mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  v1::StockDelta* d = m->add_lines();
  d->set_sku("a");
  d->set_quantity(1);

  bool append_was_victim = false;
  for (int round = 1; round <= 5 && !append_was_victim; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string key = "k" + std::to_string(round);
    pqxx::work holder(*conn_);
    holder.exec_params(
        "INSERT INTO central_events (store_id, central_seq, request_key, "
        "created_at_us, event) VALUES ('s1', $1, $2, 0, '')",
        1000 + round, key);

    Result<central::PushResult> pushed = Internal("not run");
    std::thread append(
        [&] { pushed = (*store)->AppendCentralEvent("s1", key, event, 7); });

    // Wait until the append waits for the holder (for the key it inserted).
    bool waiting = false;
    for (int i = 0; i < 500 && !waiting; ++i) {
      pqxx::nontransaction w(watcher);
      waiting = w.exec_params1(
                     "SELECT count(*) FROM pg_stat_activity "
                     "WHERE $1 = ANY(pg_blocking_pids(pid))",
                     conn_->backendpid())[0]
                    .as<int>() > 0;
      if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_TRUE(waiting);
    // The cycle.
    try {
      holder.exec(
          "SELECT store_id FROM stores WHERE store_id = 's1' FOR UPDATE");
      append_was_victim = true;
    } catch (const pqxx::deadlock_detected&) {
      // This transaction was the victim; the append goes on undisturbed.
    }
    holder.abort();
    append.join();

    // Either way the append succeeds, once, with the next central_seq.
    ASSERT_TRUE(pushed.ok()) << pushed.status().message();
    EXPECT_EQ(pushed->central_seq, static_cast<uint64_t>(round));
    EXPECT_FALSE(pushed->replayed);
  }
  EXPECT_TRUE(append_was_victim)
      << "in five rounds PostgreSQL never chose the append as the victim";
}

// The PostgreSQL side of the seam's retry: PgPool::InTransaction runs a
// transaction again when PostgreSQL aborted it (a serialization failure or
// deadlock, thrown by libpqxx), up to kPgMaxAttempts, and never for a
// status the body returns itself.
class PgPoolRetryTest : public PgOnlyTest {
 protected:
  std::unique_ptr<central::PgPool> Pool() {
    Result<std::unique_ptr<central::PgPool>> pool =
        central::PgPool::Open(*PgUrl(), 1, SystemClock());
    EXPECT_TRUE(pool.ok()) << pool.status().message();
    return pool.ok() ? std::move(pool).value() : nullptr;
  }
};

TEST_F(PgPoolRetryTest, ATransactionPostgresAbortedRunsAgain) {
  std::unique_ptr<central::PgPool> pool = Pool();
  ASSERT_NE(pool, nullptr);
  int runs = 0;
  Status st = pool->InTransaction("test", [&](pqxx::work& tx) -> Status {
    ++runs;
    if (runs <= 2) throw pqxx::deadlock_detected("deadlock detected");
    tx.exec("SELECT 1");
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(runs, 3);
}

TEST_F(PgPoolRetryTest, AnAbortedStatusOfTheBodyIsNotRetried) {
  std::unique_ptr<central::PgPool> pool = Pool();
  ASSERT_NE(pool, nullptr);
  int runs = 0;
  Status st = pool->InTransaction("test", [&](pqxx::work&) -> Status {
    ++runs;
    return Aborted("central_head_seq: expected 1, is 2");
  });
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(runs, 1);
}

TEST_F(PgPoolRetryTest, AnotherErrorIsNotRetried) {
  std::unique_ptr<central::PgPool> pool = Pool();
  ASSERT_NE(pool, nullptr);
  int runs = 0;
  Status st = pool->InTransaction("test", [&](pqxx::work& tx) -> Status {
    ++runs;
    tx.exec("SELECT no_such_column FROM no_such_table");
    return Status::Ok();
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(runs, 1);
}

TEST_F(PgPoolRetryTest, AbortsBeyondTheLimitAreAborted) {
  std::unique_ptr<central::PgPool> pool = Pool();
  ASSERT_NE(pool, nullptr);
  int runs = 0;
  Status st = pool->InTransaction("test", [&](pqxx::work&) -> Status {
    ++runs;
    throw pqxx::serialization_failure("could not serialize access");
  });
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(runs, central::kPgMaxAttempts);
}

// Stream leases (schema v4): two replicas over one database, a lease time
// of one second.
std::unique_ptr<central::StreamLeases> OpenLeases(const std::string& url,
                                                  const std::string& id) {
  Result<std::unique_ptr<central::StreamLeases>> l =
      central::OpenPgStreamLeases(url, id, std::chrono::seconds(1),
                                  SystemClock());
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  return l.ok() ? std::move(l).value() : nullptr;
}

// Polls `done` every 20 ms for at most 10 s.
bool WaitUntil(const std::function<bool()>& done) {
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

TEST_F(PgOnlyTest, StreamLeasesAreTakenOverRenewedReleasedAndExpire) {
  ASSERT_TRUE(instance_->Open().ok());  // the schema, v4
  const std::string url =
      *PgUrl() + (PgUrl()->find('?') == std::string::npos ? "?" : "&") +
      "options=-csearch_path%3D" + schema_;
  std::unique_ptr<central::StreamLeases> a = OpenLeases(url, "h:1:aaaa0001");
  std::unique_ptr<central::StreamLeases> b = OpenLeases(url, "h:2:bbbb0002");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->channel(), "storecentral_aaaa0001");

  Result<central::LeaseTaken> ta = a->Take("s1");
  ASSERT_TRUE(ta.ok()) << ta.status().ToString();
  EXPECT_FALSE(ta->previous);
  Result<std::optional<central::StreamLease>> live = b->Live("s1");
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->replica_id, "h:1:aaaa0001");
  EXPECT_EQ((*live)->channel, "storecentral_aaaa0001");
  EXPECT_EQ((*live)->generation, ta->generation);

  // B takes over: it learns whose live lease it replaced.
  Result<central::LeaseTaken> tb = b->Take("s1");
  ASSERT_TRUE(tb.ok());
  EXPECT_EQ(tb->generation, ta->generation + 1);
  ASSERT_TRUE(tb->previous);
  EXPECT_EQ(tb->previous->replica_id, "h:1:aaaa0001");
  EXPECT_EQ(tb->previous->generation, ta->generation);
  EXPECT_FALSE(*a->Renew("s1", ta->generation));
  EXPECT_TRUE(*b->Renew("s1", tb->generation));
  ASSERT_TRUE(a->Release("s1", ta->generation).ok());  // not A's: kept
  live = a->Live("s1");
  ASSERT_TRUE(live.ok() && live->has_value());
  EXPECT_EQ((*live)->replica_id, "h:2:bbbb0002");

  // A lease nobody renews expires; one released is gone at once.
  ASSERT_TRUE(a->Take("s2").ok());
  EXPECT_TRUE(WaitUntil([&] {
    Result<std::optional<central::StreamLease>> l = b->Live("s2");
    return l.ok() && !l->has_value();
  }));
  Result<central::LeaseTaken> again = b->Take("s2");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->previous) << "an expired lease is nobody's";
  ASSERT_TRUE(b->Release("s2", again->generation).ok());
  live = a->Live("s2");
  ASSERT_TRUE(live.ok());
  EXPECT_FALSE(live->has_value());
}

TEST_F(PgOnlyTest, StreamLeasesCarryMessagesBetweenReplicas) {
  ASSERT_TRUE(instance_->Open().ok());
  // Channels are the database's, not the schema's: random, so concurrent
  // runs never hear each other.
  std::unique_ptr<central::StreamLeases> a =
      OpenLeases(*PgUrl(), "h:1:" + crypto::ToHex(crypto::RandomBytes(4)));
  std::unique_ptr<central::StreamLeases> b =
      OpenLeases(*PgUrl(), "h:2:" + crypto::ToHex(crypto::RandomBytes(4)));
  ASSERT_TRUE(a && b);
  std::mutex mu;
  std::vector<std::string> heard;
  a->Listen([&](const std::string& payload) {
    std::lock_guard<std::mutex> lock(mu);
    heard.push_back(payload);
  });
  ASSERT_TRUE(b->Send(a->channel(), "wake s1").ok());
  ASSERT_TRUE(b->Send(b->channel(), "not for a").ok());
  EXPECT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !heard.empty();
  }));
  EXPECT_EQ(b->Send(a->channel(), std::string(8000, 'x')).code(),
            StatusCode::kInvalidArgument);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(heard, std::vector<std::string>{"wake s1"});
  }

  // The listener's connection is killed: it reconnects and listens again
  // (a message sent while it was away is lost; later ones arrive).
  pqxx::nontransaction tx(*conn_);
  pqxx::result killed = tx.exec_params(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
      "query LIKE '%LISTEN%' || $1 || '%' AND pid <> pg_backend_pid()",
      a->channel());
  ASSERT_EQ(killed.size(), 1u) << "the listener's backend was not found";
  EXPECT_TRUE(WaitUntil([&] {
    EXPECT_TRUE(b->Send(a->channel(), "after").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard<std::mutex> lock(mu);
    return heard.back() == "after";
  }));
  a->Stop();
}

}  // namespace
}  // namespace storeagent::testing
