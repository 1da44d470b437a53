// Stream leases and replica-to-replica messages over PostgreSQL
// (stream_leases.h): a lease row per store in stream_leases (schema v4),
// and LISTEN/NOTIFY on one channel per replica, heard by one dedicated
// connection (outside the pool) on a thread of its own that reconnects
// when the connection breaks. docs/central.md, "Replicas".
#ifndef STOREAGENT_CENTRAL_STORE_PG_STREAM_LEASES_H_
#define STOREAGENT_CENTRAL_STORE_PG_STREAM_LEASES_H_

#include <chrono>
#include <memory>
#include <string>

#include "central/store/stream_leases.h"
#include "platform/clock.h"

namespace storeagent::central {

// Connects to `url` (the central store's; its schema must be at v4 already:
// open the CentralStore first). `lease_time`: how long a lease lives
// without renewal.
Result<std::unique_ptr<StreamLeases>> OpenPgStreamLeases(
    const std::string& url, const std::string& replica_id,
    std::chrono::seconds lease_time, const Clock& clock);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_PG_STREAM_LEASES_H_
