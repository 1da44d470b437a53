// The price book at central (docs/central.md, "The price book"), on both
// backends: the version rule against the version central holds, the
// fan-out of a version to the stores of its scope through central_events
// (each store once), a store that appears later or changes region, a
// refusal that names the field and changes nothing, and the listing.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "central/store/central_store.h"
#include "tests/unit/central_store/central_store_fixture.h"

namespace storeagent::testing {
namespace {

using central::PriceBookRead;
using central::PublishResult;
using core::ApplyOutcome;

// A valid list: one SKU at `price` EUR for the scope given.
v1::PriceList List(const std::string& id, uint64_t version,
                   v1::PriceScope scope, int64_t price = 199) {
  v1::PriceList l;
  l.set_id(id);
  l.set_version(version);
  l.set_currency("EUR");
  *l.mutable_scope() = std::move(scope);
  v1::PriceEntry* e = l.add_entries();
  e->set_sku("SKU-1");
  e->set_unit(v1::UNIT_OF_MEASURE_EACH);
  e->mutable_unit_price()->set_minor_units(price);
  e->mutable_unit_price()->set_currency("EUR");
  return l;
}

v1::Promotion Promo(const std::string& id, uint64_t version,
                    v1::PriceScope scope, int32_t basis_points = 1000) {
  v1::Promotion p;
  p.set_id(id);
  p.set_version(version);
  *p.mutable_scope() = std::move(scope);
  p.add_skus("SKU-1");
  p.mutable_percent_off()->set_basis_points(basis_points);
  return p;
}

v1::PriceScope Stores(std::initializer_list<const char*> ids) {
  v1::PriceScope s;
  for (const char* id : ids) s.add_store_ids(id);
  return s;
}
v1::PriceScope Region(const std::string& region) {
  v1::PriceScope s;
  s.set_region(region);
  return s;
}
v1::PriceScope Fleet() {
  v1::PriceScope s;
  s.set_all_stores(true);
  return s;
}

using Names = std::vector<std::string>;

// The tests' view of one CentralStore's price book.
class Book {
 public:
  explicit Book(central::CentralStore& store) : store_(store) {}

  void Known(const std::string& store, const std::string& region = "") {
    ASSERT_TRUE(store_.GetOrCreateStore(store).ok());
    if (!region.empty()) {
      ASSERT_TRUE(store_.SetStoreRegion(store, region, kNow).ok());
    }
  }

  PublishResult Publish(const v1::PriceList& l) {
    Result<PublishResult> r = store_.PublishPriceList(l, kNow);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PublishResult{};
  }
  PublishResult Publish(const v1::Promotion& p) {
    Result<PublishResult> r = store_.PublishPromotion(p, kNow);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : PublishResult{};
  }

  // The store's central events, in order.
  std::vector<v1::CentralEvent> Events(const std::string& store) {
    Result<std::vector<v1::CentralEvent>> e =
        store_.ReadCentralEvents(store, 0, 0, 0);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? *e : std::vector<v1::CentralEvent>{};
  }

  // "price_list <id> v<version>" / "promotion <id> v<version>" for each
  // price book event the store was queued, in order.
  Names Queued(const std::string& store) {
    Names out;
    for (const v1::CentralEvent& e : Events(store)) {
      if (e.has_price_list()) {
        out.push_back("price_list " + e.price_list().id() + " v" +
                      std::to_string(e.price_list().version()));
      } else if (e.has_promotion()) {
        out.push_back("promotion " + e.promotion().id() + " v" +
                      std::to_string(e.promotion().version()));
      }
    }
    return out;
  }

 private:
  central::CentralStore& store_;
};

TEST_P(CentralStoreTest, PriceBookTheVersionRuleAgainstWhatCentralHolds) {
  Book book(*store_);
  book.Known("s1");
  PublishResult r = book.Publish(List("L", 2, Stores({"s1"})));
  EXPECT_EQ(r.outcome, ApplyOutcome::kAdded);
  EXPECT_EQ(r.stores_queued, Names{"s1"});

  // A retry: unchanged, nothing queued.
  r = book.Publish(List("L", 2, Stores({"s1"})));
  EXPECT_EQ(r.outcome, ApplyOutcome::kUnchanged);
  EXPECT_TRUE(r.stores_queued.empty());

  // An earlier version: stale, ignored.
  r = book.Publish(List("L", 1, Stores({"s1"}), 5));
  EXPECT_EQ(r.outcome, ApplyOutcome::kStale);
  EXPECT_TRUE(r.stores_queued.empty());

  // The same version with other content: refused, nothing changes.
  Result<PublishResult> conflict =
      store_->PublishPriceList(List("L", 2, Stores({"s1"}), 250), kNow);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(conflict.status().message().rfind("price_list.version:", 0), 0u)
      << conflict.status().message();

  // A later version replaces it.
  r = book.Publish(List("L", 3, Stores({"s1"}), 299));
  EXPECT_EQ(r.outcome, ApplyOutcome::kReplaced);
  EXPECT_EQ(r.stores_queued, Names{"s1"});

  EXPECT_EQ(book.Queued("s1"), (Names{"price_list L v2", "price_list L v3"}));
  std::vector<v1::CentralEvent> events = book.Events("s1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].central_seq(), 1u);
  EXPECT_EQ(events[1].central_seq(), 2u);
  EXPECT_EQ(events[1].created_at_us(), kNow);
  EXPECT_EQ(events[1].price_list().entries(0).unit_price().minor_units(), 299);

  Result<PriceBookRead> held = store_->ReadPriceBook("", false);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_EQ(held->summaries.size(), 1u);
  EXPECT_EQ(held->summaries[0].id(), "L");
  EXPECT_EQ(held->summaries[0].version(), 3u);
  EXPECT_EQ(held->summaries[0].entry_count(), 1u);
  EXPECT_EQ(held->summaries[0].published_at_us(), kNow);
  EXPECT_TRUE(held->lists.empty());
}

TEST_P(CentralStoreTest, PriceBookPromotionsFollowTheSameRule) {
  Book book(*store_);
  book.Known("s1");
  EXPECT_EQ(book.Publish(Promo("P", 1, Fleet())).outcome, ApplyOutcome::kAdded);
  EXPECT_EQ(book.Publish(Promo("P", 1, Fleet())).outcome,
            ApplyOutcome::kUnchanged);
  Result<PublishResult> conflict =
      store_->PublishPromotion(Promo("P", 1, Fleet(), 2000), kNow);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(conflict.status().message().rfind("promotion.version:", 0), 0u)
      << conflict.status().message();
  EXPECT_EQ(book.Publish(Promo("P", 2, Fleet(), 2000)).outcome,
            ApplyOutcome::kReplaced);
  EXPECT_EQ(book.Publish(Promo("P", 1, Fleet())).outcome, ApplyOutcome::kStale);
  // A list and a promotion may share an id: two kinds, two books.
  EXPECT_EQ(book.Publish(List("P", 1, Fleet())).outcome, ApplyOutcome::kAdded);
  EXPECT_EQ(book.Queued("s1"),
            (Names{"promotion P v1", "promotion P v2", "price_list P v1"}));
  Result<PriceBookRead> held = store_->ReadPriceBook("s1", false);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_EQ(held->promotions.size(), 1u);
  EXPECT_EQ(held->promotions[0].version(), 2u);
  EXPECT_EQ(held->promotions[0].percent_off().basis_points(), 2000);
}

TEST_P(CentralStoreTest, PriceBookARefusalNamesTheFieldAndChangesNothing) {
  Book book(*store_);
  book.Known("s1");
  v1::PriceList bad = List("L", 1, Stores({"s1"}));
  bad.mutable_entries(0)->mutable_unit_price()->set_minor_units(-1);
  Result<PublishResult> r = store_->PublishPriceList(bad, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("price_list.entries[0].unit_price", 0),
            0u)
      << r.status().message();

  // An empty scope is refused, not read as the fleet.
  r = store_->PublishPriceList(List("L", 1, v1::PriceScope()), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("price_list.scope"), std::string::npos)
      << r.status().message();

  // price.proto allows ':' in a scope's store id; no store at central has
  // one.
  r = store_->PublishPriceList(List("L", 1, Stores({"s1", "a:b"})), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("price_list.scope.store_ids[1]:", 0), 0u)
      << r.status().message();

  v1::Promotion no_kind = Promo("P", 1, Stores({"s1", "s9"}));
  no_kind.clear_percent_off();
  Result<PublishResult> p = store_->PublishPromotion(no_kind, kNow);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.status().message().rfind("promotion", 0), 0u)
      << p.status().message();

  Result<PriceBookRead> held = store_->ReadPriceBook("", true);
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->summaries.empty());
  EXPECT_TRUE(held->promotions.empty());
  EXPECT_TRUE(book.Events("s1").empty());
  Result<std::vector<central::StoreRow>> stores = store_->ListStores();
  ASSERT_TRUE(stores.ok());
  EXPECT_EQ(stores->size(), 1u);  // s9 was not created
}

TEST_P(CentralStoreTest, PriceBookAVersionFansOutToItsScopeOnce) {
  Book book(*store_);
  book.Known("a", "north");
  book.Known("b", "north");
  book.Known("c", "south");
  book.Known("d");
  EXPECT_EQ(book.Publish(List("N", 1, Region("north"))).stores_queued,
            (Names{"a", "b"}));
  EXPECT_EQ(book.Publish(List("F", 1, Fleet())).stores_queued,
            (Names{"a", "b", "c", "d"}));
  // Store ids: those stores, even one central has not seen yet.
  EXPECT_EQ(book.Publish(Promo("P", 1, Stores({"new-1", "c"}))).stores_queued,
            (Names{"c", "new-1"}));
  Result<std::optional<central::StoreRow>> created = store_->GetStore("new-1");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(created->has_value());
  EXPECT_EQ((*created)->central_head_seq, 1u);
  // A region no store has: kept, queued nowhere.
  EXPECT_TRUE(book.Publish(List("W", 1, Region("west"))).stores_queued.empty());

  EXPECT_EQ(book.Queued("a"), (Names{"price_list N v1", "price_list F v1"}));
  EXPECT_EQ(book.Queued("c"), (Names{"price_list F v1", "promotion P v1"}));
  EXPECT_EQ(book.Queued("d"), (Names{"price_list F v1"}));
  EXPECT_EQ(book.Queued("new-1"), (Names{"promotion P v1"}));

  // new-1 appeared after F was published: its Hello brings F, once.
  Result<central::PriceBookQueued> hello =
      store_->QueuePriceBook("new-1", kNow);
  ASSERT_TRUE(hello.ok()) << hello.status().ToString();
  EXPECT_EQ(hello->queued, 1u);
  EXPECT_EQ(book.Queued("new-1"), (Names{"promotion P v1", "price_list F v1"}));

  // Asking again queues nothing: each version reaches each store once.
  for (const char* s : {"a", "b", "c", "d", "new-1"}) {
    Result<central::PriceBookQueued> q = store_->QueuePriceBook(s, kNow);
    ASSERT_TRUE(q.ok()) << q.status().ToString();
    EXPECT_EQ(q->queued, 0u) << s;
  }
  EXPECT_EQ(book.Queued("a").size(), 2u);
}

TEST_P(CentralStoreTest, PriceBookANewVersionReachesTheStoresTheOldOneDid) {
  Book book(*store_);
  book.Known("a");
  book.Known("b");
  EXPECT_EQ(book.Publish(List("L", 1, Stores({"a"}))).stores_queued,
            Names{"a"});
  // v2 is for b only: a gets it too, so it replaces v1 there (and a's book
  // drops it by its scope).
  EXPECT_EQ(book.Publish(List("L", 2, Stores({"b"}))).stores_queued,
            (Names{"a", "b"}));
  // v3 back to a: b held v2, so it gets v3 as well.
  EXPECT_EQ(book.Publish(List("L", 3, Stores({"a"}))).stores_queued,
            (Names{"a", "b"}));
  EXPECT_EQ(book.Queued("a"),
            (Names{"price_list L v1", "price_list L v2", "price_list L v3"}));
  EXPECT_EQ(book.Queued("b"), (Names{"price_list L v2", "price_list L v3"}));
  Result<PriceBookRead> for_b = store_->ReadPriceBook("b", false);
  ASSERT_TRUE(for_b.ok());
  EXPECT_TRUE(for_b->summaries.empty());  // v3 does not apply to b
}

TEST_P(CentralStoreTest, PriceBookAStoreThatAppearsLaterGetsWhatAppliesOnce) {
  Book book(*store_);
  book.Known("a", "north");
  book.Publish(List("N", 1, Region("north")));
  book.Publish(List("F", 4, Fleet()));
  book.Publish(Promo("P", 1, Stores({"late"})));
  book.Publish(List("S", 1, Region("south")));
  // "late" was created by the promotion naming it: it has that one.
  EXPECT_EQ(book.Queued("late"), Names{"promotion P v1"});

  // A store central first hears of at its Hello: the fleet list.
  Result<central::PriceBookQueued> q = store_->QueuePriceBook("e", kNow);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->queued, 1u);
  EXPECT_EQ(q->row.store_id, "e");
  EXPECT_EQ(q->row.central_head_seq, 1u);
  q = store_->QueuePriceBook("late", kNow);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->queued, 1u);
  EXPECT_EQ(book.Queued("late"), (Names{"promotion P v1", "price_list F v4"}));

  // Its region is set: the region's list comes, once.
  Result<bool> changed = store_->SetStoreRegion("e", "north", kNow);
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_TRUE(*changed);
  EXPECT_EQ(book.Queued("e"), (Names{"price_list F v4", "price_list N v1"}));
  q = store_->QueuePriceBook("e", kNow);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->queued, 0u);
  EXPECT_EQ(q->row.region, "north");

  // South and back to north: south's list comes; north's is not sent again.
  ASSERT_TRUE(store_->SetStoreRegion("e", "south", kNow).ok());
  ASSERT_TRUE(store_->SetStoreRegion("e", "north", kNow).ok());
  EXPECT_EQ(book.Queued("e"),
            (Names{"price_list F v4", "price_list N v1", "price_list S v1"}));
  // A later version of north's list reaches it with the region's stores.
  EXPECT_EQ(book.Publish(List("N", 2, Region("north"))).stores_queued,
            (Names{"a", "e"}));
  EXPECT_EQ(book.Queued("e").back(), "price_list N v2");
}

TEST_P(CentralStoreTest, PriceBookTheListingIsFilteredToAStore) {
  Book book(*store_);
  book.Known("a", "north");
  book.Known("b", "south");
  book.Publish(List("F", 1, Fleet()));
  book.Publish(List("N", 1, Region("north")));
  book.Publish(List("B", 1, Stores({"b", "x"})));
  book.Publish(Promo("PN", 1, Region("north")));
  book.Publish(Promo("PA", 1, Stores({"a"})));

  Result<PriceBookRead> all = store_->ReadPriceBook("", false);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> ids;
  for (const v1::PriceListSummary& s : all->summaries) ids.push_back(s.id());
  EXPECT_EQ(ids, (Names{"B", "F", "N"}));
  EXPECT_EQ(all->promotions.size(), 2u);

  Result<PriceBookRead> a = store_->ReadPriceBook("a", true);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->store_known);
  EXPECT_EQ(a->region, "north");
  ids.clear();
  for (const v1::PriceListSummary& s : a->summaries) ids.push_back(s.id());
  EXPECT_EQ(ids, (Names{"F", "N"}));
  ASSERT_EQ(a->lists.size(), 2u);
  EXPECT_EQ(a->lists[1].id(), "N");
  EXPECT_EQ(a->lists[1].entries_size(), 1);
  ids.clear();
  for (const v1::Promotion& p : a->promotions) ids.push_back(p.id());
  EXPECT_EQ(ids, (Names{"PA", "PN"}));

  // A store central never saw: no region; lists naming it and fleet lists.
  Result<PriceBookRead> x = store_->ReadPriceBook("x", false);
  ASSERT_TRUE(x.ok());
  ids.clear();
  for (const v1::PriceListSummary& s : x->summaries) ids.push_back(s.id());
  EXPECT_EQ(ids, (Names{"B", "F"}));
  // "x" was created by the publish naming it; "y" is unknown.
  Result<PriceBookRead> y = store_->ReadPriceBook("y", false);
  ASSERT_TRUE(y.ok());
  EXPECT_FALSE(y->store_known);
  EXPECT_EQ(y->summaries.size(), 1u);

  Result<PriceBookRead> bad = store_->ReadPriceBook("no spaces", false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

// Replicas publishing the same version, and stores saying Hello, all at
// once: one publish adds it, and every store is queued it exactly once.
TEST_P(CentralStoreTest,
       PriceBookConcurrentPublishesAndHellosQueueEachVersionOnce) {
  Book book(*store_);
  for (int i = 0; i < 6; ++i) book.Known("s" + std::to_string(i));
  constexpr int kThreads = 4;
  std::vector<central::CentralStore*> stores = StoresForThreads(kThreads);
  ASSERT_EQ(stores.size(), static_cast<size_t>(kThreads));
  std::atomic<int> added{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int v = 1; v <= 3; ++v) {
        Result<PublishResult> r =
            stores[t]->PublishPriceList(List("F", v, Fleet()), kNow);
        if (!r.ok()) {
          ++failed;
          ADD_FAILURE() << r.status().ToString();
        } else if (r->outcome == ApplyOutcome::kAdded ||
                   r->outcome == ApplyOutcome::kReplaced) {
          ++added;
        }
        // A store new to central says Hello meanwhile.
        Result<central::PriceBookQueued> q = stores[t]->QueuePriceBook(
            "h" + std::to_string(t) + "-" + std::to_string(v), kNow);
        if (!q.ok()) {
          ++failed;
          ADD_FAILURE() << q.status().ToString();
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  ASSERT_EQ(failed.load(), 0);
  // Each version added or replaced by exactly one thread... unless a
  // thread's v1 came after another's v2 (stale): at most 3.
  EXPECT_GE(added.load(), 1);
  EXPECT_LE(added.load(), 3);
  Result<std::vector<central::StoreRow>> all = store_->ListStores();
  ASSERT_TRUE(all.ok());
  for (const central::StoreRow& row : *all) {
    // Hellos of every store again: anything missed is queued now.
    ASSERT_TRUE(store_->QueuePriceBook(row.store_id, kNow).ok());
    std::vector<std::string> q = book.Queued(row.store_id);
    std::set<std::string> distinct(q.begin(), q.end());
    EXPECT_EQ(distinct.size(), q.size()) << row.store_id;
    ASSERT_FALSE(q.empty()) << row.store_id;
    // The held version is the last one queued.
    EXPECT_EQ(q.back(), "price_list F v3") << row.store_id;
  }
}

TEST_P(CentralStoreTest, PriceBookTheBookSurvivesAReopen) {
  Book book(*store_);
  book.Known("a", "north");
  book.Publish(List("N", 1, Region("north")));
  Result<std::unique_ptr<central::CentralStore>> again = Reopen();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  Result<PublishResult> r =
      (*again)->PublishPriceList(List("N", 1, Region("north")), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, ApplyOutcome::kUnchanged);
  Result<central::PriceBookQueued> q = (*again)->QueuePriceBook("a", kNow);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->queued, 0u);
}

}  // namespace
}  // namespace storeagent::testing
