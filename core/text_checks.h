// Checks on the text a POS sends: no card numbers, no control characters,
// well-formed UTF-8, and each string field within its length limit.
//
// Invariant 7 of the design (no card data): a primary account number is never
// stored, so a Luhn-valid run of 13..19 digits in any text field is refused.
// These are pure functions over protobuf messages (reflection only, no I/O);
// every one is thread-safe.
#ifndef STOREAGENT_CORE_TEXT_CHECKS_H_
#define STOREAGENT_CORE_TEXT_CHECKS_H_

#include <google/protobuf/message.h>

#include <cstddef>
#include <string_view>

#include "platform/status.h"

namespace storeagent::core {

// Full names of the string fields that CheckText treats specially.
// A loyalty card number may be Luhn-valid; it must be 6..32 digits instead.
inline constexpr std::string_view kLoyaltyCardNumberField =
    "storeagent.v1.LoyaltyMember.card_number";
// A barcode. A well-formed GTIN (8, 12, 13 or 14 digits with a correct GS1
// check digit) is not scanned for card numbers: about one EAN-13 in ten is
// also Luhn-valid, and the till must be able to sell it. Any other value is
// scanned like free text.
inline constexpr std::string_view kGtinField =
    "storeagent.v1.TransactionLine.gtin";

// True when `text` holds a run of 13..19 digits that passes the Luhn check.
// A digit is any Unicode decimal digit (general category Nd: ASCII, the
// full-width forms, Arabic-Indic, Devanagari, ...), by its value. Digit
// groups joined by up to kMaxPanSeparatorRun separator characters in a row
// are one run: spaces of any kind (no-break, thin, figure, ideographic),
// zero-width characters, hyphens and dashes, '.', '/', '_', and their
// full-width forms. Any other character ends the run. Inside a longer run
// every window of 13..19 consecutive digits is checked. `text` need not be
// valid UTF-8 (a bad byte ends the run).
bool ContainsPan(std::string_view text);

// The rule for identifiers (client keys, receipt numbers, order references;
// kIdentifierFields): true when a run of digits with no separator inside
// holds a Luhn-valid window of 13..19 digits, or when the whole value is a
// card number laid out as cards are printed: 13..19 digits passing Luhn in
// groups of 4 with a last group of 1..4 ("4111-1111-1111-1111"), or 4-6-4
// / 4-6-5 ("3782 822463 10005"), with any separators. Digit groups of other
// lengths are never joined, so "2026-11-22-000486" is an identifier, not a
// card number.
bool ContainsPanInIdentifier(std::string_view text);

// Full names of the string fields checked by ContainsPanInIdentifier
// instead of ContainsPan.
bool IsIdentifierField(std::string_view field_full_name);

// True when `digits` (ASCII digits only) passes the Luhn mod-10 check.
// False for an empty string or any non-digit.
bool PassesLuhn(std::string_view digits);

// True when `text` is a GTIN-8, -12, -13 or -14 with a correct GS1 check
// digit.
bool IsWellFormedGtin(std::string_view text);

// True when `text` is well-formed UTF-8: no stray continuation bytes, no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

// Number of code points in `text`. REQUIRES: IsValidUtf8(text).
std::size_t Utf8Length(std::string_view text);

// The most characters a string field may hold, by the field's full proto
// name (e.g. "storeagent.v1.TransactionLine.sku" -> kMaxSkuLength). Fields
// not in the table get kMaxFreeTextLength. See core/limits.h.
std::size_t MaxTextLength(std::string_view field_full_name);

// Checks one string value of the field `field_full_name`, reporting errors
// at `path`. In order: well-formed UTF-8; no control character (bytes
// 0x00..0x1F and 0x7F); at most MaxTextLength characters; no card number
// (ContainsPan, or ContainsPanInIdentifier for an identifier field), except
// that kLoyaltyCardNumberField must be 6..32 digits and a well-formed GTIN in
// kGtinField is not scanned. The value itself never
// appears in the error message.
Status CheckText(std::string_view value, std::string_view field_full_name,
                 std::string_view path);

// Runs CheckText on every string field set in `msg`, recursively through
// nested messages and repeated fields, in field-number order. Paths are
// `root` followed by field names and indexes, e.g. with root "transaction":
// "transaction.sale.lines[3].description". An empty root starts the path at
// the field name. `bytes` fields are not text and are skipped, as are unknown
// fields. Returns the first error, INVALID_ARGUMENT "<path>: <what> (<limit>)".
Status CheckFreeText(const google::protobuf::Message& msg,
                     std::string_view root);

// CheckFreeText's rules over a message's serialized bytes instead of the
// parsed message, without reflection: true when every string field of
// `type` in `bytes`, at any depth, passes CheckText. Stricter, never
// looser, than CheckFreeText on the message the bytes parse to: every
// occurrence on the wire is checked (a parse keeps the last of a repeated
// singular field), and odd bytes (a group, a truncated field) answer false.
// So true means CheckFreeText would pass, and false means ask it, for the
// verdict and the field's path. Central scans each record it ingests so
// (a reflective walk cost a seventh of its CPU in a catch-up).
bool TextPassesOnTheWire(const google::protobuf::Descriptor& type,
                         std::string_view bytes);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_TEXT_CHECKS_H_
