// One command-line convention across storeagentd, storeagentctl,
// storeagent-possim, storecentrald and storecentralctl: --version, exit 0
// ok / 1 failure / 2 usage, a mistyped command answered with the nearest
// one, a named configuration file that is missing is an error, and
// --check-config the same flag in both daemons.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "platform/cli.h"
#include "platform/fs.h"
#include "tests/support/run_program.h"
#include "tests/support/temp_dir.h"

namespace storeagent::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kAgentDir = STOREAGENT_AGENT_BIN_DIR;
const std::string kCentralDir = STORECENTRAL_BIN_DIR;

const std::vector<std::pair<std::string, std::string>> kPrograms = {
    {"storeagentd", kAgentDir + "/storeagentd"},
    {"storeagentctl", kAgentDir + "/storeagentctl"},
    {"storeagent-possim", kAgentDir + "/storeagent-possim"},
    {"storecentrald", kCentralDir + "/storecentrald"},
    {"storecentralctl", kCentralDir + "/storecentralctl"},
};

TEST(NearestWordTest, SuggestsWithinTwoEditsOrAUniquePrefix) {
  const std::vector<std::string> words = {"journal", "stock", "status", "sync",
                                          "holds"};
  EXPECT_EQ(platform::NearestWord("jurnal", words), "journal");
  EXPECT_EQ(platform::NearestWord("stauts", words), "status");
  EXPECT_EQ(platform::NearestWord("hold", words), "holds");
  EXPECT_EQ(platform::NearestWord("jour", words), "journal");  // prefix
  EXPECT_EQ(platform::NearestWord("backupz", words), "");
  EXPECT_EQ(platform::NearestWord("", words), "");
}

TEST(CliConventionTest, EveryProgramPrintsItsVersionRevisionAndBuildType) {
  for (const auto& [name, path] : kPrograms) {
    SCOPED_TRACE(name);
    RunResult r = RunProgram({path, "--version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out,
                StartsWith(name + " " + STOREAGENT_PROJECT_VERSION + " (git "));
    EXPECT_EQ(r.out, platform::VersionText(name) + "\n");
  }
}

TEST(CliConventionTest, HelpIsExitZero) {
  for (const auto& [name, path] : kPrograms) {
    SCOPED_TRACE(name);
    RunResult r = RunProgram({path, "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("--version"));
  }
}

TEST(CliConventionTest, AnUnknownOptionIsUsageExitTwoNamingIt) {
  for (const auto& [name, path] : kPrograms) {
    SCOPED_TRACE(name);
    RunResult r = RunProgram({path, "--no-such-option"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr(name + ": unknown option '--no-such-option'"));
    EXPECT_THAT(r.err, HasSubstr("--help"));
  }
  // A bad value names its option.
  RunResult r = RunProgram({kAgentDir + "/storeagent-possim", "-n", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--count"));
}

TEST(CliConventionTest, AMistypedCommandSuggestsTheNearest) {
  RunResult r = RunProgram({kAgentDir + "/storeagentctl", "jurnal", "verify"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'jurnal' is not a command of 'storeagentctl'; "
                               "did you mean 'journal'?"));
  r = RunProgram({kAgentDir + "/storeagentctl", "journal", "verfy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean 'verify'?"));
  r = RunProgram({kCentralDir + "/storecentralctl", "quarantne"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("did you mean 'quarantine'?"));
  // No command at all lists them.
  r = RunProgram({kAgentDir + "/storeagentctl"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("'storeagentctl' needs a command: "));
  EXPECT_THAT(r.err, HasSubstr("journal"));
}

TEST(CliConventionTest, ANamedConfigFileThatIsMissingIsAnError) {
  TempDir dir;
  const std::string missing = dir.File("missing.toml");
  RunResult r = RunProgram(
      {kAgentDir + "/storeagentctl", "--config", missing, "sync", "status"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_THAT(r.err, HasSubstr(missing));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("pos.sock")));
  for (const std::string& daemon :
       {kAgentDir + "/storeagentd", kCentralDir + "/storecentrald"}) {
    SCOPED_TRACE(daemon);
    r = RunProgram({daemon, "--config", missing});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, HasSubstr(missing));
  }
}

TEST(CliConventionTest, CheckConfigIsAFlagInBothDaemons) {
  TempDir dir;
  ASSERT_TRUE(fs::WriteFileDurably(dir.File("central.toml"),
                                   "[tls]\ninsecure = true\n", 0600)
                  .ok());
  ASSERT_TRUE(fs::WriteFileDurably(dir.File("agent.toml"),
                                   "[store]\nid = \"store-0001\"\n"
                                   "[storage]\ndata_dir = \"" +
                                       dir.File("data") + "\"\n",
                                   0600)
                  .ok());
  RunResult r = RunProgram({kCentralDir + "/storecentrald", "--check-config",
                            "--config", dir.File("central.toml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(dir.File("central.toml") + ": ok"));
  r = RunProgram({kAgentDir + "/storeagentd", "--check-config", "--config",
                  dir.File("agent.toml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(dir.File("agent.toml") + ": ok"));
  // The file as the option's value still works for central (0.1 units).
  r = RunProgram({kCentralDir + "/storecentrald", "--check-config",
                  dir.File("central.toml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace storeagent::testing
