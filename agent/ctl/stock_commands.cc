// storeagentctl stock show | adjust | count | rebuild --verify.
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

#include "agent/ctl/commands.h"
#include "storage/sqlite_handle.h"
#include "storage/stock_rebuild.h"
#include "storeagent/v1/availability.grpc.pb.h"

namespace storeagent::ctl {
namespace {

using Reason = v1::StockMovement::Reason;

// --reason values; sign: +1 the quantity must be positive, -1 negative
// (a positive QTY is taken as units out), 0 either.
struct ReasonInfo {
  Reason reason;
  int sign;
};

const std::map<std::string, ReasonInfo>& Reasons() {
  static const auto* m = new std::map<std::string, ReasonInfo>{
      {"receipt", {v1::StockMovement::REASON_RECEIPT, +1}},
      {"transfer-in", {v1::StockMovement::REASON_TRANSFER_IN, +1}},
      {"transfer-out", {v1::StockMovement::REASON_TRANSFER_OUT, -1}},
      {"shrink", {v1::StockMovement::REASON_SHRINK, -1}},
      {"correction", {v1::StockMovement::REASON_CORRECTION, 0}},
      {"quality-hold", {v1::StockMovement::REASON_QUALITY_HOLD, 0}},
  };
  return *m;
}

int Show(Target& t, const std::vector<std::string>& skus) {
  auto stub = v1::AvailabilityService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::GetAvailabilityRequest req;
  for (const std::string& s : skus) req.add_skus(s);
  v1::GetAvailabilityResponse reply;
  grpc::Status s = stub->GetAvailability(&ctx, req, &reply);
  if (!s.ok()) return Fail(RpcError(s));
  std::printf("%-20s %12s %10s %12s %12s %12s  %s\n", "sku", "on_hand", "held",
              "unavailable", "safety_stock", "available", "flags");
  for (const v1::SkuAvailability& a : reply.items()) {
    std::string flags;
    if (a.negative()) flags += "NEGATIVE ";
    if (!a.in_catalog()) flags += "not-in-catalog";
    std::printf("%-20s %12lld %10lld %12lld %12lld %12lld  %s\n",
                a.sku().c_str(), static_cast<long long>(a.on_hand()),
                static_cast<long long>(a.held()),
                static_cast<long long>(a.unavailable()),
                static_cast<long long>(a.safety_stock()),
                static_cast<long long>(a.available()), flags.c_str());
  }
  std::printf("%s\n",
              FormatAsOf(reply.as_of().seq(), reply.as_of().at_us()).c_str());
  return kExitOk;
}

// Sends `req` (its kind set); prints the seq and the key to retry with.
int Record(Target& t, v1::RecordStockEventRequest req, const std::string& key) {
  const bool generated = key.empty();
  req.mutable_client_key()->set_terminal_id(CtlTerminalId());
  req.mutable_client_key()->set_client_txn_id(generated ? RandomTxnId() : key);
  const std::string& txn = req.client_key().client_txn_id();
  auto stub = v1::AvailabilityService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::RecordStockEventResponse reply;
  grpc::Status s = stub->RecordStockEvent(&ctx, req, &reply);
  if (!s.ok()) {
    const bool maybe_done =
        s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
        s.error_code() == grpc::StatusCode::UNAVAILABLE;
    return Fail(RpcError(s) +
                (maybe_done ? "; it may have been recorded: retry with --key " +
                                  txn + " to be sure it counts once"
                            : ""));
  }
  std::printf("%s seq %llu (terminal %s, key %s)\n",
              reply.replayed() ? "already recorded at" : "recorded at",
              static_cast<unsigned long long>(reply.seq()),
              req.client_key().terminal_id().c_str(), txn.c_str());
  if (generated) {
    std::printf("to retry without counting twice: --key %s\n", txn.c_str());
  }
  return kExitOk;
}

struct AdjustOptions {
  std::string sku;
  std::string qty;
  std::string reason;
  std::string note;
  std::string reference;
  std::string key;
};

int Adjust(Target& t, const AdjustOptions& o) {
  const ReasonInfo& r = Reasons().at(o.reason);
  int64_t q = 0;
  if (!ParseInt64(o.qty, &q) || q == 0) {
    return Fail("QTY: \"" + o.qty + "\" is not a non-zero whole number");
  }
  if (r.sign < 0 && q > 0) q = -q;  // "shrink 3" means three units out
  if (r.sign > 0 && q < 0) {
    return Fail("QTY: " + o.reason +
                " adds stock; the quantity must be "
                "positive (use --reason correction to take units out)");
  }
  v1::RecordStockEventRequest req;
  v1::StockMovement* m = req.mutable_movement();
  m->set_reason(r.reason);
  v1::StockDelta* d = m->add_lines();
  d->set_sku(o.sku);
  d->set_quantity(q);
  m->set_note(o.note);
  m->set_reference(o.reference);
  return Record(t, std::move(req), o.key);
}

struct CountOptions {
  std::string sku;
  int64_t counted = 0;
  std::string note;
  std::string key;
};

int Count(Target& t, const CountOptions& o) {
  v1::RecordStockEventRequest req;
  v1::CountLine* l = req.mutable_count()->add_lines();
  l->set_sku(o.sku);
  l->set_counted(o.counted);
  req.mutable_count()->set_note(o.note);
  return Record(t, std::move(req), o.key);
}

struct RebuildOptions {
  bool verify = false;
};

int Rebuild(Target& t, const RebuildOptions& o) {
  if (!o.verify) {
    return Fail(
        "stock rebuild: only --verify is supported (it compares the "
        "stock and holds tables with the journal; nothing is written)");
  }
  ResolveFromConfig(t);
  if (t.db.empty()) return Fail("no database: pass --db or --config");
  storage::ConnectionOptions opts;
  opts.read_only = true;
  Result<storage::Connection> conn = storage::Connection::Open(t.db, opts);
  if (!conn.ok()) return Fail(conn.status().ToString());
  Result<storage::RebuildReport> r = storage::VerifyStock(conn->get());
  if (!r.ok()) return Fail(r.status().ToString());
  if (!r->replay_problem.ok()) {
    std::printf("BROKEN: the journal cannot be replayed at seq %llu: %s\n",
                static_cast<unsigned long long>(r->problem_seq),
                r->replay_problem.ToString().c_str());
    return kExitVerifyFailed;
  }
  if (!r->differences.empty()) {
    for (const storage::StockDifference& d : r->differences) {
      std::printf("DIFFERS %s\n", d.ToString().c_str());
    }
    std::printf(
        "%zu differences in %llu SKUs and %llu holds (journal seq "
        "1..%llu)\n",
        r->differences.size(), static_cast<unsigned long long>(r->skus_checked),
        static_cast<unsigned long long>(r->holds_checked),
        static_cast<unsigned long long>(r->head_seq));
    return kExitVerifyFailed;
  }
  std::printf(
      "ok: %llu SKUs, %llu holds agree with the journal (%llu events, "
      "seq 1..%llu)\n",
      static_cast<unsigned long long>(r->skus_checked),
      static_cast<unsigned long long>(r->holds_checked),
      static_cast<unsigned long long>(r->events_replayed),
      static_cast<unsigned long long>(r->head_seq));
  if (r->central_events_replayed > 0) {
    std::printf("    and %llu central events of the inbox\n",
                static_cast<unsigned long long>(r->central_events_replayed));
  }
  return kExitOk;
}

}  // namespace

void AddStockCommands(CLI::App& app, Target& t, Action& action) {
  CLI::App* stock = app.add_subcommand("stock", "stock figures and movements");
  stock->require_subcommand(1);

  auto skus = std::make_shared<std::vector<std::string>>();
  CLI::App* show = stock->add_subcommand(
      "show",
      "on hand, held, unavailable, safety stock, available and the negative "
      "flag of each SKU, with the journal seq and time they reflect");
  show->add_option("SKU", *skus, "one or more SKUs (at most 500)")->required();
  show->callback([&, skus] { action = [&, skus] { return Show(t, *skus); }; });

  auto a = std::make_shared<AdjustOptions>();
  std::vector<std::string> reasons;
  for (const auto& [name, info] : Reasons()) reasons.push_back(name);
  CLI::App* adjust = stock->add_subcommand(
      "adjust",
      "record a stock movement of one SKU: QTY is the signed change to on "
      "hand (for quality-hold: to unavailable). For shrink and transfer-out a "
      "positive QTY counts units out; receipt and transfer-in must be "
      "positive. A negative QTY may follow the SKU directly (-3). Prints "
      "the client key; retry with --key KEY and the movement counts once");
  adjust->add_option("SKU", a->sku, "the SKU")->required();
  adjust->add_option("QTY", a->qty, "signed quantity in base units")
      ->required();
  adjust->add_option("--reason", a->reason, "why the stock moved")
      ->required()
      ->check(CLI::IsMember(reasons));
  adjust->add_option("--note", a->note, "free text, e.g. damaged (0..128)");
  adjust->add_option("--reference", a->reference,
                     "delivery note or transfer id (0..64)");
  adjust->add_option("--key", a->key,
                     "client_txn_id, to retry an earlier call (default: a "
                     "fresh random one)");
  adjust->callback([&, a] { action = [&, a] { return Adjust(t, *a); }; });

  auto c = std::make_shared<CountOptions>();
  CLI::App* count = stock->add_subcommand(
      "count",
      "record an absolute count: COUNTED units of SKU are on the shelf now. "
      "on_hand becomes COUNTED; later sales move it from there");
  count->add_option("SKU", c->sku, "the SKU")->required();
  count->add_option("COUNTED", c->counted, "units counted (0..1000000000)")
      ->required();
  count->add_option("--note", c->note, "free text (0..128)");
  count->add_option("--key", c->key,
                    "client_txn_id, to retry an earlier call (default: a "
                    "fresh random one)");
  count->callback([&, c] { action = [&, c] { return Count(t, *c); }; });

  auto r = std::make_shared<RebuildOptions>();
  CLI::App* rebuild = stock->add_subcommand(
      "rebuild",
      "with --verify: replay the whole journal through the stock rule and "
      "compare every SKU's on_hand/held/unavailable and every hold's state "
      "with the stock and holds tables. Reads the database file directly "
      "(read-only; works with the agent stopped). Prints ok, or each "
      "difference and exits 3");
  rebuild->add_flag("--verify", r->verify,
                    "compare only (required: nothing is rewritten)");
  rebuild->add_option("--db", t.db, "database file (default: from --config)");
  rebuild->callback([&, r] { action = [&, r] { return Rebuild(t, *r); }; });
}

}  // namespace storeagent::ctl
