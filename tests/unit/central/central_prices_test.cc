// Head office's price book through storecentrald (docs/central.md, "The
// price book"): PublishPriceList / PublishPromotion answer the version
// rule's outcome and the stores queued, a store that connects later gets
// what applies to it over its stream once, Welcome.store_region carries its
// region, ListPriceBook filters and prices as the store would, every
// publish is audited, ListPriceDeviations is not built yet, and with
// admin.tls a reader may list but not publish. SQLite backend (the store
// rules run on both backends in central_store_test / central_store_pg_test).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/journal_chain.h"
#include "tests/support/test_certs.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {
namespace {

using storeagent::testing::CertAndKey;
using storeagent::testing::CertSpec;
using storeagent::testing::kDay;
using storeagent::testing::NowSeconds;
using storeagent::testing::TestCa;

v1::PriceList List(const std::string& id, uint64_t version,
                   const v1::PriceScope& scope, int64_t price) {
  v1::PriceList l;
  l.set_id(id);
  l.set_version(version);
  l.set_currency("EUR");
  *l.mutable_scope() = scope;
  v1::PriceEntry* e = l.add_entries();
  e->set_sku("SKU-1");
  e->set_unit(v1::UNIT_OF_MEASURE_EACH);
  e->mutable_unit_price()->set_minor_units(price);
  e->mutable_unit_price()->set_currency("EUR");
  return l;
}

v1::PriceScope Fleet() {
  v1::PriceScope s;
  s.set_all_stores(true);
  return s;
}
v1::PriceScope Region(const std::string& r) {
  v1::PriceScope s;
  s.set_region(r);
  return s;
}

v1::Promotion TenPercent(const std::string& id, const v1::PriceScope& scope) {
  v1::Promotion p;
  p.set_id(id);
  p.set_version(1);
  *p.mutable_scope() = scope;
  p.add_skus("SKU-1");
  p.mutable_percent_off()->set_basis_points(1000);
  p.set_description("10 % off");
  return p;
}

class CentralPricesTest : public ::testing::Test {
 protected:
  void SetUp() override { central_.Start(); }

  grpc::Status Publish(const v1::PriceList& l,
                       v1::PublishPriceListResponse* out) {
    grpc::ClientContext ctx;
    v1::PublishPriceListRequest r;
    *r.mutable_list() = l;
    return central_.admin().PublishPriceList(&ctx, r, out);
  }

  // Says Hello as `store` having applied `applied` central events; the
  // Welcome, and the price book events read after it (until `want` came).
  struct Session {
    std::unique_ptr<AgentStream> stream;
    v1::Welcome welcome;
    std::vector<v1::CentralEvent> events;
  };
  Session Connect(const std::string& store, uint64_t applied, int want) {
    Session s;
    s.stream = std::make_unique<AgentStream>(central_.SyncChannel());
    std::optional<v1::Welcome> w =
        s.stream->Hello(store, 0, core::GenesisHash(), applied);
    EXPECT_TRUE(w.has_value());
    if (w) s.welcome = *w;
    while (static_cast<int>(s.events.size()) < want) {
      std::optional<v1::SyncResponse> m = s.stream->Read();
      if (!m) break;
      if (!m->has_central_events()) continue;
      for (const v1::CentralEvent& e : m->central_events().events()) {
        s.events.push_back(e);
      }
    }
    return s;
  }

  std::vector<v1::AdminAuditEntry> Audit() {
    grpc::ClientContext ctx;
    v1::ListAdminAuditRequest r;
    v1::ListAdminAuditResponse out;
    EXPECT_TRUE(central_.admin().ListAdminAudit(&ctx, r, &out).ok());
    return {out.entries().begin(), out.entries().end()};
  }

  CentralFixture central_;
};

TEST_F(CentralPricesTest, AStoreThatConnectsLaterGetsWhatAppliesOnce) {
  v1::PublishPriceListResponse r;
  ASSERT_TRUE(Publish(List("F", 1, Fleet(), 199), &r).ok());
  EXPECT_EQ(r.outcome(), "added");
  EXPECT_EQ(r.stores_queued(), 0u);  // no store yet
  ASSERT_TRUE(Publish(List("F", 1, Fleet(), 199), &r).ok());
  EXPECT_EQ(r.outcome(), "unchanged");

  {
    Session s = Connect("store-1", 0, 1);
    EXPECT_EQ(s.welcome.store_region(), "");
    ASSERT_EQ(s.events.size(), 1u);
    ASSERT_TRUE(s.events[0].has_price_list());
    EXPECT_EQ(s.events[0].price_list().id(), "F");
    EXPECT_EQ(s.events[0].central_seq(), 1u);
    v1::SyncRequest ack;
    ack.mutable_central_ack()->set_central_seq(1);
    ASSERT_TRUE(s.stream->Send(ack));
    ASSERT_TRUE(s.stream->Finish().ok());
  }

  // Its region: the region's list is queued at once, and the next Welcome
  // names the region.
  {
    grpc::ClientContext ctx;
    v1::SetStoreRegionRequest req;
    req.set_store_id("store-1");
    req.set_region("north");
    v1::SetStoreRegionResponse out;
    ASSERT_TRUE(central_.admin().SetStoreRegion(&ctx, req, &out).ok());
  }
  ASSERT_TRUE(Publish(List("N", 1, Region("north"), 149), &r).ok());
  EXPECT_EQ(r.outcome(), "added");
  EXPECT_EQ(r.stores_queued(), 1u);
  Session s = Connect("store-1", 1, 1);
  EXPECT_EQ(s.welcome.store_region(), "north");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].central_seq(), 2u);
  EXPECT_EQ(s.events[0].price_list().id(), "N");
  v1::SyncRequest ack;
  ack.mutable_central_ack()->set_central_seq(2);
  ASSERT_TRUE(s.stream->Send(ack));
  // Published while the store is connected: sent at once.
  grpc::ClientContext ctx;
  v1::PublishPromotionRequest pr;
  *pr.mutable_promotion() = TenPercent("P", Region("north"));
  v1::PublishPromotionResponse pout;
  ASSERT_TRUE(central_.admin().PublishPromotion(&ctx, pr, &pout).ok());
  EXPECT_EQ(pout.outcome(), "added");
  EXPECT_EQ(pout.stores_queued(), 1u);
  std::optional<v1::SyncResponse> m = s.stream->Read();
  ASSERT_TRUE(m && m->has_central_events()) << (m ? m->DebugString() : "");
  ASSERT_EQ(m->central_events().events_size(), 1);
  EXPECT_EQ(m->central_events().events(0).central_seq(), 3u);
  EXPECT_TRUE(m->central_events().events(0).has_promotion());
}

TEST_F(CentralPricesTest, ListPriceBookFiltersAndPricesAsTheStoreWould) {
  { Session s = Connect("store-1", 0, 0); }
  { Session s = Connect("store-2", 0, 0); }
  {
    grpc::ClientContext ctx;
    v1::SetStoreRegionRequest req;
    req.set_store_id("store-1");
    req.set_region("north");
    v1::SetStoreRegionResponse out;
    ASSERT_TRUE(central_.admin().SetStoreRegion(&ctx, req, &out).ok());
  }
  v1::PublishPriceListResponse r;
  ASSERT_TRUE(Publish(List("F", 1, Fleet(), 199), &r).ok());
  ASSERT_TRUE(Publish(List("N", 1, Region("north"), 149), &r).ok());
  {
    grpc::ClientContext ctx;
    v1::PublishPromotionRequest pr;
    *pr.mutable_promotion() = TenPercent("P", Region("north"));
    v1::PublishPromotionResponse pout;
    ASSERT_TRUE(central_.admin().PublishPromotion(&ctx, pr, &pout).ok());
  }

  auto list = [&](const std::string& store, std::vector<std::string> skus,
                  v1::ListPriceBookResponse* out) {
    grpc::ClientContext ctx;
    v1::ListPriceBookRequest req;
    req.set_store_id(store);
    for (const std::string& s : skus) req.add_skus(s);
    return central_.admin().ListPriceBook(&ctx, req, out);
  };
  v1::ListPriceBookResponse all;
  ASSERT_TRUE(list("", {}, &all).ok());
  ASSERT_EQ(all.price_lists_size(), 2);
  EXPECT_EQ(all.price_lists(0).id(), "F");
  EXPECT_EQ(all.price_lists(1).id(), "N");
  EXPECT_EQ(all.price_lists(1).entry_count(), 1u);
  EXPECT_EQ(all.promotions_size(), 1);
  EXPECT_FALSE(all.has_prices());

  v1::ListPriceBookResponse two;
  ASSERT_TRUE(list("store-2", {}, &two).ok());
  ASSERT_EQ(two.price_lists_size(), 1);
  EXPECT_EQ(two.price_lists(0).id(), "F");
  EXPECT_EQ(two.promotions_size(), 0);

  // store-1 is in the north: the region's list over the fleet's, and the
  // region's promotion.
  v1::ListPriceBookResponse one;
  grpc::Status st = list("store-1", {"SKU-1", "SKU-2"}, &one);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(one.prices().prices_size(), 2);
  const v1::SkuPrice& p = one.prices().prices(0);
  EXPECT_TRUE(p.found());
  EXPECT_EQ(p.unit_price().minor_units(), 149);
  EXPECT_EQ(p.price_list_id(), "N");
  ASSERT_EQ(p.promotions_size(), 1);
  EXPECT_EQ(p.promotions(0).id(), "P");
  EXPECT_FALSE(one.prices().prices(1).found());
  EXPECT_EQ(one.prices().book_central_seq(), 0u);

  // What the store's own answer would be at store-2: the fleet price.
  v1::ListPriceBookResponse other;
  ASSERT_TRUE(list("store-2", {"SKU-1"}, &other).ok());
  ASSERT_EQ(other.prices().prices_size(), 1);
  EXPECT_EQ(other.prices().prices(0).unit_price().minor_units(), 199);
  EXPECT_EQ(other.prices().prices(0).promotions_size(), 0);

  v1::ListPriceBookResponse bad;
  st = list("", {"SKU-1"}, &bad);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("skus", 0), 0u) << st.error_message();
  st = list("store-1", {"SKU-1", "SKU-1"}, &bad);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("skus", 0), 0u) << st.error_message();
}

TEST_F(CentralPricesTest, PublishesAreAuditedAndRefusalsNameTheField) {
  v1::PublishPriceListResponse r;
  ASSERT_TRUE(Publish(List("F", 1, Fleet(), 199), &r).ok());
  v1::PriceList bad = List("F", 2, Fleet(), 199);
  bad.set_currency("XXY");
  grpc::Status st = Publish(bad, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("price_list.currency", 0), 0u)
      << st.error_message();
  st = Publish(List("F", 1, Fleet(), 250), &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(st.error_message().rfind("price_list.version", 0), 0u)
      << st.error_message();
  {
    grpc::ClientContext ctx;
    v1::PublishPriceListRequest empty;
    st = central_.admin().PublishPriceList(&ctx, empty, &r);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("list", 0), 0u) << st.error_message();
  }

  // A push of a list to one store is refused.
  {
    grpc::ClientContext ctx;
    v1::PushCentralEventRequest push;
    push.set_store_id("store-1");
    push.set_request_key("k-1");
    *push.mutable_event()->mutable_price_list() = List("F", 3, Fleet(), 1);
    v1::PushCentralEventResponse out;
    st = central_.admin().PushCentralEvent(&ctx, push, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(st.error_message().rfind("event.price_list", 0), 0u)
        << st.error_message();
  }

  std::vector<std::string> seen;
  for (const v1::AdminAuditEntry& e : Audit()) {
    if (e.method() != "PublishPriceList") continue;
    seen.push_back(e.code() + " " + e.detail() + " | " + e.message());
  }
  // Newest first.
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[3],
            "OK price_list=F version=1 scope=all_stores | added, queued to 0 "
            "stores");
  EXPECT_EQ(seen[2].rfind("INVALID_ARGUMENT price_list=F version=2", 0), 0u)
      << seen[2];
  EXPECT_EQ(seen[1].rfind("ALREADY_EXISTS price_list=F version=1", 0), 0u)
      << seen[1];
  EXPECT_EQ(seen[0].rfind("INVALID_ARGUMENT price_list= version=0", 0), 0u)
      << seen[0];

  // The list held is the first one.
  grpc::ClientContext ctx;
  v1::ListPriceBookResponse book;
  ASSERT_TRUE(central_.admin()
                  .ListPriceBook(&ctx, v1::ListPriceBookRequest(), &book)
                  .ok());
  ASSERT_EQ(book.price_lists_size(), 1);
  EXPECT_EQ(book.price_lists(0).version(), 1u);
}

TEST_F(CentralPricesTest, PriceDeviationsAreNotBuiltYet) {
  grpc::ClientContext ctx;
  v1::ListPriceDeviationsResponse out;
  grpc::Status st = central_.admin().ListPriceDeviations(
      &ctx, v1::ListPriceDeviationsRequest(), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(st.error_message().find("not built yet"), std::string::npos);
}

// With admin.tls: a reader lists the price book but may not publish (and
// the refusal is audited); an operator publishes.
class CentralPricesAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CertAndKey server = ca_.Issue(
        Spec("localhost", "DNS:localhost,IP:127.0.0.1", "serverAuth"));
    CentralConfig c = CentralFixture::DefaultConfig();
    c.insecure = false;
    c.admin_tls = true;
    c.ca_pem = ca_.cert_pem();
    c.cert_pem = server.cert_pem;
    c.key_pem = server.key_pem;
    central_.Start(c);
  }

  static CertSpec Spec(const std::string& cn, const std::string& san,
                       const std::string& eku) {
    CertSpec s;
    s.cn = cn;
    s.san = san;
    s.eku = eku;
    s.not_before_s = NowSeconds() - kDay;
    s.not_after_s = NowSeconds() + 30 * kDay;
    return s;
  }

  std::unique_ptr<v1::CentralAdminService::Stub> AdminAs(
      const std::string& role, const std::string& name) {
    const CertAndKey client = ca_.Issue(
        Spec(name, "URI:storeagent:admin:" + role + ":" + name, "clientAuth"));
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ca_.cert_pem();
    o.pem_private_key = client.key_pem;
    o.pem_cert_chain = client.cert_pem;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return v1::CentralAdminService::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(central_.server().admin_port()),
        grpc::SslCredentials(o), args));
  }

  TestCa ca_{"central prices test CA"};
  CentralFixture central_;
};

TEST_F(CentralPricesAuthTest, AReaderListsAndAnOperatorPublishes) {
  auto reader = AdminAs("reader", "viewer");
  auto op = AdminAs("operator", "ops");
  v1::PublishPriceListRequest list;
  *list.mutable_list() = List("F", 1, Fleet(), 199);
  v1::PublishPromotionRequest promo;
  *promo.mutable_promotion() = TenPercent("P", Fleet());
  {
    grpc::ClientContext ctx;
    v1::PublishPriceListResponse out;
    grpc::Status st = reader->PublishPriceList(&ctx, list, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(st.error_message().find("reader"), std::string::npos)
        << st.error_message();
  }
  {
    grpc::ClientContext ctx;
    v1::PublishPromotionResponse out;
    grpc::Status st = reader->PublishPromotion(&ctx, promo, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {  // the refused writes changed nothing
    grpc::ClientContext ctx;
    v1::ListPriceBookResponse out;
    grpc::Status st =
        reader->ListPriceBook(&ctx, v1::ListPriceBookRequest(), &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(out.price_lists_size(), 0);
    EXPECT_EQ(out.promotions_size(), 0);
  }
  {
    grpc::ClientContext ctx;
    v1::PublishPriceListResponse out;
    grpc::Status st = op->PublishPriceList(&ctx, list, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(out.outcome(), "added");
  }
  {
    grpc::ClientContext ctx;
    v1::PublishPromotionResponse out;
    grpc::Status st = op->PublishPromotion(&ctx, promo, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  {
    grpc::ClientContext ctx;
    v1::ListPriceBookResponse out;
    ASSERT_TRUE(
        reader->ListPriceBook(&ctx, v1::ListPriceBookRequest(), &out).ok());
    EXPECT_EQ(out.price_lists_size(), 1);
    EXPECT_EQ(out.promotions_size(), 1);
  }
  {
    grpc::ClientContext ctx;
    v1::ListPriceDeviationsResponse out;
    EXPECT_EQ(
        reader
            ->ListPriceDeviations(&ctx, v1::ListPriceDeviationsRequest(), &out)
            .error_code(),
        grpc::StatusCode::UNIMPLEMENTED);
  }
  grpc::ClientContext ctx;
  v1::ListAdminAuditResponse audit;
  ASSERT_TRUE(
      reader->ListAdminAudit(&ctx, v1::ListAdminAuditRequest(), &audit).ok());
  std::vector<std::string> rows;
  for (const v1::AdminAuditEntry& e : audit.entries()) {
    rows.push_back(e.caller() + " " + e.method() + " " + e.code());
  }
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "operator:ops PublishPromotion OK",
                      "operator:ops PublishPriceList OK",
                      "reader:viewer PublishPromotion PERMISSION_DENIED",
                      "reader:viewer PublishPriceList PERMISSION_DENIED",
                  }));
}

}  // namespace
}  // namespace storeagent::central::testing
