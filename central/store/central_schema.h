// Central's schema, version by version, in the two SQL dialects. Each
// backend runs the steps it has not run yet, in order, each in one
// transaction, and records the version in `schema_version`. docs/central.md
// shows the tables.
#ifndef STOREAGENT_CENTRAL_STORE_CENTRAL_SCHEMA_H_
#define STOREAGENT_CENTRAL_STORE_CENTRAL_SCHEMA_H_

#include <string_view>

namespace storeagent::central {

// The newest schema this build knows; a database at a higher version is
// refused (FAILED_PRECONDITION: upgrade storecentrald).
inline constexpr int kCentralSchemaVersion = 11;

// PostgreSQL: the event tables are hash-partitioned by store_id into this
// many partitions (schema v3; docs/central.md, "Scaling out").
inline constexpr int kPgEventPartitions = 16;

// kSqliteSchema[v - 1] / kPgSchema[v - 1] take the schema from v - 1 to v.
extern const std::string_view kSqliteSchema[kCentralSchemaVersion];
extern const std::string_view kPgSchema[kCentralSchemaVersion];

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_CENTRAL_SCHEMA_H_
