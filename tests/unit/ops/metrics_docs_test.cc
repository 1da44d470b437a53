// The metric names operators see agree everywhere: what the agent and
// central render (# TYPE lines), the metric tables of docs/operations.md
// and docs/central.md, the alert rules of installer/prometheus and the
// Grafana dashboards of installer/grafana; and the alerts of the
// operations.md "Alerts" table are exactly the alerts of the rules files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/agent_metrics.h"
#include "central/server/central_metrics.h"
#include "platform/clock.h"

namespace storeagent {
namespace {

using Names = std::set<std::string>;

std::string Source(const std::string& rel) {
  const std::string path = std::string(STOREAGENT_SOURCE_DIR) + "/" + rel;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The table rows ("| ...") after the line starting with `from`, up to the
// next heading.
std::vector<std::string> TableRows(const std::string& md,
                                   const std::string& from) {
  std::vector<std::string> rows;
  bool in = false;
  for (const std::string& line : Lines(md)) {
    if (!in) {
      in = line.rfind(from, 0) == 0;
      continue;
    }
    if (line.rfind("#", 0) == 0) break;
    if (line.rfind("| `", 0) == 0) rows.push_back(line);
  }
  EXPECT_FALSE(rows.empty()) << "no table after " << from;
  return rows;
}

// Metric names in the first cell of each row: backticked, labels cut.
Names DocumentedMetrics(const std::string& md, const std::string& from) {
  static const std::regex kName(
      "`((?:storeagent|storecentral|process)_[a-z0-9_]+)");
  Names out;
  for (const std::string& row : TableRows(md, from)) {
    const std::string cell = row.substr(0, row.find(" |", 2));
    for (std::sregex_iterator it(cell.begin(), cell.end(), kName), end;
         it != end; ++it) {
      out.insert((*it)[1]);
    }
  }
  return out;
}

// name -> type of every "# TYPE" line.
std::map<std::string, std::string> Rendered(const std::string& text) {
  static const std::regex kType("^# TYPE (\\S+) (\\S+)$");
  std::map<std::string, std::string> out;
  for (const std::string& line : Lines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, kType)) out[m[1]] = m[2];
  }
  return out;
}

Names Keys(const std::map<std::string, std::string>& m) {
  Names out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

// Metric names in a PromQL expression; a histogram's _bucket/_sum/_count
// series named by its family (`types`).
Names UsedIn(const std::string& expr,
             const std::map<std::string, std::string>& types) {
  static const std::regex kName(
      "\\b((?:storeagent|storecentral|process)_[a-zA-Z0-9_]+)");
  Names out;
  for (std::sregex_iterator it(expr.begin(), expr.end(), kName), end; it != end;
       ++it) {
    std::string name = (*it)[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (name.size() > s.size() &&
          name.compare(name.size() - s.size(), s.size(), s) == 0) {
        const std::string base = name.substr(0, name.size() - s.size());
        auto t = types.find(base);
        if (t != types.end() && t->second == "histogram") name = base;
      }
    }
    out.insert(name);
  }
  return out;
}

std::vector<std::string> RuleExprs(const std::string& yml) {
  std::vector<std::string> out;
  for (const std::string& line : Lines(yml)) {
    const size_t at = line.find("expr: ");
    if (at != std::string::npos) out.push_back(line.substr(at + 6));
  }
  EXPECT_FALSE(out.empty());
  return out;
}

Names RuleAlerts(const std::string& yml) {
  static const std::regex kAlert("^\\s*- alert: (\\S+)\\s*$");
  Names out;
  for (const std::string& line : Lines(yml)) {
    std::smatch m;
    if (std::regex_match(line, m, kAlert)) out.insert(m[1]);
  }
  return out;
}

class MetricsDocsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    agent::AgentMetrics am(clock_);
    agent::DbFigures f;
    f.holds = {{"held", 1}};
    agent_types_ = Rendered(am.Render(f));
    central::CentralMetrics cm;
    central_types_ = Rendered(cm.Render(central::ScrapeFigures{}));
    ops_ = Source("docs/operations.md");
    central_md_ = Source("docs/central.md");
    agent_docs_ = DocumentedMetrics(ops_, "## Metrics");
    central_docs_ = DocumentedMetrics(central_md_, "**`/metrics`**");
  }

  FakeClock clock_;
  std::map<std::string, std::string> agent_types_, central_types_;
  std::string ops_, central_md_;
  Names agent_docs_, central_docs_;
};

TEST_F(MetricsDocsTest, AgentRendersExactlyTheDocumentedMetrics) {
  EXPECT_GT(agent_types_.size(), 20u);
  EXPECT_EQ(Keys(agent_types_), agent_docs_)
      << "storeagentd's /metrics and docs/operations.md \"## Metrics\" differ";
}

TEST_F(MetricsDocsTest, CentralRendersExactlyTheDocumentedMetrics) {
  EXPECT_GT(central_types_.size(), 15u);
  EXPECT_EQ(Keys(central_types_), central_docs_)
      << "storecentrald's /metrics and docs/central.md's table differ";
}

TEST_F(MetricsDocsTest, RulesUseOnlyDocumentedMetrics) {
  const std::map<std::string, std::pair<std::string, const Names*>> files = {
      {"installer/prometheus/storeagent.rules.yml", {"agent", &agent_docs_}},
      {"installer/prometheus/storecentral.rules.yml",
       {"central", &central_docs_}}};
  for (const auto& [file, side] : files) {
    const auto& types = side.first == "agent" ? agent_types_ : central_types_;
    Names used;
    for (const std::string& e : RuleExprs(Source(file))) {
      for (const std::string& n : UsedIn(e, types)) used.insert(n);
    }
    EXPECT_FALSE(used.empty()) << file;
    for (const std::string& n : used) {
      EXPECT_TRUE(side.second->count(n))
          << file << " uses " << n << ", which the docs do not list";
    }
  }
}

TEST_F(MetricsDocsTest, DashboardsUseOnlyDocumentedMetricsAndTheInput) {
  const std::map<std::string, std::pair<std::string, const Names*>> files = {
      {"installer/grafana/storeagent.json", {"agent", &agent_docs_}},
      {"installer/grafana/storecentral.json", {"central", &central_docs_}}};
  for (const auto& [file, side] : files) {
    const auto& types = side.first == "agent" ? agent_types_ : central_types_;
    const nlohmann::json d = nlohmann::json::parse(Source(file), nullptr,
                                                   /*allow_exceptions=*/false);
    ASSERT_FALSE(d.is_discarded()) << file << ": not JSON";
    EXPECT_GE(d.value("schemaVersion", 0), 36) << file;
    ASSERT_TRUE(d.contains("__inputs")) << file;
    EXPECT_EQ(d["__inputs"][0].value("name", ""), "DS_PROMETHEUS") << file;
    ASSERT_TRUE(d.contains("panels") && !d["panels"].empty()) << file;
    Names used;
    for (const nlohmann::json& p : d["panels"]) {
      EXPECT_EQ(p["datasource"].value("uid", ""), "${DS_PROMETHEUS}")
          << file << ": " << p.value("title", "");
      ASSERT_TRUE(p.contains("targets") && !p["targets"].empty()) << file;
      for (const nlohmann::json& t : p["targets"]) {
        for (const std::string& n : UsedIn(t.value("expr", ""), types)) {
          used.insert(n);
        }
      }
    }
    for (const std::string& n : used) {
      EXPECT_TRUE(side.second->count(n))
          << file << " uses " << n << ", which the docs do not list";
    }
  }
}

TEST_F(MetricsDocsTest, AlertTableMatchesTheRulesFiles) {
  Names rules = RuleAlerts(Source("installer/prometheus/storeagent.rules.yml"));
  for (const std::string& a :
       RuleAlerts(Source("installer/prometheus/storecentral.rules.yml"))) {
    rules.insert(a);
  }
  static const std::regex kFirst("^\\| `([A-Za-z]+)` \\|");
  Names table;
  for (const std::string& row : TableRows(ops_, "## Alerts")) {
    std::smatch m;
    if (std::regex_search(row, m, kFirst)) table.insert(m[1]);
  }
  EXPECT_GT(rules.size(), 10u);
  EXPECT_EQ(table, rules) << "docs/operations.md \"## Alerts\" and the rules "
                             "files name different alerts";
}

// The checks above are only as good as their parsing: a name the docs do
// not list is found missing.
TEST(MetricsDocsParsing, FindsNamesAndHistogramFamilies) {
  const std::string md =
      "## Metrics\n\n| metric | type | what |\n|---|---|---|\n"
      "| `storeagent_a_total{kind}` | counter | x |\n"
      "| `process_x`, `process_y` | gauge | y |\n## Next\n"
      "| `storeagent_not_here` | gauge | z |\n";
  EXPECT_EQ(DocumentedMetrics(md, "## Metrics"),
            (Names{"storeagent_a_total", "process_x", "process_y"}));
  const std::map<std::string, std::string> types = {
      {"storeagent_h_seconds", "histogram"}};
  EXPECT_EQ(UsedIn("histogram_quantile(0.99, rate(storeagent_h_seconds_bucket"
                   "[5m])) > 0 and storeagent_x_count > 1",
                   types),
            (Names{"storeagent_h_seconds", "storeagent_x_count"}));
}

}  // namespace
}  // namespace storeagent
