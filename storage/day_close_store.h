// DayCloseStore: the day's close in the agent's database (docs/pos-api.md,
// "X and Z reports").
//
// * closed_days holds which terminals' business days are closed ('*': the
//   whole store), written in the same writer transaction as the close's
//   append, and on re-seed from central's copy of the journal;
// * a sale, return, post-void or no-sale dated a closed day of its terminal
//   is refused with FAILED_PRECONDITION (one indexed lookup per append);
// * a second close of a closed terminal and day answers the first;
// * the records of one day are read through the journal's business_day
//   index, for the close's own figures and for GetDayReport.
//
// Writer-thread functions say so; reads take any DbContext.
#ifndef STOREAGENT_STORAGE_DAY_CLOSE_STORE_H_
#define STOREAGENT_STORAGE_DAY_CLOSE_STORE_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/status.h"
#include "storage/journal_store.h"
#include "storage/writer.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::storage {

// closed_days.terminal_id of a whole-store close; '*' is not a client-key
// character, so no terminal can be called that.
inline constexpr std::string_view kWholeStoreTerminal = "*";

// The journal entries of one business day, seq order, and the records the
// day's post-voids void (by the voided client key).
struct DayRecords {
  std::vector<v1::JournalEntry> entries;
  std::map<std::pair<std::string, std::string>, v1::JournalRecord> voided;

  // The voided record of `void_record` (a post-void), nullptr when it is not
  // in the journal.
  const v1::JournalRecord* VoidedBy(const v1::JournalRecord& void_record) const;
};

class DayCloseStore {
 public:
  // The seq of the close that closed `terminal_id`'s `day`: its own close or
  // a whole-store close; with `whole_store_only`, a whole-store close only.
  // nullopt while open.
  static Result<std::optional<uint64_t>> ClosedBy(DbContext& ctx,
                                                  std::string_view day,
                                                  std::string_view terminal_id,
                                                  bool whole_store_only);

  // Runs after `record` was newly appended (seq and recorded_at set), in the
  // same writer transaction. A sale, return, post-void or no-sale dated a
  // closed day of its terminal: FAILED_PRECONDITION
  // "transaction.<kind>.business_day: terminal T's business day D is
  // closed (...)", so the command rolls back. A daily close: closes its
  // terminal's day (every terminal's when whole_store).
  static Status AfterAppend(DbContext& ctx, const v1::JournalRecord& record);

  // Remembers a journaled close in closed_days without refusing anything
  // (re-seed, rebuild). Other records are ignored. Writer thread.
  static Status Remember(DbContext& ctx, const v1::JournalRecord& record);

  // The records of `day` (journal.business_day) and the originals of its
  // post-voids. A read, in the caller's transaction if any.
  static Result<DayRecords> ReadDay(DbContext& ctx, const std::string& day);

  // Once per database (meta 'day_index'): gives journal rows written before
  // schema version 5 their business_day and rebuilds closed_days from the
  // journal's closes. Writer thread.
  static Status BuildIndexOnce(DbContext& ctx);
};

// Records a POS's DailyClose (writer thread, inside a command). When the
// terminal's day (or, whole_store, the store's) is already closed, answers
// that close (its seq and hash, replayed = true) and writes nothing.
// Otherwise computes the agent's own figures for the terminal (or store) and
// day from the journal (core::DayTotalsBuilder), writes them and the
// differences (core::CompareClose) into the record and appends it through
// AppendEvent, which closes the day in the same transaction.
Result<AppendResult> AppendDailyClose(DbContext& ctx, JournalStore& journal,
                                      v1::JournalRecord record);

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_DAY_CLOSE_STORE_H_
