// platform/toml_reader (the strict TOML reading shared by the agent's and
// central's configs) and platform/listen_address: each error's exact text,
// defaults kept when a key is absent, and nothing written on an error.
#include "platform/toml_reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "platform/listen_address.h"

namespace storeagent::platform {
namespace {

const TomlSchema& Schema() {
  static const TomlSchema kSchema = {
      {"a", {"s", "b", "i", "u", "level"}},
      {"empty", {}},
  };
  return kSchema;
}

TomlReader Read(const std::string& text) {
  Result<TomlReader> r = TomlReader::Parse(text, "x.toml");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::move(r).value();
}

std::string CheckKnownError(const std::string& text) {
  Status s = Read(text).CheckKnown(Schema());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << text;
  return s.message();
}

TEST(TomlReaderTest, SyntaxErrorNamesOriginAndLine) {
  Result<TomlReader> r =
      TomlReader::Parse("[a]\ns = \"x\"\ni = = 3\n", "x.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message().rfind("x.toml:3: ", 0), 0u)
      << r.status().message();
}

TEST(TomlReaderTest, KnownTablesAndKeysPass) {
  EXPECT_TRUE(
      Read("[a]\ns = \"x\"\ni = 1\n[empty]\n").CheckKnown(Schema()).ok());
  EXPECT_TRUE(Read("").CheckKnown(Schema()).ok());
}

TEST(TomlReaderTest, UnknownTableKeyOrNonTableIsRefusedByName) {
  EXPECT_EQ(CheckKnownError("[bogus]\nx = 1\n"),
            "x.toml: bogus: unknown table");
  EXPECT_EQ(CheckKnownError("[a]\nsx = 1\n"), "x.toml: a.sx: unknown key");
  EXPECT_EQ(CheckKnownError("[empty]\nk = 1\n"),
            "x.toml: empty.k: unknown key");
  EXPECT_EQ(CheckKnownError("a = 1\n"), "x.toml: a: must be a table [a]");
  EXPECT_EQ(CheckKnownError("top = 1\n"), "x.toml: top: unknown table");
}

TEST(TomlReaderTest, SchemaOfAKeyListGroupsItsKeysByTable) {
  const TomlKey keys[] = {
      {"a.s", "\"x\""}, {"a.i", "1"}, {"b.k", ""}, {"a.s", "\"x\""}};
  const TomlSchema want = {{"a", {"i", "s"}}, {"b", {"k"}}};
  EXPECT_EQ(SchemaOf(keys), want);
  TomlReader r = Read("[a]\ns = \"y\"\n[b]\nk = 2\n");
  EXPECT_TRUE(r.CheckKnown(SchemaOf(keys)).ok());
  EXPECT_EQ(Read("[b]\ni = 1\n").CheckKnown(SchemaOf(keys)).message(),
            "x.toml: b.i: unknown key");
}

TEST(TomlReaderTest, ErrorNamesOriginAndKey) {
  Status s = Read("").Error("a.s", "what is wrong");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "x.toml: a.s: what is wrong");
}

TEST(TomlReaderTest, StringReadsOrKeepsTheDefault) {
  std::string out = "default";
  ASSERT_TRUE(Read("").String("a.s", &out).ok());
  EXPECT_EQ(out, "default");
  ASSERT_TRUE(Read("[a]\ns = \"v\"\n").String("a.s", &out).ok());
  EXPECT_EQ(out, "v");
  out = "default";
  Status s = Read("[a]\ns = 1\n").String("a.s", &out);
  EXPECT_EQ(s.message(), "x.toml: a.s: must be a string");
  EXPECT_EQ(out, "default");
}

TEST(TomlReaderTest, BoolReadsOrKeepsTheDefault) {
  bool out = true;
  ASSERT_TRUE(Read("").Bool("a.b", &out).ok());
  EXPECT_TRUE(out);
  ASSERT_TRUE(Read("[a]\nb = false\n").Bool("a.b", &out).ok());
  EXPECT_FALSE(out);
  Status s = Read("[a]\nb = \"true\"\n").Bool("a.b", &out);
  EXPECT_EQ(s.message(), "x.toml: a.b: must be true or false");
  EXPECT_FALSE(out);
}

TEST(TomlReaderTest, IntChecksTypeAndRangeAtItsEdges) {
  int out = 7;
  ASSERT_TRUE(Read("").Int("a.i", 1, 64, &out).ok());
  EXPECT_EQ(out, 7);
  ASSERT_TRUE(Read("[a]\ni = 1\n").Int("a.i", 1, 64, &out).ok());
  EXPECT_EQ(out, 1);
  ASSERT_TRUE(Read("[a]\ni = 64\n").Int("a.i", 1, 64, &out).ok());
  EXPECT_EQ(out, 64);
  EXPECT_EQ(Read("[a]\ni = 0\n").Int("a.i", 1, 64, &out).message(),
            "x.toml: a.i: must be 1..64, got 0");
  EXPECT_EQ(Read("[a]\ni = 65\n").Int("a.i", 1, 64, &out).message(),
            "x.toml: a.i: must be 1..64, got 65");
  EXPECT_EQ(Read("[a]\ni = -3\n").Int("a.i", 1, 64, &out).message(),
            "x.toml: a.i: must be 1..64, got -3");
  EXPECT_EQ(Read("[a]\ni = 1.5\n").Int("a.i", 1, 64, &out).message(),
            "x.toml: a.i: must be an integer");
  EXPECT_EQ(Read("[a]\ni = \"3\"\n").Int("a.i", 1, 64, &out).message(),
            "x.toml: a.i: must be an integer");
  EXPECT_EQ(out, 64);  // unchanged by the refusals
}

TEST(TomlReaderTest, IntFillsNarrowAndWideTypes) {
  uint32_t u = 0;
  ASSERT_TRUE(Read("[a]\nu = 16777216\n").Int("a.u", 4096, 16777216, &u).ok());
  EXPECT_EQ(u, 16777216u);
  int64_t wide = 0;
  ASSERT_TRUE(Read("[a]\ni = 5000000000\n")
                  .Int("a.i", 0, int64_t{1} << 40, &wide)
                  .ok());
  EXPECT_EQ(wide, 5000000000);
}

TEST(TomlReaderTest, IntRefusesARangeItsTypeCannotHold) {
  // A range wider than the setting's type is the caller's bug; it is an
  // error, never a silent truncation.
  int8_t small = 3;
  Status s = Read("[a]\ni = 100\n").Int("a.i", 0, 1000, &small);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("x.toml: a.i: range 0..1000"), std::string::npos)
      << s.message();
  EXPECT_EQ(small, 3);
  uint32_t u = 1;
  EXPECT_FALSE(Read("").Int("a.u", -1, 10, &u).ok());
}

TEST(TomlReaderTest, OneOfListsTheChoices) {
  std::string level = "info";
  ASSERT_TRUE(
      Read("").OneOf("a.level", {"debug", "info", "warn"}, &level).ok());
  EXPECT_EQ(level, "info");
  ASSERT_TRUE(Read("[a]\nlevel = \"warn\"\n")
                  .OneOf("a.level", {"debug", "info", "warn"}, &level)
                  .ok());
  EXPECT_EQ(level, "warn");
  EXPECT_EQ(Read("[a]\nlevel = \"WARN\"\n")
                .OneOf("a.level", {"debug", "info", "warn", "error"}, &level)
                .message(),
            "x.toml: a.level: must be debug, info, warn or error");
  EXPECT_EQ(Read("[a]\nlevel = \"\"\n")
                .OneOf("a.level", {"text", "json"}, &level)
                .message(),
            "x.toml: a.level: must be text or json");
  EXPECT_EQ(
      Read("[a]\nlevel = 1\n").OneOf("a.level", {"text"}, &level).message(),
      "x.toml: a.level: must be a string");
  EXPECT_EQ(level, "warn");  // unchanged by the refusals
  // The default itself is checked too.
  std::string bad_default = "xml";
  EXPECT_EQ(Read("").OneOf("a.level", {"text", "json"}, &bad_default).message(),
            "x.toml: a.level: must be text or json");
}

TEST(TomlReaderTest, TablesAndArraysStayReadableThroughRoot) {
  TomlReader r = Read("[[a.users]]\nname = \"n\"\n");
  const toml::array* users = r.root().at_path("a.users").as_array();
  ASSERT_NE(users, nullptr);
  EXPECT_EQ(users->size(), 1u);
  EXPECT_EQ(r.origin(), "x.toml");
}

TEST(ParseListenAddressTest, AnIpLiteralAndAPortOrAnErrorNamingTheKey) {
  Result<ListenAddress> v4 =
      ParseListenAddress("127.0.0.1:8080", "http.listen");
  ASSERT_TRUE(v4.ok()) << v4.status().message();
  EXPECT_EQ(v4->ip, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  Result<ListenAddress> v6 = ParseListenAddress("[::1]:0", "http.listen");
  ASSERT_TRUE(v6.ok()) << v6.status().message();
  EXPECT_EQ(v6->ip, "::1");
  EXPECT_EQ(v6->port, 0);
  for (const char* bad : {"", "8080", ":8080", "localhost:80", "1.2.3.4:",
                          "1.2.3.4:65536", "1.2.3.4:8x", "[::1]:-1"}) {
    Result<ListenAddress> r = ParseListenAddress(bad, "metrics.listen");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message().rfind("metrics.listen: ", 0), 0u)
        << r.status().message();
  }
}

TEST(IsLoopbackListenTest, LiteralLoopbackAddressesWithAPort) {
  for (const char* ok : {"127.0.0.1:7070", "127.255.0.9:0", "[::1]:1",
                         "localhost:65535", "127.0.0.1:123456"}) {
    EXPECT_TRUE(IsLoopbackListen(ok)) << ok;
  }
  for (const char* bad :
       {"0.0.0.0:7070", "10.1.2.3:7070", "[::]:7070", "example.com:7070",
        ":7070", "127.0.0.1", "127.0.0.1:", "127.0.0.1:7x", "127.0.0:7070",
        "127.0.0.1.5:7070", "127.0.0.256:7070", "127.example.net:7070",
        "127.0.0.1.nip.io:7070", "127..0.1:7070", "1270.0.0.1:7070", ""}) {
    EXPECT_FALSE(IsLoopbackListen(bad)) << bad;
  }
}

}  // namespace
}  // namespace storeagent::platform
