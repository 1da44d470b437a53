// The SQLite adapter of the SQL seam (sql_seam.h): CentralStore on one
// SQLite file, the embedded default for a single storecentrald. One
// read-write connection (WAL, synchronous=FULL) guarded by a mutex: every
// method is one BEGIN IMMEDIATE transaction on it, so methods serialise.
// The rules are sql_central_store.cc's. Schema: docs/central.md.
#ifndef STOREAGENT_CENTRAL_STORE_SQLITE_CENTRAL_STORE_H_
#define STOREAGENT_CENTRAL_STORE_SQLITE_CENTRAL_STORE_H_

#include <memory>
#include <string>

#include "central/store/central_store.h"
// What the header gave its users before the seam (the SQLite test opens
// the file itself).
#include "storage/sqlite_handle.h"  // IWYU pragma: export

namespace storeagent::central {

// Opens (creating if missing) the file at `path` and creates or migrates
// its schema. A file with a newer schema is FAILED_PRECONDITION. `vfs`
// names a registered SQLite VFS to open it through ("": the default; the
// sync simulation passes its fault VFS, tests/support/fault_vfs.h).
Result<std::unique_ptr<CentralStore>> OpenSqliteCentralStore(
    const std::string& path, const std::string& vfs = "");

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_SQLITE_CENTRAL_STORE_H_
