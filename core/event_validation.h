// Validation of what the POS hands the agent: client keys, transactions and
// loyalty signals, against the rules and limits of the contract
// (proto/storeagent/v1/events.proto, core/limits.h).
//
// Invariant 6 of the design: bad input gets a clear error and changes
// nothing. The agent calls these before anything is written; central calls
// the same functions on ingest, so the two cannot disagree. Pure functions,
// no I/O, thread-safe.
//
// Every refusal is INVALID_ARGUMENT with a message "<field path>: <what is
// wrong> (<limit>)", e.g. "transaction.sale.lines: 501 lines, too many (max
// 500)". Only the first problem found is reported. Messages never echo free
// text; they may echo numbers and currency codes.
#ifndef STOREAGENT_CORE_EVENT_VALIDATION_H_
#define STOREAGENT_CORE_EVENT_VALIDATION_H_

#include <string_view>

#include "platform/status.h"
#include "storeagent/v1/common.pb.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// Whether a validator walks the strings for CheckFreeText itself, or a
// caller holding the message's bytes already found they pass with
// TextPassesOnTheWire (core/text_checks.h); the other rules run either way.
enum class FreeText { kCheck, kPassedOnTheWire };

// A client key as the POS sends it: terminal_id and client_txn_id each
// 1..64 characters of [A-Za-z0-9._:-], and no card number. `field` is the
// path of the key in the caller's message, e.g. "client_key" gives
// "client_key.terminal_id: required (1..64 characters of [A-Za-z0-9._:-])".
Status ValidateClientKey(const v1::ClientKey& key, std::string_view field,
                         FreeText text = FreeText::kCheck);

// A client key sent by a caller that records something (POS, staff, CLI):
// ValidateClientKey, and the terminal_id may not start with
// kAgentTerminalPrefix, which is reserved for the agent's own events (hold
// expiries), so no caller can collide with them.
Status ValidateCallerClientKey(const v1::ClientKey& key,
                               std::string_view field);

// A till transaction as the POS sends it. Paths start with "transaction.".
//
// Exactly one kind. Sale and Return: 1..500 lines and 1..20 tenders; one
// currency, that of totals.total, an active ISO 4217 code, used by every
// Money; lines with sku, unit, quantity in the unit's range, unit price
// 0..10^12, extended amount that matches quantity x unit price (MILLI:
// rounded half up, one minor unit of tolerance), at most 10 positive
// discounts not exceeding the line, tax rate 0..10000 bp; totals that add up
// (subtotal, tax, total, tenders - change); change only with a cash tender;
// restock only on returns; a price_reason a known PriceReason, on sale lines
// only; a price_deviation (the agent's) of a known kind and reason; a return
// names its original. A sale's channel
// is a known SalesChannel, its member a card number (6..32 digits) or a
// 32-byte pseudonym, its order_ref 0..64 characters. A return's original:
// channel empty or one of kOriginalChannels, business_day a date or empty,
// sold_at_us >= 0. PostVoid: the original's valid client key and a reason
// of 1..128 characters. DailyClose: a business day, at most 20 tender and
// 20 tax totals, one per kind / rate, and no agent_totals or differences
// (set by the agent; central clears them before it checks a journaled
// close, central/store/ingest_validation.cc).
// Every business_day present is a real date YYYY-MM-DD. Finally every string
// passes CheckFreeText (core/text_checks.h).
Status ValidateTransaction(const v1::Transaction& txn,
                           FreeText text = FreeText::kCheck);

// A transaction as the POS sends it: ValidateTransaction, every kind names
// its business day (docs/pos-api.md: "a real date"), and a sale carries none
// of the agent's price check (price_deviation, price_book_central_seq). The
// agent applies this to new events; central keeps ValidateTransaction, so
// events journaled before the rule (an empty business_day) still ingest.
Status ValidatePosTransaction(const v1::Transaction& txn);

// A loyalty signal as the POS sends it. Paths start with "signal.".
//
// Exactly one kind; a member identified by card_number (6..32 digits), never
// by pseudonym (set by the agent); enrolment with consent to the loyalty
// programme and no sealed_contact (set by the agent); points 1..1,000,000;
// consent_changed with consent; optional client keys valid. Every string
// passes CheckFreeText.
Status ValidateLoyaltySignal(const v1::LoyaltySignal& sig);

// True when `text` is "YYYY-MM-DD" naming a real day of the proleptic
// Gregorian calendar, year 0001..9999 ("2024-02-29" yes, "2026-02-30" no).
bool IsBusinessDay(std::string_view text);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_EVENT_VALIDATION_H_
