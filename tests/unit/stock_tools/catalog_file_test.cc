// agent/catalog_file: CSV and JSON catalogs into products, with errors that
// name the line (or index) and the column.
#include "agent/catalog_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace storeagent::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kHeader[] =
    "sku,name,gtins,department,price_minor,currency,safety_stock,unit\n";

// Valid GTINs (GS1 check digits correct).
constexpr char kGtinA[] = "4006381333931";
constexpr char kGtinB[] = "96385074";
constexpr char kGtinC[] = "012345678905";

CatalogFile ParseCsvOk(const std::string& text) {
  Result<CatalogFile> f = ParseCatalogCsv(text);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? std::move(f).value() : CatalogFile{};
}

std::string CsvError(const std::string& text) {
  Result<CatalogFile> f = ParseCatalogCsv(text);
  EXPECT_FALSE(f.ok()) << "parsed: " << text;
  return f.ok() ? "" : f.status().message();
}

std::string JsonError(const std::string& text) {
  Result<CatalogFile> f = ParseCatalogJson(text);
  EXPECT_FALSE(f.ok()) << "parsed: " << text;
  return f.ok() ? "" : f.status().message();
}

TEST(CatalogCsvTest, ParsesRowsWithLineNumbers) {
  const CatalogFile f =
      ParseCsvOk(std::string(kHeader) +
                 "A-1,Apple,4006381333931|96385074,Fruit,129,EUR,"
                 "2,each\n"
                 "B-2,Bread,,Bakery,,,,\n");
  ASSERT_EQ(f.products.size(), 2u);
  EXPECT_THAT(f.rows, ElementsAre(2, 3));
  const v1::Product& a = f.products[0];
  EXPECT_EQ(a.sku(), "A-1");
  EXPECT_EQ(a.name(), "Apple");
  EXPECT_THAT(a.gtins(), ElementsAre(kGtinA, kGtinB));
  EXPECT_EQ(a.department(), "Fruit");
  ASSERT_TRUE(a.has_price());
  EXPECT_EQ(a.price().minor_units(), 129);
  EXPECT_EQ(a.price().currency(), "EUR");
  EXPECT_EQ(a.safety_stock(), 2);
  EXPECT_EQ(a.unit(), "each");
  const v1::Product& b = f.products[1];
  EXPECT_EQ(b.gtins_size(), 0);
  EXPECT_FALSE(b.has_price());
  EXPECT_EQ(b.safety_stock(), 0);
  EXPECT_EQ(f.RowName(1), "line 3");
}

TEST(CatalogCsvTest, QuotingFollowsRfc4180) {
  const CatalogFile f = ParseCsvOk(
      "sku,name,department\r\n"
      "A,\"Apples, red \"\"Gala\"\"\",\"Fruit\"\r\n"
      "B,\"Two\nlines\",\"\"\r\n"
      "C,Cheese,Dairy\r\n");
  ASSERT_EQ(f.products.size(), 3u);
  EXPECT_EQ(f.products[0].name(), "Apples, red \"Gala\"");
  EXPECT_EQ(f.products[0].department(), "Fruit");
  EXPECT_EQ(f.products[1].name(), "Two\nlines");
  EXPECT_EQ(f.products[1].department(), "");
  // C starts on line 5: B's quoted field spans lines 3 and 4.
  EXPECT_THAT(f.rows, ElementsAre(2, 3, 5));
  EXPECT_EQ(f.products[2].department(), "Dairy");  // CR stripped
}

TEST(CatalogCsvTest, ColumnsInAnyOrderAndUtf8) {
  const CatalogFile f = ParseCsvOk(
      "\xEF\xBB\xBF"  // BOM
      "Name, SKU ,price_minor,currency\n"
      "Käse Gouda 🧀,K-1,450,EUR\n");
  ASSERT_EQ(f.products.size(), 1u);
  EXPECT_EQ(f.products[0].sku(), "K-1");
  EXPECT_EQ(f.products[0].name(), "Käse Gouda 🧀");
  EXPECT_EQ(f.products[0].price().minor_units(), 450);
}

TEST(CatalogCsvTest, BlankLinesAreSkippedAndRowsKeepTheirLines) {
  const CatalogFile f = ParseCsvOk("\n" + std::string(kHeader) +
                                   "A,Apple,,,,,,\n\n\r\nB,Bread,,,,,,\n\n");
  ASSERT_EQ(f.products.size(), 2u);
  EXPECT_THAT(f.rows, ElementsAre(3, 6));
}

TEST(CatalogCsvTest, MissingHeaderIsRefused) {
  EXPECT_THAT(CsvError("A-1,Apple,,,,,,\n"), HasSubstr("unknown column"));
  EXPECT_THAT(CsvError("name,department\nApple,Fruit\n"),
              HasSubstr("column sku is missing"));
  EXPECT_THAT(CsvError(""), HasSubstr("header row is required"));
  EXPECT_THAT(CsvError("\n\n"), HasSubstr("header row is required"));
  EXPECT_THAT(CsvError("sku,name,sku\n"), HasSubstr("sku appears twice"));
  EXPECT_THAT(CsvError("sku,name,colour\nA,B,red\n"),
              HasSubstr("line 1 (header), column 3: unknown column"));
}

TEST(CatalogCsvTest, BadNumberNamesLineAndColumn) {
  const std::string m =
      CsvError(std::string(kHeader) + "A,Apple,,,100,EUR,,\n" +
               "B,Bread,,,12.50,EUR,,\n");
  EXPECT_THAT(m, HasSubstr("line 3"));
  EXPECT_THAT(m, HasSubstr("column price_minor"));
  EXPECT_THAT(m, HasSubstr("\"12.50\" is not a whole number"));

  EXPECT_THAT(CsvError(std::string(kHeader) + "\nA,Apple,,,,,lots,\n"),
              HasSubstr("line 3, column safety_stock"));
  EXPECT_THAT(
      CsvError(std::string(kHeader) + "A,Apple,,,99999999999999999999,EUR,,\n"),
      HasSubstr("out of range"));
  EXPECT_THAT(CsvError(std::string(kHeader) + "A,Apple,,,,EUR,,\n"),
              HasSubstr("line 2, column price_minor: required when currency"));
}

TEST(CatalogCsvTest, MalformedRowsNameTheirLine) {
  EXPECT_THAT(CsvError("sku,name\nA,Apple\nB\n"),
              HasSubstr("line 3: 1 fields, the header has 2"));
  EXPECT_THAT(CsvError("sku,name\nA,\"Apple\n"),
              HasSubstr("line 2, column name: quoted field never closed"));
  EXPECT_THAT(CsvError("sku,name\nA,\"Apple\"x\n"),
              HasSubstr("line 2, column name: text after the closing quote"));
  EXPECT_THAT(CsvError("sku,name\nA,App\"le\n"),
              HasSubstr("line 2, column name: a quote inside"));
  EXPECT_THAT(CsvError("sku,name\nA,\xC3\x28\n"),
              HasSubstr("line 2, column name: not valid UTF-8"));
}

TEST(CatalogJsonTest, ParsesAnArray) {
  Result<CatalogFile> f = ParseCatalogJson(R"([
    {"sku": "A-1", "name": "Apple", "gtins": ["4006381333931", "96385074"],
     "department": "Fruit", "price_minor": 129, "currency": "EUR",
     "safety_stock": 2, "unit": "each"},
    {"sku": "B-2", "name": "Bread", "gtins": "012345678905|96385074"}
  ])");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->products.size(), 2u);
  EXPECT_EQ(f->format, CatalogFormat::kJson);
  EXPECT_THAT(f->rows, ElementsAre(0, 1));
  EXPECT_THAT(f->products[0].gtins(), ElementsAre(kGtinA, kGtinB));
  EXPECT_EQ(f->products[0].price().minor_units(), 129);
  EXPECT_EQ(f->products[0].price().currency(), "EUR");
  EXPECT_EQ(f->products[0].safety_stock(), 2);
  EXPECT_THAT(f->products[1].gtins(), ElementsAre(kGtinC, kGtinB));
  EXPECT_FALSE(f->products[1].has_price());
  EXPECT_EQ(f->RowName(1), "products[1]");
}

TEST(CatalogJsonTest, ParsesAProductsObject) {
  Result<CatalogFile> f = ParseCatalogJson(
      R"({"products": [{"sku": "A", "name": "Apple", "department": null}]})");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->products.size(), 1u);
  EXPECT_EQ(f->products[0].sku(), "A");
}

TEST(CatalogJsonTest, ErrorsNameIndexAndKey) {
  EXPECT_THAT(JsonError(R"([{"sku":"A","name":"x"},
                            {"sku":"B","name":"y","price_minor":1.5}])"),
              HasSubstr("products[1].price_minor: must be a whole number"));
  EXPECT_THAT(JsonError(R"([{"sku":"A","name":"x","colour":"red"}])"),
              HasSubstr("products[0].colour: unknown key"));
  EXPECT_THAT(JsonError(R"([{"sku":1,"name":"x"}])"),
              HasSubstr("products[0].sku: must be a string"));
  EXPECT_THAT(JsonError(R"([{"sku":"A","name":"x","gtins":[1]}])"),
              HasSubstr("products[0].gtins[0]: must be a string"));
  EXPECT_THAT(JsonError(R"([42])"),
              HasSubstr("products[0]: must be an object"));
  EXPECT_THAT(JsonError(R"({"items": []})"), HasSubstr("{\"products\""));
  EXPECT_THAT(JsonError("[\n  {\"sku\": \"A\",,}\n]"),
              HasSubstr("JSON line 2"));
}

TEST(CatalogFormatTest, ByExtensionOrFlag) {
  EXPECT_EQ(*CatalogFormatFor("/x/cat.CSV", ""), CatalogFormat::kCsv);
  EXPECT_EQ(*CatalogFormatFor("cat.json", ""), CatalogFormat::kJson);
  EXPECT_EQ(*CatalogFormatFor("cat.txt", "json"), CatalogFormat::kJson);
  EXPECT_FALSE(CatalogFormatFor("cat.txt", "").ok());
  EXPECT_FALSE(CatalogFormatFor("cat.csv", "xml").ok());
}

TEST(CheckCatalogFileTest, ErrorsNameTheFileLine) {
  // Line 4 (a blank line before it): ValidateCatalog alone would say row 3.
  CatalogFile f = ParseCsvOk(std::string(kHeader) +
                             "A,Apple,,,100,EUR,,\n\nB,Bread,,,100,QQQ,,\n");
  Status s = CheckCatalogFile(f);
  EXPECT_THAT(s.message(), HasSubstr("line 4 (sku B): price.currency"));

  f = ParseCsvOk(std::string(kHeader) + "A,Apple,,,,,,\n" + "A,Again,,,,,,\n");
  EXPECT_THAT(CheckCatalogFile(f).message(),
              HasSubstr("line 3 (sku A): sku: duplicate of line 2"));

  f = ParseCsvOk(std::string(kHeader) + "A,Apple,012345678905,,,,,\n" +
                 "B,Bread,0012345678905,,,,,\n");
  EXPECT_THAT(CheckCatalogFile(f).message(),
              HasSubstr("line 3 (sku B): gtins[0]: duplicate of line 2"));

  f = ParseCsvOk(std::string(kHeader) + "A,Apple,4006381333932,,,,,\n");
  EXPECT_THAT(CheckCatalogFile(f).message(),
              HasSubstr("line 2 (sku A): gtins[0]"));

  f = ParseCsvOk(std::string(kHeader) + "A,,,,,,,\n");
  EXPECT_THAT(CheckCatalogFile(f).message(), HasSubstr("line 2 (sku A): name"));

  Result<CatalogFile> j =
      ParseCatalogJson(R"([{"sku":"A","name":"x"},{"sku":"B","name":""}])");
  ASSERT_TRUE(j.ok());
  EXPECT_THAT(CheckCatalogFile(*j).message(),
              HasSubstr("products[1] (sku B): name"));

  f = ParseCsvOk(std::string(kHeader) + "A,Apple,4006381333931,,129,EUR,1,\n");
  EXPECT_TRUE(CheckCatalogFile(f).ok()) << CheckCatalogFile(f).ToString();

  EXPECT_THAT(CheckCatalogFile(ParseCsvOk(kHeader)).message(),
              HasSubstr("0 rows"));
}

TEST(CatalogFileTest, ReadsAFileAndNamesItInErrors) {
  testing::TempDir dir;
  const std::string path = dir.File("cat.csv");
  std::ofstream(path) << "sku,name\nA,Apple\nB,\"oops\n";
  Result<CatalogFile> f = ReadCatalogFile(path, CatalogFormat::kCsv);
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr(path + ": line 3"));
  EXPECT_FALSE(ReadCatalogFile(dir.File("none.csv"), CatalogFormat::kCsv).ok());
}

TEST(CatalogCsvTest, HundredThousandRowsParse) {
  constexpr int kRows = 100'000;
  std::string text = kHeader;
  text.reserve(size_t{kRows} * 64);
  for (int i = 0; i < kRows; ++i) {
    const std::string n = std::to_string(i);
    text += "SKU-" + n + ",\"Product " + n + ", size M\",,Dept " +
            std::to_string(i % 50) + "," + std::to_string(100 + i) +
            ",EUR,1,each\n";
  }
  Result<CatalogFile> f = ParseCatalogCsv(text);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  ASSERT_EQ(f->products.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(f->rows.back(), kRows + 1);
  EXPECT_EQ(f->products.back().sku(), "SKU-99999");
  EXPECT_EQ(f->products.back().name(), "Product 99999, size M");
  EXPECT_EQ(f->products.back().price().minor_units(), 100 + kRows - 1);
  const Status s = CheckCatalogFile(*f);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace storeagent::agent
