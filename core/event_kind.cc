#include "core/event_kind.h"

namespace storeagent::core {
namespace {

std::string_view TransactionKind(const v1::Transaction& t) {
  switch (t.kind_case()) {
    case v1::Transaction::kSale:
      return "sale";
    case v1::Transaction::kReturn:
      return "return";
    case v1::Transaction::kPostVoid:
      return "post_void";
    case v1::Transaction::kNoSale:
      return "no_sale";
    case v1::Transaction::kDailyClose:
      return "daily_close";
    case v1::Transaction::KIND_NOT_SET:
      break;
  }
  return "unknown";
}

std::string_view LoyaltyKind(const v1::LoyaltySignal& s) {
  switch (s.kind_case()) {
    case v1::LoyaltySignal::kIdentified:
      return "loyalty.identified";
    case v1::LoyaltySignal::kEnrolled:
      return "loyalty.enrolled";
    case v1::LoyaltySignal::kPointsEarned:
      return "loyalty.points_earned";
    case v1::LoyaltySignal::kPointsRedeemed:
      return "loyalty.points_redeemed";
    case v1::LoyaltySignal::kConsentChanged:
      return "loyalty.consent_changed";
    case v1::LoyaltySignal::KIND_NOT_SET:
      break;
  }
  return "unknown";
}

std::string_view StockKind(const v1::StockEvent& s) {
  switch (s.kind_case()) {
    case v1::StockEvent::kMovement:
      return "stock.movement";
    case v1::StockEvent::kCount:
      return "stock.count";
    case v1::StockEvent::kHoldPlaced:
      return "hold.placed";
    case v1::StockEvent::kHoldPicked:
      return "hold.picked";
    case v1::StockEvent::kHoldCollected:
      return "hold.collected";
    case v1::StockEvent::kHoldCancelled:
      return "hold.cancelled";
    case v1::StockEvent::kHoldExpired:
      return "hold.expired";
    case v1::StockEvent::kHoldShortPicked:
      return "hold.short_picked";
    case v1::StockEvent::kEscrowChanged:
      return "escrow.changed";
    case v1::StockEvent::kCatalogImported:
      return "catalog.imported";
    case v1::StockEvent::KIND_NOT_SET:
      break;
  }
  return "unknown";
}

}  // namespace

std::string_view EventKind(const v1::JournalRecord& record) {
  switch (record.body_case()) {
    case v1::JournalRecord::kTransaction:
      return TransactionKind(record.transaction());
    case v1::JournalRecord::kLoyalty:
      return LoyaltyKind(record.loyalty());
    case v1::JournalRecord::kStock:
      return StockKind(record.stock());
    case v1::JournalRecord::kCheckpoint:
      return "checkpoint";
    case v1::JournalRecord::BODY_NOT_SET:
      break;
  }
  return "unknown";
}

}  // namespace storeagent::core
