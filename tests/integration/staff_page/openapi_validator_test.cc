// The OpenAPI document as served (GET /api/openapi.json from a running
// StaffHttpServer) checked by an independent validator from npm,
// @seriousme/openapi-schema-validator, run by
// tests/integration/openapi/validate_openapi.mjs (package-lock.json there;
// `npm ci` when its node_modules is missing or stale). A broken document must
// be refused by the same script, so a validator that passes everything fails
// this test.
//
// Needs node and npm (scripts/install-deps); their absence is a failure.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/integration/staff_page/node_runner.h"
#include "tests/integration/staff_page/staff_test_env.h"

namespace storeagent::agent::test {
namespace {

constexpr char kValidatorDir[] = OPENAPI_SCRIPT_DIR;
constexpr int kValidatorTimeoutS = 60;

class OpenApiValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = Which("node");
    ASSERT_FALSE(node_.empty()) << "node is missing: run scripts/install-deps";
    ASSERT_EQ(NpmCiIfStale(kValidatorDir), "");
  }

  // The script's exit status with `args`; its output in `out`.
  int Validate(const std::string& args, std::string* out) {
    return RunShell(
        "timeout " + std::to_string(kValidatorTimeoutS) + " " +
            ShellQuote(node_) + " " +
            ShellQuote(std::string(kValidatorDir) + "/validate_openapi.mjs") +
            " " + args,
        out);
  }

  std::string node_;
};

TEST_F(OpenApiValidatorTest, ServedDocumentIsValidOpenApi) {
  StaffEnv env;
  ASSERT_TRUE(env.Start().ok());
  std::string out;
  const std::string url =
      "http://127.0.0.1:" + std::to_string(env.port()) + "/api/openapi.json";
  EXPECT_EQ(Validate("--url " + ShellQuote(url), &out), 0) << out;
  EXPECT_NE(out.find("PASS: valid OpenAPI 3.1"), std::string::npos) << out;
}

TEST_F(OpenApiValidatorTest, ValidatorRefusesABrokenDocument) {
  testing::TempDir dir;
  const std::string broken = dir.File("broken.json");
  {
    // No info; responses not an object; a $ref to nowhere.
    std::ofstream f(broken);
    f << R"({"openapi": "3.1.0", "paths": {"/x": {"get": {"responses": "no"}}}})";
  }
  std::string out;
  EXPECT_EQ(Validate("--file " + ShellQuote(broken), &out), 1) << out;
  EXPECT_NE(out.find("FAIL"), std::string::npos) << out;
}

}  // namespace
}  // namespace storeagent::agent::test
