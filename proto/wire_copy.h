// CopyWireCompatible: one message into another of the same fields.
//
// Since 0.3 every RPC of the contract has a response type of its own (buf's
// STANDARD rules). Where two RPCs answer the same thing (UpdateHold and
// GetHold, the three Record* calls, GetEvent and JournalEntry, CancelHold
// and PushCentralEvent), the second response repeats the first's fields
// with the same numbers and types, so the bytes on the wire are those 0.2
// sent. The code builds the first and hands the second its bytes at the
// gRPC boundary; tests/contract/wire_copy_test.cc checks every such pair
// field by field, so the two cannot drift apart.
#ifndef STOREAGENT_PROTO_WIRE_COPY_H_
#define STOREAGENT_PROTO_WIRE_COPY_H_

#include <google/protobuf/message.h>

#include <string>

namespace storeagent::rpc {

// `to` becomes `from` read as a `To`. False only if `from` does not
// serialise or its bytes do not parse as a `To` (a pair out of step);
// `to` is then cleared.
inline bool CopyWireCompatible(const google::protobuf::Message& from,
                               google::protobuf::Message* to) {
  std::string bytes;
  if (!from.SerializeToString(&bytes) || !to->ParseFromString(bytes)) {
    to->Clear();
    return false;
  }
  return true;
}

}  // namespace storeagent::rpc

#endif  // STOREAGENT_PROTO_WIRE_COPY_H_
