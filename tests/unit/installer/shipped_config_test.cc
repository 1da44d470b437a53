// The shipped configuration files (installer/config/agent.toml and
// central.toml) and docs/configuration.md against each parser's own key
// list (agent::AgentConfigKeys, central::CentralConfigKeys), for both
// daemons. The rules, one per check:
//
//  * The list is what the parser reads: the shipped file with every setting
//    uncommented (and the required keys given a value) parses, and the keys
//    the parser asked the reader for (ParseAgentConfig's `keys_read`) are the
//    list's keys in the list's order. A key the parser reads but the list
//    lacks (the daemon would refuse it as unknown), or one the list holds
//    but the parser no longer reads (silently ignored), fails here.
//  * The list's defaults are the parser's: a file setting a key to its
//    listed default parses to the same config as one that leaves it out.
//  * The shipped file holds exactly the list's keys, each once, in the
//    list's order (the order the parser reads them, so the tables come in
//    that order too). "#key = value", "#[table]" and "#[[table.key]]" (a
//    '#' directly before the name) are settings commented out; "# text" is
//    prose. Uncommented, the whole file is TOML the parser's schema accepts.
//    Keys inside an array of tables ([[http.users]]: name, role, ...) belong
//    to that one key and are not listed on their own.
//  * A key with a default is commented out in the shipped file, with the
//    default as its value (compared as TOML values).
//  * A key with no default ("" in the list: required, derived from another
//    key, or a path whose absence means "off") has no value to compare: the
//    file may set it (store.id = "", central's TLS paths) or show an
//    example commented out; docs/configuration.md writes "—" as its default.
//  * The files 0.2.0 shipped (testdata/, copied from before the rewrite),
//    edited as every site edits them, still parse, to the config the
//    current file gives: an upgrade that keeps the edited conffile
//    (dpkg --force-confold, docs/operations.md "Upgrade") changes nothing.
//  * docs/configuration.md's table for the daemon ("## Keys" for the agent,
//    "## Central" for central) has one row per listed key (`[[t.k]]` for an
//    array of tables) and no other; its default cell starts with the
//    default as a TOML value in a code span (`"info"`, `4`), or with "—".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "agent/config.h"
#include "central/server/central_config.h"
#include "platform/fs.h"
#include "platform/toml_reader.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"

namespace storeagent::testing {
namespace {

using platform::TomlKey;
using platform::TomlReader;
using Keys = std::vector<TomlKey>;
using ::testing::HasSubstr;

const std::string kSource = STOREAGENT_SOURCE_DIR;

Keys AgentKeys() {
  auto k = agent::AgentConfigKeys();
  return Keys(k.begin(), k.end());
}
Keys CentralKeys() {
  auto k = central::CentralConfigKeys();
  return Keys(k.begin(), k.end());
}

// The TOML value of `text` ("\"info\"", "4"), for comparing values as
// TOML; nullopt when it is not one.
std::optional<toml::table> Value(const std::string& text) {
  Result<TomlReader> r = TomlReader::Parse("v = " + text, "value");
  if (!r.ok()) return std::nullopt;
  return r->root();
}

bool SameValue(const std::string& a, const std::string& b) {
  std::optional<toml::table> va = Value(a);
  std::optional<toml::table> vb = Value(b);
  return va && vb && *va == *vb;
}

// ---------------------------------------------------------- shipped file --

// `text` with every setting commented out ("#key = v", "#[table]") set; a
// "# text" comment stays.
std::string Uncommented(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out += (line.size() > 1 && line[0] == '#' && line[1] != ' ' ? line.substr(1)
                                                                : line) +
           "\n";
  }
  return out;
}

// Each line "KEY = ..." (after Uncommented) set to "KEY = VALUE" instead.
std::string WithValue(const std::string& text, const std::string& key,
                      const std::string& value) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + " = ", 0) == 0) line = key + " = " + value;
    out += line + "\n";
  }
  return out;
}

// The problems of `read` (the keys a parse read, first read first) against
// `keys`; empty when they are the same keys in the same order.
std::vector<std::string> CheckKeysRead(const std::vector<std::string>& read,
                                       const Keys& keys) {
  std::vector<std::string> problems;
  std::vector<std::string> listed;
  for (const TomlKey& k : keys) listed.emplace_back(k.dotted);
  for (const std::string& k : read) {
    if (std::find(listed.begin(), listed.end(), k) == listed.end()) {
      problems.push_back(k + ": the parser reads it, the key list lacks it " +
                         "(the daemon refuses it as unknown)");
    }
  }
  for (const std::string& k : listed) {
    if (std::find(read.begin(), read.end(), k) == read.end()) {
      problems.push_back(k + ": listed, but the parser never read it");
    }
  }
  if (problems.empty() && read != listed) {
    problems.push_back(
        "the parser reads the keys in another order than listed");
  }
  return problems;
}

struct FileKey {
  std::string dotted;
  bool commented = false;
  std::string value;  // the text after '='; "" for [[t.k]]
  int line = 0;
};

// The problems of `text` (a shipped file) against `keys`; empty when none.
std::vector<std::string> CheckShippedFile(const std::string& text,
                                          const Keys& keys) {
  std::vector<std::string> problems;
  const std::regex header(R"(^(#?)\[([a-z_]+)\]\s*$)");
  const std::regex array(R"(^(#?)\[\[([a-z_]+)\.([a-z_]+)\]\]\s*$)");
  const std::regex setting(R"(^(#?)([a-z0-9_]+)\s*=\s*(.*)$)");
  std::vector<FileKey> found;
  std::string table;
  bool in_array = false;
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::smatch m;
    if (std::regex_match(line, m, header)) {
      table = m[2];
      in_array = false;
    } else if (std::regex_match(line, m, array)) {
      table = m[2];
      in_array = true;
      found.push_back({table + "." + std::string(m[3]), m[1] == "#", "", n});
    } else if (std::regex_match(line, m, setting)) {
      if (!in_array) {
        found.push_back({table + "." + std::string(m[2]), m[1] == "#",
                         std::string(m[3]), n});
      }
    } else if (!line.empty() && line.rfind("# ", 0) != 0 && line != "#") {
      problems.push_back("line " + std::to_string(n) +
                         ": neither a setting, a table nor a comment: " + line);
    }
  }

  // Uncommented, the file is TOML the parser's schema accepts.
  Result<TomlReader> all = TomlReader::Parse(Uncommented(text), "uncommented");
  if (!all.ok()) {
    problems.push_back(all.status().message());
  } else if (Status s = all->CheckKnown(platform::SchemaOf(keys)); !s.ok()) {
    problems.push_back(s.message());
  }

  std::map<std::string, const FileKey*> by_key;
  for (const FileKey& f : found) {
    if (!by_key.emplace(f.dotted, &f).second) {
      problems.push_back("line " + std::to_string(f.line) + ": " + f.dotted +
                         " appears twice");
    }
  }
  std::vector<std::string> listed;
  for (const TomlKey& k : keys) {
    const std::string dotted(k.dotted);
    listed.push_back(dotted);
    auto it = by_key.find(dotted);
    if (it == by_key.end()) {
      problems.push_back(dotted +
                         ": the parser's key is missing from the file");
      continue;
    }
    const FileKey& f = *it->second;
    if (k.default_value.empty()) continue;  // no default to compare
    if (!f.commented) {
      problems.push_back("line " + std::to_string(f.line) + ": " + dotted +
                         " has a default and must be commented out (#" +
                         dotted.substr(dotted.find('.') + 1) + " = " +
                         std::string(k.default_value) + ")");
    }
    // The line's value (a trailing comment allowed) against the default.
    Result<TomlReader> v = TomlReader::Parse("v = " + f.value, "line");
    if (!v.ok() || !Value(std::string(k.default_value)) ||
        !(v->root() == *Value(std::string(k.default_value)))) {
      problems.push_back("line " + std::to_string(f.line) + ": " + dotted +
                         " = " + f.value + ", but the parser's default is " +
                         std::string(k.default_value));
    }
  }
  std::vector<std::string> in_file;
  for (const FileKey& f : found) {
    in_file.push_back(f.dotted);
    bool known = false;
    for (const TomlKey& k : keys) known = known || k.dotted == f.dotted;
    if (!known) {
      problems.push_back("line " + std::to_string(f.line) + ": " + f.dotted +
                         " is not a key the parser knows");
    }
  }
  if (problems.empty() && in_file != listed) {
    problems.push_back("the keys are not in the parser's order");
  }
  return problems;
}

// ---------------------------------------------------- configuration.md --

// The rows of the table under the "## `heading`..." section: key -> the
// default cell, trimmed. Duplicates are reported in `problems`.
std::map<std::string, std::string> DocRows(const std::string& doc,
                                           const std::string& heading,
                                           std::vector<std::string>* problems) {
  std::map<std::string, std::string> rows;
  std::istringstream in(doc);
  std::string line;
  bool inside = false;
  const std::regex row(
      R"(^\| `(\[\[)?([a-z0-9_]+\.[a-z0-9_]+)(\]\])?` \|([^|]*)\|)");
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      inside = line.rfind("## " + heading, 0) == 0;
      continue;
    }
    std::smatch m;
    if (!inside || !std::regex_search(line, m, row)) continue;
    std::string cell = m[4];
    cell.erase(0, cell.find_first_not_of(' '));
    cell.erase(cell.find_last_not_of(' ') + 1);
    if (!rows.emplace(m[2], cell).second) {
      problems->push_back(std::string(m[2]) + ": two rows");
    }
  }
  return rows;
}

std::vector<std::string> CheckDocTable(const std::string& doc,
                                       const std::string& heading,
                                       const Keys& keys) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> rows = DocRows(doc, heading, &problems);
  if (rows.empty()) problems.push_back("no key table under ## " + heading);
  for (const TomlKey& k : keys) {
    const std::string dotted(k.dotted);
    auto it = rows.find(dotted);
    if (it == rows.end()) {
      problems.push_back(dotted + ": the parser's key has no row");
      continue;
    }
    const std::string& cell = it->second;
    if (k.default_value.empty()) {
      if (cell.rfind("—", 0) != 0) {
        problems.push_back(dotted +
                           ": no default, so the cell starts with —, " +
                           "not " + cell);
      }
      continue;
    }
    const size_t close = cell.find('`', 1);
    if (cell.empty() || cell[0] != '`' || close == std::string::npos) {
      problems.push_back(dotted + ": the default cell must start with `" +
                         std::string(k.default_value) + "`, not " + cell);
      continue;
    }
    const std::string shown = cell.substr(1, close - 1);
    if (!SameValue(shown, std::string(k.default_value))) {
      problems.push_back(dotted + ": documented default " + shown +
                         ", the parser's is " + std::string(k.default_value));
    }
  }
  for (const auto& [key, cell] : rows) {
    bool known = false;
    for (const TomlKey& k : keys) known = known || k.dotted == key;
    if (!known) problems.push_back(key + ": documented, the parser knows none");
  }
  return problems;
}

// ---------------------------------------------------------------- tests --

TEST(ShippedConfigTest, TheAgentsListedDefaultsAreTheParsers) {
  // The keys with no default are set here, so that [sync] is on.
  const std::string base =
      "store.id = \"store-0001\"\n"
      "sync.central = \"127.0.0.1:7443\"\n"
      "sync.ca_file = \"/x/ca.pem\"\n"
      "sync.cert_file = \"/x/store.pem\"\n"
      "sync.key_file = \"/x/store.key\"\n";
  Result<agent::AgentConfig> plain =
      agent::ParseAgentConfig(base, "base", /*load_secrets=*/false);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  for (const TomlKey& k : AgentKeys()) {
    if (k.default_value.empty()) continue;
    SCOPED_TRACE(std::string(k.dotted));
    Result<agent::AgentConfig> with =
        agent::ParseAgentConfig(base + std::string(k.dotted) + " = " +
                                    std::string(k.default_value) + "\n",
                                "with", false);
    ASSERT_TRUE(with.ok()) << with.status().message();
    EXPECT_TRUE(*with == *plain) << "the listed default is not the parser's";
  }
}

TEST(ShippedConfigTest, CentralsListedDefaultsAreTheParsers) {
  TempDir dir;
  std::string base;
  for (const char* key : {"ca_file", "cert_file", "key_file"}) {
    const std::string path = dir.File(std::string(key) + ".pem");
    WriteText(path, "-----BEGIN TEST-----\n-----END TEST-----\n");
    base += std::string("tls.") + key + " = \"" + path + "\"\n";
  }
  Result<central::CentralConfig> plain = central::ParseCentralConfig(base, "b");
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  for (const TomlKey& k : CentralKeys()) {
    if (k.default_value.empty()) continue;
    SCOPED_TRACE(std::string(k.dotted));
    Result<central::CentralConfig> with =
        central::ParseCentralConfig(base + std::string(k.dotted) + " = " +
                                        std::string(k.default_value) + "\n",
                                    "with");
    ASSERT_TRUE(with.ok()) << with.status().message();
    EXPECT_TRUE(*with == *plain) << "the listed default is not the parser's";
  }
}

// The shipped agent.toml with every setting set: store.id and the
// example user's token given valid values.
std::string AgentTomlAllSet() {
  std::string text =
      Uncommented(ReadText(kSource + "/installer/config/agent.toml"));
  text = WithValue(text, "id", "\"store-0001\"");
  return WithValue(text, "token_sha256", "\"" + std::string(64, 'a') + "\"");
}

TEST(ShippedConfigTest, TheAgentParserReadsExactlyTheListedKeys) {
  std::vector<std::string> read;
  Result<agent::AgentConfig> c = agent::ParseAgentConfig(
      AgentTomlAllSet(), "agent.toml", /*load_secrets=*/false, &read);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(c->sync_enabled());  // [sync] was read too
  ASSERT_EQ(c->http_users.size(), 1u);
  EXPECT_THAT(CheckKeysRead(read, AgentKeys()), ::testing::IsEmpty());
}

TEST(ShippedConfigTest, TheCentralParserReadsExactlyTheListedKeys) {
  TempDir dir;
  std::string text =
      Uncommented(ReadText(kSource + "/installer/config/central.toml"));
  for (const char* key : {"ca_file", "cert_file", "key_file"}) {
    const std::string path = dir.File(std::string(key) + ".pem");
    WriteText(path, "-----BEGIN TEST-----\n-----END TEST-----\n");
    text = WithValue(text, key, "\"" + path + "\"");
  }
  std::vector<std::string> read;
  Result<central::CentralConfig> c =
      central::ParseCentralConfig(text, "central.toml", &read);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_THAT(CheckKeysRead(read, CentralKeys()), ::testing::IsEmpty());
}

// The two checks above fail when the list and the parser part: a listed key
// the parser does not read, a key it reads that is not listed, another
// order.
TEST(ShippedConfigTest, AKeyReadButNotListedOrListedButNotReadIsReported) {
  std::vector<std::string> read;
  ASSERT_TRUE(
      agent::ParseAgentConfig(AgentTomlAllSet(), "agent.toml", false, &read)
          .ok());
  Keys more = AgentKeys();  // listed, never read
  more.push_back({"retention.new_key", "7"});
  EXPECT_THAT(CheckKeysRead(read, more),
              ::testing::ElementsAre(::testing::HasSubstr(
                  "retention.new_key: listed, but the parser never read")));
  Keys fewer = AgentKeys();  // read, not listed
  std::erase_if(fewer, [](const TomlKey& k) {
    return k.dotted == "storage.min_free_mib";
  });
  EXPECT_THAT(CheckKeysRead(read, fewer),
              ::testing::ElementsAre(::testing::HasSubstr(
                  "storage.min_free_mib: the parser reads it")));
  Keys swapped = AgentKeys();
  std::swap(swapped[1], swapped[2]);
  EXPECT_THAT(CheckKeysRead(read, swapped),
              ::testing::ElementsAre(::testing::HasSubstr("another order")));

  // End to end: a parse that skips keys (the shipped file as it is, [sync]
  // commented out, so ReadSync reads none of its keys) is caught.
  std::vector<std::string> partial;
  const std::string shipped = WithValue(
      ReadText(kSource + "/installer/config/agent.toml"), "id", "\"s-1\"");
  ASSERT_TRUE(
      agent::ParseAgentConfig(shipped, "agent.toml", false, &partial).ok());
  EXPECT_THAT(CheckKeysRead(partial, AgentKeys()),
              ::testing::Contains(::testing::HasSubstr(
                  "sync.window: listed, but the parser never read")));
}

// An upgrade from 0.2.0 keeps the site's edited file (--force-confold):
// it must still be valid and mean what the shipped 0.3 file means.
TEST(ShippedConfigTest, The020AgentTomlStillParsesToTheSameConfig) {
  const std::string dir = kSource + "/tests/unit/installer/testdata/";
  const std::string old_text =
      WithValue(ReadText(dir + "agent-0.2.0.toml"), "id", "\"store-0001\"");
  ASSERT_NE(old_text.find("id = \"store-0001\""), std::string::npos);
  Result<agent::AgentConfig> old_config =
      agent::ParseAgentConfig(old_text, "agent-0.2.0.toml", false);
  ASSERT_TRUE(old_config.ok()) << old_config.status().message();
  Result<agent::AgentConfig> shipped = agent::ParseAgentConfig(
      WithValue(ReadText(kSource + "/installer/config/agent.toml"), "id",
                "\"store-0001\""),
      "agent.toml", false);
  ASSERT_TRUE(shipped.ok()) << shipped.status().message();
  EXPECT_TRUE(*old_config == *shipped);
}

// A kept 0.2.0 central.toml differs from 0.3.0's in where central reads two
// of its TLS files: 0.2.0 named /etc/storecentral/tls directly, which 0.3.0's
// unit (a dynamic user, the files by LoadCredential=) cannot read, so the
// Upgrade notes (operations.md, the changelog) say to point them at
// /run/credentials/storecentrald.service/ before the restart. The paths are
// compared as written, so a change on either side shows here; with them
// made equal, the rest means the same.
TEST(ShippedConfigTest, The020CentralTomlDiffersOnlyInTheTlsPathsToMove) {
  TempDir tmp;
  const std::string dir = kSource + "/tests/unit/installer/testdata/";
  std::string old_text = ReadText(dir + "central-0.2.0.toml");
  std::string now_text = ReadText(kSource + "/installer/config/central.toml");
  const std::string creds = "/run/credentials/storecentrald.service/";
  struct Path {
    const char* key;
    std::string in_020;
    std::string in_030;
  };
  const Path paths[] = {
      {"ca_file", "/etc/storecentral/tls/ca.pem", creds + "ca.pem"},
      {"cert_file", "/etc/storecentral/tls/central.pem", creds + "central.pem"},
      {"key_file", creds + "central.key", creds + "central.key"},
  };
  for (const Path& p : paths) {
    SCOPED_TRACE(p.key);
    EXPECT_THAT(old_text, HasSubstr(std::string("\n") + p.key + " = \"" +
                                    p.in_020 + "\"\n"));
    EXPECT_THAT(now_text, HasSubstr(std::string("\n") + p.key + " = \"" +
                                    p.in_030 + "\"\n"));
    const std::string path = tmp.File(std::string(p.key) + ".pem");
    WriteText(path, "-----BEGIN TEST-----\n-----END TEST-----\n");
    old_text = WithValue(old_text, p.key, "\"" + path + "\"");
    now_text = WithValue(now_text, p.key, "\"" + path + "\"");
  }
  Result<central::CentralConfig> old_config =
      central::ParseCentralConfig(old_text, "central-0.2.0.toml");
  ASSERT_TRUE(old_config.ok()) << old_config.status().message();
  Result<central::CentralConfig> shipped =
      central::ParseCentralConfig(now_text, "central.toml");
  ASSERT_TRUE(shipped.ok()) << shipped.status().message();
  EXPECT_TRUE(*old_config == *shipped);
}

// A 0.2.0 agent.toml that served the staff page on the store LAN over plain
// HTTP (0.2.0 had no HTTPS) still parses: the start turns the page off and
// says why (tests/integration/staff_page/https_daemon_test.cc), and only
// --check-config fails on it, naming http.listen, so an upgrade never keeps a
// till from recording.
TEST(ShippedConfigTest, The020AgentTomlWithTheLanPageStillParses) {
  const std::string dir = kSource + "/tests/unit/installer/testdata/";
  std::string text =
      WithValue(ReadText(dir + "agent-0.2.0.toml"), "id", "\"store-0001\"");
  const std::string http = "[http]\n";
  const size_t table = text.find(http);
  ASSERT_NE(table, std::string::npos);
  const size_t listen = text.find("\nlisten = \"\"\n", table);
  ASSERT_NE(listen, std::string::npos);
  text.replace(listen, 13, "\nlisten = \"10.20.0.5:8080\"\n");
  Result<agent::AgentConfig> c =
      agent::ParseAgentConfig(text, "agent-0.2.0.toml", false);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http_listen, "10.20.0.5:8080");
  Status check = agent::CheckStaffHttps(*c, 0);
  EXPECT_THAT(check.message(),
              HasSubstr("http.listen: 10.20.0.5:8080 is not a loopback"));
}

TEST(ShippedConfigTest, AKeyBesideTheListIsRefusedByName) {
  Result<agent::AgentConfig> c = agent::ParseAgentConfig(
      "store.id = \"s\"\nstorage.no_such_key = 1\n", "x.toml", false);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "x.toml: storage.no_such_key: unknown key");
  Result<central::CentralConfig> cc =
      central::ParseCentralConfig("sync.no_such_key = 1\n", "c.toml");
  ASSERT_FALSE(cc.ok());
  EXPECT_EQ(cc.status().message(), "c.toml: sync.no_such_key: unknown key");
}

TEST(ShippedConfigTest, AgentTomlListsEveryKeyWithItsDefault) {
  const std::string text = ReadText(kSource + "/installer/config/agent.toml");
  ASSERT_FALSE(text.empty());
  EXPECT_THAT(CheckShippedFile(text, AgentKeys()), ::testing::IsEmpty());
}

TEST(ShippedConfigTest, CentralTomlListsEveryKeyWithItsDefault) {
  const std::string text = ReadText(kSource + "/installer/config/central.toml");
  ASSERT_FALSE(text.empty());
  EXPECT_THAT(CheckShippedFile(text, CentralKeys()), ::testing::IsEmpty());
}

TEST(ShippedConfigTest, ConfigurationMdDocumentsEveryKeyWithItsDefault) {
  const std::string doc = ReadText(kSource + "/docs/configuration.md");
  ASSERT_FALSE(doc.empty());
  EXPECT_THAT(CheckDocTable(doc, "Keys", AgentKeys()), ::testing::IsEmpty());
  EXPECT_THAT(CheckDocTable(doc, "Central", CentralKeys()),
              ::testing::IsEmpty());
}

// The checks above fail when the parser gains a key the file and the docs
// do not show, or shows a default they do not.
TEST(ShippedConfigTest, AKeyOnlyInTheParserOrADifferentDefaultIsReported) {
  const std::string text = ReadText(kSource + "/installer/config/agent.toml");
  const std::string doc = ReadText(kSource + "/docs/configuration.md");
  Keys more = AgentKeys();
  more.push_back({"retention.new_key", "7"});
  EXPECT_THAT(CheckShippedFile(text, more),
              ::testing::Contains(::testing::HasSubstr("retention.new_key")));
  EXPECT_THAT(CheckDocTable(doc, "Keys", more),
              ::testing::Contains(::testing::HasSubstr("retention.new_key")));

  Keys fewer = AgentKeys();
  std::erase_if(fewer, [](const TomlKey& k) {
    return k.dotted == "storage.min_free_mib";  // unknown now
  });
  EXPECT_THAT(CheckShippedFile(text, fewer),
              ::testing::Contains(::testing::HasSubstr("min_free_mib")));
  EXPECT_THAT(CheckDocTable(doc, "Keys", fewer),
              ::testing::Contains(::testing::HasSubstr("min_free_mib")));

  Keys other = AgentKeys();
  for (TomlKey& k : other) {
    if (k.dotted == "log.level") k.default_value = "\"warn\"";
  }
  EXPECT_THAT(CheckShippedFile(text, other),
              ::testing::Contains(::testing::HasSubstr("log.level")));
  EXPECT_THAT(CheckDocTable(doc, "Keys", other),
              ::testing::Contains(::testing::HasSubstr("log.level")));
  // A default left uncommented is a problem too.
  std::string set = text;
  set.replace(set.find("#read_threads = 2"), 17, "read_threads = 2");
  EXPECT_THAT(CheckShippedFile(set, AgentKeys()),
              ::testing::Contains(::testing::HasSubstr("commented out")));
}

}  // namespace
}  // namespace storeagent::testing
