// StaffApi's writes: hold actions (pick, collect, cancel, short-pick) and
// stock adjustments and counts. Each becomes one journal event through
// StockOps, keyed by (terminal "staff:<name>", Idempotency-Key) so that a
// retry returns the first answer.
#include <utility>

#include "agent/http/staff_api.h"
#include "agent/http/staff_input.h"
#include "agent/http/staff_json.h"

namespace storeagent::agent {
namespace {

using nlohmann::json;

// Field renames from UpdateHoldRequest / RecordStockEventRequest paths to
// the names of the HTTP API.
constexpr FieldRename kHoldRenames[] = {
    {"client_key.client_txn_id", "Idempotency-Key"},
    {"client_key.terminal_id", "user"},
    {"pick", ""},
    {"collect", ""},
    {"cancel", ""},
    {"short_pick", ""},
};
constexpr FieldRename kStockRenames[] = {
    {"client_key.client_txn_id", "Idempotency-Key"},
    {"client_key.terminal_id", "user"},
    {"movement.lines[0]", ""},
    {"movement", ""},
    {"count.lines[0]", ""},
    {"count", ""},
};

struct ReasonName {
  std::string_view name;
  v1::StockMovement::Reason reason;
};
constexpr ReasonName kReasons[] = {
    {"receipt", v1::StockMovement::REASON_RECEIPT},
    {"transfer_out", v1::StockMovement::REASON_TRANSFER_OUT},
    {"transfer_in", v1::StockMovement::REASON_TRANSFER_IN},
    {"shrink", v1::StockMovement::REASON_SHRINK},
    {"correction", v1::StockMovement::REASON_CORRECTION},
    {"quality_hold", v1::StockMovement::REASON_QUALITY_HOLD},
};

std::string ClientTxnId(const StaffApi::Call& call, std::string_view action,
                        std::string_view order_ref) {
  return call.idempotency_key ? *call.idempotency_key
                              : DefaultTxnId(action, order_ref);
}

}  // namespace

void StaffApi::PickHold(Call call) {
  v1::UpdateHoldRequest req;
  req.mutable_pick()->set_order_ref(call.params[0]);
  req.mutable_pick()->set_operator_id(call.who.name);
  Status s = CheckKnownFields(call.body, {});
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  UpdateHold(std::move(call), "pick", std::move(req));
}

void StaffApi::CollectHold(Call call) {
  v1::UpdateHoldRequest req;
  req.mutable_collect()->set_order_ref(call.params[0]);
  req.mutable_collect()->set_operator_id(call.who.name);
  Status s = CheckKnownFields(call.body, {});
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  UpdateHold(std::move(call), "collect", std::move(req));
}

void StaffApi::CancelHold(Call call) {
  v1::UpdateHoldRequest req;
  v1::HoldCancelled* cancel = req.mutable_cancel();
  cancel->set_order_ref(call.params[0]);
  cancel->set_operator_id(call.who.name);
  Status s = CheckKnownFields(call.body, {"reason"});
  if (s.ok()) {
    s = ReadString(call.body, "reason", "", false, cancel->mutable_reason());
  }
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  UpdateHold(std::move(call), "cancel", std::move(req));
}

void StaffApi::ShortPickHold(Call call) {
  v1::UpdateHoldRequest req;
  v1::HoldShortPicked* sp = req.mutable_short_pick();
  sp->set_order_ref(call.params[0]);
  sp->set_operator_id(call.who.name);
  Status s = CheckKnownFields(call.body, {"found"});
  auto found = call.body.find("found");
  if (s.ok() && (found == call.body.end() || !found->is_array())) {
    s = InvalidArgument(
        "found: required, a list of {\"sku\", \"quantity\"} (may be empty)");
  }
  for (size_t i = 0; s.ok() && i < found->size(); ++i) {
    const std::string path = "found[" + std::to_string(i) + "]";
    const json& item = (*found)[i];
    if (!item.is_object()) {
      s = InvalidArgument(path + ": must be {\"sku\", \"quantity\"}");
      break;
    }
    v1::HoldLine* line = sp->add_found();
    int64_t quantity = 0;
    s = ReadString(item, "sku", path, true, line->mutable_sku());
    if (s.ok()) s = ReadInt64(item, "quantity", path, true, &quantity);
    line->set_quantity(quantity);
  }
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  UpdateHold(std::move(call), "short-pick", std::move(req));
}

void StaffApi::UpdateHold(Call call, std::string_view action,
                          v1::UpdateHoldRequest req) {
  Status s = CheckIdempotencyKey(call.idempotency_key, false);
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  req.mutable_client_key()->set_terminal_id(StaffTerminalId(call.who.name));
  req.mutable_client_key()->set_client_txn_id(
      ClientTxnId(call, action, call.params[0]));
  ops_.UpdateHold(req, [this, reply = std::move(call.reply)](
                           Result<v1::GetHoldResponse> r) {
    if (!r.ok()) {
      reply(ErrorResponse(RenameField(r.status(), kHoldRenames)));
      return;
    }
    reply(JsonResponse(200, json{{"hold", HoldJson(r->hold())},
                                 {"replayed", r->replayed()},
                                 {"as_of", AsOfJson(r->as_of(), clock_)}}));
  });
}

void StaffApi::AdjustStock(Call call) {
  v1::RecordStockEventRequest req;
  v1::StockMovement* m = req.mutable_movement();
  m->set_operator_id(call.who.name);
  v1::StockDelta* line = m->add_lines();
  line->set_sku(call.params[0]);
  std::string reason;
  int64_t quantity = 0;
  Status s =
      CheckKnownFields(call.body, {"reason", "quantity", "note", "reference"});
  if (s.ok()) s = ReadString(call.body, "reason", "", true, &reason);
  if (s.ok()) {
    s = InvalidArgument(
        "reason: must be shrink, correction, receipt, transfer_in, "
        "transfer_out or quality_hold");
    for (const ReasonName& r : kReasons) {
      if (r.name == reason) {
        m->set_reason(r.reason);
        s = Status::Ok();
      }
    }
  }
  if (s.ok()) s = ReadInt64(call.body, "quantity", "", true, &quantity);
  if (s.ok()) s = ReadString(call.body, "note", "", false, m->mutable_note());
  if (s.ok()) {
    s = ReadString(call.body, "reference", "", false, m->mutable_reference());
  }
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  line->set_quantity(quantity);
  RecordStockEvent(std::move(call), std::move(req));
}

void StaffApi::CountStock(Call call) {
  v1::RecordStockEventRequest req;
  v1::StockCount* c = req.mutable_count();
  c->set_operator_id(call.who.name);
  v1::CountLine* line = c->add_lines();
  line->set_sku(call.params[0]);
  int64_t counted = 0;
  Status s = CheckKnownFields(call.body, {"counted", "note"});
  if (s.ok()) s = ReadInt64(call.body, "counted", "", true, &counted);
  if (s.ok()) s = ReadString(call.body, "note", "", false, c->mutable_note());
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  line->set_counted(counted);
  RecordStockEvent(std::move(call), std::move(req));
}

// Records the event, then reads the SKU's figures so the answer says what
// the stock is now and how fresh that is.
void StaffApi::RecordStockEvent(Call call, v1::RecordStockEventRequest req) {
  Status s = CheckIdempotencyKey(call.idempotency_key, true);
  if (!s.ok()) {
    call.reply(ErrorResponse(s));
    return;
  }
  req.mutable_client_key()->set_terminal_id(StaffTerminalId(call.who.name));
  req.mutable_client_key()->set_client_txn_id(*call.idempotency_key);
  ops_.RecordStockEvent(
      req, [this, sku = call.params[0], reply = std::move(call.reply)](
               Result<v1::RecordTransactionResponse> r) {
        if (!r.ok()) {
          reply(ErrorResponse(RenameField(r.status(), kStockRenames)));
          return;
        }
        json body{{"seq", r->seq()},
                  {"recorded_at", FormatRfc3339(r->recorded_at_us())},
                  {"replayed", r->replayed()}};
        ops_.GetAvailability(
            {sku}, [this, reply, body = std::move(body)](
                       Result<v1::GetAvailabilityResponse> a) mutable {
              // The event is recorded either way; the figures
              // are a courtesy.
              if (a.ok() && a->items_size() == 1) {
                body["item"] = AvailabilityJson(a->items(0));
                body["as_of"] = AsOfJson(a->as_of(), clock_);
              }
              reply(JsonResponse(200, body));
            });
      });
}

}  // namespace storeagent::agent
