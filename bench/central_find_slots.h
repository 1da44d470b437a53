// Call slots for the LoadDriver against central's admin port, for
// bench_availability's central phase (central_find.h): FindAvailability of
// random SKUs at random stores, and the no-op it is measured against, the
// grpc.health.v1.Health/Check the admin port answers (a generic call: Debian
// ships no C++ stubs for health.proto).
//
// Both ride on the same connections: AdminStubs makes one mutual-TLS
// channel per client thread, presenting an admin reader's certificate, and
// keeps both stubs on it. Every FindAvailability reply is checked against
// FindStock (the stores and SKUs asked, in order, each figure and escrow,
// store_seq at the store's head, connected, a replica age); every health
// reply must say SERVING. A wrong reply is counted in a ReplyCheck.
#ifndef STOREAGENT_BENCH_CENTRAL_FIND_SLOTS_H_
#define STOREAGENT_BENCH_CENTRAL_FIND_SLOTS_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/availability_call_slots.h"
#include "bench/central_find_stores.h"
#include "bench/load_driver.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/support/test_certs.h"

namespace storeagent::bench {

// The stubs of one RunLoad's client threads on central's admin port.
// Thread-safety: as ServiceStubs (availability_call_slots.h).
class AdminStubs {
 public:
  // `target`: "127.0.0.1:PORT"; `ca_pem` verifies central's certificate
  // (issued for localhost); `admin` is the client's.
  AdminStubs(std::string target, std::string ca_pem, testing::CertAndKey admin)
      : target_(std::move(target)),
        ca_pem_(std::move(ca_pem)),
        admin_(std::move(admin)) {}

  ChannelFactory Channels();
  // REQUIRES: RunLoad made client thread `thread`'s channel.
  v1::CentralAdminService::Stub* Admin(int thread) const {
    return admin_stubs_.at(static_cast<size_t>(thread)).get();
  }
  grpc::GenericStub* Generic(int thread) const {
    return generic_stubs_.at(static_cast<size_t>(thread)).get();
  }

 private:
  std::string target_;
  std::string ca_pem_;
  testing::CertAndKey admin_;
  std::vector<std::unique_ptr<v1::CentralAdminService::Stub>> admin_stubs_;
  std::vector<std::unique_ptr<grpc::GenericStub>> generic_stubs_;
};

// What each FindAvailability call asks.
struct FindAsk {
  int skus = 20;
  int stores = 10;  // of stock.stores, distinct, named in store_ids
};

// FindAvailability calls of `ask.skus` distinct SKUs of the catalog at
// `ask.stores` distinct stores, drawn uniformly; every reply checked against
// `stock` and `heads` (each store's journal head). All arguments must
// outlive the run.
SlotFactory FindSlots(const AdminStubs& stubs, const FindStock& stock,
                      const std::vector<uint64_t>& heads, FindAsk ask,
                      ReplyCheck& check);

// grpc.health.v1.Health/Check of the whole server (service ""), each reply
// checked to say SERVING.
SlotFactory HealthSlots(const AdminStubs& stubs, ReplyCheck& check);

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_CENTRAL_FIND_SLOTS_H_
