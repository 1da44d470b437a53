// Call slots for the POS API, for the LoadDriver: the no-op Ping (the
// transport ceiling) and RecordTransaction (the durable acknowledgement).
#ifndef STOREAGENT_BENCH_POS_CALL_SLOTS_H_
#define STOREAGENT_BENCH_POS_CALL_SLOTS_H_

#include "bench/load_driver.h"
#include "storeagent/v1/pos.pb.h"

namespace storeagent::bench {

// Ping calls.
SlotFactory PingSlots();

// RecordTransaction calls of `sale`, each under a client key never used
// before in this process (terminal "till-NN" per thread, a txn id unique per
// factory, slot and call), so every call is a new durable append and none is
// answered as a replay.
SlotFactory RecordSlots(const v1::RecordTransactionRequest& sale);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_POS_CALL_SLOTS_H_
