// storeagentctl holds list | show | pick | collect | cancel | short-pick.
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "agent/ctl/commands.h"
#include "core/stock_rule.h"
#include "storeagent/v1/availability.grpc.pb.h"

namespace storeagent::ctl {
namespace {

// --state values; "open" is HELD and PICKED.
const std::map<std::string, v1::HoldState>& States() {
  static const auto* m = new std::map<std::string, v1::HoldState>{
      {"open", v1::HOLD_STATE_UNSPECIFIED},
      {"held", v1::HOLD_STATE_HELD},
      {"picked", v1::HOLD_STATE_PICKED},
      {"collected", v1::HOLD_STATE_COLLECTED},
      {"cancelled", v1::HOLD_STATE_CANCELLED},
      {"expired", v1::HOLD_STATE_EXPIRED},
  };
  return *m;
}

int64_t Units(const v1::Hold& h) {
  int64_t n = 0;
  for (const v1::HoldLine& l : h.lines()) n += l.quantity();
  return n;
}

struct ListOptions {
  std::string state = "open";
  int limit = 100;
};

int List(Target& t, const ListOptions& o) {
  auto stub = v1::AvailabilityService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::ListHoldsRequest req;
  req.set_state(States().at(o.state));
  req.set_limit(o.limit);
  v1::ListHoldsResponse reply;
  grpc::Status s = stub->ListHolds(&ctx, req, &reply);
  if (!s.ok()) return Fail(RpcError(s));
  std::printf("%-24s %-10s %-8s %6s %6s  %-21s %s\n", "order", "state",
              "channel", "lines", "units", "expires", "placed_seq");
  for (const v1::Hold& h : reply.holds()) {
    std::printf(
        "%-24s %-10s %-8s %6d %6lld  %-21s %llu\n", h.order_ref().c_str(),
        core::HoldStateName(h.state()), h.channel().c_str(), h.lines_size(),
        static_cast<long long>(Units(h)), FormatTime(h.expires_at_us()).c_str(),
        static_cast<unsigned long long>(h.placed_seq()));
  }
  std::printf("%d %s holds, %s\n", reply.holds_size(), o.state.c_str(),
              FormatAsOf(reply.as_of().seq(), reply.as_of().at_us()).c_str());
  return kExitOk;
}

// GetHold's and UpdateHold's responses have the same fields.
template <typename HoldResponse>
void PrintHold(const HoldResponse& reply) {
  const v1::Hold& h = reply.hold();
  std::printf("order        %s\n", h.order_ref().c_str());
  std::printf("state        %s%s\n", core::HoldStateName(h.state()),
              reply.replayed() ? " (already done: this was a retry)" : "");
  std::printf("channel      %s\n", h.channel().c_str());
  std::printf("expires      %s\n", FormatTime(h.expires_at_us()).c_str());
  std::printf("placed seq   %llu\n",
              static_cast<unsigned long long>(h.placed_seq()));
  std::printf("updated seq  %llu\n",
              static_cast<unsigned long long>(h.updated_seq()));
  for (const v1::HoldLine& l : h.lines()) {
    std::printf("  %-20s %lld\n", l.sku().c_str(),
                static_cast<long long>(l.quantity()));
  }
  std::printf("%s\n",
              FormatAsOf(reply.as_of().seq(), reply.as_of().at_us()).c_str());
}

int Show(Target& t, const std::string& order) {
  auto stub = v1::AvailabilityService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::GetHoldRequest req;
  req.set_order_ref(order);
  v1::GetHoldResponse reply;
  grpc::Status s = stub->GetHold(&ctx, req, &reply);
  if (!s.ok()) return Fail(RpcError(s));
  PrintHold(reply);
  return kExitOk;
}

enum class HoldAction { kPick, kCollect, kCancel, kShortPick };

struct UpdateOptions {
  std::string order;
  std::string key;
  std::string reason;
  std::vector<std::string> found;
};

Result<v1::HoldLine> ParseFound(const std::string& arg) {
  const size_t eq = arg.rfind('=');
  int64_t q = 0;
  if (eq == std::string::npos || eq == 0 ||
      !ParseInt64(std::string_view(arg).substr(eq + 1), &q)) {
    return InvalidArgument("--found: \"" + arg +
                           "\" is not SKU=QTY (e.g. --found A-1=2)");
  }
  v1::HoldLine l;
  l.set_sku(arg.substr(0, eq));
  l.set_quantity(q);
  return l;
}

int Update(Target& t, HoldAction what, const char* name,
           const UpdateOptions& o) {
  v1::UpdateHoldRequest req;
  req.mutable_client_key()->set_terminal_id(CtlTerminalId());
  req.mutable_client_key()->set_client_txn_id(
      o.key.empty() ? KeyFor(std::string(name) + "-", o.order) : o.key);
  const std::string op = CtlTerminalId();
  switch (what) {
    case HoldAction::kPick:
      req.mutable_pick()->set_order_ref(o.order);
      req.mutable_pick()->set_operator_id(op);
      break;
    case HoldAction::kCollect:
      req.mutable_collect()->set_order_ref(o.order);
      req.mutable_collect()->set_operator_id(op);
      break;
    case HoldAction::kCancel:
      req.mutable_cancel()->set_order_ref(o.order);
      req.mutable_cancel()->set_reason(o.reason);
      req.mutable_cancel()->set_operator_id(op);
      break;
    case HoldAction::kShortPick:
      req.mutable_short_pick()->set_order_ref(o.order);
      req.mutable_short_pick()->set_operator_id(op);
      for (const std::string& f : o.found) {
        Result<v1::HoldLine> l = ParseFound(f);
        if (!l.ok()) return Fail(l.status().message());
        *req.mutable_short_pick()->add_found() = *l;
      }
      break;
  }
  auto stub = v1::AvailabilityService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::UpdateHoldResponse reply;
  grpc::Status s = stub->UpdateHold(&ctx, req, &reply);
  if (!s.ok()) return Fail(RpcError(s));
  PrintHold(reply);
  return kExitOk;
}

// Registers `holds <name> ORDER [--key]`; the caller adds the action's own
// options to the subcommand returned.
CLI::App* AddUpdate(CLI::App& holds, Target& t, Action& action, HoldAction what,
                    const char* name, const std::string& help,
                    const std::shared_ptr<UpdateOptions>& o) {
  CLI::App* sub = holds.add_subcommand(name, help);
  sub->add_option("ORDER", o->order, "the order reference")->required();
  sub->add_option("--key", o->key,
                  std::string("client_txn_id (default: ") + name +
                      "-ORDER, so repeating the command is a harmless retry)");
  sub->callback([&, what, name, o] {
    action = [&, what, name, o] { return Update(t, what, name, *o); };
  });
  return sub;
}

}  // namespace

void AddHoldCommands(CLI::App& app, Target& t, Action& action) {
  CLI::App* holds =
      app.add_subcommand("holds", "click-and-collect holds (reservations)");
  holds->require_subcommand(1);

  auto l = std::make_shared<ListOptions>();
  std::vector<std::string> states;
  for (const auto& [name, s] : States()) states.push_back(name);
  CLI::App* list = holds->add_subcommand(
      "list", "holds in one state, oldest expiry first (default: open ones)");
  list->add_option("--state", l->state,
                   "open (held and picked), held, picked, collected, "
                   "cancelled or expired")
      ->capture_default_str()
      ->check(CLI::IsMember(states));
  list->add_option("--limit", l->limit, "at most this many (1..1000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  list->callback([&, l] { action = [&, l] { return List(t, *l); }; });

  auto order = std::make_shared<std::string>();
  CLI::App* show = holds->add_subcommand(
      "show", "one hold: state, lines, expiry, placed and updated seq");
  show->add_option("ORDER", *order, "the order reference")->required();
  show->callback(
      [&, order] { action = [&, order] { return Show(t, *order); }; });

  AddUpdate(*holds, t, action, HoldAction::kPick, "pick",
            "staff picked the goods and put them aside (HELD -> PICKED)",
            std::make_shared<UpdateOptions>());
  AddUpdate(*holds, t, action, HoldAction::kCollect, "collect",
            "the customer took the goods (PICKED -> COLLECTED): on hand goes "
            "down by every line",
            std::make_shared<UpdateOptions>());
  auto cancel = std::make_shared<UpdateOptions>();
  AddUpdate(*holds, t, action, HoldAction::kCancel, "cancel",
            "cancel an open hold; its units become available again", cancel)
      ->add_option("--reason", cancel->reason, "why (0..128)");
  auto shortp = std::make_shared<UpdateOptions>();
  AddUpdate(*holds, t, action, HoldAction::kShortPick, "short-pick",
            "not all held goods were found: the hold is released (CANCELLED) "
            "and the missing units are written off as a correction. SKUs "
            "not listed with --found count as 0 found",
            shortp)
      ->add_option("--found", shortp->found,
                   "SKU=QTY units found, once per SKU (repeatable)");
}

}  // namespace storeagent::ctl
