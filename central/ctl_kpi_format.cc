#include "central/ctl_kpi_format.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "central/ctl_format.h"

namespace storeagent::central {
namespace {

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Change(const std::string& unit, const v1::Kpi& k) {
  if (!k.week_on_week_present()) return "-";
  v1::KpiValue v;
  v.set_present(true);
  v.set_value(k.week_on_week());
  std::string s = FormatKpiValue(unit, v);
  if (unit == "ratio") s = s.substr(0, s.size() - 1) + "pt";
  return k.week_on_week() >= 0 ? "+" + s : s;
}

// CSV needs no quoting here: ids are [A-Za-z0-9._:-], names and units are
// central's own.
std::string CsvRow(const std::string& scope, const std::string& store,
                   const v1::Kpi& k, const std::string& week,
                   const v1::KpiValue& v) {
  return scope + "," + store + "," + k.name() + "," + k.unit() + "," + week +
         "," + (v.present() ? "true" : "false") + "," +
         (v.present() ? Fixed(v.value(), 6) : "") + "," +
         std::to_string(v.numerator()) + "," + std::to_string(v.denominator()) +
         "\n";
}

}  // namespace

std::string FormatKpiValue(const std::string& unit, const v1::KpiValue& v) {
  if (!v.present()) return "-";
  if (unit == "ratio") return Fixed(v.value() * 100, 1) + "%";
  if (unit == "seconds") return Fixed(v.value(), v.value() < 10 ? 2 : 0) + "s";
  if (unit == "lines") return Fixed(v.value(), 2);
  return Fixed(v.value(), 0);  // minor_units, count
}

std::string FormatKpiTable(const v1::GetKpiReportResponse& r) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"KPI"};
  for (const std::string& w : r.weeks()) header.push_back(w);
  header.push_back("SPAN");
  header.push_back("WEEK/WEEK");
  rows.push_back(header);
  for (const v1::Kpi& k : r.kpis()) {
    std::vector<std::string> row = {k.name()};
    for (const v1::KpiValue& v : k.weeks()) {
      row.push_back(FormatKpiValue(k.unit(), v));
    }
    row.push_back(FormatKpiValue(k.unit(), k.span()));
    row.push_back(Change(k.unit(), k));
    rows.push_back(std::move(row));
  }
  std::string out = r.scope() + "\n" + RenderColumns(rows);
  if (r.stores_size() == 0) return out;
  // Each KPI's stores, highest first; absent values last.
  for (int i = 0; i < r.kpis_size(); ++i) {
    const v1::Kpi& k = r.kpis(i);
    std::vector<const v1::StoreKpis*> ranked;
    for (const v1::StoreKpis& s : r.stores()) {
      if (s.values_size() > i) ranked.push_back(&s);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [i](const v1::StoreKpis* a, const v1::StoreKpis* b) {
                       const v1::KpiValue& x = a->values(i);
                       const v1::KpiValue& y = b->values(i);
                       if (x.present() != y.present()) return x.present();
                       return x.value() > y.value();
                     });
    std::vector<std::vector<std::string>> t = {
        {"RANK", "STORE", "REGION", k.name()}};
    int rank = 0;
    for (const v1::StoreKpis* s : ranked) {
      t.push_back({std::to_string(++rank), s->store_id(),
                   s->region().empty() ? "-" : s->region(),
                   FormatKpiValue(k.unit(), s->values(i))});
    }
    out += "\n" + RenderColumns(t);
  }
  return out;
}

std::string FormatKpiCsv(const v1::GetKpiReportResponse& r) {
  std::string out =
      "scope,store_id,kpi,unit,week,present,value,numerator,denominator\n";
  for (const v1::Kpi& k : r.kpis()) {
    for (const v1::KpiValue& v : k.weeks()) {
      out += CsvRow(r.scope(), "", k, v.week(), v);
    }
    out += CsvRow(r.scope(), "", k, "span", k.span());
  }
  for (const v1::StoreKpis& s : r.stores()) {
    for (int i = 0; i < s.values_size() && i < r.kpis_size(); ++i) {
      out += CsvRow(r.scope(), s.store_id(), r.kpis(i), "span", s.values(i));
    }
  }
  return out;
}

}  // namespace storeagent::central
