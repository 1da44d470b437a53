// Central's identity checks on the sync port (mutual TLS): the store id
// comes from the client certificate; a Hello naming another store, a
// missing certificate, one from another CA and an expired one are refused,
// and central records nothing for them.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/integration/sync/sync_env.h"

namespace storeagent::testing {
namespace {

class SyncIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tls_ = dir_.path() + "/tls";
    other_ = dir_.path() + "/other-ca";
    ASSERT_TRUE(DevCa("init " + tls_));
    ASSERT_TRUE(DevCa("central " + tls_));
    ASSERT_TRUE(DevCa("store " + tls_ + " store-0001"));
    ASSERT_TRUE(DevCa("store " + tls_ + " store-0009 --expired"));
    ASSERT_TRUE(DevCa("init " + other_));
    ASSERT_TRUE(DevCa("store " + other_ + " store-0001"));
    CentralOptions o;
    o.tls_dir = tls_;
    central_ = std::make_unique<CentralProcess>(dir_.path(), o);
    ASSERT_TRUE(central_->Start()) << central_->log_path();
  }

  grpc::Status HelloAs(const std::string& cert_prefix,
                       const std::string& store) {
    return storeagent::testing::HelloAs(*central_, cert_prefix, store);
  }

  bool CentralKnows(const std::string& store) {
    auto admin = central_->NewAdminStub();
    grpc::ClientContext ctx;
    v1::GetStoreSyncStateRequest req;
    req.set_store_id(store);
    v1::GetStoreSyncStateResponse s;
    return admin->GetStoreSyncState(&ctx, req, &s).ok() &&
           s.store_id() == store;
  }

  TempDir dir_;
  std::string tls_;
  std::string other_;
  std::unique_ptr<CentralProcess> central_;
};

TEST_F(SyncIdentityTest, TheRightCertificateIsWelcomed) {
  EXPECT_TRUE(HelloAs(tls_ + "/store-store-0001", "store-0001").ok());
  EXPECT_TRUE(CentralKnows("store-0001"));
}

TEST_F(SyncIdentityTest, AHelloNamingAnotherStoreIsRefused) {
  const grpc::Status s = HelloAs(tls_ + "/store-store-0001", "store-0002");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << s.error_message();
  EXPECT_NE(s.error_message().find("store-0002"), std::string::npos)
      << s.error_message();
  EXPECT_FALSE(CentralKnows("store-0002"));
}

TEST_F(SyncIdentityTest, NoClientCertificateIsRefused) {
  const grpc::Status s = HelloAs("", "store-0001");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(CentralKnows("store-0001"));
}

TEST_F(SyncIdentityTest, ACertificateFromAnotherCaIsRefused) {
  const grpc::Status s = HelloAs(other_ + "/store-store-0001", "store-0001");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(CentralKnows("store-0001"));
}

TEST_F(SyncIdentityTest, AnExpiredCertificateIsRefused) {
  const grpc::Status s = HelloAs(tls_ + "/store-store-0009", "store-0009");
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(CentralKnows("store-0009"));
}

}  // namespace
}  // namespace storeagent::testing
