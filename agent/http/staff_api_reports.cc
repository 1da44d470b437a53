// GET /api/v1/reports/day: the X or Z report of a business day for a
// manager (agent/day_report.h), with every close's cash-up discrepancies.
#include <utility>

#include "agent/http/staff_api.h"
#include "agent/http/staff_input.h"
#include "agent/http/staff_json.h"
#include "core/day_totals.h"

namespace storeagent::agent {
namespace {

using nlohmann::json;

json TenderJson(const v1::TenderTotal& t) {
  return json{{"kind", core::TenderKindName(t.kind())},
              {"net_amount", t.net_amount().minor_units()},
              {"count", t.count()}};
}

json TaxJson(const v1::TaxTotal& t) {
  return json{{"rate_bp", t.rate_bp()},
              {"taxable", t.taxable().minor_units()},
              {"tax", t.tax().minor_units()}};
}

json TotalsJson(const v1::DayTotals& t) {
  json tenders = json::array(), taxes = json::array();
  for (const v1::TenderTotal& x : t.tenders()) tenders.push_back(TenderJson(x));
  for (const v1::TaxTotal& x : t.taxes()) taxes.push_back(TaxJson(x));
  return json{{"terminal_id", t.terminal_id()},
              {"operator_id", t.operator_id()},
              {"sale_count", t.sale_count()},
              {"sales_amount", t.sales_amount().minor_units()},
              {"return_count", t.return_count()},
              {"returns_amount", t.returns_amount().minor_units()},
              {"void_count", t.void_count()},
              {"voids_amount", t.voids_amount().minor_units()},
              {"no_sale_count", t.no_sale_count()},
              {"discount_count", t.discount_count()},
              {"discounts_amount", t.discounts_amount().minor_units()},
              {"transaction_count", t.transaction_count()},
              {"tenders", std::move(tenders)},
              {"taxes", std::move(taxes)}};
}

json CloseJson(const v1::DayClose& c) {
  json differences = json::array();
  for (const v1::CloseDifference& d : c.close().differences()) {
    differences.push_back(
        json{{"figure", d.figure()}, {"pos", d.pos()}, {"agent", d.agent()}});
  }
  json tenders = json::array(), taxes = json::array();
  for (const v1::TenderTotal& x : c.close().tenders()) {
    tenders.push_back(TenderJson(x));
  }
  for (const v1::TaxTotal& x : c.close().taxes()) taxes.push_back(TaxJson(x));
  return json{{"seq", c.seq()},
              {"terminal_id", c.terminal_id()},
              {"whole_store", c.close().whole_store()},
              {"operator_id", c.close().operator_id()},
              {"recorded_at", FormatRfc3339(c.recorded_at_us())},
              {"recorded_at_us", c.recorded_at_us()},
              {"pos",
               {{"tenders", std::move(tenders)},
                {"taxes", std::move(taxes)},
                {"transaction_count", c.close().transaction_count()}}},
              {"differences", std::move(differences)}};
}

json ReportJson(const v1::GetDayReportResponse& r, const Clock& clock) {
  json by_terminal = json::array(), by_operator = json::array(),
       closes = json::array();
  for (const v1::DayTotals& t : r.by_terminal()) {
    by_terminal.push_back(TotalsJson(t));
  }
  for (const v1::DayTotals& t : r.by_operator()) {
    by_operator.push_back(TotalsJson(t));
  }
  int64_t discrepancies = 0;
  for (const v1::DayClose& c : r.closes()) {
    closes.push_back(CloseJson(c));
    discrepancies += c.close().differences_size();
  }
  v1::AsOf as_of;
  as_of.set_seq(r.head_seq());
  as_of.set_at_us(r.as_of_us());
  return json{{"kind", r.kind()},
              {"business_day", r.totals().business_day()},
              {"terminal_id", r.totals().terminal_id()},
              {"currency", r.totals().sales_amount().currency()},
              {"totals", TotalsJson(r.totals())},
              {"by_terminal", std::move(by_terminal)},
              {"by_operator", std::move(by_operator)},
              {"closes", std::move(closes)},
              {"discrepancies", discrepancies},
              {"as_of", AsOfJson(as_of, clock)}};
}

// The query parameters are named for the page, not the request's fields.
constexpr FieldRename kDayReportRenames[] = {{"business_day", "day"},
                                             {"terminal_id", "terminal"}};

}  // namespace

void StaffApi::GetDayReport(Call call) {
  // A misspelt parameter would otherwise quietly give today's whole-store
  // report.
  for (const auto& [name, value] : call.query) {
    if (name != "day" && name != "terminal") {
      call.reply(ErrorResponse(
          InvalidArgument(name + ": unknown query parameter (day, terminal)")));
      return;
    }
  }
  v1::GetDayReportRequest req;
  if (auto d = call.query.find("day"); d != call.query.end()) {
    req.set_business_day(d->second);
  }
  if (auto t = call.query.find("terminal"); t != call.query.end()) {
    req.set_terminal_id(t->second);
  }
  ops_.GetDayReport(req, [this, reply = std::move(call.reply)](
                             Result<v1::GetDayReportResponse> r) {
    if (!r.ok()) {
      reply(ErrorResponse(RenameField(r.status(), kDayReportRenames)));
      return;
    }
    reply(JsonResponse(200, ReportJson(*r, clock_)));
  });
}

}  // namespace storeagent::agent
