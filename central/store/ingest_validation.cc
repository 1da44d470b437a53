#include "central/store/ingest_validation.h"

#include <cstdint>
#include <set>
#include <string_view>

#include "core/event_validation.h"
#include "core/journal_chain.h"
#include "core/limits.h"
#include "core/stock_validation.h"
#include "core/text_checks.h"

namespace storeagent::central {
namespace {

// EscrowLine.quantity: 0..1,000,000 units (stock.proto).
constexpr int64_t kMaxEscrowQuantity = 1'000'000;
// A stand-in card number: the validators want one where the journal holds
// the pseudonym. Six digits, the shortest a card may be.
constexpr std::string_view kPlaceholderCard = "000000";

std::string Why(const Status& s) { return s.ok() ? "" : s.message(); }

// Checks the journaled member (pseudonym) and swaps in a placeholder card
// number so the POS-side validator can check the rest. Empty when fine.
std::string ToPosMember(v1::LoyaltyMember* member, const std::string& path) {
  if (member->id_case() == v1::LoyaltyMember::kCardNumber) {
    return path +
           ".card_number: a card number in the journal (the agent "
           "stores only the pseudonym)";
  }
  if (member->id_case() != v1::LoyaltyMember::kPseudonym ||
      member->pseudonym().size() != core::kHashBytes) {
    return path + ".pseudonym: required (32 bytes)";
  }
  member->set_card_number(std::string(kPlaceholderCard));
  return "";
}

std::string CheckLoyalty(const v1::LoyaltySignal& journaled) {
  v1::LoyaltySignal sig = journaled;
  std::string why;
  switch (sig.kind_case()) {
    case v1::LoyaltySignal::kIdentified:
      why = ToPosMember(sig.mutable_identified()->mutable_member(),
                        "signal.identified.member");
      break;
    case v1::LoyaltySignal::kEnrolled: {
      v1::MemberEnrolled* e = sig.mutable_enrolled();
      if (e->has_contact()) {
        return "signal.enrolled.contact: plaintext contact details in the "
               "journal (the agent stores them sealed)";
      }
      e->clear_sealed_contact();
      why = ToPosMember(e->mutable_member(), "signal.enrolled.member");
      break;
    }
    case v1::LoyaltySignal::kPointsEarned:
      why = ToPosMember(sig.mutable_points_earned()->mutable_member(),
                        "signal.points_earned.member");
      break;
    case v1::LoyaltySignal::kPointsRedeemed:
      why = ToPosMember(sig.mutable_points_redeemed()->mutable_member(),
                        "signal.points_redeemed.member");
      break;
    case v1::LoyaltySignal::kConsentChanged:
      why = ToPosMember(sig.mutable_consent_changed()->mutable_member(),
                        "signal.consent_changed.member");
      break;
    case v1::LoyaltySignal::KIND_NOT_SET:
      break;  // the validator names it
  }
  if (!why.empty()) return why;
  return Why(core::ValidateLoyaltySignal(sig));
}

// A journaled sale names its member by pseudonym only; a journaled close
// carries the agent's own totals and differences, which the POS may not
// send, so they are cleared before the POS-side validator runs.
std::string CheckTransaction(const v1::Transaction& journaled,
                             core::FreeText text) {
  if (journaled.has_sale() && journaled.sale().has_member() &&
      journaled.sale().member().id_case() == v1::LoyaltyMember::kCardNumber) {
    return "transaction.sale.member.card_number: a card number in the "
           "journal (the agent stores only the pseudonym)";
  }
  if (!journaled.has_daily_close()) {
    return Why(core::ValidateTransaction(journaled, text));
  }
  v1::Transaction txn = journaled;
  txn.mutable_daily_close()->clear_agent_totals();
  txn.mutable_daily_close()->clear_differences();
  // Clearing fields leaves a subset of the strings scanned on the wire.
  return Why(core::ValidateTransaction(txn, text));
}

std::string CheckEscrow(const v1::EscrowChanged& e) {
  const std::string path = "stock.escrow_changed.lines";
  if (e.lines_size() > core::kMaxStockLines) {
    return path + ": " + std::to_string(e.lines_size()) +
           " lines, too many (max " + std::to_string(core::kMaxStockLines) +
           ")";
  }
  std::set<std::string_view> seen;
  for (int i = 0; i < e.lines_size(); ++i) {
    const v1::EscrowLine& l = e.lines(i);
    const std::string p = path + "[" + std::to_string(i) + "]";
    if (l.sku().empty() || l.sku().size() > core::kMaxSkuLength) {
      return p + ".sku: required (1..64 characters)";
    }
    if (!seen.insert(l.sku()).second) return p + ".sku: duplicate SKU";
    if (l.quantity() < 0 || l.quantity() > kMaxEscrowQuantity) {
      return p + ".quantity: out of range (0..1000000)";
    }
  }
  return Why(core::CheckFreeText(e, "stock.escrow_changed"));
}

// Products in one journaled part of a store's catalog import.
constexpr int kMaxImportedPerPart = 1000;

std::string CheckStock(const v1::StockEvent& ev, int64_t recorded_at_us) {
  switch (ev.kind_case()) {
    case v1::StockEvent::kMovement:
      return Why(core::ValidateStockMovement(ev.movement(), "stock.movement"));
    case v1::StockEvent::kCount: {
      v1::StockCount c = ev.count();
      c.clear_central_seq();  // set by the agent
      return Why(core::ValidateStockCount(c, "stock.count"));
    }
    case v1::StockEvent::kHoldPlaced: {
      v1::HoldPlaced h = ev.hold_placed();
      // Holds central granted in escrow are recorded when the store applies
      // them, possibly after they lapsed: their expiry is not checked.
      const int64_t now =
          h.from_escrow() ? h.expires_at_us() - 1 : recorded_at_us;
      h.clear_from_escrow();
      return Why(core::ValidateHoldPlaced(h, now, "stock.hold_placed"));
    }
    case v1::StockEvent::kHoldPicked:
      return Why(core::ValidateOrderRef(ev.hold_picked().order_ref(),
                                        "stock.hold_picked.order_ref"));
    case v1::StockEvent::kHoldCollected:
      return Why(core::ValidateOrderRef(ev.hold_collected().order_ref(),
                                        "stock.hold_collected.order_ref"));
    case v1::StockEvent::kHoldCancelled:
      return Why(core::ValidateOrderRef(ev.hold_cancelled().order_ref(),
                                        "stock.hold_cancelled.order_ref"));
    case v1::StockEvent::kHoldExpired:
      return Why(core::ValidateOrderRef(ev.hold_expired().order_ref(),
                                        "stock.hold_expired.order_ref"));
    case v1::StockEvent::kHoldShortPicked:
      return Why(core::ValidateOrderRef(ev.hold_short_picked().order_ref(),
                                        "stock.hold_short_picked.order_ref"));
    case v1::StockEvent::kEscrowChanged:
      return CheckEscrow(ev.escrow_changed());
    case v1::StockEvent::kCatalogImported: {
      // The store's own catalog import, journaled in parts
      // (agent/stock_ops.cc): the products as an import checks them.
      const v1::CatalogImported& c = ev.catalog_imported();
      if (c.parts() < 1 || c.part() >= c.parts()) {
        return "stock.catalog_imported.part: " + std::to_string(c.part()) +
               " of " + std::to_string(c.parts()) + " parts";
      }
      if (c.products_size() > kMaxImportedPerPart) {
        return "stock.catalog_imported.products: " +
               std::to_string(c.products_size()) + ", too many (max " +
               std::to_string(kMaxImportedPerPart) + ")";
      }
      std::string why = Why(
          core::ValidateCatalog({c.products().begin(), c.products().end()}));
      if (!why.empty()) return "stock.catalog_imported.products: " + why;
      return Why(core::CheckFreeText(c, "stock.catalog_imported"));
    }
    case v1::StockEvent::KIND_NOT_SET:
      break;
  }
  return "stock.kind: exactly one kind is required";
}

}  // namespace

std::string IngestProblem(const v1::JournalRecord& record,
                          std::string_view canonical) {
  // The record's strings checked over its bytes in one pass; the walk over
  // the parsed record only when that finds something (for the verdict and
  // the path) or there are no bytes.
  const core::FreeText text =
      !canonical.empty() && core::TextPassesOnTheWire(
                                *v1::JournalRecord::descriptor(), canonical)
          ? core::FreeText::kPassedOnTheWire
          : core::FreeText::kCheck;
  std::string why = Why(
      core::ValidateClientKey(record.client_key(), "record.client_key", text));
  if (!why.empty()) return why;
  switch (record.body_case()) {
    case v1::JournalRecord::kTransaction:
      return CheckTransaction(record.transaction(), text);
    case v1::JournalRecord::kLoyalty:
      return CheckLoyalty(record.loyalty());
    case v1::JournalRecord::kStock:
      return CheckStock(record.stock(), record.recorded_at_us());
    case v1::JournalRecord::kCheckpoint:
      // Verified against the store's key before the batch is ingested
      // (StreamMachine::OnEvents): a bad one ends the stream, never sits in
      // quarantine.
      return "";
    case v1::JournalRecord::BODY_NOT_SET:
      break;
  }
  return "record: no body set";
}

}  // namespace storeagent::central
