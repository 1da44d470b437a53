// The server side of CentralAdminService.StreamEvents, the change feed
// (docs/feed.md): a gRPC server-streaming reactor over a FeedReader.
//
// Two turns per stream: the writer, with one write in flight (gRPC's
// back-pressure: the next event is written only when the previous write
// completed), and the reader, one database query at a time on the worker
// pool, reading the next page while the writer writes this one (or,
// following, waiting feed.poll_ms, cut short by a commit in this process:
// SyncHub::feed_bell). Only the writer touches the reactor, so a consumer
// that goes away (OnCancel) is noticed at the writer's next step and the
// stream finishes; the stream's state lives until the last handler that
// holds it has run. Memory per stream: at most two pages of events and one
// position per store.
#ifndef STOREAGENT_CENTRAL_SERVER_FEED_STREAM_H_
#define STOREAGENT_CENTRAL_SERVER_FEED_STREAM_H_

#include <grpcpp/grpcpp.h>

#include "central/server/sync_hub.h"
#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// A reactor serving `request`, a serialized StreamEventsRequest (checked
// here: INVALID_ARGUMENT naming the field), or finishing at once with
// `allowed` when the caller may not. The method is registered raw (gRPC's
// ByteBuffer both ways): the responses are written as wire bytes built from
// the stored events (feed_wire.h), the very bytes the generated
// StreamEventsResponse would have. The reactor deletes itself when gRPC is
// done with it.
grpc::ServerWriteReactor<grpc::ByteBuffer>* StartFeedStream(
    SyncHub& hub, const grpc::ByteBuffer& request, const Status& allowed);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_FEED_STREAM_H_
