// The rules of stock.proto and availability.proto: movements, counts,
// click-and-collect holds, availability queries and catalog imports, against
// the limits of core/limits.h. Every string is checked for length, UTF-8,
// control characters and card numbers (core/text_checks.h); error messages
// never echo free text, only numbers, currency codes and SKUs that passed
// those checks.
#include "core/stock_validation.h"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/currency.h"
#include "core/limits.h"
#include "core/text_checks.h"
#include "core/validation_util.h"

namespace storeagent::core {
namespace {

using google::protobuf::RepeatedPtrField;

std::string Indexed(std::string_view path, std::int64_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

using validation::CheckCount;
using validation::CheckRange;
using validation::CheckString;
using validation::Error;
using validation::Num;

Status CheckOperatorId(const std::string& id, const std::string& path) {
  return CheckString(id, path, 0, kMaxOperatorIdLength);
}

// The SKUs of a list of lines: each 1..64 characters and named once.
class UniqueSkus {
 public:
  // `list` is how a line is named in a duplicate message ("lines").
  UniqueSkus(int lines, std::string_view list) : list_(list) {
    first_.reserve(static_cast<std::size_t>(lines));
  }

  // The SKU of line `i`, whose path is `line_path` ("movement.lines[3]").
  Status Add(const std::string& sku, int i, const std::string& line_path) {
    const std::string path = line_path + ".sku";
    STOREAGENT_RETURN_IF_ERROR(
        CheckString(sku, path, kMinSkuLength, kMaxSkuLength));
    const auto [it, inserted] = first_.emplace(sku, i);
    if (!inserted) {
      return Error(path, "duplicate of " + Indexed(list_, it->second) +
                             ".sku (one line per SKU)");
    }
    return Status::Ok();
  }

 private:
  std::string_view list_;
  std::unordered_map<std::string_view, int> first_;
};

// ---- Movements and counts ---------------------------------------------------

// The sign a reason allows: +1 positive, -1 negative, 0 either.
struct ReasonRule {
  const char* name;
  int sign;
};

bool RuleOf(v1::StockMovement::Reason reason, ReasonRule* rule) {
  switch (reason) {
    case v1::StockMovement::REASON_RECEIPT:
      *rule = {"RECEIPT", +1};
      return true;
    case v1::StockMovement::REASON_TRANSFER_OUT:
      *rule = {"TRANSFER_OUT", -1};
      return true;
    case v1::StockMovement::REASON_TRANSFER_IN:
      *rule = {"TRANSFER_IN", +1};
      return true;
    case v1::StockMovement::REASON_SHRINK:
      *rule = {"SHRINK", -1};
      return true;
    case v1::StockMovement::REASON_CORRECTION:
      *rule = {"CORRECTION", 0};
      return true;
    case v1::StockMovement::REASON_QUALITY_HOLD:
      *rule = {"QUALITY_HOLD", 0};
      return true;
    default:  // REASON_UNSPECIFIED, or a value this build does not know
      return false;
  }
}

Status CheckDelta(std::int64_t q, const ReasonRule& rule,
                  const std::string& path) {
  const std::string max = Num(kMaxStockQuantity);
  if (q == 0) {
    return Error(path, "must be non-zero (-" + max + ".." + max + ", not 0)");
  }
  if (q < -kMaxStockQuantity || q > kMaxStockQuantity) {
    return Error(path,
                 Num(q) + " out of range (-" + max + ".." + max + ", not 0)");
  }
  if (rule.sign > 0 && q < 0) {
    return Error(path, Num(q) + " must be positive for " + rule.name + " (1.." +
                           max + ")");
  }
  if (rule.sign < 0 && q > 0) {
    return Error(path, Num(q) + " must be negative for " + rule.name + " (-" +
                           max + "..-1)");
  }
  return Status::Ok();
}

// ---- Holds ------------------------------------------------------------------

bool IsOrderRefChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
         c == '/' || c == '#' || c == '-';
}

Status CheckExpiry(std::int64_t expires_at_us, std::int64_t now_us,
                   const std::string& path) {
  const std::string window =
      "later than now and at most " + Num(kMaxHoldDurationUs) + " us ahead";
  if (expires_at_us == 0) {
    return Error(path, "required (us since epoch, " + window + ")");
  }
  if (expires_at_us <= now_us) {
    return Error(path, Num(expires_at_us) + " is not later than now (" +
                           Num(now_us) + ")");
  }
  // expires > now, so the difference fits an unsigned 64-bit value exactly.
  const std::uint64_t ahead = static_cast<std::uint64_t>(expires_at_us) -
                              static_cast<std::uint64_t>(now_us);
  if (ahead > static_cast<std::uint64_t>(kMaxHoldDurationUs)) {
    return Error(path, Num(expires_at_us) + " is " + Num(ahead) +
                           " us after now, too far (max " +
                           Num(kMaxHoldDurationUs) + " us, 30 days)");
  }
  return Status::Ok();
}

// HoldShortPicked.found: per held SKU, the units found, 0..1,000,000.
Status CheckFound(const RepeatedPtrField<v1::HoldLine>& found,
                  const std::string& path) {
  STOREAGENT_RETURN_IF_ERROR(
      CheckCount(found.size(), 0, kMaxHoldLines, path, "lines"));
  UniqueSkus skus(found.size(), "found");
  for (int i = 0; i < found.size(); ++i) {
    const std::string p = Indexed(path, i);
    STOREAGENT_RETURN_IF_ERROR(skus.Add(found[i].sku(), i, p));
    STOREAGENT_RETURN_IF_ERROR(
        CheckRange(found[i].quantity(), 0, kMaxHoldQuantity, p + ".quantity"));
  }
  return Status::Ok();
}

Status CheckHoldAction(const v1::UpdateHoldRequest& r) {
  switch (r.action_case()) {
    case v1::UpdateHoldRequest::kPick:
      STOREAGENT_RETURN_IF_ERROR(
          ValidateOrderRef(r.pick().order_ref(), "pick.order_ref"));
      return CheckOperatorId(r.pick().operator_id(), "pick.operator_id");
    case v1::UpdateHoldRequest::kCollect:
      STOREAGENT_RETURN_IF_ERROR(
          ValidateOrderRef(r.collect().order_ref(), "collect.order_ref"));
      return CheckOperatorId(r.collect().operator_id(), "collect.operator_id");
    case v1::UpdateHoldRequest::kCancel:
      STOREAGENT_RETURN_IF_ERROR(
          ValidateOrderRef(r.cancel().order_ref(), "cancel.order_ref"));
      STOREAGENT_RETURN_IF_ERROR(CheckString(
          r.cancel().reason(), "cancel.reason", 0, kMaxReasonLength));
      return CheckOperatorId(r.cancel().operator_id(), "cancel.operator_id");
    case v1::UpdateHoldRequest::kShortPick: {
      const v1::HoldShortPicked& s = r.short_pick();
      STOREAGENT_RETURN_IF_ERROR(
          ValidateOrderRef(s.order_ref(), "short_pick.order_ref"));
      STOREAGENT_RETURN_IF_ERROR(CheckFound(s.found(), "short_pick.found"));
      return CheckOperatorId(s.operator_id(), "short_pick.operator_id");
    }
    case v1::UpdateHoldRequest::ACTION_NOT_SET:
      break;
  }
  return Error("action",
               "exactly one of pick, collect, cancel, short_pick is required");
}

// ---- Catalog ----------------------------------------------------------------

// Where a GTIN was first seen: products[product].gtins[gtin].
struct GtinSite {
  std::size_t product;
  int gtin;
};

// A GTIN-8, -12, -13 or -14 with a correct check digit. The value is never
// echoed. A well-formed GTIN is a barcode, not scanned for card numbers (as
// kGtinField in core/text_checks.h).
Status CheckGtin(const std::string& gtin, const std::string& path) {
  const std::string kinds = "a GTIN-8, -12, -13 or -14";
  for (char c : gtin) {
    if (c < '0' || c > '9') {
      return Error(path, "must be digits only (" + kinds + ")");
    }
  }
  const std::size_t n = gtin.size();
  if (n == 0) return Error(path, "empty (" + kinds + ")");
  if (n != 8 && n != 12 && n != 13 && n != 14) {
    return Error(path, Num(n) + " digits, not " + kinds + " (8, 12, 13 or " +
                           Num(kMaxGtinDigits) + " digits)");
  }
  if (!IsWellFormedGtin(gtin)) {
    return Error(path, "check digit is wrong (GS1 mod 10)");
  }
  return Status::Ok();
}

// GTINs compare as GTIN-14: "036000291452" and "0036000291452" are one.
std::string AsGtin14(const std::string& gtin) {
  return std::string(kMaxGtinDigits - gtin.size(), '0') + gtin;
}

// Paths of the product checks are relative to the row ("price.currency");
// CatalogChecker puts the row in front only when something is wrong, so a
// valid catalog costs no label strings.
Status CheckPrice(const v1::Product& p) {
  if (!p.has_price()) return Status::Ok();  // no price is allowed
  const std::string& currency = p.price().currency();
  if (currency.empty()) {
    return Error("price.currency", "required (an ISO 4217 code)");
  }
  // At most 3 clean characters before the code may be echoed.
  STOREAGENT_RETURN_IF_ERROR(
      CheckText(currency, "storeagent.v1.Money.currency", "price.currency"));
  if (!IsActiveIso4217(currency)) {
    return Error("price.currency",
                 "\"" + currency + "\" is not an active ISO 4217 code");
  }
  const std::int64_t units = p.price().minor_units();
  if (units < 0 || units > kMaxAmountMinorUnits) {
    return Error("price", Num(units) + " minor units out of range (0.." +
                              Num(kMaxAmountMinorUnits) + ")");
  }
  return Status::Ok();
}

// Every field of one product but its SKU and its GTINs.
Status CheckProduct(const v1::Product& p) {
  STOREAGENT_RETURN_IF_ERROR(CheckString(
      p.name(), "name", kMinProductNameLength, kMaxProductNameLength));
  STOREAGENT_RETURN_IF_ERROR(
      CheckString(p.department(), "department", 0, kMaxDepartmentLength));
  STOREAGENT_RETURN_IF_ERROR(CheckPrice(p));
  STOREAGENT_RETURN_IF_ERROR(
      CheckRange(p.safety_stock(), 0, kMaxSafetyStock, "safety_stock"));
  if (!p.unit().empty() && p.unit() != "each" && p.unit() != "milli") {
    return Error("unit", "must be \"each\" or \"milli\" (or empty for each)");
  }
  return CheckCount(p.gtins_size(), 0, kMaxGtinsPerProduct, "gtins", "GTINs");
}

// The rows of one catalog, in order; remembers SKUs and GTINs seen so far.
class CatalogChecker {
 public:
  CatalogChecker(const std::vector<v1::Product>& products,
                 std::int64_t first_row)
      : products_(products), first_row_(first_row) {
    skus_.reserve(products.size());
    gtins_.reserve(products.size());
  }

  // Errors are "row N (sku S): <path>: <what>", or "row N: sku: <what>"
  // when the SKU itself is wrong (it is then not echoed).
  Status CheckRow(std::size_t i) {
    const Status sku =
        CheckString(products_[i].sku(), "sku", kMinSkuLength, kMaxSkuLength);
    if (!sku.ok()) return InRow(RowName(i), sku);
    // The SKU is clean from here on, so it may name the row.
    const Status rest = CheckCleanRow(i);
    if (!rest.ok()) return InRow(Label(i), rest);
    return Status::Ok();
  }

 private:
  static Status InRow(const std::string& row, const Status& s) {
    return InvalidArgument(row + ": " + s.message());
  }

  std::string RowName(std::size_t i) const {
    return "row " + Num(first_row_ + static_cast<std::int64_t>(i));
  }

  // REQUIRES: the SKU of products_[i] passed CheckString.
  std::string Label(std::size_t i) const {
    return RowName(i) + " (sku " + products_[i].sku() + ")";
  }

  Status CheckCleanRow(std::size_t i) {
    const v1::Product& p = products_[i];
    const auto [it, inserted] = skus_.emplace(p.sku(), i);
    if (!inserted) return Error("sku", "duplicate of " + RowName(it->second));
    STOREAGENT_RETURN_IF_ERROR(CheckProduct(p));
    for (int g = 0; g < p.gtins_size(); ++g) {
      const std::string path = Indexed("gtins", g);
      STOREAGENT_RETURN_IF_ERROR(CheckGtin(p.gtins(g), path));
      const auto [at, fresh] =
          gtins_.emplace(AsGtin14(p.gtins(g)), GtinSite{i, g});
      if (!fresh) {
        const GtinSite first = at->second;
        const std::string& other = products_[first.product].gtins(first.gtin);
        return Error(path, "duplicate of " + Label(first.product) + " " +
                               Indexed("gtins", first.gtin) +
                               (other == p.gtins(g) ? "" : " (same GTIN-14)"));
      }
    }
    return Status::Ok();
  }

  const std::vector<v1::Product>& products_;
  const std::int64_t first_row_;
  std::unordered_map<std::string_view, std::size_t> skus_;
  std::unordered_map<std::string, GtinSite> gtins_;
};

}  // namespace

Status ValidateStockMovement(const v1::StockMovement& m,
                             std::string_view field) {
  const std::string path(field);
  ReasonRule rule{"", 0};
  if (!RuleOf(m.reason(), &rule)) {
    return Error(path + ".reason",
                 "required (RECEIPT, TRANSFER_OUT, TRANSFER_IN, SHRINK, "
                 "CORRECTION or QUALITY_HOLD)");
  }
  const std::string lines = path + ".lines";
  STOREAGENT_RETURN_IF_ERROR(CheckCount(m.lines_size(), kMinStockLines,
                                        kMaxStockLines, lines, "lines"));
  UniqueSkus skus(m.lines_size(), "lines");
  for (int i = 0; i < m.lines_size(); ++i) {
    const std::string p = Indexed(lines, i);
    STOREAGENT_RETURN_IF_ERROR(skus.Add(m.lines(i).sku(), i, p));
    STOREAGENT_RETURN_IF_ERROR(
        CheckDelta(m.lines(i).quantity(), rule, p + ".quantity"));
  }
  STOREAGENT_RETURN_IF_ERROR(CheckString(m.reference(), path + ".reference", 0,
                                         kMaxStockReferenceLength));
  STOREAGENT_RETURN_IF_ERROR(
      CheckString(m.note(), path + ".note", 0, kMaxStockNoteLength));
  STOREAGENT_RETURN_IF_ERROR(
      CheckOperatorId(m.operator_id(), path + ".operator_id"));
  return CheckFreeText(m, path);  // any string not named above
}

Status ValidateStockCount(const v1::StockCount& c, std::string_view field) {
  const std::string path(field);
  const std::string lines = path + ".lines";
  STOREAGENT_RETURN_IF_ERROR(CheckCount(c.lines_size(), kMinStockLines,
                                        kMaxStockLines, lines, "lines"));
  UniqueSkus skus(c.lines_size(), "lines");
  for (int i = 0; i < c.lines_size(); ++i) {
    const std::string p = Indexed(lines, i);
    STOREAGENT_RETURN_IF_ERROR(skus.Add(c.lines(i).sku(), i, p));
    STOREAGENT_RETURN_IF_ERROR(
        CheckRange(c.lines(i).counted(), 0, kMaxStockQuantity, p + ".counted"));
  }
  if (c.central_seq() != 0) {
    return Error(path + ".central_seq", "set by the agent, must be 0 (is " +
                                            Num(c.central_seq()) + ")");
  }
  STOREAGENT_RETURN_IF_ERROR(
      CheckOperatorId(c.operator_id(), path + ".operator_id"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckString(c.note(), path + ".note", 0, kMaxStockNoteLength));
  return CheckFreeText(c, path);
}

bool SameHoldLines(const google::protobuf::RepeatedPtrField<v1::HoldLine>& a,
                   const google::protobuf::RepeatedPtrField<v1::HoldLine>& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i) {
    if (a[i].sku() != b[i].sku() || a[i].quantity() != b[i].quantity()) {
      return false;
    }
  }
  return true;
}

Status ValidateHoldPlaced(const v1::HoldPlaced& h, int64_t now_us,
                          std::string_view field) {
  const std::string path(field);
  STOREAGENT_RETURN_IF_ERROR(
      ValidateOrderRef(h.order_ref(), path + ".order_ref"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckString(h.channel(), path + ".channel", 0, kMaxHoldChannelLength));
  const std::string lines = path + ".lines";
  STOREAGENT_RETURN_IF_ERROR(
      CheckCount(h.lines_size(), kMinHoldLines, kMaxHoldLines, lines, "lines"));
  UniqueSkus skus(h.lines_size(), "lines");
  for (int i = 0; i < h.lines_size(); ++i) {
    const std::string p = Indexed(lines, i);
    STOREAGENT_RETURN_IF_ERROR(skus.Add(h.lines(i).sku(), i, p));
    STOREAGENT_RETURN_IF_ERROR(CheckRange(h.lines(i).quantity(),
                                          kMinHoldQuantity, kMaxHoldQuantity,
                                          p + ".quantity"));
  }
  STOREAGENT_RETURN_IF_ERROR(
      CheckExpiry(h.expires_at_us(), now_us, path + ".expires_at_us"));
  if (h.from_escrow()) {
    return Error(path + ".from_escrow",
                 "set only by the sync client for holds central granted "
                 "inside escrow");
  }
  return CheckFreeText(h, path);
}

Status ValidateUpdateHold(const v1::UpdateHoldRequest& r) {
  STOREAGENT_RETURN_IF_ERROR(CheckHoldAction(r));
  return CheckFreeText(r, "");
}

Status ValidateOrderRef(std::string_view ref, std::string_view field) {
  const std::string path(field);
  const std::string allowed = " characters of " + std::string(kOrderRefCharset);
  if (ref.size() < kMinOrderRefLength) {
    return Error(path, "required (" + Num(kMinOrderRefLength) + ".." +
                           Num(kMaxOrderRefLength) + allowed + ")");
  }
  if (ref.size() > kMaxOrderRefLength) {
    return Error(path, "too long, " + Num(ref.size()) + " characters (max " +
                           Num(kMaxOrderRefLength) + ")");
  }
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (!IsOrderRefChar(ref[i])) {
      return Error(path, "character at position " + Num(i) +
                             " not allowed (only" + allowed + ")");
    }
  }
  return CheckText(ref, "", path);  // no card number as a reference
}

namespace {

template <typename Skus>
Status CheckSkuList(const Skus& skus, std::string_view field) {
  const std::string path(field);
  STOREAGENT_RETURN_IF_ERROR(CheckCount(
      static_cast<std::int64_t>(skus.size()), kMinSkusPerAvailabilityCall,
      kMaxSkusPerAvailabilityCall, path, "SKUs"));
  for (int i = 0; i < static_cast<int>(skus.size()); ++i) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckString(skus[i], Indexed(path, i), kMinSkuLength, kMaxSkuLength));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateSkuList(const std::vector<std::string>& skus,
                       std::string_view field) {
  return CheckSkuList(skus, field);
}

Status ValidateSkuList(
    const google::protobuf::RepeatedPtrField<std::string>& skus,
    std::string_view field) {
  return CheckSkuList(skus, field);
}

Status ValidateSearch(const v1::SearchProductsRequest& r) {
  // A scanned barcode is a query like any other, even when it happens to
  // pass the Luhn check (about one EAN-13 in ten does).
  if (!IsWellFormedGtin(r.query())) {
    STOREAGENT_RETURN_IF_ERROR(CheckString(
        r.query(), "query", kMinSearchQueryLength, kMaxSearchQueryLength));
  }
  return CheckRange(r.limit(), 0, kMaxSearchLimit, "limit",
                    ", 0 = default " + Num(kDefaultSearchLimit));
}

Status ValidateListHolds(const v1::ListHoldsRequest& r) {
  if (!v1::HoldState_IsValid(r.state())) {
    return Error("state", Num(static_cast<int>(r.state())) +
                              " is not a defined hold state");
  }
  return CheckRange(r.limit(), 0, kMaxListHoldsLimit, "limit",
                    ", 0 = default " + Num(kDefaultListHoldsLimit));
}

Status ValidateCatalog(const std::vector<v1::Product>& products,
                       int64_t first_row) {
  STOREAGENT_RETURN_IF_ERROR(CheckCount(
      static_cast<std::int64_t>(products.size()), kMinCatalogProducts,
      kMaxCatalogProducts, "products", "products"));
  // Row numbers first_row .. first_row + size - 1 must not overflow.
  const std::int64_t last_first = std::numeric_limits<std::int64_t>::max() -
                                  static_cast<std::int64_t>(products.size());
  STOREAGENT_RETURN_IF_ERROR(CheckRange(first_row, 1, last_first, "first_row"));
  CatalogChecker checker(products, first_row);
  for (std::size_t i = 0; i < products.size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(checker.CheckRow(i));
  }
  return Status::Ok();
}

}  // namespace storeagent::core
