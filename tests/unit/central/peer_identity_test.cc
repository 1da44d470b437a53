// Identities from certificates (central/server/peer_identity.h): the admin
// URI grammar, the roles, and the callers of a plaintext admin listener.
#include "central/server/peer_identity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace storeagent::central {
namespace {

using ::testing::HasSubstr;

TEST(PeerIdentityTest, AdminUrisNameARoleAndAName) {
  Result<std::optional<AdminCaller>> op =
      ParseAdminUri("storeagent:admin:operator:alice");
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  ASSERT_TRUE(op->has_value());
  EXPECT_EQ((*op)->role, AdminRole::kOperator);
  EXPECT_EQ((*op)->name, "alice");
  EXPECT_EQ(AdminCallerName(**op), "operator:alice");

  Result<std::optional<AdminCaller>> reader =
      ParseAdminUri("storeagent:admin:reader:hq.reports-1");
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->has_value());
  EXPECT_EQ((*reader)->role, AdminRole::kReader);
  EXPECT_EQ(AdminCallerName(**reader), "reader:hq.reports-1");
}

TEST(PeerIdentityTest, OtherUrisAreNotAdmins) {
  for (const char* uri : {"storeagent:store:S1", "spiffe://x/y", "",
                          "storeagent:admins:operator:a"}) {
    Result<std::optional<AdminCaller>> r = ParseAdminUri(uri);
    ASSERT_TRUE(r.ok()) << uri;
    EXPECT_FALSE(r->has_value()) << uri;
  }
}

TEST(PeerIdentityTest, MalformedAdminUrisAreRefusedSayingWhy) {
  struct Case {
    const char* uri;
    const char* says;
  };
  for (const Case& c : {Case{"storeagent:admin:root:alice", "role 'root'"},
                        Case{"storeagent:admin:operator", "ROLE:NAME"},
                        Case{"storeagent:admin:operator:", "NAME must be"},
                        Case{"storeagent:admin:reader:a b", "NAME must be"},
                        Case{"storeagent:admin:Operator:a", "role"}}) {
    Result<std::optional<AdminCaller>> r = ParseAdminUri(c.uri);
    ASSERT_FALSE(r.ok()) << c.uri;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(r.status().message(), HasSubstr(c.says)) << c.uri;
  }
}

TEST(PeerIdentityTest, RolesByName) {
  EXPECT_EQ(ParseAdminRole("reader"), AdminRole::kReader);
  EXPECT_EQ(ParseAdminRole("operator"), AdminRole::kOperator);
  EXPECT_EQ(ParseAdminRole("admin"), std::nullopt);
  EXPECT_EQ(AdminRoleName(AdminRole::kReader), "reader");
  EXPECT_EQ(AdminRoleName(AdminRole::kOperator), "operator");
}

TEST(PeerIdentityTest, PlaintextAdminCallersAreTheLoopbackOperator) {
  Result<AdminCaller> c = AdminCallerFromAuthContext(nullptr, /*tls=*/false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(AdminCallerName(*c), "operator:loopback");
  // With admin.tls, no authenticated peer is no caller.
  Result<AdminCaller> none = AdminCallerFromAuthContext(nullptr, true);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(none.status().message(), HasSubstr("dev-ca admin"));
  EXPECT_EQ(StoreIdFromAuthContext(nullptr), "");
}

// The admin a certificate's URIs name (the gRPC admin port and the report
// page share it): the first admin URI; a store's or none is refused saying
// which, naming what was refused.
TEST(PeerIdentityTest, AdminCallerFromACertificatesUris) {
  Result<AdminCaller> reader = AdminCallerFromCertificate(
      {"spiffe://x", "storeagent:admin:reader:rita"}, "rita", "the page");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(AdminCallerName(*reader), "reader:rita");
  Result<AdminCaller> store =
      AdminCallerFromCertificate({"storeagent:store:S-9"}, "S-9", "the page");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(store.status().message(),
              HasSubstr("store S-9's: store certificates may not use the "
                        "page"));
  Result<AdminCaller> none = AdminCallerFromCertificate({}, "bob", "the page");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(), HasSubstr("(CN=bob) names no admin"));
  Result<AdminCaller> bad =
      AdminCallerFromCertificate({"storeagent:admin:root:x"}, "x", "the page");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("role 'root'"));
}

}  // namespace
}  // namespace storeagent::central
