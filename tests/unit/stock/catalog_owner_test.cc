// Who owns the catalog (docs/availability-api.md): head office's products
// (pushed by central) and the store's own (a local import) never overwrite
// each other silently; a local import is journaled in parts and comes back
// with a re-seed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/catalog_store.h"
#include "storage/journal_store.h"
#include "storage/sync_store.h"
#include "tests/unit/stock/stock_test_env.h"

namespace storeagent::stocktest {
namespace {

v1::Product Product(const std::string& sku, const std::string& gtin = "") {
  v1::Product p;
  p.set_sku(sku);
  p.set_name("Product " + sku);
  p.set_unit("each");
  if (!gtin.empty()) p.add_gtins(gtin);
  return p;
}

class CatalogOwnerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(env_.db(), nullptr); }

  // Head office pushes `products` (a CatalogUpdate central event); the
  // batch's notes.
  std::vector<std::string> Push(std::vector<v1::Product> products) {
    v1::CentralBatch b;
    v1::CentralEvent* e = b.add_events();
    e->set_central_seq(++central_seq_);
    for (v1::Product& p : products) {
      *e->mutable_catalog()->add_products() = std::move(p);
    }
    std::vector<std::string> notes;
    EXPECT_TRUE(env_.db()
                    ->writer()
                    .Run([&](storage::DbContext& ctx) -> Status {
                      Result<storage::CentralApplied> r =
                          storage::SyncStore::ApplyCentralBatch(
                              ctx, env_.db()->journal(), b, nullptr, 1);
                      if (!r.ok()) return r.status();
                      notes = r->notes;
                      return Status::Ok();
                    })
                    .ok());
    return notes;
  }

  // "SKU:owner" of every product of `env`'s catalog, by SKU.
  static std::vector<std::string> CatalogOf(StockTestEnv& env) {
    Result<std::vector<std::string>> rows =
        env.ReadFresh<std::vector<std::string>>(
            [](storage::DbContext& ctx) -> Result<std::vector<std::string>> {
              Result<storage::Statement> s = storage::Statement::Prepare(
                  ctx.db(), "SELECT sku, owner FROM catalog ORDER BY sku");
              if (!s.ok()) return s.status();
              std::vector<std::string> out;
              for (;;) {
                Result<bool> row = s->Step();
                if (!row.ok()) return row.status();
                if (!*row) break;
                out.push_back(std::string(s->ColumnText(0)) + ":" +
                              std::string(s->ColumnText(1)));
              }
              return out;
            });
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<std::string>{};
  }
  std::vector<std::string> Catalog() { return CatalogOf(env_); }

  StockTestEnv env_;
  uint64_t central_seq_ = 0;
};

TEST_F(CatalogOwnerTest, AnImportReplacesOnlyTheStoresOwnProducts) {
  ASSERT_TRUE(env_.ImportCatalog({Product("A"), Product("B")}).ok());
  // Head office takes B over and adds C.
  const std::vector<std::string> notes = Push({Product("B"), Product("C")});
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("sku B was the store's own product; head office "
                          "owns it now"),
            std::string::npos)
      << notes[0];
  EXPECT_EQ(Catalog(),
            (std::vector<std::string>{"A:local", "B:central", "C:central"}));
  // The next import replaces A; B and C stay head office's.
  ASSERT_TRUE(env_.ImportCatalog({Product("D")}).ok());
  EXPECT_EQ(Catalog(),
            (std::vector<std::string>{"B:central", "C:central", "D:local"}));
}

TEST_F(CatalogOwnerTest, AnImportNamingHeadOfficesProductIsRefusedWhole) {
  ASSERT_TRUE(env_.ImportCatalog({Product("A")}).ok());
  Push({Product("C", "4006381333931")});
  const uint64_t head = env_.HeadSeq();
  Result<v1::ImportCatalogResponse> r =
      env_.ImportCatalog({Product("D"), Product("C")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "row 2 (sku C): sku: head office owns this product (pushed by "
            "central); change it there, or leave it out of the store's "
            "import");
  // Its barcode on a product of the store's is refused too.
  r = env_.ImportCatalog({Product("D", "4006381333931")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "row 1 (sku D): gtins: 4006381333931 is the barcode of head "
            "office's product C");
  // Nothing changed, nothing journaled.
  EXPECT_EQ(Catalog(), (std::vector<std::string>{"A:local", "C:central"}));
  EXPECT_EQ(env_.HeadSeq(), head);
}

TEST_F(CatalogOwnerTest, AnImportIsJournaledInPartsAndComesBackWithAReseed) {
  std::vector<v1::Product> products;
  for (int i = 0; i < 2500; ++i) {
    products.push_back(Product("S" + std::to_string(10000 + i)));
  }
  ASSERT_TRUE(env_.ImportCatalog(products).ok());
  Result<std::vector<v1::JournalRecord>> journal = env_.Journal();
  ASSERT_TRUE(journal.ok());
  ASSERT_EQ(journal->size(), 3u);
  for (uint32_t part = 0; part < 3; ++part) {
    const v1::JournalRecord& r = (*journal)[part];
    ASSERT_TRUE(r.stock().has_catalog_imported()) << part;
    const v1::CatalogImported& c = r.stock().catalog_imported();
    EXPECT_EQ(c.import_id(), "i1");
    EXPECT_EQ(c.part(), part);
    EXPECT_EQ(c.parts(), 3u);
    EXPECT_EQ(c.products_size(), part < 2 ? 1000 : 500);
    EXPECT_EQ(r.client_key().client_txn_id(), "i1-" + std::to_string(part));
  }
  const std::vector<std::string> before = Catalog();
  ASSERT_EQ(before.size(), 2500u);

  // The disk dies: a new database gets the journal back from central, as
  // the sync stream's re-seed applies it.
  Result<std::vector<v1::JournalEntry>> entries =
      env_.ReadFresh<std::vector<v1::JournalEntry>>(
          [](storage::DbContext& ctx) {
            return storage::JournalStore::ReadRange(
                ctx.db(), 1, 100, storage::JournalStore::kParsedAndBytes);
          });
  ASSERT_TRUE(entries.ok());
  StockTestEnv fresh;
  ASSERT_NE(fresh.db(), nullptr);
  v1::ReseedBatch batch;
  for (const v1::JournalEntry& e : *entries) *batch.add_entries() = e;
  ASSERT_TRUE(fresh.db()
                  ->writer()
                  .Run([&](storage::DbContext& ctx) {
                    return storage::SyncStore::Reseed(
                               ctx, fresh.db()->journal(), batch)
                        .status();
                  })
                  .ok());
  EXPECT_EQ(CatalogOf(fresh), before);
}

}  // namespace
}  // namespace storeagent::stocktest
