// The conformance suite on the PostgreSQL backend. The server comes from
// STOREAGENT_TEST_PG_URL (scripts/start-postgres prints one; scripts/test
// exports it). Unset, every test FAILS, unless STOREAGENT_TEST_NO_PG=1 says
// to skip them. Each test works in its own schema (random suffix), reached
// through the URL's search_path, and drops it at the end.
#include <cstdlib>

#include "central/store/pg_central_store.h"
#include "central/store/pg_pool.h"
#include "platform/crypto.h"
#include "tests/unit/central_store/central_store_fixture.h"

namespace storeagent::testing {
namespace {

std::string WithSearchPath(const std::string& url, const std::string& schema) {
  const char sep = url.find('?') == std::string::npos ? '?' : '&';
  return url + sep + "options=-csearch_path%3D" + schema;
}

class PgInstance : public BackendInstance {
 public:
  PgInstance(std::string base_url, std::string schema)
      : base_url_(std::move(base_url)), schema_(std::move(schema)) {}
  ~PgInstance() override {
    try {
      pqxx::connection c(base_url_);
      pqxx::nontransaction tx(c);
      tx.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      ADD_FAILURE() << "drop schema " << schema_ << ": " << e.what();
    }
  }
  Result<std::unique_ptr<central::CentralStore>> Open() override {
    return central::OpenCentralStore(WithSearchPath(base_url_, schema_));
  }
  bool multi_writer() const override { return true; }

 private:
  const std::string base_url_;
  const std::string schema_;
};

Result<std::unique_ptr<BackendInstance>> MakePg() {
  const char* no_pg = std::getenv("STOREAGENT_TEST_NO_PG");
  if (no_pg != nullptr && std::string(no_pg) == "1") {
    return FailedPrecondition(std::string(kSkipPrefix) +
                              "STOREAGENT_TEST_NO_PG=1: PostgreSQL tests "
                              "skipped on request");
  }
  const char* url = std::getenv("STOREAGENT_TEST_PG_URL");
  if (url == nullptr || *url == '\0') {
    return FailedPrecondition(
        "STOREAGENT_TEST_PG_URL is not set: run scripts/start-postgres and "
        "export the URL it prints (or set STOREAGENT_TEST_NO_PG=1 to skip "
        "the PostgreSQL tests explicitly)");
  }
  const std::string schema =
      "cstore_test_" + crypto::ToHex(crypto::RandomBytes(6));
  try {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    tx.exec("CREATE SCHEMA " + schema);
  } catch (...) {
    return central::PgStatus(std::current_exception(),
                             "create test schema on STOREAGENT_TEST_PG_URL");
  }
  return std::unique_ptr<BackendInstance>(
      std::make_unique<PgInstance>(url, schema));
}

INSTANTIATE_TEST_SUITE_P(Pg, CentralStoreTest,
                         ::testing::Values(Backend{"postgresql", MakePg}),
                         [](const auto&) { return std::string("postgresql"); });

}  // namespace
}  // namespace storeagent::testing
