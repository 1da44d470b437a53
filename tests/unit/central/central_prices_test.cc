// Head office's price book through storecentrald (docs/central.md, "The
// price book"): PublishPriceList / PublishPromotion answer the version
// rule's outcome and the stores queued, a store that connects later gets
// what applies to it over its stream once, Welcome.store_region carries its
// region, ListPriceBook filters and prices as the store would, every
// publish is audited, ListPriceDeviations lists what the stores flagged
// (filters, limit, counts, refusals), and with admin.tls a reader may list
// both but not publish. SQLite backend (the store
// rules run on both backends in central_store_test / central_store_pg_test).
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/journal_chain.h"
#include "tests/support/test_certs.h"
#include "tests/unit/central/fake_agent.h"
#include "tests/unit/core/sample_events.h"

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

// A sale the store checked against its price book (book 0: not checked),
// `deviating` lines flagged by the agent.
v1::JournalRecord CheckedSale(int lines, uint64_t book,
                              const std::vector<int>& deviating) {
  v1::JournalRecord r;
  *r.mutable_transaction() = storeagent::test::SampleSale(lines);
  v1::Sale* s = r.mutable_transaction()->mutable_sale();
  s->set_price_book_central_seq(book);
  for (int i : deviating) {
    v1::PriceDeviation* d = s->mutable_lines(i)->mutable_price_deviation();
    d->set_kind(v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
    d->set_reason(v1::PRICE_REASON_MANUAL_OVERRIDE);
    d->set_expected_unit_price(299);
    d->set_expected_net(299);
    d->set_charged_unit_price(250);
    d->set_charged_net(250);
    d->set_difference(-49);
    d->set_price_list_id("F");
    d->set_price_list_version(1);
    s->mutable_lines(i)->set_price_reason(v1::PRICE_REASON_MANUAL_OVERRIDE);
  }
  return r;
}

// Sends the journal's entries as `store` and waits for central's ack of
// the last.
void Upload(CentralFixture& central, const std::string& store,
            const FakeJournal& journal) {
  AgentStream s(central.SyncChannel());
  ASSERT_TRUE(s.Hello(store, 0, core::GenesisHash()).has_value());
  ASSERT_TRUE(s.SendEvents(journal.entries()));
  for (;;) {
    std::optional<v1::SyncResponse> m = s.Read();
    ASSERT_TRUE(m.has_value()) << "stream ended before the ack";
    if (m->has_ack() && m->ack().acked_seq() == journal.head_seq()) break;
  }
  ASSERT_TRUE(s.Finish().ok());
}

// What the agent flagged reaches the list through the stream, with the
// counts; the filters and the limit; refusals name the field.
TEST_F(CentralPricesTest, ListPriceDeviationsListsWhatTheStoresFlagged) {
  FakeJournal one, two;
  one.Add(CheckedSale(3, 5, {1}));  // seq 1
  one.Add(CheckedSale(2, 0, {}));   // seq 2: not checked
  one.Add(CheckedSale(2, 5, {0, 1}));
  two.Add(CheckedSale(1, 2, {}));
  Upload(central_, "store-1", one);
  Upload(central_, "store-2", two);

  auto list = [&](const v1::ListPriceDeviationsRequest& r,
                  v1::ListPriceDeviationsResponse* out) {
    grpc::ClientContext ctx;
    return central_.admin().ListPriceDeviations(&ctx, r, out);
  };
  v1::ListPriceDeviationsRequest r;
  v1::ListPriceDeviationsResponse out;
  ASSERT_TRUE(list(r, &out).ok());
  ASSERT_EQ(out.deviations_size(), 3);
  std::vector<std::string> keys;
  for (const v1::PriceDeviationEntry& e : out.deviations()) {
    keys.push_back(e.store_id() + " " + std::to_string(e.seq()) + "/" +
                   std::to_string(e.line()) + " " + e.sku());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"store-1 3/0 SKU-00000",
                                            "store-1 3/1 SKU-00001",
                                            "store-1 1/1 SKU-00001"}));
  const v1::PriceDeviationEntry& e = out.deviations(2);
  EXPECT_EQ(e.recorded_at_us(), one.entries()[0].record().recorded_at_us());
  EXPECT_EQ(e.client_key().client_txn_id(), "t1");
  EXPECT_EQ(e.receipt_number(), "R-2026-000123");
  EXPECT_EQ(e.operator_id(), "op-7");
  EXPECT_EQ(e.deviation().kind(), v1::PRICE_DEVIATION_KIND_UNIT_PRICE);
  EXPECT_EQ(e.deviation().reason(), v1::PRICE_REASON_MANUAL_OVERRIDE);
  EXPECT_EQ(e.deviation().difference(), -49);
  EXPECT_EQ(e.deviation().price_list_id(), "F");
  EXPECT_EQ(out.lines_checked(), 3 + 2 + 1);
  EXPECT_EQ(out.lines_deviating(), 3);

  r.set_store_id("store-2");
  ASSERT_TRUE(list(r, &out).ok());
  EXPECT_EQ(out.deviations_size(), 0);
  EXPECT_EQ(out.lines_checked(), 1);
  EXPECT_EQ(out.lines_deviating(), 0);
  r.set_store_id("store-1");
  r.set_sku("SKU-00001");
  r.set_limit(1);
  ASSERT_TRUE(list(r, &out).ok());
  ASSERT_EQ(out.deviations_size(), 1);
  EXPECT_EQ(out.deviations(0).seq(), 3u);
  EXPECT_EQ(out.lines_checked(), 5);
  r.set_limit(0);
  r.set_since_us(one.entries()[0].record().recorded_at_us());
  r.set_until_us(one.entries()[2].record().recorded_at_us());  // exclusive
  ASSERT_TRUE(list(r, &out).ok());
  ASSERT_EQ(out.deviations_size(), 1);
  EXPECT_EQ(out.deviations(0).seq(), 1u);

  struct Bad {
    std::function<void(v1::ListPriceDeviationsRequest&)> set;
    grpc::StatusCode code;
    std::string field;
  };
  for (const Bad& b :
       std::vector<Bad>{{[](auto& q) { q.set_limit(1001); },
                         grpc::StatusCode::INVALID_ARGUMENT, "limit"},
                        {[](auto& q) { q.set_store_id("no spaces"); },
                         grpc::StatusCode::INVALID_ARGUMENT, "store_id"},
                        {[](auto& q) { q.set_store_id("store-404"); },
                         grpc::StatusCode::NOT_FOUND, "store_id"},
                        {[](auto& q) { q.set_sku(std::string(65, 'x')); },
                         grpc::StatusCode::INVALID_ARGUMENT, "sku"},
                        {[](auto& q) { q.set_since_us(-1); },
                         grpc::StatusCode::INVALID_ARGUMENT, "since_us"},
                        {[](auto& q) {
                           q.set_since_us(10);
                           q.set_until_us(10);
                         },
                         grpc::StatusCode::INVALID_ARGUMENT, "until_us"}}) {
    v1::ListPriceDeviationsRequest q;
    b.set(q);
    grpc::Status st = list(q, &out);
    EXPECT_EQ(st.error_code(), b.code) << b.field << ": " << st.error_message();
    EXPECT_EQ(st.error_message().rfind(b.field + ":", 0), 0u)
        << st.error_message();
  }
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
    grpc::Status st = reader->ListPriceDeviations(
        &ctx, v1::ListPriceDeviationsRequest(), &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(out.deviations_size(), 0);
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
