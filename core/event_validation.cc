// The rules of events.proto: structure, limits and arithmetic of
// transactions, loyalty signals and client keys. All money arithmetic is on
// integers; products that may exceed 64 bits use 128-bit integers.
#include "core/event_validation.h"

#include <cstdint>
#include <string>

#include "core/currency.h"
#include "core/limits.h"
#include "core/text_checks.h"
#include "core/validation_util.h"

namespace storeagent::core {
namespace {

// -Wpedantic refuses the bare type name; __extension__ marks it deliberate.
__extension__ typedef __int128 Int128;

using google::protobuf::RepeatedPtrField;

using validation::CheckCount;
using validation::CheckRange;
using validation::CheckTextAt;
using validation::Error;
using validation::FieldPath;
using validation::Num;

// ValidateClientKey with the path of a field of the message being checked.
Status CheckClientKey(const v1::ClientKey& key, const FieldPath& path,
                      FreeText text = FreeText::kCheck);

Status CheckNonNegative(std::int64_t v, const FieldPath& path) {
  if (v < 0) return Error(path, Num(v) + " is negative (must be >= 0)");
  return Status::Ok();
}

// `code` at `path` (a Money's currency field) is an active ISO 4217 code.
Status CheckCurrencyCode(const std::string& code, const FieldPath& path) {
  if (code.empty()) return Error(path, "required (an ISO 4217 code)");
  if (!IsActiveIso4217(code)) {
    return Error(path, "\"" + code + "\" is not an active ISO 4217 code");
  }
  return Status::Ok();
}

// A Money that must be present, in `currency`, with minor units lo..hi.
Status CheckMoney(const v1::Money& m, bool present, const FieldPath& path,
                  const std::string& currency, std::int64_t lo,
                  std::int64_t hi) {
  if (!present) return Error(path, "required");
  if (m.currency() != currency) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckCurrencyCode(m.currency(), path / "currency"));
    return Error(path / "currency", "\"" + m.currency() +
                                        "\" differs from the currency \"" +
                                        currency + "\" of the event");
  }
  if (m.minor_units() < lo || m.minor_units() > hi) {
    return Error(path, Num(m.minor_units()) + " minor units out of range (" +
                           Num(lo) + ".." + Num(hi) + ")");
  }
  return Status::Ok();
}

Status CheckAmount(const v1::Money& m, bool present, const FieldPath& path,
                   const std::string& currency, std::int64_t min = 0) {
  return CheckMoney(m, present, path, currency, min, kMaxAmountMinorUnits);
}

Status CheckBusinessDay(const std::string& day, const FieldPath& path,
                        bool required) {
  if (day.empty() && !required) return Status::Ok();
  if (day.empty()) return Error(path, "required (YYYY-MM-DD)");
  if (!IsBusinessDay(day)) return Error(path, "not a calendar date YYYY-MM-DD");
  return Status::Ok();
}

// ---- Sale and Return --------------------------------------------------------

struct BasketSums {
  std::int64_t net = 0;  // sum of (extended_amount - discounts)
  std::int64_t tax = 0;  // sum of line taxes
};

Status CheckExtended(const v1::TransactionLine& line, const FieldPath& path) {
  const std::int64_t extended = line.extended_amount().minor_units();
  const Int128 product =
      Int128{line.quantity()} * Int128{line.unit_price().minor_units()};
  if (line.unit() == v1::UNIT_OF_MEASURE_EACH) {
    // quantity <= 10^6 and unit price <= 10^12: the product fits 64 bits.
    if (product != extended) {
      return Error(path, Num(extended) + " != quantity x unit_price = " +
                             Num(static_cast<std::int64_t>(product)));
    }
    return Status::Ok();
  }
  // MILLI: quantity <= 10^9, so the product needs 70 bits; / 1000 fits 64.
  const Int128 expected = (product + kMilliUnitsPerUnit / 2) /
                          kMilliUnitsPerUnit;  // half up; both >= 0
  const Int128 diff = Int128{extended} - expected;
  if (diff > kMilliExtendedToleranceMinorUnits ||
      diff < -kMilliExtendedToleranceMinorUnits) {
    return Error(path,
                 Num(extended) +
                     " != quantity x unit_price / 1000 rounded half "
                     "up = " +
                     Num(static_cast<std::int64_t>(expected)) + " (tolerance " +
                     Num(kMilliExtendedToleranceMinorUnits) + " minor unit)");
  }
  return Status::Ok();
}

Status CheckDiscounts(const v1::TransactionLine& line, const FieldPath& path,
                      const std::string& currency, std::int64_t* sum) {
  STOREAGENT_RETURN_IF_ERROR(CheckCount(
      line.discounts_size(), 0, kMaxDiscountsPerLine, path, "discounts"));
  *sum = 0;
  for (int i = 0; i < line.discounts_size(); ++i) {
    const v1::Discount& d = line.discounts(i);
    STOREAGENT_RETURN_IF_ERROR(CheckAmount(d.amount(), d.has_amount(),
                                           path[i] / "amount", currency, 1));
    *sum += d.amount().minor_units();  // <= 10 x 10^12
  }
  if (*sum > line.extended_amount().minor_units()) {
    return Error(path, "sum " + Num(*sum) + " exceeds extended_amount " +
                           Num(line.extended_amount().minor_units()));
  }
  return Status::Ok();
}

Status CheckLine(const v1::TransactionLine& line, const FieldPath& path,
                 const std::string& currency, bool is_return,
                 BasketSums* sums) {
  if (line.sku().empty()) {
    return Error(path / "sku", "required (" + Num(kMinSkuLength) + ".." +
                                   Num(kMaxSkuLength) + " characters)");
  }
  if (line.unit() == v1::UNIT_OF_MEASURE_EACH) {
    STOREAGENT_RETURN_IF_ERROR(CheckRange(line.quantity(), kMinQuantityEach,
                                          kMaxQuantityEach, path / "quantity",
                                          " for EACH"));
  } else if (line.unit() == v1::UNIT_OF_MEASURE_MILLI) {
    STOREAGENT_RETURN_IF_ERROR(CheckRange(line.quantity(), kMinQuantityMilli,
                                          kMaxQuantityMilli, path / "quantity",
                                          " milli-units for MILLI"));
  } else {
    return Error(path / "unit", "required (EACH or MILLI)");
  }
  STOREAGENT_RETURN_IF_ERROR(CheckAmount(
      line.unit_price(), line.has_unit_price(), path / "unit_price", currency));
  STOREAGENT_RETURN_IF_ERROR(CheckAmount(line.extended_amount(),
                                         line.has_extended_amount(),
                                         path / "extended_amount", currency));
  STOREAGENT_RETURN_IF_ERROR(CheckExtended(line, path / "extended_amount"));
  std::int64_t discounts = 0;
  STOREAGENT_RETURN_IF_ERROR(
      CheckDiscounts(line, path / "discounts", currency, &discounts));
  if (line.has_tax()) {
    STOREAGENT_RETURN_IF_ERROR(CheckRange(line.tax().rate_bp(), kMinTaxRateBp,
                                          kMaxTaxRateBp, path / "tax.rate_bp",
                                          " bp"));
    STOREAGENT_RETURN_IF_ERROR(CheckAmount(line.tax().amount(),
                                           line.tax().has_amount(),
                                           path / "tax.amount", currency));
    sums->tax += line.tax().amount().minor_units();
  }
  if (line.restock() && !is_return) {
    return Error(path / "restock", "only allowed on return lines");
  }
  if (!v1::PriceReason_IsValid(line.price_reason())) {
    return Error(path / "price_reason",
                 "unknown value " + Num(static_cast<int>(line.price_reason())) +
                     " (a PriceReason: 0..4)");
  }
  if (line.price_reason() != v1::PRICE_REASON_UNSPECIFIED && is_return) {
    return Error(path / "price_reason", "only allowed on sale lines");
  }
  if (line.has_price_deviation() &&
      (!v1::PriceDeviationKind_IsValid(line.price_deviation().kind()) ||
       !v1::PriceReason_IsValid(line.price_deviation().reason()))) {
    return Error(path / "price_deviation", "unknown kind or reason");
  }
  sums->net += line.extended_amount().minor_units() - discounts;
  return Status::Ok();
}

Status CheckTender(const v1::Tender& t, const FieldPath& path,
                   const std::string& currency) {
  if (t.kind() == v1::Tender::KIND_UNSPECIFIED ||
      !v1::Tender::Kind_IsValid(t.kind())) {
    return Error(path / "kind", "required (a known tender kind)");
  }
  STOREAGENT_RETURN_IF_ERROR(
      CheckAmount(t.amount(), t.has_amount(), path / "amount", currency, 1));
  const std::string& last_four = t.last_four();
  bool digits = last_four.size() == kLastFourDigits;
  for (char c : last_four) digits = digits && c >= '0' && c <= '9';
  if (!last_four.empty() && !digits) {
    return Error(path / "last_four", "must be empty or exactly 4 digits");
  }
  return Status::Ok();
}

// subtotal, tax and total against the lines' sums; change only with cash.
Status CheckTotals(const v1::Totals& totals, const BasketSums& sums,
                   bool has_cash, const FieldPath& path,
                   const std::string& currency) {
  STOREAGENT_RETURN_IF_ERROR(CheckAmount(
      totals.subtotal(), totals.has_subtotal(), path / "subtotal", currency));
  if (totals.has_tax()) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckAmount(totals.tax(), true, path / "tax", currency));
  }
  STOREAGENT_RETURN_IF_ERROR(
      CheckAmount(totals.total(), true, path / "total", currency));
  if (totals.has_change_given()) {
    STOREAGENT_RETURN_IF_ERROR(CheckAmount(totals.change_given(), true,
                                           path / "change_given", currency));
  }
  const std::int64_t subtotal = totals.subtotal().minor_units();
  const std::int64_t tax = totals.tax().minor_units();
  const std::int64_t total = totals.total().minor_units();
  const std::int64_t change = totals.change_given().minor_units();
  if (subtotal != sums.net) {
    return Error(path / "subtotal",
                 Num(subtotal) + " != sum over lines of (extended_amount - " +
                     "discounts) = " + Num(sums.net));
  }
  if (tax != sums.tax) {
    return Error(path / "tax",
                 Num(tax) + " != sum of line taxes = " + Num(sums.tax));
  }
  const std::int64_t expected = subtotal + (totals.tax_included() ? 0 : tax);
  if (total != expected) {
    return Error(path / "total",
                 Num(total) + " != " +
                     (totals.tax_included() ? "subtotal (tax_included) = "
                                            : "subtotal + tax = ") +
                     Num(expected));
  }
  if (change > 0 && !has_cash) {
    return Error(path / "change_given", "only allowed with a cash tender");
  }
  return Status::Ok();
}

Status CheckBasket(const RepeatedPtrField<v1::TransactionLine>& lines,
                   const RepeatedPtrField<v1::Tender>& tenders,
                   const v1::Totals& totals, bool has_totals,
                   const FieldPath& path, bool is_return) {
  STOREAGENT_RETURN_IF_ERROR(CheckCount(lines.size(), kMinLinesPerTransaction,
                                        kMaxLinesPerTransaction, path / "lines",
                                        "lines"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckCount(tenders.size(), kMinTendersPerTransaction,
                 kMaxTendersPerTransaction, path / "tenders", "tenders"));
  if (!has_totals) return Error(path / "totals", "required");
  if (!totals.has_total()) return Error(path / "totals.total", "required");
  // The event's currency is that of its total; every Money must use it.
  const std::string& currency = totals.total().currency();
  STOREAGENT_RETURN_IF_ERROR(
      CheckCurrencyCode(currency, path / "totals.total.currency"));
  BasketSums sums;
  for (int i = 0; i < lines.size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckLine(lines[i], (path / "lines")[i], currency, is_return, &sums));
  }
  std::int64_t tendered = 0;
  bool has_cash = false;
  for (int i = 0; i < tenders.size(); ++i) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckTender(tenders[i], (path / "tenders")[i], currency));
    tendered += tenders[i].amount().minor_units();
    has_cash = has_cash || tenders[i].kind() == v1::Tender::KIND_CASH;
  }
  STOREAGENT_RETURN_IF_ERROR(
      CheckTotals(totals, sums, has_cash, path / "totals", currency));
  const std::int64_t change = totals.change_given().minor_units();
  const std::int64_t total = totals.total().minor_units();
  if (tendered - change != total) {
    return Error(path / "tenders", "sum of tenders " + Num(tendered) +
                                       " - change_given " + Num(change) +
                                       " != total " + Num(total));
  }
  return Status::Ok();
}

// A sale's member: the card number (its digits were checked by
// CheckFreeText) or the 32-byte pseudonym the POS cached.
Status CheckSaleMember(const v1::LoyaltyMember& m, const FieldPath& path) {
  switch (m.id_case()) {
    case v1::LoyaltyMember::kCardNumber:
      return CheckTextAt(m.card_number(), kLoyaltyCardNumberField,
                         path / "card_number");
    case v1::LoyaltyMember::kPseudonym:
      if (m.pseudonym().size() != kPseudonymBytes) {
        return Error(path / "pseudonym", Num(m.pseudonym().size()) +
                                             " bytes (must be " +
                                             Num(kPseudonymBytes) + ")");
      }
      return Status::Ok();
    case v1::LoyaltyMember::ID_NOT_SET:
      break;
  }
  return Error(path, "card_number (" + Num(kMinLoyaltyCardDigits) + ".." +
                         Num(kMaxLoyaltyCardDigits) +
                         " digits) or pseudonym (" + Num(kPseudonymBytes) +
                         " bytes) required");
}

Status CheckSale(const v1::Sale& sale) {
  const FieldPath path("transaction.sale");
  STOREAGENT_RETURN_IF_ERROR(CheckBasket(sale.lines(), sale.tenders(),
                                         sale.totals(), sale.has_totals(), path,
                                         /*is_return=*/false));
  if (!v1::SalesChannel_IsValid(sale.channel())) {
    return Error(path / "channel", "unknown value " +
                                       Num(static_cast<int>(sale.channel())) +
                                       " (a SalesChannel: 0..4)");
  }
  if (sale.has_member()) {
    STOREAGENT_RETURN_IF_ERROR(CheckSaleMember(sale.member(), path / "member"));
  }
  return CheckBusinessDay(sale.business_day(), path / "business_day", false);
}

Status CheckOriginal(const v1::OriginalTransaction& original,
                     const FieldPath& path) {
  if (original.has_client_key()) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckClientKey(original.client_key(), path / "client_key"));
  }
  if (!original.channel().empty()) {
    bool known = false;
    for (std::string_view c : kOriginalChannels) {
      known = known || original.channel() == c;
    }
    if (!known) {
      return Error(path / "channel",
                   "unknown channel (store, click_and_collect, "
                   "ship_from_store, endless_aisle, online or empty)");
    }
  }
  STOREAGENT_RETURN_IF_ERROR(
      CheckBusinessDay(original.business_day(), path / "business_day", false));
  return CheckNonNegative(original.sold_at_us(), path / "sold_at_us");
}

Status CheckReturn(const v1::Return& ret) {
  const FieldPath path("transaction.return");
  STOREAGENT_RETURN_IF_ERROR(CheckBasket(ret.lines(), ret.tenders(),
                                         ret.totals(), ret.has_totals(), path,
                                         /*is_return=*/true));
  const v1::OriginalTransaction& original = ret.original();
  if (!ret.has_original() ||
      (!original.has_client_key() && original.reference().empty())) {
    return Error(path / "original", "required (client_key or reference)");
  }
  STOREAGENT_RETURN_IF_ERROR(CheckOriginal(original, path / "original"));
  return CheckBusinessDay(ret.business_day(), path / "business_day", false);
}

Status CheckPostVoid(const v1::PostVoid& pv) {
  const FieldPath path("transaction.post_void");
  if (!pv.has_original()) {
    return Error(path / "original",
                 "required (client key of the voided transaction)");
  }
  STOREAGENT_RETURN_IF_ERROR(CheckClientKey(pv.original(), path / "original"));
  if (pv.reason().size() < kMinPostVoidReasonLength) {
    return Error(path / "reason", "required (" + Num(kMinPostVoidReasonLength) +
                                      ".." + Num(kMaxReasonLength) +
                                      " characters)");
  }
  return CheckBusinessDay(pv.business_day(), path / "business_day", false);
}

// ---- DailyClose -------------------------------------------------------------

// Every Money of a daily close uses one currency: that of the first one.
Status CheckDayMoney(const v1::Money& m, bool present, const FieldPath& path,
                     std::string* currency) {
  if (present && currency->empty()) {
    STOREAGENT_RETURN_IF_ERROR(
        CheckCurrencyCode(m.currency(), path / "currency"));
    *currency = m.currency();
  }
  return CheckMoney(m, present, path, *currency, -kMaxAmountMinorUnits,
                    kMaxAmountMinorUnits);
}

Status CheckTenderTotals(const v1::DailyClose& dc, const FieldPath& path,
                         std::string* currency) {
  STOREAGENT_RETURN_IF_ERROR(CheckCount(
      dc.tenders_size(), 0, kMaxDailyCloseTenderTotals, path, "tender totals"));
  for (int i = 0; i < dc.tenders_size(); ++i) {
    const v1::TenderTotal& t = dc.tenders(i);
    const FieldPath p = path[i];
    if (t.kind() == v1::Tender::KIND_UNSPECIFIED ||
        !v1::Tender::Kind_IsValid(t.kind())) {
      return Error(p / "kind", "required (a known tender kind)");
    }
    for (int j = 0; j < i; ++j) {
      if (dc.tenders(j).kind() == t.kind()) {
        return Error(p / "kind", "duplicate of tenders[" + std::to_string(j) +
                                     "] (one total per kind)");
      }
    }
    STOREAGENT_RETURN_IF_ERROR(CheckDayMoney(t.net_amount(), t.has_net_amount(),
                                             p / "net_amount", currency));
    STOREAGENT_RETURN_IF_ERROR(CheckNonNegative(t.count(), p / "count"));
  }
  return Status::Ok();
}

Status CheckTaxTotals(const v1::DailyClose& dc, const FieldPath& path,
                      std::string* currency) {
  STOREAGENT_RETURN_IF_ERROR(CheckCount(
      dc.taxes_size(), 0, kMaxDailyCloseTaxTotals, path, "tax totals"));
  for (int i = 0; i < dc.taxes_size(); ++i) {
    const v1::TaxTotal& t = dc.taxes(i);
    const FieldPath p = path[i];
    STOREAGENT_RETURN_IF_ERROR(CheckRange(t.rate_bp(), kMinTaxRateBp,
                                          kMaxTaxRateBp, p / "rate_bp", " bp"));
    for (int j = 0; j < i; ++j) {
      if (dc.taxes(j).rate_bp() == t.rate_bp()) {
        return Error(p / "rate_bp", "duplicate of taxes[" + std::to_string(j) +
                                        "] (one total per rate)");
      }
    }
    STOREAGENT_RETURN_IF_ERROR(
        CheckDayMoney(t.taxable(), t.has_taxable(), p / "taxable", currency));
    STOREAGENT_RETURN_IF_ERROR(
        CheckDayMoney(t.tax(), t.has_tax(), p / "tax", currency));
  }
  return Status::Ok();
}

Status CheckDailyClose(const v1::DailyClose& dc) {
  const FieldPath path("transaction.daily_close");
  STOREAGENT_RETURN_IF_ERROR(
      CheckBusinessDay(dc.business_day(), path / "business_day", true));
  std::string currency;
  STOREAGENT_RETURN_IF_ERROR(
      CheckTenderTotals(dc, path / "tenders", &currency));
  STOREAGENT_RETURN_IF_ERROR(CheckTaxTotals(dc, path / "taxes", &currency));
  STOREAGENT_RETURN_IF_ERROR(
      CheckNonNegative(dc.transaction_count(), path / "transaction_count"));
  if (dc.has_agent_totals()) {
    return Error(path / "agent_totals", "set by the agent, not the POS");
  }
  if (dc.differences_size() > 0) {
    return Error(path / "differences", "set by the agent, not the POS");
  }
  return Status::Ok();
}

// ---- Loyalty ----------------------------------------------------------------

Status CheckMember(const v1::LoyaltyMember& m, bool present,
                   const FieldPath& path) {
  if (!present) return Error(path, "required");
  if (m.id_case() == v1::LoyaltyMember::kPseudonym) {
    return Error(path / "pseudonym", "set by the agent, not the POS");
  }
  if (m.id_case() != v1::LoyaltyMember::kCardNumber) {
    return Error(path / "card_number",
                 "required (" + Num(kMinLoyaltyCardDigits) + ".." +
                     Num(kMaxLoyaltyCardDigits) + " digits)");
  }
  return CheckTextAt(m.card_number(), kLoyaltyCardNumberField,
                     path / "card_number");
}

Status CheckPoints(const v1::LoyaltyMember& member, bool has_member,
                   std::int64_t points, const v1::ClientKey& txn, bool has_txn,
                   const FieldPath& path) {
  STOREAGENT_RETURN_IF_ERROR(CheckMember(member, has_member, path / "member"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckRange(points, kMinPoints, kMaxPoints, path / "points"));
  if (has_txn) {
    STOREAGENT_RETURN_IF_ERROR(CheckClientKey(txn, path / "transaction"));
  }
  return Status::Ok();
}

Status CheckEnrolled(const v1::MemberEnrolled& e) {
  const FieldPath path("signal.enrolled");
  STOREAGENT_RETURN_IF_ERROR(
      CheckMember(e.member(), e.has_member(), path / "member"));
  if (!e.has_consent()) return Error(path / "consent", "required");
  if (!e.consent().loyalty_program()) {
    return Error(path / "consent.loyalty_program", "must be true to enrol");
  }
  if (!e.sealed_contact().empty()) {
    return Error(path / "sealed_contact", "set by the agent, not the POS");
  }
  return Status::Ok();
}

Status CheckSignalKind(const v1::LoyaltySignal& sig) {
  switch (sig.kind_case()) {
    case v1::LoyaltySignal::kIdentified:
      return CheckMember(sig.identified().member(),
                         sig.identified().has_member(),
                         "signal.identified.member");
    case v1::LoyaltySignal::kEnrolled:
      return CheckEnrolled(sig.enrolled());
    case v1::LoyaltySignal::kPointsEarned: {
      const v1::PointsEarned& p = sig.points_earned();
      return CheckPoints(p.member(), p.has_member(), p.points(),
                         p.transaction(), p.has_transaction(),
                         "signal.points_earned");
    }
    case v1::LoyaltySignal::kPointsRedeemed: {
      const v1::PointsRedeemed& p = sig.points_redeemed();
      return CheckPoints(p.member(), p.has_member(), p.points(),
                         p.transaction(), p.has_transaction(),
                         "signal.points_redeemed");
    }
    case v1::LoyaltySignal::kConsentChanged: {
      const v1::ConsentChanged& c = sig.consent_changed();
      STOREAGENT_RETURN_IF_ERROR(CheckMember(c.member(), c.has_member(),
                                             "signal.consent_changed.member"));
      if (!c.has_consent()) {
        return Error("signal.consent_changed.consent", "required");
      }
      return Status::Ok();
    }
    case v1::LoyaltySignal::KIND_NOT_SET:
      break;
  }
  return Error("signal.kind",
               "exactly one of identified, enrolled, points_earned, "
               "points_redeemed, consent_changed is required");
}

bool IsClientKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
}

Status CheckClientKeyId(const std::string& id, const FieldPath& path) {
  // Put into words only for a refusal.
  auto allowed = [] {
    return std::string(" characters of ") + std::string(kClientKeyIdCharset);
  };
  if (id.size() < kMinClientKeyIdLength) {
    return Error(path, "required (" + Num(kMinClientKeyIdLength) + ".." +
                           Num(kMaxClientKeyIdLength) + allowed() + ")");
  }
  if (id.size() > kMaxClientKeyIdLength) {
    return Error(path,
                 "too long, " + Num(static_cast<std::int64_t>(id.size())) +
                     " characters (max " + Num(kMaxClientKeyIdLength) + ")");
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (!IsClientKeyChar(id[i])) {
      return Error(path, "character at position " + std::to_string(i) +
                             " not allowed (only" + allowed() + ")");
    }
  }
  return Status::Ok();
}

Status CheckClientKey(const v1::ClientKey& key, const FieldPath& path,
                      FreeText text) {
  STOREAGENT_RETURN_IF_ERROR(
      CheckClientKeyId(key.terminal_id(), path / "terminal_id"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckClientKeyId(key.client_txn_id(), path / "client_txn_id"));
  // No card number as an id; the path put into words only for a refusal.
  if (text == FreeText::kPassedOnTheWire || CheckFreeText(key, "").ok()) {
    return Status::Ok();
  }
  return CheckFreeText(key, path.str());
}

}  // namespace

Status ValidateClientKey(const v1::ClientKey& key, std::string_view field,
                         FreeText text) {
  return CheckClientKey(key, field, text);
}

Status ValidateCallerClientKey(const v1::ClientKey& key,
                               std::string_view field) {
  STOREAGENT_RETURN_IF_ERROR(ValidateClientKey(key, field));
  if (key.terminal_id().rfind(kAgentTerminalPrefix, 0) == 0) {
    return Error(std::string(field) + ".terminal_id",
                 "the prefix \"" + std::string(kAgentTerminalPrefix) +
                     "\" is reserved for the agent's own events");
  }
  return Status::Ok();
}

Status ValidateTransaction(const v1::Transaction& txn, FreeText text) {
  if (text == FreeText::kCheck) {
    STOREAGENT_RETURN_IF_ERROR(CheckFreeText(txn, "transaction"));
  }
  switch (txn.kind_case()) {
    case v1::Transaction::kSale:
      return CheckSale(txn.sale());
    case v1::Transaction::kReturn:
      return CheckReturn(txn.return_());
    case v1::Transaction::kPostVoid:
      return CheckPostVoid(txn.post_void());
    case v1::Transaction::kNoSale:
      return CheckBusinessDay(txn.no_sale().business_day(),
                              "transaction.no_sale.business_day", false);
    case v1::Transaction::kDailyClose:
      return CheckDailyClose(txn.daily_close());
    case v1::Transaction::KIND_NOT_SET:
      break;
  }
  return Error("transaction.kind",
               "exactly one of sale, return, post_void, no_sale, daily_close "
               "is required");
}

Status ValidatePosTransaction(const v1::Transaction& txn) {
  STOREAGENT_RETURN_IF_ERROR(ValidateTransaction(txn));
  if (txn.has_sale()) {  // the agent's price check, never the POS's
    const v1::Sale& sale = txn.sale();
    for (int i = 0; i < sale.lines_size(); ++i) {
      if (sale.lines(i).has_price_deviation()) {
        return Error("transaction.sale.lines[" + Num(i) + "].price_deviation",
                     "set by the agent, not the POS");
      }
    }
    if (sale.price_book_central_seq() != 0) {
      return Error("transaction.sale.price_book_central_seq",
                   "set by the agent, not the POS");
    }
  }
  const std::string* day = nullptr;
  std::string path = "transaction.";
  switch (txn.kind_case()) {
    case v1::Transaction::kSale:
      day = &txn.sale().business_day();
      path += "sale";
      break;
    case v1::Transaction::kReturn:
      day = &txn.return_().business_day();
      path += "return";
      break;
    case v1::Transaction::kPostVoid:
      day = &txn.post_void().business_day();
      path += "post_void";
      break;
    case v1::Transaction::kNoSale:
      day = &txn.no_sale().business_day();
      path += "no_sale";
      break;
    case v1::Transaction::kDailyClose:  // required by ValidateTransaction
    case v1::Transaction::KIND_NOT_SET:
      return Status::Ok();
  }
  return CheckBusinessDay(*day, FieldPath(path) / "business_day",
                          /*required=*/true);
}

Status ValidateLoyaltySignal(const v1::LoyaltySignal& sig) {
  STOREAGENT_RETURN_IF_ERROR(CheckFreeText(sig, "signal"));
  return CheckSignalKind(sig);
}

bool IsBusinessDay(std::string_view text) {
  if (text.size() != kBusinessDayLength || text[4] != '-' || text[7] != '-') {
    return false;
  }
  int value[3] = {0, 0, 0};  // year, month, day
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int part = 0; part < 3; ++part) {
    for (std::size_t i = 0; i < lengths[part]; ++i) {
      const char c = text[starts[part] + i];
      if (c < '0' || c > '9') return false;
      value[part] = value[part] * 10 + (c - '0');
    }
  }
  const int year = value[0];
  const int month = value[1];
  const int day = value[2];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = (month == 2 && leap) ? 29 : kDays[month - 1];
  return day <= max_day;
}

}  // namespace storeagent::core
