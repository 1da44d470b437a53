// An independent oracle of head office's KPIs for the tests: every KPI of
// docs/kpis.md computed straight from a generated History (kpi_history.h),
// with its own week arithmetic (std::chrono's calendar), its own copy of the
// documented bucket bounds and raw samples sorted for percentiles. It calls
// nothing of central's.
#ifndef STOREAGENT_TESTS_UNIT_CENTRAL_STORE_KPI_ORACLE_H_
#define STOREAGENT_TESTS_UNIT_CENTRAL_STORE_KPI_ORACLE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/central_store/kpi_history.h"

namespace storeagent::testing {

// What the oracle expects of one KpiValue.
struct Expected {
  bool present = false;
  double value = 0;
  int64_t numerator = 0;
  int64_t denominator = 0;
};

// The oracle's resolution of one return's original.
struct ExpectedOriginal {
  bool found = false;
  std::string store_id;
  uint64_t seq = 0;
  int64_t sold_at_us = 0;
};

class KpiOracle {
 public:
  explicit KpiOracle(const History& h);

  // The ISO week of a UTC time, "YYYY-Www".
  static std::string Week(int64_t at_us);
  // `kpi` over `stores` and `weeks` (summed and merged).
  Expected Value(const std::string& kpi, const std::set<std::string>& stores,
                 const std::set<std::string>& weeks) const;
  // Every return's original by (store, seq).
  const std::map<std::pair<std::string, uint64_t>, ExpectedOriginal>&
  originals() const {
    return originals_;
  }
  // Returns whose original reached central after them (the pending path).
  int late_originals() const { return late_originals_; }
  static const std::vector<std::string>& KpiNames();

 private:
  struct Figures {
    std::map<std::string, int64_t> counts;
    std::map<std::string, std::vector<int64_t>> samples;
  };
  Figures& At(const std::string& store, int64_t at_us) {
    return figures_[store][Week(at_us)];
  }
  void Store(const std::string& store, const std::vector<const HistoryEvent*>&);

  const History& h_;
  // store -> week -> figures
  std::map<std::string, std::map<std::string, Figures>> figures_;
  std::map<std::pair<std::string, uint64_t>, ExpectedOriginal> originals_;
  int late_originals_ = 0;
};

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_UNIT_CENTRAL_STORE_KPI_ORACLE_H_
