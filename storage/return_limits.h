// ReturnLimits: a return cannot take back more than its original sold.
//
// returned_units (schema version 6) holds, per sale of this store's journal
// and per (SKU, unit), the units the returns naming that sale by client key
// took back; a post-void of such a return gives them back. The rule
// (docs/pos-api.md, "Returns"): a return whose original is a sale of this
// store's journal, named by client key (and no store_id), may take back per
// SKU and unit at
// most what the sale sold less what earlier returns took; a return of a
// post-voided sale is refused. A return naming another store's sale, an
// online order, a pruned sale or a receipt number only is not checked (the
// store does not hold the original).
#ifndef STOREAGENT_STORAGE_RETURN_LIMITS_H_
#define STOREAGENT_STORAGE_RETURN_LIMITS_H_

#include "platform/status.h"
#include "storage/writer.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::storage {

class ReturnLimits {
 public:
  // After `record` was newly appended, in the same writer transaction. A
  // return naming a sale of this journal by client key (original.store_id
  // empty: this store): checked, then counted;
  // over the limit: FAILED_PRECONDITION naming
  // "transaction.return.lines[i].quantity" with the figures, so the command
  // rolls back. A post-void of a counted return: its units given back.
  // Anything else: nothing.
  static Status AfterAppend(DbContext& ctx, const v1::JournalRecord& record);

  // Counts a journaled return (or gives back for a post-void) without
  // refusing anything: re-seed, and the index built once. Writer thread.
  static Status Remember(DbContext& ctx, const v1::JournalRecord& record);

  // Once per database (meta 'returned_index'): counts the returns and
  // post-voids journaled before schema version 6. Writer thread.
  static Status BuildIndexOnce(DbContext& ctx);
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_RETURN_LIMITS_H_
