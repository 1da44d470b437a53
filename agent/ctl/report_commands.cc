// storeagentctl report x | z: the business day's figures from the agent's
// journal (PosService.GetDayReport), with every close's cash-up
// discrepancies.
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <memory>
#include <string>

#include "agent/ctl/commands.h"
#include "core/day_totals.h"
#include "storeagent/v1/pos.grpc.pb.h"

namespace storeagent::ctl {
namespace {

struct ReportOptions {
  std::string day;  // empty: today (the agent's local date)
  std::string terminal;
  std::string format = "table";
};

long long L(int64_t v) { return static_cast<long long>(v); }

std::string Scope(const v1::GetDayReportResponse& r) {
  return r.totals().terminal_id().empty()
             ? "store (every terminal)"
             : "terminal " + r.totals().terminal_id();
}

void PrintFigures(const v1::DayTotals& t) {
  std::printf("%-14s %8s %14s\n", "", "count", "amount");
  std::printf("%-14s %8lld %14lld\n", "sales", L(t.sale_count()),
              L(t.sales_amount().minor_units()));
  std::printf("%-14s %8lld %14lld\n", "returns", L(t.return_count()),
              L(t.returns_amount().minor_units()));
  std::printf("%-14s %8lld %14lld\n", "voids", L(t.void_count()),
              L(t.voids_amount().minor_units()));
  std::printf("%-14s %8lld\n", "no-sales", L(t.no_sale_count()));
  std::printf("%-14s %8lld %14lld\n", "discounts", L(t.discount_count()),
              L(t.discounts_amount().minor_units()));
  std::printf("%-14s %8lld\n", "transactions", L(t.transaction_count()));
  std::printf("\n%-14s %8s %14s\n", "tender", "count", "net");
  for (const v1::TenderTotal& x : t.tenders()) {
    std::printf("%-14s %8lld %14lld\n", core::TenderKindName(x.kind()).c_str(),
                L(x.count()), L(x.net_amount().minor_units()));
  }
  std::printf("\n%-14s %14s %14s\n", "tax rate (bp)", "taxable", "tax");
  for (const v1::TaxTotal& x : t.taxes()) {
    std::printf("%-14d %14lld %14lld\n", x.rate_bp(),
                L(x.taxable().minor_units()), L(x.tax().minor_units()));
  }
}

void PrintBreakdown(const char* title, const char* key_name,
                    const google::protobuf::RepeatedPtrField<v1::DayTotals>& ts,
                    bool by_terminal) {
  if (ts.empty()) return;
  std::printf("\n%s\n%-16s %6s %12s %6s %12s %6s %12s %8s\n", title, key_name,
              "sales", "amount", "rets", "amount", "voids", "amount",
              "no-sales");
  for (const v1::DayTotals& t : ts) {
    const std::string& key = by_terminal ? t.terminal_id() : t.operator_id();
    std::printf("%-16s %6lld %12lld %6lld %12lld %6lld %12lld %8lld\n",
                key.empty() ? "(none)" : key.c_str(), L(t.sale_count()),
                L(t.sales_amount().minor_units()), L(t.return_count()),
                L(t.returns_amount().minor_units()), L(t.void_count()),
                L(t.voids_amount().minor_units()), L(t.no_sale_count()));
  }
}

void PrintCloses(const v1::GetDayReportResponse& r) {
  std::printf("\ncloses: %d\n", r.closes_size());
  for (const v1::DayClose& c : r.closes()) {
    std::printf(
        "  seq %llu  %s %s  recorded %s  operator %s: %s\n",
        static_cast<unsigned long long>(c.seq()),
        c.close().whole_store() ? "whole store, from" : "terminal",
        c.terminal_id().c_str(), FormatTime(c.recorded_at_us()).c_str(),
        c.close().operator_id().empty() ? "(none)"
                                        : c.close().operator_id().c_str(),
        c.close().differences().empty()
            ? "agrees with the agent's figures"
            : (std::to_string(c.close().differences_size()) + " discrepancies")
                  .c_str());
    for (const v1::CloseDifference& d : c.close().differences()) {
      std::printf("    cash-up discrepancy: %s pos %lld agent %lld\n",
                  d.figure().c_str(), L(d.pos()), L(d.agent()));
    }
  }
}

void PrintTable(const v1::GetDayReportResponse& r) {
  const std::string& currency = r.totals().sales_amount().currency();
  std::printf("%s report: %s, business day %s (%s)\n", r.kind().c_str(),
              Scope(r).c_str(), r.totals().business_day().c_str(),
              r.kind() == "Z" ? "closed, final" : "open, figures so far");
  std::printf("%s\n", FormatAsOf(r.head_seq(), r.as_of_us()).c_str());
  std::printf("amounts in %s minor units\n\n",
              currency.empty() ? "the store currency's" : currency.c_str());
  PrintFigures(r.totals());
  PrintBreakdown("by terminal", "terminal", r.by_terminal(), true);
  PrintBreakdown("by operator", "operator", r.by_operator(), false);
  PrintCloses(r);
}

int Report(Target& t, bool z, const ReportOptions& o) {
  auto stub = v1::PosService::NewStub(OpenChannel(t));
  grpc::ClientContext ctx;
  SetDeadline(ctx, t);
  v1::GetDayReportRequest req;
  req.set_business_day(o.day);
  req.set_terminal_id(o.terminal);
  v1::GetDayReportResponse reply;
  grpc::Status s = stub->GetDayReport(&ctx, req, &reply);
  if (!s.ok()) return Fail(RpcError(s));
  if (z && reply.kind() != "Z") {
    return Fail("business day " + reply.totals().business_day() + " of the " +
                Scope(reply) +
                " is not closed, so there is no Z report yet; "
                "`storeagentctl report x` shows the day so far");
  }
  if (o.format == "json") {
    std::string out;
    google::protobuf::util::JsonPrintOptions jo;
    jo.always_print_primitive_fields = true;
    jo.preserve_proto_field_names = true;
    if (!google::protobuf::util::MessageToJsonString(reply, &out, jo).ok()) {
      return Fail("could not format the report as JSON");
    }
    std::printf("%s\n", out.c_str());
    return kExitOk;
  }
  PrintTable(reply);
  return kExitOk;
}

void AddReport(CLI::App& report, Target& t, Action& action, bool z) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = report.add_subcommand(
      z ? "z" : "x",
      z ? "the Z report of a closed business day: the final figures, each "
          "close and its cash-up discrepancies (fails while the day is open)"
        : "the X report: the business day's figures so far (sales, returns, "
          "voids, no-sales, discounts, tenders, taxes, by terminal and "
          "operator) and any closes recorded");
  cmd->add_option("--day", o->day,
                  "business day YYYY-MM-DD (default: the agent's local date)");
  cmd->add_option("--terminal", o->terminal,
                  "one terminal's figures (default: the whole store)");
  cmd->add_option("--format", o->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([&t, &action, o, z] {
    action = [&t, o, z] { return Report(t, z, *o); };
  });
}

}  // namespace

void AddReportCommands(CLI::App& app, Target& t, Action& action) {
  CLI::App* report = app.add_subcommand(
      "report",
      "X and Z reports of a business day, computed by the agent from its "
      "journal (docs/pos-api.md, \"X and Z reports\")");
  report->require_subcommand(1);
  AddReport(*report, t, action, /*z=*/false);
  AddReport(*report, t, action, /*z=*/true);
}

}  // namespace storeagent::ctl
