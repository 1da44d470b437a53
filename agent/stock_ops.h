// StockOps: the stock, availability and click-and-collect operations of the
// agent, behind one asynchronous interface that both the gRPC
// AvailabilityService and the staff HTTP API call.
//
// Writes go through the storage writer (a journal event and its stock effect
// in one transaction); reads run on the read pool inside one read
// transaction, so figures and their `as_of` agree. `done` runs exactly once:
// on the calling thread for refused input, otherwise on a storage thread.
// Thread-safe; never blocks the caller.
#ifndef STOREAGENT_AGENT_STOCK_OPS_H_
#define STOREAGENT_AGENT_STOCK_OPS_H_

#include <functional>
#include <string>
#include <vector>

#include "agent/disk_guard.h"
#include "agent/sync/sync_gate.h"
#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/pos.pb.h"

namespace storeagent::agent {

class StockOps {
 public:
  template <typename T>
  using Done = std::function<void(Result<T>)>;

  // REQUIRES: all outlive this. With a `disk_guard`, new events and catalog
  // imports are refused while the disk reserve is reached. With a
  // `sync_gate`, no event is journaled (staff stock events, holds, expiry)
  // while the gate is closed: before central's first Welcome and during a
  // re-seed, a local event would take a seq central may already hold.
  StockOps(storage::AgentDatabase& db, const Clock& clock,
           const DiskGuard* disk_guard = nullptr,
           const SyncGate* sync_gate = nullptr);
  // Virtual so that tests can hold a call's `done` where a storage thread
  // would (tests/integration/staff_page/http_stop_test.cc).
  virtual ~StockOps() = default;

  // The journal head the stock figures reflect, read on the read pool: a
  // cheap proof that the database answers (GET /healthz).
  virtual void ReadHead(Done<v1::AsOf> done);
  virtual void GetAvailability(std::vector<std::string> skus,
                               Done<v1::GetAvailabilityResponse> done);
  // GetAvailability for the gRPC API, read straight into `reply`: on the
  // calling thread when a read connection is idle (a lookup costs less than
  // the hand-off to a reader and back), else on the read pool. `done` runs
  // on whichever thread read. REQUIRES: `skus` and `reply` stay alive and
  // untouched until `done` has run.
  virtual void GetAvailabilityInto(
      const google::protobuf::RepeatedPtrField<std::string>& skus,
      v1::GetAvailabilityResponse* reply,
      std::function<void(const Status&)> done);
  virtual void SearchProducts(const v1::SearchProductsRequest& request,
                              Done<v1::SearchProductsResponse> done);
  // Granted or refused (granted=false with the shortfall) is an OK answer;
  // errors are for bad input and storage failures. An order that already has
  // a hold with the same lines gets it back (replayed, with its first
  // expiry: a retry's recomputed expiry is not a conflict); with other
  // lines, ALREADY_EXISTS. Holds that are due expire first, in the same
  // transaction. Availability here is net of the escrow the store granted
  // central (storage/escrow_keeper.h): a local hold never takes escrowed
  // units, and a shortfall line reports available minus escrow.
  virtual void PlaceHold(const v1::PlaceHoldRequest& request,
                         Done<v1::PlaceHoldResponse> done);
  // The same for central's HoldRequest on the sync stream: the agent's own
  // client key (derived from the order_ref, so a repeated request replays).
  virtual void PlaceCentralHold(const v1::HoldPlaced& hold,
                                Done<v1::PlaceHoldResponse> done);
  // FAILED_PRECONDITION when the hold's state does not allow the action,
  // NOT_FOUND for an unknown order_ref.
  virtual void UpdateHold(const v1::UpdateHoldRequest& request,
                          Done<v1::GetHoldResponse> done);
  virtual void GetHold(const std::string& order_ref,
                       Done<v1::GetHoldResponse> done);
  virtual void ListHolds(const v1::ListHoldsRequest& request,
                         Done<v1::ListHoldsResponse> done);
  virtual void RecordStockEvent(const v1::RecordStockEventRequest& request,
                                Done<v1::RecordTransactionResponse> done);
  // The X or Z report of a business day (agent/day_report.h).
  virtual void GetDayReport(const v1::GetDayReportRequest& request,
                            Done<v1::GetDayReportResponse> done);
  // Replaces the catalog, all-or-nothing.
  virtual void ImportCatalog(std::vector<v1::Product> products,
                             int64_t first_row,
                             Done<v1::ImportCatalogResponse> done);
  // Appends HoldExpired for every open hold whose expires_at_us <= now;
  // answers how many expired. Run at start-up and by a timer.
  virtual void ExpireDueHolds(Done<int> done);

 private:
  void PlaceHoldAs(const v1::ClientKey& client_key, const v1::HoldPlaced& hold,
                   int64_t now, Done<v1::PlaceHoldResponse> done);
  // OK unless the disk reserve is reached.
  Status Admit() const;
  // Admit(), and the sync gate is open: for everything that journals.
  Status AdmitEvent() const;

  storage::AgentDatabase& db_;
  const Clock& clock_;
  const DiskGuard* disk_guard_;
  const SyncGate* sync_gate_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_STOCK_OPS_H_
