// What a SIGHUP applies and what needs a restart (agent/config_reload.h),
// and the new configuration keys.
#include "agent/config_reload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/config.h"

namespace storeagent::agent {
namespace {

using platform::ChangedConfigKeys;
using platform::JoinKeys;
using platform::ReloadPlan;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kBase[] = R"(
[store]
id = "s1"
[storage]
read_threads = 2
[log]
level = "info"
[[http.users]]
name = "ana"
role = "staff"
token_sha256 = "aa"
)";

TEST(ConfigReload, NamesEveryChangedKey) {
  const std::string after = R"(
[store]
id = "s1"
[storage]
read_threads = 4
[log]
level = "debug"
format = "json"
[[http.users]]
name = "ana"
role = "staff"
token_sha256 = "bb"
)";
  Result<std::vector<std::string>> c = ChangedConfigKeys(kBase, after);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_THAT(*c, ElementsAre("http.users", "log.format", "log.level",
                              "storage.read_threads"));
}

TEST(ConfigReload, SameTextChangesNothing) {
  Result<std::vector<std::string>> c = ChangedConfigKeys(kBase, kBase);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(*c, IsEmpty());
}

TEST(ConfigReload, RemovedKeyCounts) {
  Result<std::vector<std::string>> c =
      ChangedConfigKeys(kBase, "[store]\nid = \"s1\"\n");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(*c,
              ElementsAre("http.users", "log.level", "storage.read_threads"));
}

TEST(ConfigReload, BadTomlIsAnError) {
  EXPECT_FALSE(ChangedConfigKeys(kBase, "[store\n").ok());
  EXPECT_FALSE(
      platform::PlanReloadOfTexts(kBase, kBase, "[store\n", IsReloadableKey)
          .ok());
}

TEST(ConfigReload, PlanFromTheThreeTexts) {
  // Started with kBase; the last reload applied a new log level; now the
  // level is back and read_threads changed.
  const std::string last = R"(
[store]
id = "s1"
[storage]
read_threads = 2
[log]
level = "debug"
[[http.users]]
name = "ana"
role = "staff"
token_sha256 = "aa"
)";
  std::string now = kBase;
  now.replace(now.find("read_threads = 2"), 16, "read_threads = 3");
  Result<ReloadPlan> p =
      platform::PlanReloadOfTexts(kBase, last, now, IsReloadableKey);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_THAT(p->apply, ElementsAre("log.level"));
  EXPECT_THAT(p->need_restart, ElementsAre("storage.read_threads"));
}

TEST(ConfigReload, ReloadableKeys) {
  EXPECT_TRUE(IsReloadableKey("log.level"));
  EXPECT_TRUE(IsReloadableKey("log.format"));
  EXPECT_TRUE(IsReloadableKey("http.users"));
  EXPECT_TRUE(IsReloadableKey("sync.cert_file"));
  EXPECT_FALSE(IsReloadableKey("sync.address"));
  EXPECT_FALSE(IsReloadableKey("storage.read_threads"));
  EXPECT_FALSE(IsReloadableKey("pos.socket"));
  EXPECT_FALSE(IsReloadableKey("http.listen"));
}

TEST(ConfigReload, PlanKeepsRestartKeysUntilRestart) {
  // Second reload: read_threads changed at the first one and still differs
  // from the start; log.level was applied then and is unchanged since.
  ReloadPlan p = platform::PlanReload({}, {"log.level", "storage.read_threads"},
                                      IsReloadableKey);
  EXPECT_THAT(p.apply, IsEmpty());
  EXPECT_THAT(p.need_restart, ElementsAre("storage.read_threads"));
  p = platform::PlanReload({"http.users", "pos.socket"},
                           {"http.users", "pos.socket"}, IsReloadableKey);
  EXPECT_THAT(p.apply, ElementsAre("http.users"));
  EXPECT_THAT(p.need_restart, ElementsAre("pos.socket"));
  EXPECT_EQ(JoinKeys({}), "none");
  EXPECT_EQ(JoinKeys({"a", "b"}), "a,b");
}

constexpr char kMinimal[] = "[store]\nid = \"s1\"\n";

// Setting or emptying http.tls_cert_file on a running page would switch it
// between HTTP and HTTPS: a restart, listed at every reload until then. A
// page that is off starts with the new files at the reload: applied.
TEST(ConfigReload, HttpsSwitchNeedsARestartOnlyForARunningPage) {
  const ReloadPlan changed{
      {"http.tls_cert_file", "http.tls_key_file", "log.level"},
      {"storage.read_threads"}};
  ReloadPlan plan = changed;
  PlanHttpsSwitch(/*page_on=*/true, /*page_https=*/false,
                  /*next_https=*/true, &plan);
  EXPECT_THAT(plan.apply, ElementsAre("log.level"));
  EXPECT_THAT(plan.need_restart,
              ElementsAre("http.tls_cert_file", "http.tls_key_file",
                          "storage.read_threads"));
  // HTTPS to plain, on a later reload where nothing changed since the last.
  ReloadPlan later{{}, {}};
  PlanHttpsSwitch(true, true, false, &later);
  EXPECT_THAT(later.apply, IsEmpty());
  EXPECT_THAT(later.need_restart,
              ElementsAre("http.tls_cert_file", "http.tls_key_file"));
  // The same scheme: new files are applied.
  plan = changed;
  PlanHttpsSwitch(true, true, true, &plan);
  EXPECT_THAT(plan.apply, ElementsAre("http.tls_cert_file", "http.tls_key_file",
                                      "log.level"));
  // A page that is off starts over HTTPS at this reload.
  plan = changed;
  PlanHttpsSwitch(/*page_on=*/false, false, true, &plan);
  EXPECT_THAT(plan.apply, ElementsAre("http.tls_cert_file", "http.tls_key_file",
                                      "log.level"));
  EXPECT_THAT(plan.need_restart, ElementsAre("storage.read_threads"));
}

TEST(OpsConfig, Defaults) {
  Result<AgentConfig> c = ParseAgentConfig(kMinimal, "t.toml", false);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->replay_window_days, 30);
  EXPECT_EQ(c->prune_batch, 500);
  EXPECT_EQ(c->prune_interval_s, 600);
  EXPECT_EQ(c->prune_duty_percent, 10);
  EXPECT_EQ(c->metrics_listen, "");
}

TEST(OpsConfig, LimitsAcceptedAndOneBeyondRefused) {
  auto parse = [](const std::string& extra) {
    return ParseAgentConfig(std::string(kMinimal) + extra, "t.toml", false);
  };
  EXPECT_TRUE(parse("[retention]\nreplay_window_days = 0\n").ok());
  EXPECT_TRUE(parse("[retention]\nreplay_window_days = 3650\n").ok());
  Result<AgentConfig> bad = parse("[retention]\nreplay_window_days = 3651\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("retention.replay_window_days"));
  EXPECT_TRUE(parse("[retention]\nprune_batch = 100000\n").ok());
  bad = parse("[retention]\nprune_batch = 0\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("retention.prune_batch"));
  bad = parse("[retention]\nprune_interval_s = 9\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("retention.prune_interval_s"));
  EXPECT_TRUE(parse("[retention]\nprune_duty_percent = 1\n").ok());
  EXPECT_TRUE(parse("[retention]\nprune_duty_percent = 100\n").ok());
  for (const char* v : {"0", "101", "\"10\""}) {
    bad = parse(std::string("[retention]\nprune_duty_percent = ") + v + "\n");
    ASSERT_FALSE(bad.ok()) << v;
    EXPECT_THAT(bad.status().message(),
                HasSubstr("retention.prune_duty_percent"));
  }
  EXPECT_TRUE(parse("[metrics]\nlisten = \"127.0.0.1:9471\"\n").ok());
  bad = parse("[metrics]\nlisten = \"nope\"\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("metrics.listen"));
}

}  // namespace
}  // namespace storeagent::agent
