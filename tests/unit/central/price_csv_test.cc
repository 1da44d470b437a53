// Head office's price and promotion files (central/price_csv.h): every cell
// kind read, the lists assembled from their rows, and every refusal naming
// its line and column, with nothing parsed half-way.
#include "central/price_csv.h"

#include <gtest/gtest.h>

#include <string>

namespace storeagent::central {
namespace {

constexpr char kHeader[] =
    "list_id,version,currency,scope,effective_from,effective_to,sku,unit,"
    "unit_price_minor\n";

TEST(PriceCsvTest, RowsOfOneListMakeOneList) {
  const std::string text = std::string(kHeader) +
                           "fleet,3,EUR,all,2026-12-01,,A,EACH,199\n"
                           "north,1,EUR,region:north,,,A,,189\n"
                           "fleet,3,EUR,all,2026-12-01,,B,MILLI,1299\n"
                           "\n"
                           "two,1,EUR,stores:s1 s2,1000,2026-12-24T18:00:00Z,"
                           "C,each,5\n";
  Result<PriceListFile> f = ParsePriceListCsv(text);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->lists.size(), 3u);
  EXPECT_EQ(f->lines, (std::vector<int64_t>{2, 3, 6}));
  const v1::PriceList& fleet = f->lists[0];
  EXPECT_EQ(fleet.id(), "fleet");
  EXPECT_EQ(fleet.version(), 3u);
  EXPECT_TRUE(fleet.scope().all_stores());
  EXPECT_EQ(fleet.effective_from_us(), 1'796'083'200'000'000);
  EXPECT_EQ(fleet.effective_to_us(), 0);
  ASSERT_EQ(fleet.entries_size(), 2);
  EXPECT_EQ(fleet.entries(1).sku(), "B");
  EXPECT_EQ(fleet.entries(1).unit(), v1::UNIT_OF_MEASURE_MILLI);
  EXPECT_EQ(fleet.entries(1).unit_price().minor_units(), 1299);
  EXPECT_EQ(fleet.entries(1).unit_price().currency(), "EUR");
  EXPECT_EQ(f->lists[1].scope().region(), "north");
  EXPECT_EQ(f->lists[1].entries(0).unit(), v1::UNIT_OF_MEASURE_EACH);
  const v1::PriceList& two = f->lists[2];
  ASSERT_EQ(two.scope().store_ids_size(), 2);
  EXPECT_EQ(two.scope().store_ids(1), "s2");
  EXPECT_EQ(two.effective_from_us(), 1000);
  EXPECT_EQ(two.effective_to_us(), 1'798'135'200'000'000);
}

TEST(PriceCsvTest, ColumnsInAnyOrderAndQuotedCells) {
  Result<PriceListFile> f = ParsePriceListCsv(
      "SKU,Unit_Price_Minor,List_Id,Version,Currency,Scope\r\n"
      "\"A,1\",250,L,1,EUR,\"stores:s1|s2\"\r\n");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->lists.size(), 1u);
  EXPECT_EQ(f->lists[0].entries(0).sku(), "A,1");
  EXPECT_EQ(f->lists[0].scope().store_ids_size(), 2);
}

// Each bad file: the error it must give, word for word where it is ours.
struct Bad {
  const char* body;  // after kHeader
  const char* error;
};

TEST(PriceCsvTest, EveryRefusalNamesItsLineAndColumn) {
  const Bad cases[] = {
      {"L,1,EUR,all,,,A,EACH,abc\n",
       "line 2, column unit_price_minor: 'abc' is not a whole number"},
      {"L,0,EUR,all,,,A,EACH,1\n", "line 2, column version: must be 1 or more"},
      {"L,1,EUR,everyone,,,A,EACH,1\n",
       "line 2, column scope: 'everyone' is not a scope (all, region:NAME or "
       "stores:ID ID ...)"},
      {"L,1,EUR,all,,,A,KG,1\n",
       "line 2, column unit: 'KG' is not a unit (EACH or MILLI)"},
      {"L,1,EUR,all,,,A,EACH,1\nL,2,EUR,all,,,B,EACH,1\n",
       "line 3, column version: list 'L' has version 1 on line 2"},
      {"L,1,EUR,all,,,A,EACH,1\nL,1,USD,all,,,B,EACH,1\n",
       "line 3, column currency: list 'L' has EUR on line 2"},
      {"L,1,EUR,all,,,A,EACH,1\nL,1,EUR,region:x,,,B,EACH,1\n",
       "line 3, column scope: list 'L' has another scope on line 2"},
      {"L,1,EUR,all,someday,,A,EACH,1\n",
       "line 2, column effective_from: 'someday' is not a time (microseconds "
       "since the epoch, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"},
      {",1,EUR,all,,,A,EACH,1\n", "line 2, column list_id: required"},
      {"L,1,EUR,all,,,A,EACH\n", "line 2: 8 fields, the header has 9"},
  };
  for (const Bad& c : cases) {
    Result<PriceListFile> f = ParsePriceListCsv(std::string(kHeader) + c.body);
    ASSERT_FALSE(f.ok()) << c.body;
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(f.status().message(), c.error) << c.body;
  }
}

TEST(PriceCsvTest, CoresRefusalPointsAtTheEntrysLine) {
  // The second SKU A of list L (line 4) is its entries[2].
  Result<PriceListFile> f = ParsePriceListCsv(std::string(kHeader) +
                                              "L,1,EUR,all,,,A,EACH,1\n"
                                              "L,1,EUR,all,,,B,EACH,1\n"
                                              "L,1,EUR,all,,,A,EACH,2\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message().rfind("line 4: price_list.entries[2]", 0), 0u)
      << f.status().message();
  // A list-level refusal points at the list's first line.
  f = ParsePriceListCsv(std::string(kHeader) +
                        "ok,1,EUR,all,,,A,EACH,1\n"
                        "L,1,EUX,all,,,A,EACH,1\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message().rfind("line 3: price_list.currency", 0), 0u)
      << f.status().message();
}

TEST(PriceCsvTest, HeadersAreChecked) {
  Result<PriceListFile> f = ParsePriceListCsv("");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(),
            "line 1: empty file (a header row is required)");
  f = ParsePriceListCsv(kHeader);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "no rows after the header");
  f = ParsePriceListCsv("list_id,version,currency,scope,sku\nL,1,EUR,all,A\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(),
            "line 1 (header), column unit_price_minor is missing (required: "
            "list_id, version, currency, scope, sku, unit_price_minor)");
  f = ParsePriceListCsv(std::string("price,") + kHeader);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message().rfind(
                "line 1 (header), column 1: unknown column 'price'", 0),
            0u)
      << f.status().message();
}

constexpr char kPromoHeader[] =
    "promotion_id,version,scope,effective_from,effective_to,member_only,kind,"
    "value,currency,skus,description\n";

TEST(PromotionCsvTest, EachKindIsRead) {
  Result<PromotionFile> f = ParsePromotionCsv(
      std::string(kPromoHeader) +
      "TEN,1,all,,,,percent_off,1000,,A B,Ten off\n"
      "CHEAP,2,region:north,2026-12-01,2026-12-08,true,amount_off,50,EUR,"
      "A|B|C,\n"
      "3FOR2,1,stores:s1,,,false,multi_buy,3/2,,D,\"Three for two\"\n");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->promotions.size(), 3u);
  EXPECT_EQ(f->lines, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(f->promotions[0].percent_off().basis_points(), 1000);
  EXPECT_EQ(f->promotions[0].skus_size(), 2);
  EXPECT_EQ(f->promotions[0].description(), "Ten off");
  EXPECT_FALSE(f->promotions[0].member_only());
  const v1::Promotion& cheap = f->promotions[1];
  EXPECT_TRUE(cheap.member_only());
  EXPECT_EQ(cheap.amount_off().amount().minor_units(), 50);
  EXPECT_EQ(cheap.amount_off().amount().currency(), "EUR");
  EXPECT_EQ(cheap.skus_size(), 3);
  EXPECT_EQ(cheap.effective_to_us(), 1'796'688'000'000'000);
  EXPECT_EQ(f->promotions[2].multi_buy().buy(), 3);
  EXPECT_EQ(f->promotions[2].multi_buy().pay(), 2);
}

TEST(PromotionCsvTest, EveryRefusalNamesItsLineAndColumn) {
  const Bad cases[] = {
      {"P,1,all,,,,half_off,1,,A,\n",
       "line 2, column kind: 'half_off' is not a kind (percent_off, "
       "amount_off, multi_buy)"},
      {"P,1,all,,,,multi_buy,3for2,,A,\n",
       "line 2, column value: '3for2' is not BUY/PAY (\"3/2\": buy 3, pay "
       "2)"},
      {"P,1,all,,,,amount_off,50,,A,\n", "line 2, column currency: required"},
      {"P,1,all,,,,percent_off,10,EUR,A,\n",
       "line 2, column currency: only for amount_off"},
      {"P,1,all,,,yes,percent_off,10,,A,\n",
       "line 2, column member_only: 'yes' is not true or false"},
      {"P,1,all,,,,percent_off,10,,,\n", "line 2, column skus: required"},
      {"P,1,all,,,,percent_off,10,,A,\nP,2,all,,,,percent_off,10,,A,\n",
       "line 3, column promotion_id: 'P' is already on line 2"},
  };
  for (const Bad& c : cases) {
    Result<PromotionFile> f =
        ParsePromotionCsv(std::string(kPromoHeader) + c.body);
    ASSERT_FALSE(f.ok()) << c.body;
    EXPECT_EQ(f.status().message(), c.error) << c.body;
  }
  // core's own refusal, at the promotion's line.
  Result<PromotionFile> f = ParsePromotionCsv(
      std::string(kPromoHeader) + "P,1,all,,,,percent_off,10,,A,\n" +
      "Q,1,all,,,,multi_buy,2/2,,A,\n");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message().rfind("line 3: promotion.multi_buy.pay", 0),
            0u)
      << f.status().message();
}

}  // namespace
}  // namespace storeagent::central
