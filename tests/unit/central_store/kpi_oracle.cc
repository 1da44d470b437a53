#include "tests/unit/central_store/kpi_oracle.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <tuple>

namespace storeagent::testing {
namespace {

// docs/kpis.md, "Percentiles", in seconds.
const double kBoundsS[] = {
    0.1,    0.25,   0.5,    1,       2,       5,       10,      30,    60,
    120,    300,    600,    1800,    3600,    7200,    14400,   43200, 86400,
    172800, 345600, 604800, 1209600, 2592000, 7776000, 31536000};

double BoundOf(int64_t sample_us) {
  for (double b : kBoundsS) {
    if (static_cast<double>(sample_us) <= b * 1e6) return b;
  }
  return kBoundsS[std::size(kBoundsS) - 1];
}

struct Sale {
  std::string store;
  uint64_t seq;
  int64_t at;
  int64_t ingested;
  std::string business_day;
};

// docs/kpis.md, "Original resolution", by receipt number: of `sales` (one
// store's, one receipt number), those of `day` when it is set; of them the
// latest recorded at or before `at`, else the earliest recorded after it.
std::optional<Sale> ByReceipt(const std::vector<Sale>& sales,
                              const std::string& day, int64_t at) {
  std::optional<Sale> before, after;
  for (const Sale& s : sales) {
    if (!day.empty() && s.business_day != day) continue;
    if (s.at <= at) {
      if (!before || s.at > before->at ||
          (s.at == before->at && s.seq > before->seq)) {
        before = s;
      }
    } else if (!after || s.at < after->at ||
               (s.at == after->at && s.seq < after->seq)) {
      after = s;
    }
  }
  return before ? before : after;
}

}  // namespace

std::string KpiOracle::Week(int64_t at_us) {
  using namespace std::chrono;
  const sys_days d = floor<days>(sys_time<microseconds>(microseconds(at_us)));
  const unsigned iso = weekday(d).iso_encoding();  // Monday 1 .. Sunday 7
  const sys_days thursday = d - days(iso - 1) + days(3);
  const year y = year_month_day(thursday).year();
  const auto week = (thursday - sys_days(y / January / 1)).count() / 7 + 1;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(y),
                static_cast<int>(week));
  return buf;
}

const std::vector<std::string>& KpiOracle::KpiNames() {
  static const std::vector<std::string> names = {
      "order_accuracy",
      "pick_time_p50_s",
      "pick_time_p90_s",
      "refund_cycle_p50_s",
      "refund_cycle_p90_s",
      "return_rate",
      "loyalty_adoption",
      "enrolments",
      "sales_value.store",
      "sales_value.click_and_collect",
      "sales_value.ship_from_store",
      "sales_value.endless_aisle",
      "basket_value_avg",
      "basket_lines_avg",
      "data_freshness_p50_s",
      "data_freshness_p99_s",
      "integration_latency_p50_s",
      "integration_latency_p99_s",
      "close_discrepancies",
      "stock_drift",
      "price_deviation_rate"};
  return names;
}

KpiOracle::KpiOracle(const History& h) : h_(h) {
  // Every sale and collected hold of the history: a return's original is
  // found among them whenever it reached central, early or late.
  std::map<std::tuple<std::string, std::string, std::string>, Sale> by_key;
  std::map<std::pair<std::string, std::string>, std::vector<Sale>> by_receipt;
  std::map<std::string, Sale> by_order;
  std::map<std::string, Sale> collected;  // order_ref -> hold
  std::set<std::tuple<std::string, std::string, std::string>> voided;
  std::map<std::string, std::vector<const HistoryEvent*>> per_store;
  for (const HistoryEvent& e : h.events) {
    const v1::JournalRecord& r = e.entry.record();
    per_store[e.store_id].push_back(&e);
    Sale s{e.store_id, r.seq(), r.recorded_at_us(), e.ingested_at_us, ""};
    if (r.has_transaction() && r.transaction().has_sale()) {
      const v1::Sale& x = r.transaction().sale();
      s.business_day = x.business_day();
      by_key[{e.store_id, r.client_key().terminal_id(),
              r.client_key().client_txn_id()}] = s;
      if (!x.receipt_number().empty()) {
        by_receipt[{e.store_id, x.receipt_number()}].push_back(s);
      }
      if (!x.order_ref().empty()) by_order.try_emplace(x.order_ref(), s);
    }
    if (r.has_transaction() && r.transaction().has_post_void()) {
      const v1::ClientKey& k = r.transaction().post_void().original();
      voided.insert({e.store_id, k.terminal_id(), k.client_txn_id()});
    }
    if (r.has_stock() && r.stock().has_hold_collected()) {
      collected.try_emplace(r.stock().hold_collected().order_ref(), s);
    }
  }
  for (auto& [store, events] : per_store) Store(store, events);
  // Sales and returns, voided ones left out.
  for (const HistoryEvent& e : h.events) {
    const v1::JournalRecord& r = e.entry.record();
    if (!r.has_transaction()) continue;
    const bool is_voided =
        voided.count({e.store_id, r.client_key().terminal_id(),
                      r.client_key().client_txn_id()}) > 0;
    const v1::Transaction& t = r.transaction();
    Figures& f = At(e.store_id, r.recorded_at_us());
    if (t.has_sale() && !is_voided) {
      const v1::Sale& x = t.sale();
      const int64_t v = x.totals().total().minor_units();
      f.counts["sales"] += 1;
      f.counts["value"] += v;
      f.counts["lines"] += x.lines_size();
      if (x.has_member()) f.counts["member"] += 1;
      std::string ch = "store";
      if (x.channel() == v1::SALES_CHANNEL_CLICK_AND_COLLECT) {
        ch = "click_and_collect";
      } else if (x.channel() == v1::SALES_CHANNEL_SHIP_FROM_STORE) {
        ch = "ship_from_store";
      } else if (x.channel() == v1::SALES_CHANNEL_ENDLESS_AISLE) {
        ch = "endless_aisle";
      }
      f.counts["sales_value." + ch] += v;
    }
    // docs/kpis.md: the lines of a checked sale, voided or not.
    if (t.has_sale() && t.sale().price_book_central_seq() != 0) {
      f.counts["price_checked"] += t.sale().lines_size();
      for (const v1::TransactionLine& l : t.sale().lines()) {
        if (l.has_price_deviation()) f.counts["price_deviating"] += 1;
      }
    }
    if (!t.has_return_()) continue;
    const v1::OriginalTransaction& o = t.return_().original();
    const std::string ostore = o.store_id().empty() ? e.store_id : o.store_id();
    std::optional<Sale> found;
    if (o.has_client_key()) {
      auto it = by_key.find({ostore, o.client_key().terminal_id(),
                             o.client_key().client_txn_id()});
      if (it != by_key.end()) found = it->second;
    }
    if (!found && !o.reference().empty()) {
      auto it = by_receipt.find({ostore, o.reference()});
      if (it != by_receipt.end()) {
        found = ByReceipt(it->second, o.business_day(), r.recorded_at_us());
      }
      const bool online =
          o.channel() == "online" || o.channel() == "click_and_collect";
      if (!found && online) {
        auto c = collected.find(o.reference());
        if (c != collected.end()) {
          found = c->second;
          found->seq = 0;
        } else if (by_order.count(o.reference()) > 0) {
          found = by_order.at(o.reference());
        }
      }
    }
    ExpectedOriginal& x = originals_[{e.store_id, r.seq()}];
    if (found) {
      x = {true, found->store, found->seq, found->at};
      if (found->ingested > e.ingested_at_us) ++late_originals_;
    } else {
      x = {false, ostore, 0, o.sold_at_us()};
    }
    if (is_voided) continue;
    f.counts["returns"] += 1;
    f.counts["returned"] += t.return_().totals().total().minor_units();
    if (x.sold_at_us > 0) {
      f.samples["refund_cycle"].push_back(r.recorded_at_us() - x.sold_at_us);
    }
  }
  for (const HistoryCentralEvent& c : h.central) {
    At(c.store_id, c.acked_at_us)
        .samples["latency"]
        .push_back(c.acked_at_us - c.created_at_us);
  }
  for (const v1::Drift& d : h.drift) {
    At(d.store_id(), d.found_at_us()).counts["drift"] += 1;
  }
}

// One store's events in order: holds, closes, enrolments, freshness.
void KpiOracle::Store(const std::string& store,
                      const std::vector<const HistoryEvent*>& events) {
  std::map<std::string, std::pair<std::string, int64_t>>
      holds;  // state, placed
  for (const HistoryEvent* e : events) {
    const v1::JournalRecord& r = e->entry.record();
    const int64_t at = r.recorded_at_us();
    At(store, e->ingested_at_us)
        .samples["freshness"]
        .push_back(e->ingested_at_us - at);
    Figures& f = At(store, at);
    if (r.has_transaction() && r.transaction().has_daily_close()) {
      f.counts["closes"] += 1;
      if (r.transaction().daily_close().differences_size() > 0) {
        f.counts["discrepant"] += 1;
      }
    }
    if (r.has_loyalty() && r.loyalty().has_enrolled()) f.counts["enrol"] += 1;
    if (!r.has_stock()) continue;
    const v1::StockEvent& s = r.stock();
    if (s.has_hold_placed()) {
      holds[s.hold_placed().order_ref()] = {"held", at};
      continue;
    }
    std::string ref;
    if (s.has_hold_picked()) {
      auto& [state, placed] = holds[s.hold_picked().order_ref()];
      if (state == "held") f.samples["pick"].push_back(at - placed);
      if (state == "held") state = "picked";
      continue;
    }
    if (s.has_hold_collected()) ref = s.hold_collected().order_ref();
    if (s.has_hold_short_picked()) ref = s.hold_short_picked().order_ref();
    if (s.has_hold_expired()) ref = s.hold_expired().order_ref();
    if (s.has_hold_cancelled()) ref = s.hold_cancelled().order_ref();
    if (ref.empty()) continue;
    std::string& state = holds[ref].first;
    if (state != "held" && state != "picked") continue;
    state = "done";
    if (s.has_hold_cancelled() &&
        s.hold_cancelled().operator_id() == "central") {
      continue;
    }
    f.counts["finished"] += 1;
    if (s.has_hold_collected()) f.counts["complete"] += 1;
  }
}

Expected KpiOracle::Value(const std::string& kpi,
                          const std::set<std::string>& stores,
                          const std::set<std::string>& weeks) const {
  std::map<std::string, int64_t> c;
  std::map<std::string, std::vector<int64_t>> s;
  for (const std::string& store : stores) {
    auto st = figures_.find(store);
    if (st == figures_.end()) continue;
    for (const auto& [week, f] : st->second) {
      if (weeks.count(week) == 0) continue;
      for (const auto& [k, v] : f.counts) c[k] += v;
      for (const auto& [k, v] : f.samples) {
        s[k].insert(s[k].end(), v.begin(), v.end());
      }
    }
  }
  auto ratio = [&](const std::string& num, const std::string& den) {
    Expected e;
    e.numerator = c[num];
    e.denominator = c[den];
    e.present = e.denominator != 0;
    if (e.present) {
      e.value =
          static_cast<double>(e.numerator) / static_cast<double>(e.denominator);
    }
    return e;
  };
  auto count = [&](const std::string& num, const std::string& den) {
    Expected e;
    e.present = true;
    e.numerator = c[num];
    if (!den.empty()) e.denominator = c[den];
    e.value = static_cast<double>(e.numerator);
    return e;
  };
  auto pct = [&](const std::string& hist, double p) {
    std::vector<int64_t> v = s[hist];
    Expected e;
    e.denominator = static_cast<int64_t>(v.size());
    e.present = !v.empty();
    if (!e.present) return e;
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<size_t>(
        std::ceil(p * static_cast<double>(v.size()) - 1e-9));
    e.value = BoundOf(v[std::max<size_t>(rank, 1) - 1]);
    return e;
  };
  if (kpi == "order_accuracy") return ratio("complete", "finished");
  if (kpi == "pick_time_p50_s") return pct("pick", 0.5);
  if (kpi == "pick_time_p90_s") return pct("pick", 0.9);
  if (kpi == "refund_cycle_p50_s") return pct("refund_cycle", 0.5);
  if (kpi == "refund_cycle_p90_s") return pct("refund_cycle", 0.9);
  if (kpi == "return_rate") return ratio("returned", "value");
  if (kpi == "loyalty_adoption") return ratio("member", "sales");
  if (kpi == "enrolments") return count("enrol", "");
  if (kpi.rfind("sales_value.", 0) == 0) return count(kpi, "");
  if (kpi == "basket_value_avg") return ratio("value", "sales");
  if (kpi == "basket_lines_avg") return ratio("lines", "sales");
  if (kpi == "data_freshness_p50_s") return pct("freshness", 0.5);
  if (kpi == "data_freshness_p99_s") return pct("freshness", 0.99);
  if (kpi == "integration_latency_p50_s") return pct("latency", 0.5);
  if (kpi == "integration_latency_p99_s") return pct("latency", 0.99);
  if (kpi == "close_discrepancies") return count("discrepant", "closes");
  if (kpi == "stock_drift") return count("drift", "");
  if (kpi == "price_deviation_rate") {
    return ratio("price_deviating", "price_checked");
  }
  return Expected{};
}

}  // namespace storeagent::testing
