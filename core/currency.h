// ISO 4217 currency codes: which alphabetic codes a Money may carry.
//
// The list is embedded (no I/O, no locale data) so the agent and central
// accept exactly the same codes. It is a snapshot of ISO 4217 List One; see
// currency.cc for its date and how to update it.
#ifndef STOREAGENT_CORE_CURRENCY_H_
#define STOREAGENT_CORE_CURRENCY_H_

#include <cstddef>
#include <string_view>

namespace storeagent::core {

// True when `code` is an active ISO 4217 alphabetic code, exactly as written
// in List One: three upper-case ASCII letters ("EUR"; "eur" is false).
// Includes the fund, precious-metal and special codes of List One (XAU, XDR,
// XTS, XXX ...). Thread-safe; O(log n).
bool IsActiveIso4217(std::string_view code);

// How many codes the embedded list holds (for tests and diagnostics).
std::size_t ActiveIso4217Count();

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_CURRENCY_H_
