// The figures of a business day (the X and Z reports of docs/pos-api.md)
// computed from journal records, and the comparison of a POS's DailyClose
// with them. Pure functions over the protobuf messages, no I/O; the agent's
// close, its GetDayReport and the tests use the same code.
//
// What counts (docs/pos-api.md, "X and Z reports", is the reference):
//   * the caller hands in the records of one business day: those whose
//     business_day field names it (storage selects them);
//   * a sale or return counts on its day, voided or not: sale_count,
//     sales_amount (totals.total), return_count, returns_amount, and its
//     tenders and taxes; a sale's discounts count (discount_count,
//     discounts_amount);
//   * a post-void counts on the VOID's day, under the void's terminal and
//     operator: void_count, voids_amount (+total of a voided sale, -total of
//     a voided return), and the original's tenders and taxes taken back out;
//   * tenders per kind: net = tendered on sales - refunded on returns -
//     change given on sales + change given on returns, voids taken back
//     out; count = tenders on the day's sales and returns (voids do not
//     change it);
//   * taxes per rate, over lines that carry a tax: taxable = the line's
//     extended_amount - discounts (less the line's tax when the prices
//     include tax), tax = the line's tax; returns and voided sales subtract;
//   * no-sales count; daily closes, loyalty and stock events carry no
//     figures.
// All sums are int64 minor units; amounts stay within 10^12 per event, so a
// day cannot overflow.
#ifndef STOREAGENT_CORE_DAY_TOTALS_H_
#define STOREAGENT_CORE_DAY_TOTALS_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// The business_day field of a till transaction ("" when the POS sent none,
// or for a kind without one).
std::string_view TransactionDay(const v1::Transaction& txn);

// Accumulates one business day's records into the totals of the store (or
// of one terminal), and the same per terminal and per operator.
// Not thread-safe; cheap to copy.
class DayTotalsBuilder {
 public:
  // `terminal_id` empty: every terminal.
  DayTotalsBuilder(std::string business_day, std::string terminal_id);

  // The store's perpetual grand totals (docs/security.md, "Perpetual grand
  // totals"): every record of every day, continuing `so_far` (what Totals()
  // of a perpetual builder returned; empty for none). Keeps no per-terminal
  // or per-operator figures.
  static DayTotalsBuilder Perpetual(const v1::DayTotals& so_far);

  // Adds one record of the day. Records of another terminal than the
  // builder's are skipped, as are kinds without figures. `voided`: for a
  // post-void, the record it voids; nullptr when it is not in the journal
  // any more (pruned): the void is then counted with no amount.
  void Add(const v1::JournalRecord& record, const v1::JournalRecord* voided);

  // The figures of the builder's scope.
  v1::DayTotals Totals() const;
  // Per terminal (terminal order) and per operator (operator order; an
  // entry with an empty operator_id holds the events that named none).
  std::vector<v1::DayTotals> ByTerminal() const;
  std::vector<v1::DayTotals> ByOperator() const;

 private:
  struct Figures {
    int64_t sale_count = 0;
    int64_t sales_amount = 0;
    int64_t return_count = 0;
    int64_t returns_amount = 0;
    int64_t void_count = 0;
    int64_t voids_amount = 0;
    int64_t no_sale_count = 0;
    int64_t discount_count = 0;
    int64_t discounts_amount = 0;
    std::map<int, std::pair<int64_t, int64_t>> tenders;  // kind: net, count
    std::map<int, std::pair<int64_t, int64_t>> taxes;    // rate: taxable, tax
  };
  // Adds `txn`'s figures to `f`.
  void AddTo(Figures& f, const v1::Transaction& txn,
             const v1::JournalRecord* voided);
  v1::DayTotals ToProto(const Figures& f, const std::string& terminal,
                        const std::string& op) const;

  std::string day_;
  std::string terminal_;
  std::string currency_;     // of the first sale or return seen
  bool scope_only_ = false;  // Perpetual: no per-terminal/operator figures
  Figures all_;
  std::map<std::string, Figures> by_terminal_;
  std::map<std::string, Figures> by_operator_;
};

// The name of a tender kind in a CloseDifference figure: "CASH" for
// KIND_CASH.
std::string TenderKindName(v1::Tender::Kind kind);

// Every figure on which `pos` (a DailyClose as the POS sent it) and `agent`
// differ: per tender kind ("tender:CASH", net amount), per tax rate
// ("tax:2000.taxable", "tax:2000.tax") over the union of both sides (a side
// without the kind or rate counts 0), then "transaction_count". Empty when
// they agree.
std::vector<v1::CloseDifference> CompareClose(const v1::DailyClose& pos,
                                              const v1::DayTotals& agent);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_DAY_TOTALS_H_
