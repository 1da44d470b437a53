// The embedded ISO 4217 list: active codes accepted, withdrawn and malformed
// ones refused.
#include "core/currency.h"

#include <gtest/gtest.h>

#include <string>

namespace storeagent::core {
namespace {

TEST(Currency, ActiveCodes) {
  for (const char* code :
       {"EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN",
        "CZK", "HUF", "RON", "CAD", "AUD", "NZD", "CNY", "INR", "BRL",
        "MXN", "ZAR", "BHD", "KWD", "CLF", "AED", "AFN", "ZMW", "XOF",
        "XAF", "XPF", "XCD", "XDR", "XAU", "XTS", "XXX"}) {
    EXPECT_TRUE(IsActiveIso4217(code)) << code;
  }
}

TEST(Currency, RecentAmendments) {
  // Introduced: Sierra Leone 2022, Venezuela 2021, Zimbabwe Gold 2024,
  // Caribbean guilder 2025, Arab Accounting Dinar 2025.
  for (const char* code :
       {"SLE", "VED", "VES", "ZWG", "XCG", "XAD", "MRU", "STN", "BYN", "UYW"}) {
    EXPECT_TRUE(IsActiveIso4217(code)) << code;
  }
  // Withdrawn, some long ago, some recently.
  for (const char* code :
       {"HRK", "SLL", "ZWL", "ANG", "BGN", "VEF", "MRO", "STD", "BYR", "LTL",
        "LVL", "EEK", "DEM", "FRF", "ITL", "ESP", "NLG", "XEU", "ZWD", "TRL"}) {
    EXPECT_FALSE(IsActiveIso4217(code)) << code;
  }
}

TEST(Currency, MalformedCodes) {
  for (const std::string& code :
       {std::string(""), std::string("E"), std::string("EU"),
        std::string("EURO"), std::string("eur"), std::string("Eur"),
        std::string(" EUR"), std::string("EUR "), std::string("E R"),
        std::string("EUR\0", 4), std::string("XYZ"), std::string("AAA"),
        std::string("ZZZ"), std::string("123")}) {
    EXPECT_FALSE(IsActiveIso4217(code)) << '"' << code << '"';
  }
}

TEST(Currency, ListSize) {
  // ISO 4217 List One as embedded; change with the list, on purpose.
  EXPECT_EQ(ActiveIso4217Count(), 179u);
}

}  // namespace
}  // namespace storeagent::core
