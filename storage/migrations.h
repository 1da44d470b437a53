// The agent database's schema and its versioned migrations.
//
// The schema version lives in PRAGMA user_version. Migrate() applies every
// step above the file's version, each in its own transaction, so a crash
// mid-migration leaves the file at the last completed version. A file from a
// newer agent is refused rather than guessed at.
#ifndef STOREAGENT_STORAGE_MIGRATIONS_H_
#define STOREAGENT_STORAGE_MIGRATIONS_H_

#include <sqlite3.h>

#include "platform/status.h"

namespace storeagent::storage {

// The version Migrate() brings a database to.
int LatestSchemaVersion();

// The version stored in the file (0 for a new file).
Result<int> SchemaVersion(sqlite3* db);

// Brings the database up to `target` (default: latest). REQUIRES: the caller
// is the only writer. FAILED_PRECONDITION when the file is newer than target.
Status Migrate(sqlite3* db, int target = -1);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_MIGRATIONS_H_
