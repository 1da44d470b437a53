// storecentralctl: a small command line for storecentrald's CentralAdminService
// API (head office's side): push a stock movement, look up availability
// across stores, list drift, show a store's sync state, place and cancel
// click-and-collect holds, read the audit trail of admin writes, read the
// change feed (central/ctl_feed.h), read head office's KPIs and set a
// store's region, list the orders escrow breaches left at risk, and import
// and show head office's price lists and promotions (central/ctl_prices.h).
// Prints replies as tables for a person (central/ctl_format.h), or proto-JSON
// with --json. Exit 0 on success, 1 when central refused or could not be
// reached, 2 on a usage error (platform/cli.h).
//
// With admin.tls on central, pass an admin certificate (installer/dev-ca
// admin): --ca, --cert, --key. Without --cert the link is plaintext, which
// central accepts on a loopback admin.listen only.
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "central/ctl_feed.h"
#include "central/ctl_format.h"
#include "central/ctl_kpi_format.h"
#include "central/ctl_prices.h"
#include "platform/cli.h"
#include "platform/clock.h"
#include "platform/fs.h"
#include "proto/grpc_log.h"
#include "storeagent/v1/sync.grpc.pb.h"

namespace v1 = storeagent::v1;

namespace {

// Set by --json: replies as proto-JSON instead of tables.
bool json_output = false;

int Print(const grpc::Status& s, const google::protobuf::Message& reply) {
  if (!s.ok()) {
    std::fprintf(stderr, "storecentralctl: %s\n",
                 storeagent::central::FormatStatus(s).c_str());
    return 1;
  }
  const std::string text = json_output
                               ? storeagent::central::FormatReplyJson(reply)
                               : storeagent::central::FormatReply(reply);
  std::printf("%s", text.c_str());
  return 0;
}

// "SKU=QTY" lines.
bool ParseLines(const std::vector<std::string>& in,
                std::vector<std::pair<std::string, int64_t>>* out) {
  for (const std::string& l : in) {
    const size_t eq = l.rfind('=');
    if (eq == std::string::npos || eq == 0) return false;
    try {
      size_t used = 0;
      const int64_t q = std::stoll(l.substr(eq + 1), &used);
      if (used != l.size() - eq - 1) return false;
      out->emplace_back(l.substr(0, eq), q);
    } catch (...) {
      return false;
    }
  }
  return true;
}

// The whole of a PEM file, or nullopt (and why on stderr).
std::optional<std::string> ReadPem(const std::string& option,
                                   const std::string& path) {
  storeagent::Result<std::string> text = storeagent::fs::ReadFile(path);
  if (!text.ok()) {
    std::fprintf(stderr, "storecentralctl: %s: %s\n", option.c_str(),
                 text.status().message().c_str());
    return std::nullopt;
  }
  return *std::move(text);
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  // gRPC's monotonic clock, as storeagentctl does: no wall clock here.
  ctx->set_deadline(gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                 gpr_time_from_seconds(70, GPR_TIMESPAN)));
  return ctx;
}

}  // namespace

int main(int argc, char** argv) {
  // gRPC's own lines in the product's log format (proto/grpc_log.h).
  storeagent::rpc::RouteGrpcLogs();
  CLI::App app(
      "storecentralctl - head office's commands for storecentrald "
      "(CentralAdminService API, docs/central.md)",
      "storecentralctl");
  app.require_subcommand(1);
  std::string admin = "127.0.0.1:7444";
  app.add_option("--admin", admin, "storecentrald's admin.listen address")
      ->capture_default_str();
  app.add_flag("--json", json_output,
               "print replies as proto-JSON (field names as in sync.proto) "
               "instead of tables");
  std::string ca_file, cert_file, key_file, server_name;
  app.add_option("--ca", ca_file,
                 "CA certificate that central's server certificate chains "
                 "to (with admin.tls)");
  app.add_option("--cert", cert_file,
                 "admin client certificate (installer/dev-ca admin); "
                 "needs --ca and --key");
  app.add_option("--key", key_file, "the admin certificate's private key");
  app.add_option("--server-name", server_name,
                 "the name central's certificate is checked against "
                 "(default: the host of --admin)");

  std::string store, key, reason = "receipt", reference, order, channel,
                          cancel_reason;
  std::vector<std::string> lines, skus, stores;
  int limit = 0;
  int64_t expires_in_s = 86400;
  uint32_t timeout_ms = 0;

  CLI::App* push = app.add_subcommand(
      "push-movement", "Record a stock movement for a store (sent down to it)");
  push->add_option("--store", store, "store id")->required();
  push->add_option("--key", key, "idempotency key, 1..64")->required();
  push->add_option("--reason", reason,
                   "receipt | transfer-in | transfer-out | correction")
      ->capture_default_str();
  push->add_option("--line", lines, "SKU=QUANTITY (signed), repeatable")
      ->required();
  push->add_option("--reference", reference, "ASN / transfer note, 0..64");

  CLI::App* avail = app.add_subcommand(
      "availability", "SKU figures and escrow of every store (or --store)");
  avail->add_option("--sku", skus, "SKU, repeatable")->required();
  avail->add_option("--store", stores, "store id, repeatable");

  CLI::App* drift =
      app.add_subcommand("drift", "Stock drift found, newest first");
  drift->add_option("--store", store, "store id (default: every store)");
  drift->add_option("--limit", limit, "1..1000 (default 100)");

  CLI::App* state = app.add_subcommand("state", "A store's sync state");
  state->add_option("--store", store, "store id")->required();

  CLI::App* quarantine = app.add_subcommand(
      "quarantine", "Quarantined events and escrow breaches");
  quarantine->add_option("--store", store, "store id")->required();
  quarantine->add_option("--limit", limit, "1..1000 (default 100)");

  bool unresolved_only = false;
  std::string at_risk_format = "table";
  CLI::App* at_risk = app.add_subcommand(
      "at-risk",
      "Escrow-granted orders an escrow breach left uncovered, newest first");
  at_risk->add_option("--store", store, "store id (default: every store)");
  at_risk->add_option("--limit", limit, "1..1000 (default 100)");
  at_risk->add_flag("--unresolved", unresolved_only,
                    "only the orders still at risk");
  at_risk->add_option("--format", at_risk_format, "table | json")
      ->capture_default_str();

  CLI::App* hold = app.add_subcommand(
      "hold", "Place a click-and-collect hold (the store, else its escrow)");
  hold->add_option("--store", store, "store id")->required();
  hold->add_option("--order", order, "order reference")->required();
  hold->add_option("--line", lines, "SKU=QUANTITY, repeatable")->required();
  hold->add_option("--channel", channel, "online | app | phone");
  hold->add_option("--expires-in-s", expires_in_s, "seconds until it lapses")
      ->capture_default_str();
  hold->add_option("--timeout-ms", timeout_ms,
                   "wait this long for the store (0: 2000)");

  CLI::App* cancel = app.add_subcommand("cancel-hold", "Cancel a hold");
  cancel->add_option("--store", store, "store id")->required();
  cancel->add_option("--order", order, "order reference")->required();
  cancel->add_option("--reason", cancel_reason, "why");

  CLI::App* audit = app.add_subcommand(
      "audit", "Admin writes, allowed and refused, newest first");
  audit->add_option("--store", store, "store id (default: every store)");
  audit->add_option("--limit", limit, "1..1000 (default 100)");

  // Sale lines charged other than the price book (docs/central.md, "Price
  // deviations"); times as feed's (ParseFeedTime).
  std::string dev_sku, dev_since, dev_until;
  CLI::App* deviations = app.add_subcommand(
      "deviations",
      "Sale lines charged other than the price book, newest first, and the "
      "lines checked and deviating");
  deviations->add_option("--store", store, "store id (default: every store)");
  deviations->add_option("--sku", dev_sku, "only this SKU");
  deviations->add_option("--since", dev_since,
                         "recorded at or after: microseconds, YYYY-MM-DD or "
                         "YYYY-MM-DDTHH:MM:SSZ (UTC)");
  deviations->add_option("--until", dev_until, "recorded before; as --since");
  deviations->add_option("--limit", limit, "1..1000 (default 100)");

  // Head office's KPIs (docs/kpis.md).
  std::string region, last_week, format = "table";
  int weeks = 0;
  bool by_store = false;
  CLI::App* kpi = app.add_subcommand(
      "kpi", "KPIs per ISO week: the fleet, a region or a store");
  kpi->add_option("--store", store, "one store");
  kpi->add_option("--region", region, "the stores of a region");
  kpi->add_option("--weeks", weeks, "weeks in the report, 1..13 (default 4)");
  kpi->add_option("--last-week", last_week,
                  "the report's last week, e.g. 2026-W49 (default: this "
                  "week)");
  kpi->add_flag("--by-store", by_store,
                "also each store's span values, ranked per KPI");
  kpi->add_option("--format", format, "table | json | csv")
      ->capture_default_str();
  CLI::App* store_cmd = app.add_subcommand("store", "A store's attributes");
  store_cmd->require_subcommand(1);
  std::string region_store, new_region;
  CLI::App* set_region = store_cmd->add_subcommand(
      "set-region", "Set a store's region (\"\" clears it)");
  set_region->add_option("store", region_store, "store id")->required();
  set_region
      ->add_option("region", new_region, "1..64 of [A-Za-z0-9._:-], or \"\"")
      ->required();
  storeagent::central::FeedOptions feed_options;
  CLI::App* feed = storeagent::central::AddFeedCommand(app, &feed_options);
  storeagent::central::PriceCommands price_commands;
  storeagent::central::AddPriceCommands(app, &price_commands);

  storeagent::platform::AddVersionFlag(app);
  if (std::optional<int> code =
          storeagent::platform::ParseCommandLine(app, argc, argv)) {
    return *code;
  }
  // Before any channel: gRPC's threads must not take SIGINT/SIGTERM.
  if (feed->parsed()) storeagent::central::BlockFeedSignals();

  std::shared_ptr<grpc::ChannelCredentials> creds =
      grpc::InsecureChannelCredentials();
  grpc::ChannelArguments args;
  if (!cert_file.empty() || !key_file.empty() || !ca_file.empty()) {
    if (cert_file.empty() || key_file.empty() || ca_file.empty()) {
      std::fprintf(stderr,
                   "storecentralctl: --ca, --cert and --key go together\n");
      return 2;
    }
    grpc::SslCredentialsOptions ssl;
    std::optional<std::string> ca_pem = ReadPem("--ca", ca_file);
    std::optional<std::string> cert_pem = ReadPem("--cert", cert_file);
    std::optional<std::string> key_pem = ReadPem("--key", key_file);
    if (!ca_pem || !cert_pem || !key_pem) return 2;
    ssl.pem_root_certs = *ca_pem;
    ssl.pem_cert_chain = *cert_pem;
    ssl.pem_private_key = *key_pem;
    creds = grpc::SslCredentials(ssl);
    if (!server_name.empty()) args.SetSslTargetNameOverride(server_name);
  }
  auto stub = v1::CentralAdminService::NewStub(
      grpc::CreateCustomChannel(admin, creds, args));
  if (feed->parsed()) return storeagent::central::RunFeed(*stub, feed_options);
  if (std::optional<int> code = storeagent::central::RunPriceCommands(
          *stub, price_commands, json_output)) {
    return *code;
  }
  std::vector<std::pair<std::string, int64_t>> parsed;
  if (!ParseLines(lines, &parsed)) {
    std::fprintf(stderr, "storecentralctl: --line: expected SKU=QUANTITY\n");
    return 2;
  }
  if (push->parsed()) {
    v1::PushCentralEventRequest r;
    r.set_store_id(store);
    r.set_request_key(key);
    r.mutable_event()->set_reference(reference);
    v1::StockMovement* m = r.mutable_event()->mutable_movement();
    if (reason == "receipt") {
      m->set_reason(v1::StockMovement::REASON_RECEIPT);
    } else if (reason == "transfer-in") {
      m->set_reason(v1::StockMovement::REASON_TRANSFER_IN);
    } else if (reason == "transfer-out") {
      m->set_reason(v1::StockMovement::REASON_TRANSFER_OUT);
    } else if (reason == "correction") {
      m->set_reason(v1::StockMovement::REASON_CORRECTION);
    } else {
      std::fprintf(stderr, "storecentralctl: --reason: unknown '%s'\n",
                   reason.c_str());
      return 2;
    }
    m->set_reference(reference);
    for (const auto& [sku, q] : parsed) {
      v1::StockDelta* d = m->add_lines();
      d->set_sku(sku);
      d->set_quantity(q);
    }
    v1::PushCentralEventResponse reply;
    return Print(stub->PushCentralEvent(Context().get(), r, &reply), reply);
  }
  if (avail->parsed()) {
    v1::FindAvailabilityRequest r;
    for (const std::string& s : skus) r.add_skus(s);
    for (const std::string& s : stores) r.add_store_ids(s);
    v1::FindAvailabilityResponse reply;
    return Print(stub->FindAvailability(Context().get(), r, &reply), reply);
  }
  if (drift->parsed()) {
    v1::ListDriftRequest r;
    r.set_store_id(store);
    r.set_limit(limit);
    v1::ListDriftResponse reply;
    return Print(stub->ListDrift(Context().get(), r, &reply), reply);
  }
  if (state->parsed()) {
    v1::GetStoreSyncStateRequest r;
    r.set_store_id(store);
    v1::GetStoreSyncStateResponse reply;
    return Print(stub->GetStoreSyncState(Context().get(), r, &reply), reply);
  }
  if (quarantine->parsed()) {
    v1::ListQuarantineRequest r;
    r.set_store_id(store);
    r.set_limit(limit);
    v1::ListQuarantineResponse reply;
    return Print(stub->ListQuarantine(Context().get(), r, &reply), reply);
  }
  if (at_risk->parsed()) {
    if (at_risk_format != "table" && at_risk_format != "json") {
      std::fprintf(stderr,
                   "storecentralctl: --format: expected table or json\n");
      return 2;
    }
    json_output = json_output || at_risk_format == "json";
    v1::ListAtRiskOrdersRequest r;
    r.set_store_id(store);
    r.set_limit(limit);
    r.set_unresolved_only(unresolved_only);
    v1::ListAtRiskOrdersResponse reply;
    return Print(stub->ListAtRiskOrders(Context().get(), r, &reply), reply);
  }
  if (hold->parsed()) {
    v1::CentralAdminServicePlaceHoldRequest r;
    r.set_store_id(store);
    r.set_timeout_ms(timeout_ms);
    v1::HoldPlaced* h = r.mutable_hold();
    h->set_order_ref(order);
    h->set_channel(channel);
    h->set_expires_at_us(storeagent::SystemClock().NowMicros() +
                         expires_in_s * 1'000'000);
    for (const auto& [sku, q] : parsed) {
      v1::HoldLine* l = h->add_lines();
      l->set_sku(sku);
      l->set_quantity(q);
    }
    v1::CentralAdminServicePlaceHoldResponse reply;
    return Print(stub->PlaceHold(Context().get(), r, &reply), reply);
  }
  if (kpi->parsed()) {
    if (format != "table" && format != "json" && format != "csv") {
      std::fprintf(stderr,
                   "storecentralctl: --format: expected table, json or csv\n");
      return 2;
    }
    v1::GetKpiReportRequest r;
    r.set_store_id(store);
    r.set_region(region);
    r.set_weeks(weeks);
    r.set_last_week(last_week);
    r.set_by_store(by_store);
    v1::GetKpiReportResponse reply;
    grpc::Status st = stub->GetKpiReport(Context().get(), r, &reply);
    if (!st.ok() || json_output || format == "json") {
      json_output = json_output || format == "json";
      return Print(st, reply);
    }
    const std::string text = format == "csv"
                                 ? storeagent::central::FormatKpiCsv(reply)
                                 : storeagent::central::FormatKpiTable(reply);
    std::printf("%s", text.c_str());
    return 0;
  }
  if (set_region->parsed()) {
    v1::SetStoreRegionRequest r;
    r.set_store_id(region_store);
    r.set_region(new_region);
    v1::SetStoreRegionResponse reply;
    return Print(stub->SetStoreRegion(Context().get(), r, &reply), reply);
  }
  if (deviations->parsed()) {
    v1::ListPriceDeviationsRequest r;
    r.set_store_id(store);
    r.set_sku(dev_sku);
    // "" stays 0 (open); else a time as feed's.
    auto parse_time = [](const std::string& text, const char* option,
                         int64_t* out) {
      if (text.empty()) return true;
      storeagent::Result<int64_t> at =
          storeagent::central::ParseFeedTime(text, option);
      if (!at.ok()) {
        std::fprintf(stderr, "storecentralctl: %s\n",
                     at.status().message().c_str());
        return false;
      }
      *out = *at;
      return true;
    };
    int64_t since_us = 0, until_us = 0;
    if (!parse_time(dev_since, "--since", &since_us) ||
        !parse_time(dev_until, "--until", &until_us)) {
      return 2;
    }
    r.set_since_us(since_us);
    r.set_until_us(until_us);
    if (limit < 0) {
      std::fprintf(stderr, "storecentralctl: --limit: 1..1000\n");
      return 2;
    }
    r.set_limit(static_cast<uint32_t>(limit));
    v1::ListPriceDeviationsResponse reply;
    return Print(stub->ListPriceDeviations(Context().get(), r, &reply), reply);
  }
  if (audit->parsed()) {
    v1::ListAdminAuditRequest r;
    r.set_store_id(store);
    r.set_limit(limit);
    v1::ListAdminAuditResponse reply;
    return Print(stub->ListAdminAudit(Context().get(), r, &reply), reply);
  }
  v1::CentralAdminServiceCancelHoldRequest r;
  r.set_store_id(store);
  r.set_order_ref(order);
  r.set_reason(cancel_reason);
  v1::CentralAdminServiceCancelHoldResponse reply;
  return Print(stub->CancelHold(Context().get(), r, &reply), reply);
}
