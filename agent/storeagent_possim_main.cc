// storeagent-possim: a POS terminal simulator for demos and smoke tests.
// Records sample sales (and, with --loyalty, loyalty signals) through the
// real POS API, exactly as a till would.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "platform/cli.h"
#include "platform/clock.h"
#include "platform/crypto.h"
#include "proto/grpc_log.h"
#include "storeagent/v1/pos.grpc.pb.h"

namespace v1 = storeagent::v1;

namespace {

v1::Money Eur(int64_t minor) {
  v1::Money m;
  m.set_minor_units(minor);
  m.set_currency("EUR");
  return m;
}

// The demo loyalty card.
constexpr std::string_view kDemoCard = "9876543210123";

// A cash sale of `lines` lines, prices included VAT, paid exactly. Every
// fifth is a click-and-collect hand-over with its order reference; with
// `member`, every third names the demo loyalty card.
v1::Transaction DemoSale(int n, int lines, bool member) {
  v1::Transaction t;
  v1::Sale* s = t.mutable_sale();
  int64_t subtotal = 0;
  for (int i = 0; i < lines; ++i) {
    v1::TransactionLine* l = s->add_lines();
    l->set_sku("SKU-" + std::to_string(1000 + (n * 7 + i) % 50));
    l->set_unit(v1::UNIT_OF_MEASURE_EACH);
    l->set_quantity(1 + i % 3);
    const int64_t price = 199 + 100 * ((n + i) % 9);
    *l->mutable_unit_price() = Eur(price);
    *l->mutable_extended_amount() = Eur(price * l->quantity());
    l->set_description("Demo article " + std::to_string(i + 1));
    subtotal += price * l->quantity();
  }
  v1::Tender* cash = s->add_tenders();
  cash->set_kind(v1::Tender::KIND_CASH);
  *cash->mutable_amount() = Eur(subtotal);
  v1::Totals* tot = s->mutable_totals();
  *tot->mutable_subtotal() = Eur(subtotal);
  *tot->mutable_tax() = Eur(0);
  *tot->mutable_total() = Eur(subtotal);
  tot->set_tax_included(true);
  *tot->mutable_change_given() = Eur(0);
  s->set_operator_id("demo-operator");
  s->set_receipt_number(std::to_string(n));
  // The business day is required: today's, in the host's time zone.
  s->set_business_day(
      storeagent::LocalDay(storeagent::SystemClock().NowMicros()));
  if (n % 5 == 0) {
    s->set_channel(v1::SALES_CHANNEL_CLICK_AND_COLLECT);
    s->set_order_ref("DEMO-" + std::to_string(n));
  } else {
    s->set_channel(v1::SALES_CHANNEL_STORE);
  }
  if (member && n % 3 == 0) {
    s->mutable_member()->set_card_number(std::string(kDemoCard));
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  // gRPC's own lines in the product's log format (proto/grpc_log.h).
  storeagent::rpc::RouteGrpcLogs();
  CLI::App app(
      "storeagent-possim - a simulated till: records sample sales through the "
      "agent's POS API and prints each answer.",
      "storeagent-possim");
  std::string socket = "/run/storeagent/pos.sock";
  std::string terminal = "possim-1";
  std::string prefix;
  int count = 5;
  int lines = 5;
  bool loyalty = false;
  app.add_option("--socket", socket, "agent's POS Unix socket")
      ->capture_default_str();
  app.add_option("--terminal", terminal, "terminal_id of the client keys")
      ->capture_default_str();
  app.add_option("--prefix", prefix,
                 "client_txn_id prefix (default: 8 random letters, so runs "
                 "do not collide; give a fixed one to demonstrate retries)");
  app.add_option("-n,--count", count, "sales to record")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--lines", lines, "lines per sale")
      ->capture_default_str()
      ->check(CLI::Range(1, 500));
  app.add_flag("--loyalty", loyalty,
               "also record points for a demo loyalty member on every sale "
               "and name the member on every third sale (the agent needs "
               "loyalty.key_file)");
  storeagent::platform::AddVersionFlag(app);
  if (std::optional<int> code =
          storeagent::platform::ParseCommandLine(app, argc, argv)) {
    return *code;
  }
  if (prefix.empty()) {
    // Letters: "<hex>-<n>" could join into a Luhn-valid digit run.
    prefix = storeagent::crypto::RandomLetters(4);
  }

  auto stub = v1::PosService::NewStub(grpc::CreateChannel(
      "unix:" + socket, grpc::InsecureChannelCredentials()));
  int failures = 0;
  for (int n = 1; n <= count; ++n) {
    v1::RecordTransactionRequest req;
    req.mutable_client_key()->set_terminal_id(terminal);
    req.mutable_client_key()->set_client_txn_id(prefix + "-" +
                                                std::to_string(n));
    *req.mutable_transaction() = DemoSale(n, lines, loyalty);
    grpc::ClientContext ctx;
    ctx.set_deadline(gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                  gpr_time_from_seconds(10, GPR_TIMESPAN)));
    v1::RecordTransactionResponse reply;
    grpc::Status s = stub->RecordTransaction(&ctx, req, &reply);
    if (!s.ok()) {
      ++failures;
      std::fprintf(stderr, "sale %s: error %d: %s\n",
                   req.client_key().client_txn_id().c_str(), s.error_code(),
                   s.error_message().c_str());
      continue;
    }
    std::printf("sale %s -> seq %llu hash %s%s\n",
                req.client_key().client_txn_id().c_str(),
                static_cast<unsigned long long>(reply.seq()),
                storeagent::crypto::ToHex(reply.hash()).substr(0, 16).c_str(),
                reply.replayed() ? " (replayed)" : "");
    if (loyalty) {
      v1::RecordLoyaltySignalRequest lreq;
      lreq.mutable_client_key()->set_terminal_id(terminal);
      lreq.mutable_client_key()->set_client_txn_id(prefix + "-" +
                                                   std::to_string(n) + "-pts");
      v1::PointsEarned* p = lreq.mutable_signal()->mutable_points_earned();
      p->mutable_member()->set_card_number(std::string(kDemoCard));
      p->set_points(10);
      *p->mutable_transaction() = req.client_key();
      grpc::ClientContext lctx;
      v1::RecordLoyaltySignalResponse lreply;
      grpc::Status ls = stub->RecordLoyaltySignal(&lctx, lreq, &lreply);
      if (!ls.ok()) {
        ++failures;
        std::fprintf(stderr, "points %d: error %d: %s\n", n, ls.error_code(),
                     ls.error_message().c_str());
      }
    }
  }
  return failures == 0 ? 0 : 1;
}
