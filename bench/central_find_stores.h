// The stores behind bench_availability's central phase (central_find.h):
// what each holds (FindStock), and their journals sent to central through
// the real Sync stream over each store's own mutual-TLS connection
// (FindStores), so central's replica cache is built as in production: from
// ingested batches.
//
// A store stocks a window of FindStock::skus_per_store SKUs of a catalog of
// FindStock::catalog_skus (so an asked SKU is sometimes not stocked there),
// received in receipts of 500 lines; every seventh SKU has had one unit
// written off since, and the first 500 SKUs of its window are in escrow for
// central. Each figure is a function of (store, SKU), so a reply can be
// checked against it.
//
// Thread-safety: FindStock is immutable; FindStores is used by one thread.
#ifndef STOREAGENT_BENCH_CENTRAL_FIND_STORES_H_
#define STOREAGENT_BENCH_CENTRAL_FIND_STORES_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "platform/status.h"
#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/support/test_certs.h"

namespace storeagent::bench {

class FindStock {
 public:
  FindStock(int stores, int catalog_skus, int skus_per_store);

  int stores() const { return static_cast<int>(store_ids_.size()); }
  int catalog_skus() const { return static_cast<int>(skus_.size()); }
  int skus_per_store() const { return skus_per_store_; }
  // "find-0003", "SKU-000042".
  const std::string& StoreId(int store) const { return store_ids_.at(store); }
  const std::string& Sku(int sku) const { return skus_.at(sku); }
  bool Stocks(int store, int sku) const;
  // What central's replica of `store` should answer for `sku`.
  int64_t OnHand(int store, int sku) const;
  int64_t Escrow(int store, int sku) const;

 private:
  // `sku`'s place in the store's window; skus_per_store or more: outside.
  int Offset(int store, int sku) const;

  std::vector<std::string> store_ids_;
  std::vector<std::string> skus_;
  int skus_per_store_;
};

class FindStores {
 public:
  FindStores() = default;
  ~FindStores();  // ends the streams still open
  FindStores(const FindStores&) = delete;
  FindStores& operator=(const FindStores&) = delete;

  // Opens one stream per store of `stock` to `target` (central's sync
  // address), store i presenting `certs[i]`, sends its journal in batches
  // and waits for central's acks. The streams stay open (the stores are
  // connected) until Close().
  Status SyncAll(const std::string& target, const std::string& ca_pem,
                 const std::vector<testing::CertAndKey>& certs,
                 const FindStock& stock);
  // The last seq of store i's journal (central's store_seq once synced).
  uint64_t head(int store) const { return heads_.at(store); }
  // Journal entries sent, over all stores.
  uint64_t entries() const { return entries_; }
  // Cancels every stream and waits for each to end.
  void Close();

 private:
  struct Stream {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::SyncService::Stub> stub;
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReaderWriter<v1::SyncRequest, v1::SyncResponse>>
        rw;
  };

  std::vector<std::unique_ptr<Stream>> streams_;
  std::vector<uint64_t> heads_;
  uint64_t entries_ = 0;
};

}  // namespace storeagent::bench

#endif  // STOREAGENT_BENCH_CENTRAL_FIND_STORES_H_
