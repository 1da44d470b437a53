// The sync stream end to end: a real storeagentd and a real storecentrald on
// loopback with mutual TLS, for each central backend (SQLite, PostgreSQL).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/journal_chain.h"
#include "platform/clock.h"
#include "storage/agent_database.h"
#include "storage/sqlite_handle.h"
#include "tests/integration/sync/sync_env.h"
#include "tests/support/run_program.h"
#include "tests/support/sanitized_counts.h"

namespace storeagent::testing {
namespace {

using std::chrono::seconds;

class SyncE2eTest : public ::testing::TestWithParam<bool> {
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
  }

  std::unique_ptr<SyncEnv> MakeEnv(std::string agent_sync_toml = "") {
    SyncEnv::Options o;
    o.postgres = GetParam();
    o.agent_sync_toml = std::move(agent_sync_toml);
    auto env = std::make_unique<SyncEnv>(o);
    EXPECT_TRUE(env->Init()) << env->error();
    return env;
  }

  // Both up, the store welcomed once (its empty journal confirmed).
  static void StartBoth(SyncEnv& env) {
    ASSERT_TRUE(env.central().Start()) << env.central().log_path();
    ASSERT_TRUE(env.agent().Start()) << env.agent().log_path();
    ASSERT_TRUE(
        WaitFor([&] { return env.CentralState().connected(); }, seconds(30)))
        << "store never connected; see " << env.agent().log_path();
  }

  static bool Converged(SyncEnv& env) {
    const uint64_t head = env.AgentHead();
    const v1::GetStoreSyncStateResponse s = env.CentralState();
    return head > 0 && s.store_seq_held() == head &&
           s.last_digest() == "match" && s.last_digest_store_seq() == head;
  }
};

// 10,000 sales offline (2,500 under a sanitizer: tests/support/
// sanitized_counts.h).
TEST_P(SyncE2eTest,
       StoreOfflineForThousandsOfEventsConvergesAndGetsCentralEvents) {
  const int n = CountFor(10000, 2500);
  auto env = MakeEnv();
  StartBoth(*env);
  ASSERT_EQ(env->PushReceipt("asn-1", "SKU-00000", 50000), 1u);
  // A bound, not a timing: a loaded CI box took over 30 s here.
  ASSERT_TRUE(WaitFor([&] { return env->AgentOnHand("SKU-00000") == 50000; },
                      seconds(120)));

  // Head office goes away; the store keeps selling.
  ASSERT_EQ(env->central().Terminate(), 0);
  ASSERT_EQ(env->RecordSales(n, 8, "offline"), n);
  const uint64_t head = env->AgentHead();
  ASSERT_GE(head, static_cast<uint64_t>(n));

  // Central comes back while the store is down, and records deliveries.
  ASSERT_EQ(env->agent().Terminate(), 0);
  ASSERT_TRUE(env->central().Start());
  ASSERT_EQ(env->PushReceipt("asn-2", "SKU-00001", 40000), 2u);
  ASSERT_EQ(env->PushReceipt("asn-3", "SKU-00002", 40000), 3u);
  // A retry of the same request is the same event.
  ASSERT_EQ(env->PushReceipt("asn-3", "SKU-00002", 40000), 3u);

  ASSERT_TRUE(env->agent().Start());
  ASSERT_TRUE(WaitFor(
      [&] {
        return Converged(*env) && env->CentralState().central_seq_acked() == 3;
      },
      seconds(120)))
      << "held " << env->CentralState().store_seq_held() << " of "
      << env->AgentHead() << ", digest '" << env->CentralState().last_digest()
      << "'; logs " << env->central().log_path() << " "
      << env->agent().log_path();
  const v1::GetStoreSyncStateResponse s = env->CentralState();
  EXPECT_EQ(s.central_seq_acked(), 3u);
  EXPECT_EQ(s.quarantined(), 0);
  // Each central event applied once: 40,000 received, 2 sold per sale of
  // SKU-00001, 3 per sale of SKU-00002.
  EXPECT_EQ(env->AgentOnHand("SKU-00000"), 50000 - n);
  EXPECT_EQ(env->AgentOnHand("SKU-00001"), 40000 - 2 * n);
  EXPECT_EQ(env->AgentOnHand("SKU-00002"), 40000 - 3 * n);
  // Nothing drifted.
  auto admin = env->central().NewAdminStub();
  grpc::ClientContext ctx;
  v1::ListDriftRequest req;
  req.set_store_id(env->store_id());
  v1::ListDriftResponse drift;
  ASSERT_TRUE(admin->ListDrift(&ctx, req, &drift).ok());
  EXPECT_EQ(drift.drift_size(), 0);
}

v1::HoldPlaced Hold(const std::string& ref, const std::string& sku,
                    int64_t qty) {
  v1::HoldPlaced h;
  h.set_order_ref(ref);
  h.set_channel("online");
  v1::HoldLine* l = h.add_lines();
  l->set_sku(sku);
  l->set_quantity(qty);
  h.set_expires_at_us(
      std::chrono::duration_cast<std::chrono::microseconds>(
          (std::chrono::system_clock::now() + std::chrono::hours(24))
              .time_since_epoch())
          .count());
  return h;
}

v1::CentralAdminServicePlaceHoldResponse PlaceAtCentral(SyncEnv& env,
                                                        v1::HoldPlaced hold) {
  auto admin = env.central().NewAdminStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
  v1::CentralAdminServicePlaceHoldRequest req;
  req.set_store_id(env.store_id());
  *req.mutable_hold() = std::move(hold);
  req.set_timeout_ms(3000);
  v1::CentralAdminServicePlaceHoldResponse reply;
  const grpc::Status s = admin->PlaceHold(&ctx, req, &reply);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return reply;
}

int64_t CentralEscrow(SyncEnv& env, const std::string& sku) {
  auto admin = env.central().NewAdminStub();
  grpc::ClientContext ctx;
  v1::FindAvailabilityRequest req;
  req.add_skus(sku);
  req.add_store_ids(env.store_id());
  v1::FindAvailabilityResponse reply;
  if (!admin->FindAvailability(&ctx, req, &reply).ok() ||
      reply.stores_size() != 1 || reply.stores(0).escrow_size() != 1) {
    return -1;
  }
  return reply.stores(0).escrow(0);
}

TEST_P(SyncE2eTest, HoldAtCentralIsGrantedByTheStore) {
  auto env = MakeEnv();
  StartBoth(*env);
  ASSERT_GT(env->PushReceipt("asn-1", "SKU-H", 5), 0u);
  ASSERT_TRUE(
      WaitFor([&] { return env->AgentOnHand("SKU-H") == 5; }, seconds(30)));
  const v1::CentralAdminServicePlaceHoldResponse ok =
      PlaceAtCentral(*env, Hold("WEB-1", "SKU-H", 3));
  EXPECT_TRUE(ok.granted()) << ok.reason();
  EXPECT_EQ(ok.granted_by(), "store");
  EXPECT_EQ(env->AgentAvailability("SKU-H").held(), 3);
  const v1::CentralAdminServicePlaceHoldResponse no =
      PlaceAtCentral(*env, Hold("WEB-2", "SKU-H", 3));
  // Refused by the store for stock (3 of 5 held, 2 kept in escrow).
  EXPECT_FALSE(no.granted());
  EXPECT_EQ(no.shortfall_size(), 1) << no.reason();
  EXPECT_EQ(env->AgentAvailability("SKU-H").held(), 3);
}

// The breaches central recorded for the store.
std::vector<v1::EscrowBreachEntry> Breaches(SyncEnv& env) {
  auto admin = env.central().NewAdminStub();
  grpc::ClientContext ctx;
  v1::ListQuarantineRequest req;
  req.set_store_id(env.store_id());
  v1::ListQuarantineResponse q;
  const grpc::Status st = admin->ListQuarantine(&ctx, req, &q);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return {q.breaches().begin(), q.breaches().end()};
}

std::vector<v1::AtRiskOrder> AtRisk(SyncEnv& env) {
  auto admin = env.central().NewAdminStub();
  grpc::ClientContext ctx;
  v1::ListAtRiskOrdersRequest req;
  req.set_store_id(env.store_id());
  v1::ListAtRiskOrdersResponse r;
  const grpc::Status st = admin->ListAtRiskOrders(&ctx, req, &r);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return {r.orders().begin(), r.orders().end()};
}

// Store events of `kind` central holds, through its change feed.
std::vector<v1::JournalRecord> FeedRecords(SyncEnv& env,
                                           const std::string& kind) {
  auto admin = env.central().NewAdminStub();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(30));
  v1::StreamEventsRequest req;
  req.add_store_ids(env.store_id());
  req.add_kinds(kind);
  auto reader = admin->StreamEvents(&ctx, req);
  std::vector<v1::JournalRecord> out;
  v1::StreamEventsResponse m;
  while (reader->Read(&m)) {
    if (m.has_event()) out.push_back(m.event().record());
  }
  EXPECT_TRUE(reader->Finish().ok());
  return out;
}

// The issue's "45 breach rows in an hour of normal selling with no escrow
// hold open": the agent flags each sale into a SKU's escrow as a breach
// (it cannot know whether central promised those units); central records
// none, since no escrow grant is uncovered.
TEST_P(SyncE2eTest, NormalSellingWithNoEscrowHoldRecordsNoBreach) {
  auto env = MakeEnv("escrow_units = 2\n");
  StartBoth(*env);
  ASSERT_GT(env->PushReceipt("asn-1", "SKU-N", 3), 0u);
  ASSERT_TRUE(
      WaitFor([&] { return CentralEscrow(*env, "SKU-N") == 2; }, seconds(30)));
  for (const char* txn : {"n-1", "n-2", "n-3"}) {
    ASSERT_TRUE(env->SellOne("SKU-N", txn));
  }
  ASSERT_TRUE(WaitFor(
      [&] { return Converged(*env) && CentralEscrow(*env, "SKU-N") == 0; },
      seconds(60)));
  int flagged = 0;
  for (const v1::JournalRecord& r : FeedRecords(*env, "escrow.changed")) {
    flagged += r.stock().escrow_changed().breach() ? 1 : 0;
  }
  EXPECT_GE(flagged, 1);  // what the agent said
  EXPECT_TRUE(Breaches(*env).empty());
  EXPECT_EQ(env->CentralState().escrow_breaches(), 0);
  EXPECT_TRUE(AtRisk(*env).empty());
}

TEST_P(SyncE2eTest, OfflineHoldsFitTheEscrowAndASaleIntoItIsABreach) {
  auto env = MakeEnv("escrow_units = 2\n");
  StartBoth(*env);
  ASSERT_GT(env->PushReceipt("asn-1", "SKU-E", 10), 0u);
  ASSERT_GT(env->PushReceipt("asn-2", "SKU-F", 3), 0u);
  ASSERT_TRUE(WaitFor(
      [&] {
        return CentralEscrow(*env, "SKU-E") == 2 &&
               CentralEscrow(*env, "SKU-F") == 2;
      },
      seconds(30)))
      << "escrow E " << CentralEscrow(*env, "SKU-E") << ", F "
      << CentralEscrow(*env, "SKU-F") << "\n"
      << env->LogTails();

  // The store drops off the network.
  ASSERT_EQ(env->agent().Terminate(), 0);
  ASSERT_TRUE(
      WaitFor([&] { return !env->CentralState().connected(); }, seconds(30)))
      << env->LogTails();
  const v1::CentralAdminServicePlaceHoldResponse in =
      PlaceAtCentral(*env, Hold("WEB-E1", "SKU-E", 2));
  EXPECT_TRUE(in.granted()) << in.reason();
  EXPECT_EQ(in.granted_by(), "escrow");
  const v1::CentralAdminServicePlaceHoldResponse beyond =
      PlaceAtCentral(*env, Hold("WEB-E2", "SKU-E", 1));
  EXPECT_FALSE(beyond.granted());
  const v1::CentralAdminServicePlaceHoldResponse f =
      PlaceAtCentral(*env, Hold("WEB-F1", "SKU-F", 2));
  EXPECT_TRUE(f.granted()) << f.reason();
  EXPECT_EQ(f.granted_by(), "escrow");

  // Meanwhile the till sells SKU-F into its escrowed units (3 on hand, 2 in
  // escrow: the second sale leaves 1 < 2). The agent runs, central is
  // unreachable to it: stop central instead.
  ASSERT_EQ(env->central().Terminate(), 0);
  ASSERT_TRUE(env->agent().Start());
  ASSERT_TRUE(env->SellOne("SKU-F", "f-1"));
  ASSERT_TRUE(env->SellOne("SKU-F", "f-2"));
  ASSERT_TRUE(env->central().Start());
  ASSERT_TRUE(WaitFor([&] { return Converged(*env); }, seconds(60)))
      << "held " << env->CentralState().store_seq_held() << " of "
      << env->AgentHead() << ", digest '" << env->CentralState().last_digest()
      << "'\n"
      << env->LogTails();
  // The escrow hold came down and is held at the store.
  EXPECT_TRUE(WaitFor(
      [&] { return env->AgentAvailability("SKU-E").held() == 2; }, seconds(30)))
      << "held " << env->AgentAvailability("SKU-E").held() << "\n"
      << env->LogTails();
  // Central saw the breach, and it names the order it left uncovered:
  // WEB-F1's 2 units no longer fit the 1 the store has left. WEB-E1 is
  // covered and not named.
  const std::vector<v1::EscrowBreachEntry> b = Breaches(*env);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].sku(), "SKU-F");
  EXPECT_EQ(b[0].escrow(), 2);
  EXPECT_EQ(b[0].available(), 1);
  EXPECT_EQ(std::vector<std::string>(b[0].order_refs().begin(),
                                     b[0].order_refs().end()),
            std::vector<std::string>{"WEB-F1"});
  EXPECT_EQ(b[0].at_risk(), 2);
  EXPECT_EQ(env->CentralState().escrow_breaches(), 1);
  // Head office lists it at risk (the store placed it with nothing left).
  const std::vector<v1::AtRiskOrder> risk = AtRisk(*env);
  ASSERT_EQ(risk.size(), 1u);
  EXPECT_EQ(risk[0].order_ref(), "WEB-F1");
  EXPECT_EQ(risk[0].breach_seq(), b[0].seq());
  EXPECT_EQ(risk[0].resolution(), "");
}

TEST_P(SyncE2eTest, AStoreWhoseDiskDiedIsReseeded) {
  auto env = MakeEnv();
  StartBoth(*env);
  ASSERT_GT(env->PushReceipt("asn-1", "SKU-00000", 1000), 0u);
  ASSERT_EQ(env->RecordSales(300, 4, "before"), 300);
  ASSERT_TRUE(WaitFor([&] { return Converged(*env); }, seconds(60)));
  const uint64_t head = env->AgentHead();
  const int64_t on_hand = env->AgentOnHand("SKU-00000");
  ASSERT_EQ(on_hand, 1000 - 300);

  env->agent().Kill9();
  std::filesystem::remove_all(env->dir() + "/agent/data");
  ASSERT_TRUE(env->agent().Start());
  ASSERT_TRUE(WaitFor([&] { return env->AgentHead() == head; }, seconds(60)))
      << env->agent().log_path();
  EXPECT_TRUE(WaitFor([&] { return env->AgentOnHand("SKU-00000") == on_hand; },
                      seconds(30)));
  // The journal came back verbatim: it verifies, and stock rebuilds.
  const std::string ctl = AgentProcess::BinDir() + "/storeagentctl";
  const RunResult verify = RunProgram(
      {ctl, "--config", env->agent().config_path(), "journal", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  const RunResult rebuild =
      RunProgram({ctl, "--config", env->agent().config_path(), "stock",
                  "rebuild", "--verify"});
  EXPECT_EQ(rebuild.exit_code, 0) << rebuild.out << rebuild.err;
  // New sales continue the chain.
  ASSERT_EQ(env->RecordSales(10, 2, "after"), 10);
  EXPECT_TRUE(WaitFor([&] { return Converged(*env); }, seconds(60)));
}

// Step two of the record-bytes roll-out: an agent sending each entry as its
// bytes and a seq-only record converges like one sending both.
TEST_P(SyncE2eTest, AnAgentSendingBytesOnlyConverges) {
  auto env = MakeEnv("send_parsed_records = false\n");
  StartBoth(*env);
  ASSERT_GT(env->PushReceipt("asn-b", "SKU-00000", 100), 0u);
  ASSERT_EQ(env->RecordSales(40, 2, "bytes"), 40);
  ASSERT_TRUE(WaitFor([&] { return Converged(*env); }, seconds(60)))
      << env->agent().log_path() << " " << env->central().log_path();
  EXPECT_EQ(env->CentralState().quarantined(), 0);
}

// A record as a newer agent wrote it, carrying a field this build does not
// know (1000, varint 7) before the known ones: this build's serializer would
// put it last, so only the stored bytes hash to the chain. Such an entry
// still syncs with the chain intact (central hashes and keeps the bytes the
// agent sends), and a re-seed brings the bytes back verbatim.
TEST_P(SyncE2eTest, ANewerAgentsRecordSyncsWithTheChainIntact) {
  auto env = MakeEnv();
  StartBoth(*env);
  ASSERT_EQ(env->RecordSales(5, 2, "before"), 5);
  ASSERT_TRUE(WaitFor([&] { return Converged(*env); }, seconds(60)));
  ASSERT_EQ(env->agent().Terminate(), 0);
  std::string bytes;
  uint64_t seq = 0;
  {
    storage::DatabaseOptions o;
    o.path = env->agent().db_path();
    o.store_id = env->store_id();
    o.read_threads = 1;
    Result<std::unique_ptr<storage::AgentDatabase>> db =
        storage::AgentDatabase::Open(o, SystemClock());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const storage::JournalHead head = (*db)->journal().head();
    v1::JournalRecord r;
    r.set_seq(head.seq + 1);
    r.set_recorded_at_us(SystemClock().NowMicros());
    r.mutable_client_key()->set_terminal_id("till-newer");
    r.mutable_client_key()->set_client_txn_id("newer-1");
    r.mutable_transaction()->mutable_no_sale()->set_reason("drawer");
    bytes = std::string("\xc0\x3e\x07", 3) + core::CanonicalBytes(r);
    v1::JournalEntry e;
    e.set_canonical_record(bytes);
    ASSERT_TRUE(core::AdoptCanonicalRecord(e, "test").ok());
    ASSERT_NE(core::CanonicalBytes(e.record()), bytes);
    e.set_prev_hash(head.hash);
    e.set_hash(core::ChainHash(head.hash, bytes));
    Status appended = (*db)->writer().Run([&](storage::WriteContext& ctx) {
      return (*db)->journal().AppendVerbatim(ctx, e);
    });
    ASSERT_TRUE(appended.ok()) << appended.ToString();
    seq = r.seq();
  }
  ASSERT_TRUE(env->agent().Start()) << env->agent().log_path();
  ASSERT_EQ(env->RecordSales(3, 2, "after"), 3);
  ASSERT_TRUE(WaitFor([&] { return Converged(*env); }, seconds(60)))
      << env->agent().log_path() << " " << env->central().log_path();
  EXPECT_EQ(env->CentralState().store_seq_held(), seq + 3);

  // The disk dies: central re-seeds the journal, the newer bytes included.
  env->agent().Kill9();
  std::filesystem::remove_all(env->dir() + "/agent/data");
  ASSERT_TRUE(env->agent().Start());
  ASSERT_TRUE(WaitFor([&] { return env->AgentHead() == seq + 3; }, seconds(60)))
      << env->agent().log_path();
  const std::string ctl = AgentProcess::BinDir() + "/storeagentctl";
  const RunResult verify = RunProgram(
      {ctl, "--config", env->agent().config_path(), "journal", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // GetEvent answers the stored bytes.
  grpc::ClientContext ctx;
  v1::GetEventRequest req;
  req.set_seq(seq);
  v1::GetEventResponse got;
  grpc::Status st = env->agent().NewStub()->GetEvent(&ctx, req, &got);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(got.canonical_record(), bytes);
  EXPECT_EQ(got.hash(), core::ChainHash(got.prev_hash(), bytes));
  EXPECT_EQ(got.record().client_key().client_txn_id(), "newer-1");
}

// Issue #16's tamper test: a record the store has not sent yet is edited
// and the chain re-hashed from it, with the agent stopped. The plain chain
// verifies; the checkpoint signed after it does not, so `journal verify`
// names the first unsigned break, and central refuses the rewritten tail
// (DATA_LOSS), says where, and keeps none of it.
TEST_P(SyncE2eTest, ARewrittenUnsentTailIsRefusedAndNamed) {
  auto env = MakeEnv("\n[checkpoint]\nevery_events = 5\nevery_minutes = 0\n");
  StartBoth(*env);
  ASSERT_EQ(env->RecordSales(3, 1, "sent"), 3);
  ASSERT_TRUE(WaitFor([&] { return env->CentralState().store_seq_held() == 3; },
                      seconds(60)))
      << env->LogTails();
  EXPECT_EQ(env->CentralState().signing_key_id().size(), 16u);

  // Central away: 12 sales, and checkpoints at 6 (covering 1..5), 12 and 18.
  ASSERT_EQ(env->central().Terminate(), 0);
  ASSERT_EQ(env->RecordSales(12, 1, "unsent"), 12);
  ASSERT_EQ(env->AgentHead(), 18u);
  ASSERT_EQ(env->agent().Terminate(), 0);

  const RunResult before =
      RunProgram({AgentProcess::CtlPath(), "--config",
                  env->agent().config_path(), "journal", "verify"});
  ASSERT_EQ(before.exit_code, 0) << before.out << before.err;
  EXPECT_NE(before.out.find("3 checkpoints verified"), std::string::npos)
      << before.out;
  // The auditor's archive of the day (the sample sales' business day),
  // checked offline by storeagent-verify.
  const std::string archive = env->dir() + "/day.jsonl";
  auto export_and_verify = [&](const std::string& file) {
    const RunResult e =
        RunProgram({AgentProcess::CtlPath(), "--config",
                    env->agent().config_path(), "journal", "export", "--from",
                    "2026-03-14", "--to", "2026-03-14", file});
    EXPECT_EQ(e.exit_code, 0) << e.out << e.err;
    return RunProgram({AgentProcess::BinDir() + "/storeagent-verify", file});
  };
  const RunResult good = export_and_verify(archive);
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("proves    records 1..17 are what the store signed "
                          "(3 checkpoints verified)"),
            std::string::npos)
      << good.out;

  {
    // Seq 8 (a sale between the checkpoints at 6 and 12) gets another
    // receipt number, and every hash from it on is recomputed.
    storage::ConnectionOptions o;
    Result<storage::Connection> c =
        storage::Connection::Open(env->agent().db_path(), o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    std::string prev;
    for (uint64_t seq = 8; seq <= 18; ++seq) {
      Result<storage::Statement> get = storage::Statement::Prepare(
          c->get(), "SELECT record, prev_hash FROM journal WHERE seq = ?1");
      ASSERT_TRUE(get.ok());
      get->BindInt(1, static_cast<int64_t>(seq));
      Result<bool> row = get->Step();
      ASSERT_TRUE(row.ok() && *row);
      std::string bytes(get->ColumnBlob(0));
      if (seq == 8) {
        prev = std::string(get->ColumnBlob(1));
        v1::JournalRecord r;
        ASSERT_TRUE(r.ParseFromString(bytes));
        ASSERT_TRUE(r.transaction().has_sale());
        r.mutable_transaction()->mutable_sale()->set_receipt_number("EDITED");
        bytes = core::CanonicalBytes(r);
      }
      get = storage::Statement::Prepare(c->get(), "SELECT 1");
      const std::string hash = core::ChainHash(prev, bytes);
      Result<storage::Statement> put = storage::Statement::Prepare(
          c->get(),
          "UPDATE journal SET record = ?2, prev_hash = ?3, hash = ?4 "
          "WHERE seq = ?1");
      ASSERT_TRUE(put.ok());
      put->BindInt(1, static_cast<int64_t>(seq));
      put->BindBlob(2, bytes);
      put->BindBlob(3, prev);
      put->BindBlob(4, hash);
      ASSERT_TRUE(put->Run().ok());
      prev = hash;
    }
  }

  const RunResult after =
      RunProgram({AgentProcess::CtlPath(), "--config",
                  env->agent().config_path(), "journal", "verify"});
  EXPECT_EQ(after.exit_code, 3) << after.out << after.err;
  EXPECT_NE(after.out.find("BROKEN at seq 12"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("first unsigned break: records 6..11 are not what "
                           "checkpoint 12 signed"),
            std::string::npos)
      << after.out;
  const RunResult tampered = export_and_verify(env->dir() + "/after.jsonl");
  EXPECT_EQ(tampered.exit_code, 3) << tampered.out << tampered.err;
  EXPECT_NE(tampered.out.find("BROKEN at seq 12"), std::string::npos)
      << tampered.out;

  ASSERT_TRUE(env->central().Start()) << env->central().log_path();
  ASSERT_TRUE(env->agent().Start()) << env->agent().log_path();
  ASSERT_TRUE(
      WaitFor([&] { return !env->CentralState().signature_problem().empty(); },
              seconds(60)))
      << env->LogTails();
  const v1::GetStoreSyncStateResponse s = env->CentralState();
  EXPECT_NE(s.signature_problem().find("seq 12: checkpoint signed hash"),
            std::string::npos)
      << s.signature_problem();
  EXPECT_NE(s.signature_problem().find("records up to seq 11 were changed "
                                       "after they were signed"),
            std::string::npos)
      << s.signature_problem();
  EXPECT_GT(s.signature_problem_at_us(), 0);
  // Nothing from the rewritten checkpoint on was kept (the batch that
  // carried it was refused whole).
  EXPECT_LT(s.store_seq_held(), 12u);
}

// A store whose key file was lost (or replaced) while its journal holds
// events: central refuses the new key at Hello, says why on the store's
// row, and keeps what it held (docs/security.md, "Signed checkpoints").
TEST_P(SyncE2eTest, AChangedKeyIsRefusedWhileTheJournalHoldsEvents) {
  auto env = MakeEnv();
  StartBoth(*env);
  ASSERT_EQ(env->RecordSales(2, 1, "before"), 2);
  ASSERT_TRUE(WaitFor([&] { return env->CentralState().store_seq_held() == 2; },
                      seconds(60)))
      << env->LogTails();
  const std::string registered = env->CentralState().signing_key_id();
  ASSERT_EQ(registered.size(), 16u);
  ASSERT_EQ(env->agent().Terminate(), 0);
  ASSERT_EQ(::unlink((env->dir() + "/agent/data/signing.key").c_str()), 0);
  ASSERT_TRUE(env->agent().Start()) << env->agent().log_path();
  ASSERT_TRUE(
      WaitFor([&] { return !env->CentralState().signature_problem().empty(); },
              seconds(60)))
      << env->LogTails();
  const v1::GetStoreSyncStateResponse s = env->CentralState();
  EXPECT_NE(s.signature_problem().find("presents checkpoint key"),
            std::string::npos)
      << s.signature_problem();
  EXPECT_NE(s.signature_problem().find(registered), std::string::npos)
      << s.signature_problem();
  EXPECT_EQ(s.signing_key_id(), registered);
  EXPECT_EQ(s.store_seq_held(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SyncE2eTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "postgres" : "sqlite";
                         });

}  // namespace
}  // namespace storeagent::testing
