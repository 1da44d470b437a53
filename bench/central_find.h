// bench_availability's central phase: the online channel's question to
// central, "which stores have these SKUs" (CentralAdminService
// .FindAvailability, answered from central's replica cache), against a
// no-op call on the same central in the same run.
//
// Central runs in-process (central::CentralServer on SQLite in a temp dir,
// both ports on loopback with mutual TLS, admin.tls on; its default worker
// pool). FindStock's stores (12 of them, 5,000 SKUs each of a 6,000-SKU
// catalog) send their journals through the real Sync stream, each over its
// own connection with its own certificate, and stay connected. Then 8
// clients (one mutual-TLS connection each, an admin reader's certificate,
// one call in flight each, closed loop) in alternating rounds of one
// second:
//   - grpc.health.v1.Health/Check on the admin port: the transport ceiling;
//   - FindAvailability of 20 distinct random SKUs at 10 distinct random
//     stores named in store_ids, every reply checked figure by figure.
// Client and server share the process, so CPU per call covers both.
#ifndef STOREAGENT_BENCH_CENTRAL_FIND_H_
#define STOREAGENT_BENCH_CENTRAL_FIND_H_

#include <cstdint>

namespace storeagent::bench {

struct CentralFindSettings {
  int rounds = 10;  // of one second per figure
  int64_t warmup_us = 500'000;

  static CentralFindSettings Quick() { return {3, 300'000}; }
};

// Sets up central and its stores, measures, and prints the figures
// (bench/report.h): central_find_availability_per_s,
// central_noop_calls_per_s, central_find_ratio_to_noop, the CPU per call of
// each, then the detail. A phase that failed, a refused call or a wrong
// reply is reported as an Error().
void CentralFindFigures(const CentralFindSettings& settings);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_CENTRAL_FIND_H_
