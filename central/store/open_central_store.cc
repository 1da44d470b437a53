// OpenCentralStore: picks the backend from the URL's scheme.
#include "central/store/central_store.h"
#include "central/store/pg_central_store.h"
#include "central/store/sqlite_central_store.h"

namespace storeagent::central {

Result<std::unique_ptr<CentralStore>> OpenCentralStore(const std::string& url,
                                                       const Clock& clock,
                                                       size_t pg_pool_size) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    const std::string path = url.substr(kSqlite.size());
    if (path.empty()) {
      return InvalidArgument("url: \"sqlite:\" needs a file path");
    }
    return OpenSqliteCentralStore(path);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPgCentralStore(url, clock, pg_pool_size);
  }
  return InvalidArgument(
      "url: unknown scheme (use \"sqlite:/path/central.db\" or "
      "\"postgresql://user@host:port/dbname\")");
}

}  // namespace storeagent::central
