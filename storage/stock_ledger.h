// StockLedger: the materialised stock figures and holds, kept in step with
// the journal.
//
// Apply() runs in the writer's transaction right after an event is appended,
// so a reader never sees an event without its effect or an effect without
// its event. The figures come from core::StockEffectsOf, the one rule the
// agent, the rebuild and central share.
//
// On the store, counts never have deltas after their watermark at the moment
// they are applied (S is the count's own seq, C the latest central event
// applied), so a count sets on_hand to the counted figure.
#ifndef STOREAGENT_STORAGE_STOCK_LEDGER_H_
#define STOREAGENT_STORAGE_STOCK_LEDGER_H_

#include <optional>
#include <string>
#include <vector>

#include "core/stock_rule.h"
#include "platform/status.h"
#include "storage/writer.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::storage {

class StockLedger {
 public:
  // Applies the stock effects of `record` (seq set). Writer thread.
  // `touched`, when given, receives every SKU whose figures changed.
  // An EscrowChanged record sets the `escrow` table's lines.
  static Status Apply(DbContext& ctx, const v1::JournalRecord& record,
                      std::vector<std::string>* touched = nullptr);

  // Applies head office's event by core::CentralEffectsOf (movements only;
  // other kinds have no stock effect): on_hand unless the SKU's last count
  // already covers the event's central_seq, unavailable always (the rule of
  // core::StockReplay::ApplyCentral). Writer thread.
  static Status ApplyCentral(DbContext& ctx, const v1::CentralEvent& event,
                             std::vector<std::string>* touched = nullptr);

  // Escrow the store granted central for `sku` (0 when none). Any context.
  static Result<int64_t> Escrow(DbContext& ctx, const std::string& sku);

  // Figures for `skus`, in order (zeros for a SKU never seen). Any context.
  static Result<std::vector<v1::SkuAvailability>> Figures(
      DbContext& ctx, const std::vector<std::string>& skus);
  // The same, appended to `out` (on its arena, when it has one).
  static Status AppendFigures(
      DbContext& ctx,
      const google::protobuf::RepeatedPtrField<std::string>& skus,
      google::protobuf::RepeatedPtrField<v1::SkuAvailability>* out);

  static Result<std::optional<v1::Hold>> GetHold(DbContext& ctx,
                                                 const std::string& order_ref);
  // HOLD_STATE_UNSPECIFIED lists open holds (HELD, PICKED). Oldest expiry
  // first.
  static Result<std::vector<v1::Hold>> ListHolds(DbContext& ctx,
                                                 v1::HoldState state,
                                                 int limit);
  // Open holds whose expires_at_us <= now, oldest first.
  static Result<std::vector<v1::Hold>> DueHolds(DbContext& ctx, int64_t now_us,
                                                int limit);

  // The last central_seq applied (0 until sync applies central events).
  static Result<uint64_t> CentralWatermark(DbContext& ctx);

  // The journal head as seen by this connection's current snapshot.
  static Result<uint64_t> SnapshotHead(DbContext& ctx);
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_STOCK_LEDGER_H_
