// storage::VerifyStock on a real agent database: events recorded through
// agent::StockOps agree with the journal; a tampered stock or holds row is
// named with both values.
#include "storage/stock_rebuild.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <future>
#include <memory>
#include <string>

#include "agent/stock_ops.h"
#include "platform/clock.h"
#include "storage/event_store.h"
#include "storage/sqlite_handle.h"
#include "tests/support/temp_dir.h"

namespace storeagent {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kHour = 3'600'000'000;

// Runs one asynchronous StockOps call and waits for its answer.
template <typename T, typename Call>
Result<T> Wait(Call call) {
  std::promise<Result<T>> p;
  std::future<Result<T>> f = p.get_future();
  call([&p](Result<T> r) { p.set_value(std::move(r)); });
  return f.get();
}

v1::ClientKey Key(const std::string& txn) {
  v1::ClientKey k;
  k.set_terminal_id("back-office");
  k.set_client_txn_id(txn);
  return k;
}

class StockRebuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::DatabaseOptions o;
    o.path = dir_.File("agent.db");
    o.store_id = "store-1";
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, clock_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ops_ = std::make_unique<agent::StockOps>(*db_, clock_);
  }

  void TearDown() override {
    ops_.reset();
    if (db_) db_->Close();
  }

  void Movement(const std::string& txn, v1::StockMovement::Reason reason,
                const std::string& sku, int64_t qty) {
    v1::RecordStockEventRequest req;
    *req.mutable_client_key() = Key(txn);
    req.mutable_movement()->set_reason(reason);
    v1::StockDelta* d = req.mutable_movement()->add_lines();
    d->set_sku(sku);
    d->set_quantity(qty);
    Result<v1::RecordTransactionResponse> r =
        Wait<v1::RecordTransactionResponse>(
            [&](auto done) { ops_->RecordStockEvent(req, std::move(done)); });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void Count(const std::string& txn, const std::string& sku, int64_t counted) {
    v1::RecordStockEventRequest req;
    *req.mutable_client_key() = Key(txn);
    v1::CountLine* l = req.mutable_count()->add_lines();
    l->set_sku(sku);
    l->set_counted(counted);
    Result<v1::RecordTransactionResponse> r =
        Wait<v1::RecordTransactionResponse>(
            [&](auto done) { ops_->RecordStockEvent(req, std::move(done)); });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void Place(const std::string& ref, const std::string& sku, int64_t qty) {
    v1::PlaceHoldRequest req;
    *req.mutable_client_key() = Key("place-" + ref);
    v1::HoldPlaced* h = req.mutable_hold();
    h->set_order_ref(ref);
    h->set_channel("online");
    h->set_expires_at_us(clock_.NowMicros() + kHour);
    v1::HoldLine* l = h->add_lines();
    l->set_sku(sku);
    l->set_quantity(qty);
    Result<v1::PlaceHoldResponse> r = Wait<v1::PlaceHoldResponse>(
        [&](auto done) { ops_->PlaceHold(req, std::move(done)); });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(r->granted());
  }

  void Update(const std::string& action, const std::string& ref) {
    v1::UpdateHoldRequest req;
    *req.mutable_client_key() = Key(action + "-" + ref);
    if (action == "pick") req.mutable_pick()->set_order_ref(ref);
    if (action == "collect") req.mutable_collect()->set_order_ref(ref);
    if (action == "cancel") req.mutable_cancel()->set_order_ref(ref);
    Result<v1::GetHoldResponse> r = Wait<v1::GetHoldResponse>(
        [&](auto done) { ops_->UpdateHold(req, std::move(done)); });
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  // A sale of `qty` of `sku` and, when `void_it`, its post-void; appended
  // through storage::AppendEvent as the recorder does.
  void SaleAndVoid(const std::string& txn, const std::string& sku, int64_t qty,
                   bool void_it) {
    Status s = db_->writer().Run([&](storage::WriteContext& ctx) -> Status {
      v1::JournalRecord sale;
      *sale.mutable_client_key() = Key(txn);
      v1::TransactionLine* l =
          sale.mutable_transaction()->mutable_sale()->add_lines();
      l->set_sku(sku);
      l->set_quantity(qty);
      Result<storage::AppendResult> a =
          storage::AppendEvent(ctx, db_->journal(), sale);
      if (!a.ok() || !void_it) return a.status();
      v1::JournalRecord v;
      *v.mutable_client_key() = Key("void-" + txn);
      *v.mutable_transaction()->mutable_post_void()->mutable_original() =
          Key(txn);
      v.mutable_transaction()->mutable_post_void()->set_reason("mistake");
      return storage::AppendEvent(ctx, db_->journal(), v).status();
    });
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // The usual day: receipts, sales, a void, holds through their states, a
  // quality hold and a count.
  void RecordADay() {
    Movement("m1", v1::StockMovement::REASON_RECEIPT, "A-1", 20);
    Movement("m2", v1::StockMovement::REASON_RECEIPT, "B-2", 5);
    Movement("m3", v1::StockMovement::REASON_QUALITY_HOLD, "B-2", 1);
    SaleAndVoid("s1", "A-1", 2, /*void_it=*/false);
    SaleAndVoid("s2", "A-1", 3, /*void_it=*/true);
    Place("ORD-1", "A-1", 4);
    Update("pick", "ORD-1");
    Update("collect", "ORD-1");
    Place("ORD-2", "B-2", 2);
    Place("ORD-3", "A-1", 1);
    Update("cancel", "ORD-3");
    Count("c1", "A-1", 13);
    Movement("m4", v1::StockMovement::REASON_SHRINK, "A-1", -1);
  }

  Result<storage::RebuildReport> Verify() {
    storage::ConnectionOptions o;
    o.read_only = true;
    Result<storage::Connection> c = storage::Connection::Open(db_path(), o);
    if (!c.ok()) return c.status();
    return storage::VerifyStock(c->get());
  }

  // Runs `sql` on its own read-write connection; returns rows changed.
  int Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    const int changes = sqlite3_changes(db);
    sqlite3_close(db);
    return changes;
  }

  std::string db_path() const { return dir_.File("agent.db"); }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  std::unique_ptr<agent::StockOps> ops_;
};

TEST_F(StockRebuildTest, EmptyDatabaseAgrees) {
  Result<storage::RebuildReport> r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->agrees());
  EXPECT_EQ(r->events_replayed, 0u);
  EXPECT_EQ(r->skus_checked, 0u);
}

TEST_F(StockRebuildTest, RecordedEventsAgreeWithTheJournal) {
  RecordADay();
  Result<storage::RebuildReport> r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->replay_problem.ok()) << r->replay_problem.ToString();
  for (const storage::StockDifference& d : r->differences) {
    ADD_FAILURE() << d.ToString();
  }
  EXPECT_TRUE(r->agrees());
  EXPECT_EQ(r->skus_checked, 2u);
  EXPECT_EQ(r->holds_checked, 3u);
  EXPECT_EQ(r->events_replayed, 14u);
  EXPECT_EQ(r->head_seq, 14u);
}

TEST_F(StockRebuildTest, ATamperedStockRowIsNamedWithBothNumbers) {
  RecordADay();
  // 20 - 2 (sale) ... counted 13, then shrink 1: on hand 12.
  db_->Close();
  ASSERT_EQ(Tamper("UPDATE stock SET on_hand = on_hand + 1 WHERE sku = 'A-1'"),
            1);
  Result<storage::RebuildReport> r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->agrees());
  ASSERT_EQ(r->differences.size(), 1u);
  const storage::StockDifference& d = r->differences[0];
  EXPECT_EQ(d.subject, storage::StockDifference::Subject::kSku);
  EXPECT_EQ(d.key, "A-1");
  EXPECT_EQ(d.field, "on_hand");
  EXPECT_EQ(d.table_value, "13");
  EXPECT_EQ(d.journal_value, "12");
  EXPECT_EQ(d.ToString(), "sku A-1: on_hand: table 13, journal 12");
}

TEST_F(StockRebuildTest, TamperedHeldAndMissingRowsAreNamed) {
  RecordADay();
  db_->Close();
  ASSERT_EQ(Tamper("UPDATE stock SET held = 0 WHERE sku = 'B-2'"), 1);
  ASSERT_EQ(Tamper("INSERT INTO stock (sku, unavailable) VALUES ('Z-9', 4)"),
            1);
  Result<storage::RebuildReport> r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> lines;
  for (const storage::StockDifference& d : r->differences) {
    lines.push_back(d.ToString());
  }
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre(
                         "sku B-2: held: table 0, journal 2",
                         "sku Z-9: unavailable: table 4, journal 0"));
}

TEST_F(StockRebuildTest, ATamperedHoldStateIsNamed) {
  RecordADay();
  db_->Close();
  // ORD-2 is HELD in the journal; the table row says CANCELLED (4).
  ASSERT_EQ(Tamper("UPDATE holds SET state = 4 WHERE order_ref = 'ORD-2'"), 1);
  Result<storage::RebuildReport> r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->differences.size(), 1u);
  EXPECT_EQ(r->differences[0].ToString(),
            "hold ORD-2: state column: table CANCELLED, journal HELD");
  ASSERT_EQ(Tamper("DELETE FROM holds WHERE order_ref = 'ORD-1'"), 1);
  r = Verify();
  ASSERT_TRUE(r.ok());
  std::vector<std::string> lines;
  for (const storage::StockDifference& d : r->differences) {
    lines.push_back(d.ToString());
  }
  EXPECT_THAT(lines, ::testing::Contains(
                         "hold ORD-1: state: table absent, journal COLLECTED"));
}

TEST_F(StockRebuildTest, AnUnreplayableJournalIsReported) {
  RecordADay();
  db_->Close();
  // The stock rule refuses the journal from here: seq 1 becomes a pick of a
  // hold never placed. (The chain breaks too; journal verify says so.)
  v1::JournalRecord bad;
  bad.set_seq(1);
  *bad.mutable_client_key() = Key("m1");
  bad.mutable_stock()->mutable_hold_picked()->set_order_ref("GHOST");
  std::string bytes;
  ASSERT_TRUE(bad.SerializeToString(&bytes));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "UPDATE journal SET record = ?1 WHERE seq = 1", -1,
                         &st, nullptr),
      SQLITE_OK);
  sqlite3_bind_blob(st, 1, bytes.data(), static_cast<int>(bytes.size()),
                    SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);

  Result<storage::RebuildReport> r = Verify();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->agrees());
  EXPECT_EQ(r->problem_seq, 1u);
  EXPECT_EQ(r->replay_problem.code(), StatusCode::kNotFound);
  EXPECT_THAT(r->replay_problem.message(), HasSubstr("GHOST"));
}

}  // namespace
}  // namespace storeagent
