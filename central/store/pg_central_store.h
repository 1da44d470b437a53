// The PostgreSQL adapter of the SQL seam (sql_seam.h, libpqxx 6.4):
// CentralStore for the fleet, where several stateless storecentrald
// replicas share one database. Every method is one transaction on a
// connection from a small pool (PgPool), retried when PostgreSQL aborts it
// (serialization failure, deadlock); the store's row is locked with SELECT
// .. FOR UPDATE, so two replicas working on the same store take turns. The
// rules are sql_central_store.cc's. Schema: docs/central.md.
#ifndef STOREAGENT_CENTRAL_STORE_PG_CENTRAL_STORE_H_
#define STOREAGENT_CENTRAL_STORE_PG_CENTRAL_STORE_H_

#include <memory>
#include <string>

#include "central/store/central_store.h"

namespace storeagent::central {

// Connects `pool_size` connections to `url` (any libpq URI; the schema
// follows the connection's search_path) and creates or migrates the
// schema, under an advisory lock so replicas starting together do it once.
// A newer schema is FAILED_PRECONDITION.
Result<std::unique_ptr<CentralStore>> OpenPgCentralStore(
    const std::string& url, const Clock& clock,
    size_t pool_size = kPgDefaultPoolSize);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_PG_CENTRAL_STORE_H_
