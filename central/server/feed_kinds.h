// The kinds of the change feed (docs/feed.md, "Kinds"): a store event is
// named as its journal names it (core::EventKind: "sale", "hold.placed",
// ...), a central event "central.<its oneof field>" ("central.movement",
// "central.catalog", "central.prices", "central.escrow_hold",
// "central.hold_cancel"). Derived from the contract's descriptors, so a
// kind added to events.proto or sync.proto is a feed kind with no edit here.
#ifndef STOREAGENT_CENTRAL_SERVER_FEED_KINDS_H_
#define STOREAGENT_CENTRAL_SERVER_FEED_KINDS_H_

#include <set>
#include <string>

#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// "central.movement", ...; "central.unknown" with no kind set.
std::string CentralFeedKind(const v1::CentralEvent& event);

// Every kind a StreamEventsRequest may name: the store kinds and the
// central kinds. Built once.
const std::set<std::string>& FeedKinds();

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_FEED_KINDS_H_
