// The embedded ISO 4217 List One and the lookup over it.
#include "core/currency.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace storeagent::core {
namespace {

// Active alphabetic codes of ISO 4217 List One (currencies and funds), as
// amended up to 2026-01-01, sorted for binary search.
//
// Relative to the Debian iso-codes 4.15 table (List One of 2022), this
// removes codes ISO has since withdrawn: HRK (Croatia adopted EUR,
// 2023-01-01), SLL (replaced by SLE, 2024), ZWL (replaced by ZWG, 2024),
// ANG (replaced by XCG, 2025) and BGN (Bulgaria adopted EUR, 2026-01-01); and
// adds the new ZWG (Zimbabwe Gold), XCG (Caribbean guilder) and XAD (Arab
// Accounting Dinar).
//
// Updating: when ISO publishes an amendment, edit this array (keep it sorted;
// a static_assert below checks the order), change the date above and say so
// in the commit. A code withdrawn here makes the agent refuse new events in it.
constexpr std::array<std::string_view, 179> kActiveCodes = {
    "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD",
    "BDT", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP",
    "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP",
    "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
    "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
    "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR",
    "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR",
    "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD",
    "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
    "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND",
    "VUV", "WST", "XAD", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD",
    "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA", "XXX", "YER",
    "ZAR", "ZMW", "ZWG",
};

constexpr bool IsSortedAndUnique() {
  for (std::size_t i = 1; i < kActiveCodes.size(); ++i) {
    if (!(kActiveCodes[i - 1] < kActiveCodes[i])) return false;
  }
  return true;
}
static_assert(IsSortedAndUnique(), "kActiveCodes must be sorted, no repeats");

}  // namespace

bool IsActiveIso4217(std::string_view code) {
  if (code.size() != 3) return false;
  return std::binary_search(kActiveCodes.begin(), kActiveCodes.end(), code);
}

std::size_t ActiveIso4217Count() { return kActiveCodes.size(); }

}  // namespace storeagent::core
