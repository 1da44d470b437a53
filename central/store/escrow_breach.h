// Escrow breaches that name the orders they leave uncovered (docs/central.md,
// "Breaches and orders at risk"). Written once over the SQL seam; each
// function runs inside the caller's transaction, so what it records commits
// with the event it comes from.
//
// Central keeps `escrow_holds`: the lines of the escrow holds it granted that
// still count against the store's escrow (the rule of escrow_book.h's
// PendingEscrowHolds, kept as rows): a line counts from its grant until a
// hold_cancel for the order, or until the store has journaled the order's
// hold at seq P and then announced the line's SKU's escrow after P.
//
// The agent flags an EscrowChanged as a breach whenever a movement takes a
// SKU's available below the escrow it announced; it cannot know whether
// central promised any of those units (the grants reach it later). Central
// does know, so a breach is recorded only when it uncovers a grant: the
// SKU's counting lines, in grant order (central_seq), keep what the store
// has left (the line's quantity) until one no longer fits; that line's
// order and every later-granted one are uncovered. An uncovered order is
// named by the breach (latest granted first) and marked at risk until the
// store collects, picks, cancels or expires it, central cancels it, or a
// later escrow announcement covers it again.
#ifndef STOREAGENT_CENTRAL_STORE_ESCROW_BREACH_H_
#define STOREAGENT_CENTRAL_STORE_ESCROW_BREACH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "central/store/sql_seam.h"
#include "platform/status.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central::escrow {

// A central event was recorded at central_seq: an escrow hold starts
// counting its lines, a hold cancel stops them and resolves the order's
// at-risk mark ("cancelled"). Other kinds: nothing.
Status OnCentralEvent(SqlTx& tx, const std::string& store_id,
                      uint64_t central_seq, const v1::CentralEvent& event,
                      int64_t now_us);

// An applied store record at `seq`, ingested at now_us: a hold placed, an
// escrow change (the store's escrow, breaches and their orders, covers),
// and a hold's end (resolves its at-risk mark). Returns the breach rows
// added (one per SKU line that uncovered a grant).
Result<int64_t> OnStoreRecord(SqlTx& tx, const std::string& store_id,
                              uint64_t seq, const v1::JournalRecord& record,
                              int64_t now_us);

// The named orders of the breach rows in `out` (order_refs, at_risk),
// filled in place.
Status FillBreachOrders(SqlTx& tx, v1::ListQuarantineResponse& out);

// At-risk orders of one store (or every store: empty store_id), newest
// mark first, at most `limit`; with unresolved_only, only those still at
// risk.
Result<std::vector<v1::AtRiskOrder>> ListAtRisk(SqlTx& tx,
                                                const std::string& store_id,
                                                bool unresolved_only,
                                                int64_t limit);

}  // namespace storeagent::central::escrow

#endif  // STOREAGENT_CENTRAL_STORE_ESCROW_BREACH_H_
