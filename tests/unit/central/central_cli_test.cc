// The binaries as an operator runs them: storecentrald --check-config, and
// storecentralctl against a central server in the test process.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/journal_chain.h"
#include "platform/clock.h"
#include "platform/fs.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/central/fake_agent.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::central::testing {
namespace {

using storeagent::testing::RunProgram;
using storeagent::testing::RunResult;

const std::string kDaemon =
    std::string(STORECENTRAL_BIN_DIR) + "/storecentrald";
const std::string kCtl = std::string(STORECENTRAL_BIN_DIR) + "/storecentralctl";

TEST(StorecentraldTest, CheckConfigSaysOkOrNamesTheKey) {
  storeagent::testing::TempDir dir;
  ASSERT_TRUE(fs::WriteFileDurably(dir.File("good.toml"),
                                   "[tls]\ninsecure = true\n", 0600)
                  .ok());
  RunResult good =
      RunProgram({kDaemon, "--check-config", dir.File("good.toml")});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find("ok"), std::string::npos) << good.out;

  ASSERT_TRUE(
      fs::WriteFileDurably(dir.File("bad.toml"),
                           "[tls]\ninsecure = true\n[sync]\nwindow = 0\n", 0600)
          .ok());
  RunResult bad = RunProgram({kDaemon, "--check-config", dir.File("bad.toml")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("sync.window"), std::string::npos) << bad.err;
}

// The TLS files as the stores' handshakes will see them: a certificate that
// expired, a key that is not the certificate's, or a client certificate in
// the server's place fails the check (and so the unit's ExecStartPre)
// naming the key and the file.
TEST(StorecentraldTest, CheckConfigRefusesAnExpiredCertificateOrAForeignKey) {
  storeagent::testing::TempDir dir;
  const std::string tls = dir.File("tls");
  for (const std::string& args :
       {"init " + tls, "central " + tls,
        "admin " + tls + " old --role reader --expired",
        "store " + tls + " S1"}) {
    RunResult r = RunProgram(
        {"/bin/sh", "-c", std::string(STOREAGENT_DEV_CA) + " " + args});
    ASSERT_EQ(r.exit_code, 0) << args << r.err;
  }
  auto config = [&](const std::string& cert, const std::string& key) {
    return "[tls]\nca_file = \"" + tls + "/ca.pem\"\ncert_file = \"" + tls +
           "/" + cert + ".pem\"\nkey_file = \"" + tls + "/" + key + ".key\"\n";
  };
  struct Case {
    std::string cert, key, key_named, why;
  };
  for (const Case& c :
       std::vector<Case>{{"central", "central", "", ""},
                         {"admin-old", "admin-old", "tls.cert_file", "expired"},
                         {"central", "admin-old", "tls.key_file",
                          "does not match the certificate of tls.cert_file"},
                         // A store's client certificate as central's own.
                         {"store-S1", "store-S1", "tls.cert_file " + tls,
                          "extended key usage lacks serverAuth"}}) {
    SCOPED_TRACE(c.cert + " + " + c.key);
    const std::string file = dir.File(c.cert + "-" + c.key + ".toml");
    ASSERT_TRUE(fs::WriteFileDurably(file, config(c.cert, c.key), 0600).ok());
    RunResult r = RunProgram({kDaemon, "--check-config", file});
    if (c.key_named.empty()) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      continue;
    }
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.err.find(c.key_named), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.why), std::string::npos) << r.err;
  }
}

class StorecentralctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    central_.Start();
    AgentStream s(central_.SyncChannel());
    FakeJournal journal;
    ASSERT_TRUE(s.Hello("store-1", 0, journal.head_hash()).has_value());
    ASSERT_TRUE(s.Finish().ok());
  }
  RunResult Ctl(std::vector<std::string> args) {
    args.insert(
        args.begin(),
        {kCtl, "--admin",
         "127.0.0.1:" + std::to_string(central_.server().admin_port())});
    return RunProgram(args);
  }
  CentralFixture central_;
};

TEST_F(StorecentralctlTest, PushMovementThenState) {
  RunResult push = Ctl({"push-movement", "--store", "store-1", "--key", "asn-1",
                        "--reason", "receipt", "--line", "A=12"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_EQ(push.out, "central_seq 1 (recorded)\n");
  // The retry is answered, and says so.
  push = Ctl({"push-movement", "--store", "store-1", "--key", "asn-1",
              "--reason", "receipt", "--line", "A=12"});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_NE(push.out.find("central_seq 1 (replayed"), std::string::npos)
      << push.out;
  RunResult state = Ctl({"state", "--store", "store-1"});
  ASSERT_EQ(state.exit_code, 0) << state.err;
  EXPECT_NE(state.out.find("central head seq   1\n"), std::string::npos)
      << state.out;
  RunResult avail = Ctl({"availability", "--sku", "A"});
  ASSERT_EQ(avail.exit_code, 0) << avail.err;
  EXPECT_NE(avail.out.find("STORE"), std::string::npos) << avail.out;
  EXPECT_NE(avail.out.find("store-1"), std::string::npos) << avail.out;
  // --json for scripts: the reply as proto-JSON.
  RunResult json = Ctl({"--json", "state", "--store", "store-1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"central_head_seq\": \"1\""), std::string::npos)
      << json.out;
}

TEST_F(StorecentralctlTest, RefusalsAndUsageErrors) {
  RunResult refused = Ctl({"push-movement", "--store", "store-1", "--key",
                           "asn-1", "--reason", "receipt", "--line", "A=-1"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("event.movement"), std::string::npos)
      << refused.err;
  RunResult unknown = Ctl({"state", "--store", "store-404"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("storecentralctl: NOT_FOUND: "), std::string::npos)
      << unknown.err;
  RunResult usage =
      Ctl({"push-movement", "--store", "store-1", "--key", "k", "--line", "A"});
  EXPECT_EQ(usage.exit_code, 2);
  // An admin certificate that is not there: a usage error naming the option.
  RunResult missing =
      Ctl({"--ca", "/nonexistent/ca.pem", "--cert", "/nonexistent/admin.pem",
           "--key", "/nonexistent/admin.key", "drift"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--ca: "), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/ca.pem"), std::string::npos)
      << missing.err;
}

// Escrow breaches and the orders they leave at risk (docs/central.md,
// "Breaches and orders at risk"), as a person and a script read them.
TEST_F(StorecentralctlTest, AtRiskOrdersOfAnEscrowBreach) {
  // `storecentralctl hold` sets expires_at from the wall clock: central's
  // clock must be near it for the hold to be valid.
  central_.clock().Set(SystemClock().NowMicros());
  FakeJournal journal;
  // The store gives central 3 units of A in escrow, then drops off.
  {
    AgentStream s(central_.SyncChannel());
    ASSERT_TRUE(s.Hello("store-1", 0, journal.head_hash()).has_value());
    journal.Movement("A", 5);
    journal.Escrow("A", 3);
    ASSERT_TRUE(s.SendEvents(journal.entries()));
    std::optional<v1::SyncResponse> m = s.Read();
    ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
    ASSERT_TRUE(s.Finish().ok());
  }
  RunResult empty = Ctl({"at-risk"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "no orders at risk\n");
  // Head office sells two orders out of the escrow meanwhile.
  for (const auto& [order, line] :
       {std::pair{"web-1", "A=1"}, std::pair{"web-2", "A=2"}}) {
    RunResult hold = Ctl({"hold", "--store", "store-1", "--order", order,
                          "--line", line, "--timeout-ms", "200"});
    ASSERT_EQ(hold.exit_code, 0) << hold.err;
    ASSERT_NE(hold.out.find("granted by escrow"), std::string::npos)
        << hold.out;
  }
  // The till sold into the escrow: 1 left. web-1 (granted first) keeps it.
  v1::JournalRecord breach;
  v1::EscrowChanged* e = breach.mutable_stock()->mutable_escrow_changed();
  v1::EscrowLine* l = e->add_lines();
  l->set_sku("A");
  l->set_quantity(1);
  e->set_breach(true);
  {
    const v1::JournalEntry last = journal.Add(breach);
    AgentStream s(central_.SyncChannel());
    ASSERT_TRUE(s.Hello("store-1", journal.head_seq() - 1, last.prev_hash(), 0)
                    .has_value());
    ASSERT_TRUE(s.SendEvents({last}));
    bool acked = false;
    while (!acked) {
      std::optional<v1::SyncResponse> m = s.Read();
      ASSERT_TRUE(m.has_value()) << "stream ended before the ack";
      acked = m->has_ack();
    }
    s.Finish();
  }
  RunResult table = Ctl({"at-risk", "--store", "store-1"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("SINCE", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("store-1  web-2  A     3           at risk\n"),
            std::string::npos)
      << table.out;
  EXPECT_EQ(table.out.find("web-1"), std::string::npos) << table.out;
  RunResult json = Ctl({"at-risk", "--unresolved", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"order_ref\": \"web-2\""), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("\"breach_seq\": \"3\""), std::string::npos)
      << json.out;
  RunResult breaches = Ctl({"quarantine", "--store", "store-1"});
  ASSERT_EQ(breaches.exit_code, 0) << breaches.err;
  EXPECT_NE(breaches.out.find("store-1  3    A    3       1          2        "
                              "web-2\n"),
            std::string::npos)
      << breaches.out;
  // Head office re-routes it: resolved, and --unresolved leaves it out.
  RunResult cancel = Ctl({"cancel-hold", "--store", "store-1", "--order",
                          "web-2", "--reason", "re-routed"});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  RunResult after = Ctl({"at-risk"});
  EXPECT_NE(after.out.find("cancelled"), std::string::npos) << after.out;
  EXPECT_EQ(Ctl({"at-risk", "--unresolved"}).out, "no orders at risk\n");
  RunResult bad = Ctl({"at-risk", "--format", "csv"});
  EXPECT_EQ(bad.exit_code, 2);
  RunResult unknown = Ctl({"at-risk", "--store", "store-404"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("NOT_FOUND: store_id"), std::string::npos)
      << unknown.err;
}

// Head office's KPIs (docs/kpis.md) and a store's region, as a person and
// a script use them.
TEST_F(StorecentralctlTest, KpiReportAndStoreRegion) {
  RunResult set = Ctl({"store", "set-region", "store-1", "north"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("\"changed\": true"), std::string::npos) << set.out;
  set = Ctl({"store", "set-region", "store-1", "north"});  // a retry
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_NE(set.out.find("\"changed\": false"), std::string::npos) << set.out;
  RunResult bad = Ctl({"store", "set-region", "store-1", "no spaces"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("INVALID_ARGUMENT: region:"), std::string::npos)
      << bad.err;
  RunResult unknown = Ctl({"store", "set-region", "store-404", "north"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("NOT_FOUND: store_id:"), std::string::npos)
      << unknown.err;
  // Every write is audited, the refused ones too.
  RunResult audit = Ctl({"audit", "--store", "store-1"});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("SetStoreRegion"), std::string::npos) << audit.out;

  RunResult table = Ctl(
      {"kpi", "--region", "north", "--last-week", "2026-W48", "--by-store"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("region:north\n", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("2026-W45"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("order_accuracy"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("RANK"), std::string::npos) << table.out;
  RunResult csv =
      Ctl({"kpi", "--store", "store-1", "--weeks", "2", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("scope,store_id,kpi,unit,week,present,value,", 0), 0u)
      << csv.out;
  // 21 KPIs x (2 weeks + the span), and the header.
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 64) << csv.out;
  RunResult json = Ctl({"kpi", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"scope\": \"fleet\""), std::string::npos)
      << json.out;

  RunResult weeks = Ctl({"kpi", "--weeks", "14"});
  EXPECT_EQ(weeks.exit_code, 1);
  EXPECT_NE(weeks.err.find("INVALID_ARGUMENT: weeks:"), std::string::npos)
      << weeks.err;
  RunResult both = Ctl({"kpi", "--store", "store-1", "--region", "north"});
  EXPECT_EQ(both.exit_code, 1);
  RunResult format = Ctl({"kpi", "--format", "xml"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_NE(format.err.find("--format"), std::string::npos) << format.err;
}

// The sale lines a store charged other than the price book (docs/central.md,
// "Price deviations"), as a person and a script read them.
TEST_F(StorecentralctlTest, PriceDeviationsAsATableAndAsJson) {
  FakeJournal journal;
  v1::JournalRecord sale;
  *sale.mutable_transaction() = storeagent::test::SampleSale(2);
  v1::Sale* s = sale.mutable_transaction()->mutable_sale();
  s->set_price_book_central_seq(4);
  v1::PriceDeviation* d = s->mutable_lines(1)->mutable_price_deviation();
  d->set_kind(v1::PRICE_DEVIATION_KIND_NET_AMOUNT);
  d->set_expected_unit_price(250);
  d->set_expected_net(500);
  d->set_charged_unit_price(250);
  d->set_charged_net(520);
  d->set_difference(20);
  d->set_price_list_id("F");
  d->set_price_list_version(2);
  const v1::JournalEntry e = journal.Add(sale);
  {
    AgentStream st(central_.SyncChannel());
    ASSERT_TRUE(st.Hello("store-1", 0, core::GenesisHash()).has_value());
    ASSERT_TRUE(st.SendEvents(journal.entries()));
    std::optional<v1::SyncResponse> m = st.Read();
    ASSERT_TRUE(m && m->has_ack()) << (m ? m->DebugString() : "ended");
    ASSERT_TRUE(st.Finish().ok());
  }
  const std::string counts = "lines checked 2, deviating 1 (50.00 %)\n";
  RunResult table = Ctl({"deviations"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("RECORDED", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("  store-1  1/1       R-2026-000123  op-7      "
                           "SKU-00001  net_amount  none_given  500           "
                           "520          +20         F v2\n"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find(counts), std::string::npos) << table.out;
  RunResult json = Ctl({"--json", "deviations", "--store", "store-1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"lines_checked\": \"2\""), std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("\"kind\": \"PRICE_DEVIATION_KIND_NET_AMOUNT\""),
            std::string::npos)
      << json.out;
  // --until is exclusive; --since takes microseconds as feed does.
  const std::string at = std::to_string(e.record().recorded_at_us());
  EXPECT_EQ(Ctl({"deviations", "--until", at}).out,
            "no price deviations\n" + counts);
  RunResult since = Ctl({"deviations", "--since", at, "--sku", "SKU-00001"});
  EXPECT_NE(since.out.find("SKU-00001"), std::string::npos) << since.out;
  EXPECT_EQ(Ctl({"deviations", "--sku", "SKU-00000"}).out,
            "no price deviations\n" + counts);

  RunResult bad_time = Ctl({"deviations", "--since", "2026-13-01"});
  EXPECT_EQ(bad_time.exit_code, 2);
  EXPECT_NE(bad_time.err.find("--since"), std::string::npos) << bad_time.err;
  RunResult limit = Ctl({"deviations", "--limit", "1001"});
  EXPECT_EQ(limit.exit_code, 1);
  EXPECT_NE(limit.err.find("INVALID_ARGUMENT: limit"), std::string::npos)
      << limit.err;
  RunResult unknown = Ctl({"deviations", "--store", "store-404"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("NOT_FOUND: store_id"), std::string::npos)
      << unknown.err;
}

}  // namespace
}  // namespace storeagent::central::testing
