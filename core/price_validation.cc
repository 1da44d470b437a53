// The rules of price.proto (core/price_validation.h) against core/limits.h.
#include "core/price_validation.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/currency.h"
#include "core/limits.h"
#include "core/text_checks.h"
#include "core/validation_util.h"

namespace storeagent::core {
namespace {

using validation::CheckCount;
using validation::CheckRange;
using validation::CheckString;
using validation::Error;
using validation::Num;

std::string Indexed(std::string_view path, std::int64_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

// min..max characters of [A-Za-z0-9._:-], and not a card number by the rule
// for identifiers: a sale charged off the list names it
// (PriceDeviation.price_list_id), and central would quarantine that sale.
Status CheckId(const std::string& id, const std::string& path, std::size_t min,
               std::size_t max) {
  const std::string allowed =
      " characters of " + std::string(kClientKeyIdCharset);
  if (id.size() < min) {
    return Error(path,
                 "required (" + Num(min) + ".." + Num(max) + allowed + ")");
  }
  if (id.size() > max) {
    return Error(path, "too long, " + Num(id.size()) + " characters (max " +
                           Num(max) + ")");
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (!IsIdChar(id[i])) {
      return Error(path, "character at position " + Num(i) +
                             " not allowed (only" + allowed + ")");
    }
  }
  if (ContainsPanInIdentifier(id)) {
    return Error(path,
                 "looks like a payment card number (13..19 digits passing "
                 "the Luhn check, by the rule for identifiers)");
  }
  return Status::Ok();
}

Status CheckVersion(std::uint64_t version, const std::string& path) {
  if (version == 0 || version > static_cast<std::uint64_t>(
                                    std::numeric_limits<std::int64_t>::max())) {
    return Error(path, Num(version) + " out of range (1..2^63-1)");
  }
  return Status::Ok();
}

Status CheckCurrencyCode(const std::string& code, const std::string& path) {
  if (code.empty()) return Error(path, "required (an ISO 4217 code)");
  if (!IsActiveIso4217(code)) {
    return Error(path, "\"" + code + "\" is not an active ISO 4217 code");
  }
  return Status::Ok();
}

Status CheckScope(const v1::PriceScope& scope, bool present,
                  const std::string& path) {
  const char* kOneOf = "exactly one of store_ids, region, all_stores";
  if (!present) return Error(path, std::string("required (") + kOneOf + ")");
  const int set = (scope.store_ids_size() > 0 ? 1 : 0) +
                  (scope.region().empty() ? 0 : 1) +
                  (scope.all_stores() ? 1 : 0);
  if (set != 1) {
    return Error(path,
                 std::string(kOneOf) + " must be set, " + Num(set) + " are");
  }
  STOREAGENT_RETURN_IF_ERROR(CheckCount(scope.store_ids_size(), 0,
                                        kMaxPriceScopeStores,
                                        path + ".store_ids", "store ids"));
  std::unordered_set<std::string_view> seen;
  for (int i = 0; i < scope.store_ids_size(); ++i) {
    const std::string p = Indexed(path + ".store_ids", i);
    STOREAGENT_RETURN_IF_ERROR(
        CheckId(scope.store_ids(i), p, 1, kMaxStoreIdLength));
    if (!seen.insert(scope.store_ids(i)).second) {
      return Error(p, "store \"" + scope.store_ids(i) + "\" named twice");
    }
  }
  if (!scope.region().empty()) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckId(scope.region(), path + ".region", 0, kMaxRegionLength));
  }
  return Status::Ok();
}

Status CheckWindow(std::int64_t from_us, std::int64_t to_us,
                   const std::string& path) {
  if (from_us < 0) {
    return Error(path + "effective_from_us",
                 Num(from_us) + " is negative (0: since always)");
  }
  if (to_us != 0 && to_us < from_us) {
    return Error(path + "effective_to_us", Num(to_us) +
                                               " is before effective_from_us " +
                                               Num(from_us) + " (0: no end)");
  }
  return Status::Ok();
}

// A SKU set or list: each 1..64 characters, named once. Add checks each
// SKU as it comes; Repeats, called once all are added, finds one named
// twice (sorting views of them: no allocation per SKU, which mattered for
// GetPrices' 50 SKUs per call and a 100,000-entry list alike).
class UniqueSkus {
 public:
  // `list` names the SKUs' field ("skus"), `suffix` what follows an index
  // in a path ("" or ".sku").
  UniqueSkus(int n, std::string_view list, std::string_view suffix)
      : list_(list), suffix_(suffix) {
    seen_.reserve(static_cast<std::size_t>(n));
  }
  Status Add(const std::string& sku, int i) {
    if (!CheckString(sku, std::string(), kMinSkuLength, kMaxSkuLength).ok()) {
      // Again with the path, for the message: only a refused SKU pays it.
      return CheckString(sku, Path(i), kMinSkuLength, kMaxSkuLength);
    }
    seen_.emplace_back(sku, i);
    return Status::Ok();
  }
  // The first SKU (in the list's order) named earlier in it, if any.
  Status Repeats() {
    std::sort(seen_.begin(), seen_.end());
    int first_repeat = -1;
    std::string_view repeated;
    for (std::size_t k = 1; k < seen_.size(); ++k) {
      if (seen_[k].first == seen_[k - 1].first &&
          (first_repeat < 0 || seen_[k].second < first_repeat)) {
        first_repeat = seen_[k].second;
        repeated = seen_[k].first;
      }
    }
    if (first_repeat < 0) return Status::Ok();
    return Error(Path(first_repeat),
                 "SKU \"" + std::string(repeated) + "\" named twice");
  }

 private:
  std::string Path(int i) const {
    return Indexed(list_, i) + std::string(suffix_);
  }
  std::string_view list_;
  std::string_view suffix_;
  std::vector<std::pair<std::string_view, int>> seen_;
};

Status CheckEntry(const v1::PriceEntry& e, int i, const std::string& path,
                  const std::string& currency, UniqueSkus* skus) {
  STOREAGENT_RETURN_IF_ERROR(skus->Add(e.sku(), i));
  if (e.unit() != v1::UNIT_OF_MEASURE_EACH &&
      e.unit() != v1::UNIT_OF_MEASURE_MILLI) {
    return Error(path + ".unit", "required (EACH or MILLI)");
  }
  if (!e.has_unit_price()) return Error(path + ".unit_price", "required");
  if (e.unit_price().currency() != currency) {
    return Error(path + ".unit_price.currency",
                 "differs from the list's currency \"" + currency + "\"");
  }
  return CheckRange(e.unit_price().minor_units(), kMinAmountMinorUnits,
                    kMaxAmountMinorUnits, path + ".unit_price", " minor units");
}

Status CheckKind(const v1::Promotion& p) {
  switch (p.kind_case()) {
    case v1::Promotion::kPercentOff:
      return CheckRange(p.percent_off().basis_points(), kMinPercentOffBp,
                        kMaxPercentOffBp, "promotion.percent_off.basis_points");
    case v1::Promotion::kAmountOff: {
      const std::string path = "promotion.amount_off.amount";
      if (!p.amount_off().has_amount()) return Error(path, "required");
      STOREAGENT_RETURN_IF_ERROR(CheckCurrencyCode(
          p.amount_off().amount().currency(), path + ".currency"));
      return CheckRange(p.amount_off().amount().minor_units(), 1,
                        kMaxAmountMinorUnits, path, " minor units");
    }
    case v1::Promotion::kMultiBuy: {
      const v1::MultiBuy& m = p.multi_buy();
      STOREAGENT_RETURN_IF_ERROR(CheckRange(m.buy(), kMinMultiBuyBuy,
                                            kMaxMultiBuyBuy,
                                            "promotion.multi_buy.buy"));
      return CheckRange(m.pay(), kMinMultiBuyPay, m.buy() - 1,
                        "promotion.multi_buy.pay", ", less than buy");
    }
    case v1::Promotion::KIND_NOT_SET:
      break;
  }
  return Error("promotion.kind",
               "exactly one of percent_off, amount_off, multi_buy is required");
}

}  // namespace

Status ValidatePriceList(const v1::PriceList& list) {
  STOREAGENT_RETURN_IF_ERROR(CheckId(list.id(), "price_list.id",
                                     kMinPriceIdLength, kMaxPriceIdLength));
  STOREAGENT_RETURN_IF_ERROR(
      CheckVersion(list.version(), "price_list.version"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckCurrencyCode(list.currency(), "price_list.currency"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckScope(list.scope(), list.has_scope(), "price_list.scope"));
  STOREAGENT_RETURN_IF_ERROR(CheckWindow(
      list.effective_from_us(), list.effective_to_us(), "price_list."));
  STOREAGENT_RETURN_IF_ERROR(CheckCount(list.entries_size(), 0,
                                        kMaxPriceListEntries,
                                        "price_list.entries", "entries"));
  UniqueSkus skus(list.entries_size(), "price_list.entries", ".sku");
  for (int i = 0; i < list.entries_size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(CheckEntry(list.entries(i), i,
                                          Indexed("price_list.entries", i),
                                          list.currency(), &skus));
  }
  return skus.Repeats();
}

Status ValidatePromotion(const v1::Promotion& promotion) {
  const v1::Promotion& p = promotion;
  STOREAGENT_RETURN_IF_ERROR(
      CheckId(p.id(), "promotion.id", kMinPriceIdLength, kMaxPriceIdLength));
  STOREAGENT_RETURN_IF_ERROR(CheckVersion(p.version(), "promotion.version"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckScope(p.scope(), p.has_scope(), "promotion.scope"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckWindow(p.effective_from_us(), p.effective_to_us(), "promotion."));
  STOREAGENT_RETURN_IF_ERROR(CheckCount(p.skus_size(), kMinPromotionSkus,
                                        kMaxPromotionSkus, "promotion.skus",
                                        "SKUs"));
  UniqueSkus skus(p.skus_size(), "promotion.skus", "");
  for (int i = 0; i < p.skus_size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(skus.Add(p.skus(i), i));
  }
  STOREAGENT_RETURN_IF_ERROR(skus.Repeats());
  STOREAGENT_RETURN_IF_ERROR(CheckKind(p));
  return CheckString(p.description(), "promotion.description", 0,
                     kMaxPromotionDescriptionLength);
}

Status ValidateGetPricesRequest(const v1::GetPricesRequest& request) {
  STOREAGENT_RETURN_IF_ERROR(CheckCount(request.skus_size(),
                                        kMinSkusPerPriceCall,
                                        kMaxSkusPerPriceCall, "skus", "SKUs"));
  UniqueSkus skus(request.skus_size(), "skus", "");
  for (int i = 0; i < request.skus_size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(skus.Add(request.skus(i), i));
  }
  STOREAGENT_RETURN_IF_ERROR(skus.Repeats());
  if (request.at_us() < 0) {
    return Error("at_us", Num(request.at_us()) + " is negative (0: now)");
  }
  if (!request.has_member()) return Status::Ok();
  const v1::LoyaltyMember& m = request.member();
  switch (m.id_case()) {
    case v1::LoyaltyMember::kCardNumber:
      return CheckText(m.card_number(), kLoyaltyCardNumberField,
                       "member.card_number");
    case v1::LoyaltyMember::kPseudonym:
      if (m.pseudonym().size() != kPseudonymBytes) {
        return Error("member.pseudonym", Num(m.pseudonym().size()) +
                                             " bytes (must be " +
                                             Num(kPseudonymBytes) + ")");
      }
      return Status::Ok();
    case v1::LoyaltyMember::ID_NOT_SET:
      break;
  }
  return Error("member", "card_number (" + Num(kMinLoyaltyCardDigits) + ".." +
                             Num(kMaxLoyaltyCardDigits) +
                             " digits) or pseudonym (" + Num(kPseudonymBytes) +
                             " bytes) required");
}

}  // namespace storeagent::core
