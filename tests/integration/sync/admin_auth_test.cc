// Who may use central's admin API (docs/security.md, "Admin API"): with
// admin.tls, the matrix {no certificate, a store's certificate, a reader, an
// operator, another CA's operator, an expired operator} x {a read, a write}
// answers exactly as documented; refused writes change nothing; every
// write, allowed or refused, is in the audit trail; an admin certificate is
// never a store on the sync port; storecentralctl speaks TLS with --cert.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/sync/sync_env.h"
#include "tests/support/run_program.h"

namespace storeagent::testing {
namespace {

using ::testing::HasSubstr;

// Lines of `path` holding `needle`.
int CountInFile(const std::string& path, const std::string& needle) {
  std::ifstream in(path);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) ++n;
  }
  return n;
}

std::chrono::system_clock::time_point In(int after_s) {
  return std::chrono::system_clock::now() + std::chrono::seconds(after_s);
}

// A caller of the matrix: which certificate it presents, trusting which CA.
struct Caller {
  std::string name;
  std::string cert;  // prefix; "" = no client certificate
  // What a read and a write get: OK, PERMISSION_DENIED (the API said no,
  // with `why` in the message) or UNAVAILABLE (the TLS handshake failed:
  // central never saw a call).
  grpc::StatusCode read;
  grpc::StatusCode write;
  std::string why;
};

class AdminAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tls_ = dir_.path() + "/tls";
    other_ = dir_.path() + "/other-ca";
    ASSERT_TRUE(DevCa("init " + tls_));
    ASSERT_TRUE(DevCa("central " + tls_));
    ASSERT_TRUE(DevCa("store " + tls_ + " store-0001"));
    ASSERT_TRUE(DevCa("admin " + tls_ + " ops --role operator"));
    ASSERT_TRUE(DevCa("admin " + tls_ + " viewer --role reader"));
    ASSERT_TRUE(DevCa("admin " + tls_ + " gone --role operator --expired"));
    ASSERT_TRUE(DevCa("init " + other_));
    ASSERT_TRUE(DevCa("admin " + other_ + " ops --role operator"));
    CentralOptions o;
    o.tls_dir = tls_;
    o.admin_tls = true;
    o.admin_cert = tls_ + "/admin-ops";
    central_ = std::make_unique<CentralProcess>(dir_.path(), o);
    ASSERT_TRUE(central_->Start()) << central_->log_path();
  }

  grpc::Status Read(const std::string& cert) {
    auto stub = central_->NewAdminStubAs(cert);
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::ListDriftRequest req;
    v1::ListDriftResponse reply;
    return stub->ListDrift(&ctx, req, &reply);
  }

  // A receipt for `store`: the store is created by the first allowed push.
  grpc::Status Write(const std::string& cert, const std::string& store) {
    v1::PushCentralEventRequest req;
    req.set_store_id(store);
    req.set_request_key("asn-1");
    v1::StockMovement* m = req.mutable_event()->mutable_movement();
    m->set_reason(v1::StockMovement::REASON_RECEIPT);
    v1::StockDelta* d = m->add_lines();
    d->set_sku("SKU-1");
    d->set_quantity(5);
    auto stub = central_->NewAdminStubAs(cert);
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::PushCentralEventResponse reply;
    return stub->PushCentralEvent(&ctx, req, &reply);
  }

  // The store's central head, or -1 when central does not know the store.
  int64_t CentralHead(const std::string& store) {
    auto stub = central_->NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::GetStoreSyncStateRequest req;
    req.set_store_id(store);
    v1::GetStoreSyncStateResponse s;
    const grpc::Status st = stub->GetStoreSyncState(&ctx, req, &s);
    if (st.error_code() == grpc::StatusCode::NOT_FOUND) return -1;
    EXPECT_TRUE(st.ok()) << st.error_message();
    return static_cast<int64_t>(s.central_head_seq());
  }

  std::vector<v1::AdminAuditEntry> Audit(const std::string& store = "") {
    auto stub = central_->NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::ListAdminAuditRequest req;
    req.set_store_id(store);
    v1::ListAdminAuditResponse reply;
    const grpc::Status st = stub->ListAdminAudit(&ctx, req, &reply);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {reply.entries().begin(), reply.entries().end()};
  }

  // The callers of the matrix and what a read and a write get.
  std::vector<Caller> Matrix() const;

  TempDir dir_;
  std::string tls_;
  std::string other_;
  std::unique_ptr<CentralProcess> central_;
};

TEST_F(AdminAuthTest, EveryCallerGetsWhatTheDocsSay) {
  for (const Caller& c : Matrix()) {
    SCOPED_TRACE(c.name);
    const grpc::Status r = Read(c.cert);
    EXPECT_EQ(r.error_code(), c.read) << r.error_message();
    const std::string store = "S-" + c.name;
    const grpc::Status w = Write(c.cert, store);
    EXPECT_EQ(w.error_code(), c.write) << w.error_message();
    if (c.write == grpc::StatusCode::PERMISSION_DENIED) {
      EXPECT_THAT(w.error_message(), HasSubstr(c.why));
    }
    if (c.read == grpc::StatusCode::PERMISSION_DENIED) {
      EXPECT_THAT(r.error_message(), HasSubstr(c.why));
    }
    // A refused write changed nothing; an allowed one made the store.
    EXPECT_EQ(CentralHead(store), c.write == grpc::StatusCode::OK ? 1 : -1);
  }
}

// ListAtRiskOrders (docs/central.md, "Breaches and orders at risk") is a
// read: every caller of the matrix gets what it gets for a read, fleet-wide
// and for one store, and nothing is audited.
TEST_F(AdminAuthTest, AtRiskOrdersIsARead) {
  ASSERT_TRUE(Write(tls_ + "/admin-ops", "store-0001").ok());
  const size_t audited = Audit().size();
  for (const Caller& c : Matrix()) {
    SCOPED_TRACE(c.name);
    for (const std::string store : {"", "store-0001"}) {
      auto stub = central_->NewAdminStubAs(c.cert);
      grpc::ClientContext ctx;
      ctx.set_deadline(In(10));
      v1::ListAtRiskOrdersRequest req;
      req.set_store_id(store);
      v1::ListAtRiskOrdersResponse reply;
      const grpc::Status st = stub->ListAtRiskOrders(&ctx, req, &reply);
      EXPECT_EQ(st.error_code(), c.read) << st.error_message();
      if (c.read == grpc::StatusCode::PERMISSION_DENIED) {
        EXPECT_THAT(st.error_message(), HasSubstr(c.why));
      }
      EXPECT_EQ(reply.orders_size(), 0);
    }
  }
  EXPECT_EQ(Audit().size(), audited);
  // A store central never saw is NOT_FOUND naming the field.
  auto stub = central_->NewAdminStubAs(tls_ + "/admin-viewer");
  grpc::ClientContext ctx;
  ctx.set_deadline(In(10));
  v1::ListAtRiskOrdersRequest req;
  req.set_store_id("store-9999");
  v1::ListAtRiskOrdersResponse reply;
  const grpc::Status st = stub->ListAtRiskOrders(&ctx, req, &reply);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(st.error_message(), HasSubstr("store_id"));
}

std::vector<Caller> AdminAuthTest::Matrix() const {
  using grpc::StatusCode;
  return {
      {"no-cert", "", StatusCode::UNAVAILABLE, StatusCode::UNAVAILABLE, ""},
      {"store", tls_ + "/store-store-0001", StatusCode::PERMISSION_DENIED,
       StatusCode::PERMISSION_DENIED,
       "store certificates may not use the admin API"},
      {"reader", tls_ + "/admin-viewer", StatusCode::OK,
       StatusCode::PERMISSION_DENIED, "reader:viewer is a reader"},
      {"operator", tls_ + "/admin-ops", StatusCode::OK, StatusCode::OK, ""},
      {"wrong-ca", other_ + "/admin-ops", StatusCode::UNAVAILABLE,
       StatusCode::UNAVAILABLE, ""},
      {"expired", tls_ + "/admin-gone", StatusCode::UNAVAILABLE,
       StatusCode::UNAVAILABLE, ""},
  };
}

// The change feed (docs/feed.md, "Roles") is a read: a reader gets it to
// caught_up; a store's certificate is refused before anything is sent.
TEST_F(AdminAuthTest, TheFeedIsARead) {
  ASSERT_TRUE(Write(tls_ + "/admin-ops", "store-0001").ok());
  for (const auto& [cert, code] :
       {std::pair{tls_ + "/admin-viewer", grpc::StatusCode::OK},
        std::pair{tls_ + "/store-store-0001",
                  grpc::StatusCode::PERMISSION_DENIED}}) {
    SCOPED_TRACE(cert);
    auto stub = central_->NewAdminStubAs(cert);
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    auto reader = stub->StreamEvents(&ctx, v1::StreamEventsRequest());
    v1::StreamEventsResponse m;
    int events = 0;
    bool caught_up = false;
    while (reader->Read(&m)) {
      events += m.has_event() ? 1 : 0;
      caught_up = caught_up || m.has_caught_up();
    }
    const grpc::Status st = reader->Finish();
    EXPECT_EQ(st.error_code(), code) << st.error_message();
    EXPECT_EQ(events, code == grpc::StatusCode::OK ? 1 : 0);
    EXPECT_EQ(caught_up, code == grpc::StatusCode::OK);
  }
}

TEST_F(AdminAuthTest, EveryWriteAllowedOrRefusedIsAudited) {
  ASSERT_TRUE(Write(tls_ + "/admin-ops", "store-0001").ok());
  ASSERT_EQ(Write(tls_ + "/admin-viewer", "store-0001").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(Write(tls_ + "/store-store-0001", "store-0001").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A write that never reached central (no certificate) is not central's to
  // audit; reads are not audited.
  ASSERT_FALSE(Write("", "store-0001").ok());
  ASSERT_TRUE(Read(tls_ + "/admin-viewer").ok());

  const std::vector<v1::AdminAuditEntry> audit = Audit("store-0001");
  ASSERT_EQ(audit.size(), 3u);
  // Newest first.
  EXPECT_THAT(audit[0].caller(), HasSubstr("unidentified:"));
  EXPECT_EQ(audit[0].code(), "PERMISSION_DENIED");
  EXPECT_THAT(audit[0].message(), HasSubstr("store store-0001's"));
  EXPECT_EQ(audit[1].caller(), "reader:viewer");
  EXPECT_EQ(audit[1].code(), "PERMISSION_DENIED");
  EXPECT_EQ(audit[2].caller(), "operator:ops");
  EXPECT_EQ(audit[2].code(), "OK");
  for (const v1::AdminAuditEntry& e : audit) {
    EXPECT_EQ(e.method(), "PushCentralEvent");
    EXPECT_EQ(e.store_id(), "store-0001");
    EXPECT_EQ(e.detail(), "request_key=asn-1 kind=movement");
    EXPECT_GT(e.at_us(), 0);
  }
  EXPECT_GT(audit[0].audit_id(), audit[1].audit_id());
  EXPECT_GT(audit[1].audit_id(), audit[2].audit_id());

  // Holds: a reader is refused; an operator's escrow refusal (the store
  // granted no escrow) is an OK call whose audit says why.
  v1::CentralAdminServicePlaceHoldRequest hold;
  hold.set_store_id("store-0001");
  hold.set_timeout_ms(100);
  v1::HoldPlaced* h = hold.mutable_hold();
  h->set_order_ref("ORD-1");
  h->set_expires_at_us(
      std::chrono::duration_cast<std::chrono::microseconds>(
          (std::chrono::system_clock::now() + std::chrono::hours(1))
              .time_since_epoch())
          .count());
  v1::HoldLine* line = h->add_lines();
  line->set_sku("SKU-1");
  line->set_quantity(1);
  for (const std::string& cert :
       {tls_ + "/admin-viewer", tls_ + "/admin-ops"}) {
    auto stub = central_->NewAdminStubAs(cert);
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::CentralAdminServicePlaceHoldResponse reply;
    const grpc::Status s = stub->PlaceHold(&ctx, hold, &reply);
    EXPECT_EQ(s.error_code(), cert == tls_ + "/admin-ops"
                                  ? grpc::StatusCode::OK
                                  : grpc::StatusCode::PERMISSION_DENIED)
        << s.error_message();
    EXPECT_FALSE(reply.granted());
  }
  const std::vector<v1::AdminAuditEntry> holds = Audit("store-0001");
  ASSERT_EQ(holds.size(), 5u);
  EXPECT_EQ(holds[0].method(), "PlaceHold");
  EXPECT_EQ(holds[0].caller(), "operator:ops");
  EXPECT_EQ(holds[0].code(), "OK");
  EXPECT_THAT(holds[0].message(), HasSubstr("refused: "));
  EXPECT_EQ(holds[0].detail(), "order_ref=ORD-1 lines=1");
  EXPECT_EQ(holds[1].method(), "PlaceHold");
  EXPECT_EQ(holds[1].caller(), "reader:viewer");
  EXPECT_EQ(holds[1].code(), "PERMISSION_DENIED");

  // The log has a line per audited write.
  EXPECT_TRUE(WaitFor(
      [&] { return CountInFile(central_->log_path(), "admin.audit") >= 5; },
      std::chrono::seconds(5)));
}

// Head office's KPIs (docs/kpis.md): the report is a read, a store's
// region an operator's write, audited allowed or refused.
TEST_F(AdminAuthTest, KpiReportIsAReadAndARegionAnAuditedWrite) {
  ASSERT_TRUE(Write(tls_ + "/admin-ops", "store-0001").ok());
  auto region = [&](const std::string& cert, const std::string& r) {
    auto stub = central_->NewAdminStubAs(cert);
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::SetStoreRegionRequest req;
    req.set_store_id("store-0001");
    req.set_region(r);
    v1::SetStoreRegionResponse reply;
    return stub->SetStoreRegion(&ctx, req, &reply);
  };
  auto report = [&](const std::string& cert, v1::GetKpiReportResponse* out) {
    auto stub = central_->NewAdminStubAs(cert);
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::GetKpiReportRequest req;
    req.set_by_store(true);
    return stub->GetKpiReport(&ctx, req, out);
  };
  const grpc::Status refused = region(tls_ + "/admin-viewer", "north");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::GetKpiReportResponse r;
  const grpc::Status read = report(tls_ + "/admin-viewer", &r);
  ASSERT_TRUE(read.ok()) << read.error_message();
  EXPECT_EQ(r.scope(), "fleet");
  EXPECT_EQ(r.weeks_size(), 4);
  ASSERT_EQ(r.stores_size(), 1);
  EXPECT_EQ(r.stores(0).region(), "");  // the refused write changed nothing
  ASSERT_TRUE(region(tls_ + "/admin-ops", "north").ok());
  ASSERT_TRUE(report(tls_ + "/admin-viewer", &r).ok());
  ASSERT_EQ(r.stores_size(), 1);
  EXPECT_EQ(r.stores(0).region(), "north");
  int audited = 0;
  for (const v1::AdminAuditEntry& e : Audit("store-0001")) {
    if (e.method() == "SetStoreRegion") ++audited;
  }
  EXPECT_EQ(audited, 2);
}

TEST_F(AdminAuthTest, AnAdminCertificateIsNeverAStore) {
  const grpc::Status s = HelloAs(*central_, tls_ + "/admin-ops", "ops");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("names no store"));
  EXPECT_EQ(CentralHead("ops"), -1);
}

TEST_F(AdminAuthTest, TheCliPresentsAnAdminCertificate) {
  const std::string ctl = CentralProcess::BinDir() + "/storecentralctl";
  const std::string admin =
      "127.0.0.1:" + std::to_string(central_->admin_port());
  const std::vector<std::string> tls = {"--ca", tls_ + "/ca.pem",
                                        "--server-name", "localhost"};
  auto run = [&](const std::string& who, std::vector<std::string> rest) {
    std::vector<std::string> argv = {ctl, "--admin", admin};
    argv.insert(argv.end(), tls.begin(), tls.end());
    argv.insert(argv.end(), {"--cert", tls_ + "/admin-" + who + ".pem", "--key",
                             tls_ + "/admin-" + who + ".key"});
    argv.insert(argv.end(), rest.begin(), rest.end());
    return RunProgram(argv);
  };
  const RunResult pushed = run("ops", {"push-movement", "--store", "store-0001",
                                       "--key", "asn-9", "--line", "SKU-1=3"});
  EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
  const RunResult denied =
      run("viewer", {"push-movement", "--store", "store-0001", "--key",
                     "asn-10", "--line", "SKU-1=3"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_THAT(denied.err, HasSubstr("PERMISSION_DENIED: "));
  EXPECT_THAT(denied.err, HasSubstr("is a reader"));
  const RunResult audit =
      run("viewer", {"--json", "audit", "--store", "store-0001"});
  EXPECT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_THAT(audit.out, HasSubstr("\"caller\": \"operator:ops\""));
  EXPECT_THAT(audit.out, HasSubstr("\"caller\": \"reader:viewer\""));
  // The same as a table for a person: callers and codes by name.
  const RunResult table = run("viewer", {"audit", "--store", "store-0001"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("CALLER"));
  EXPECT_THAT(table.out, HasSubstr("operator:ops"));
  EXPECT_THAT(table.out, HasSubstr("PERMISSION_DENIED"));

  // Without a certificate the handshake fails; half the TLS options are a
  // usage error.
  const RunResult plain = RunProgram({ctl, "--admin", admin, "drift"});
  EXPECT_EQ(plain.exit_code, 1);
  const RunResult half = RunProgram(
      {ctl, "--admin", admin, "--cert", tls_ + "/admin-ops.pem", "drift"});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_THAT(half.err, HasSubstr("--ca, --cert and --key go together"));
}

// Without admin.tls (loopback only), the caller is the operator
// "loopback", and its writes are audited as such.
TEST(AdminLoopbackTest, PlaintextCallersAreTheLoopbackOperator) {
  TempDir dir;
  CentralProcess central(dir.path());
  ASSERT_TRUE(central.Start()) << central.log_path();
  auto stub = central.NewAdminStub();
  v1::PushCentralEventRequest req;
  req.set_store_id("store-0001");
  req.set_request_key("asn-1");
  v1::StockMovement* m = req.mutable_event()->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  v1::StockDelta* d = m->add_lines();
  d->set_sku("SKU-1");
  d->set_quantity(5);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    v1::PushCentralEventResponse reply;
    ASSERT_TRUE(stub->PushCentralEvent(&ctx, req, &reply).ok());
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(In(10));
  v1::ListAdminAuditRequest list;
  v1::ListAdminAuditResponse audit;
  ASSERT_TRUE(stub->ListAdminAudit(&ctx, list, &audit).ok());
  ASSERT_EQ(audit.entries_size(), 1);
  EXPECT_EQ(audit.entries(0).caller(), "operator:loopback");
  EXPECT_EQ(audit.entries(0).code(), "OK");
}

}  // namespace
}  // namespace storeagent::testing
