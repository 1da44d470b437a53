// Granting a click-and-collect hold from the escrow a store granted
// central, for when the store cannot answer itself (design brief 3.5,
// docs/central.md "Holds and escrow"). The admin service's PlaceHold falls
// back to it; the sync simulation grants through it as head office would,
// and checks that no grant goes beyond the escrow (tests/simulation).
#ifndef STOREAGENT_CENTRAL_SERVER_ESCROW_GRANT_H_
#define STOREAGENT_CENTRAL_SERVER_ESCROW_GRANT_H_

#include <cstdint>
#include <string>

#include "central/server/replica_cache.h"
#include "central/store/central_store.h"
#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// Decides once, on the store's central events and its replica as they are
// now (escrow_book.h's arithmetic): a retry of an order central or the
// store already holds gets that hold back; a hold that fits what is free of
// the escrow is recorded as an escrow_hold central event appended at the
// head the decision saw, and granted; one that does not is refused with the
// shortfall. `reply` says which (cleared by the caller). ABORTED when
// another central process appended an event for the store meanwhile:
// decide again. Not serialised: the caller keeps one decision per store at
// a time in its process.
Status GrantFromEscrowOnce(CentralStore& store, ReplicaCache& replicas,
                           int64_t now_us, const std::string& store_id,
                           const v1::HoldPlaced& hold,
                           v1::CentralAdminServicePlaceHoldResponse* reply);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_ESCROW_GRANT_H_
