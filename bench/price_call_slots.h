// Call slots for PriceService.GetPrices, for the LoadDriver: each call asks
// a batch of distinct random SKUs of the price book. The stubs ride on each
// client thread's own connection (PriceStubs);
// every reply is checked (one price per SKU asked, in order, found) and a
// wrong one counted in a ReplyCheck.
#ifndef STOREAGENT_BENCH_PRICE_CALL_SLOTS_H_
#define STOREAGENT_BENCH_PRICE_CALL_SLOTS_H_

#include <memory>
#include <string>
#include <vector>

#include "bench/availability_call_slots.h"
#include "bench/load_driver.h"
#include "storeagent/v1/price.grpc.pb.h"

namespace storeagent::bench {

using PriceStubs = ServiceStubs<v1::PriceService>;

// GetPrices calls of `per_call` distinct SKUs drawn uniformly from `skus`
// (1 <= per_call <= min(500, skus.size())), at the agent's now. All
// arguments must outlive the run.
SlotFactory PriceSlots(const PriceStubs& stubs,
                       const std::vector<std::string>& skus, int per_call,
                       ReplyCheck& check);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_PRICE_CALL_SLOTS_H_
