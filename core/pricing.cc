// The basket rule (core/pricing.h): shelf prices, per-line promotions and
// multi-buys chosen best for the customer, on checked int64 minor units.
#include "core/pricing.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/limits.h"
#include "core/money.h"
#include "core/text_checks.h"
#include "core/validation_util.h"

namespace storeagent::core {
namespace {

using validation::CheckCount;
using validation::CheckRange;
using validation::Error;
using validation::Num;

std::string LinePath(std::size_t i) {
  return "lines[" + std::to_string(i) + "]";
}

// What pricing knows of one basket line while it decides.
struct LineState {
  const BasketLine* line = nullptr;
  std::string path;
  LineStatus status = LineStatus::kNotInBook;
  PriceInForce price;
  std::int64_t extended = 0;
  // percent_off and amount_off promotions that apply, by id.
  std::vector<const v1::Promotion*> per_line;
  // Units not taken by a multi-buy group (EACH lines; all of a MILLI line).
  std::int64_t free_units = 0;
  std::vector<AppliedPromotion> applied;
  std::int64_t multi_buy_discount = 0;
};

struct BestPerLine {
  std::int64_t discount = 0;
  const v1::Promotion* promotion = nullptr;
};

// The single best per-line promotion for `quantity` of the line's units.
Result<BestPerLine> Best(const LineState& s, std::int64_t quantity) {
  BestPerLine best;
  if (quantity == 0) return best;
  const v1::UnitOfMeasure unit = s.price.unit;
  const std::int64_t price = s.price.unit_price;
  for (const v1::Promotion* p : s.per_line) {
    Result<std::int64_t> d = std::int64_t{0};
    if (p->has_percent_off()) {
      Result<std::int64_t> ext = ExtendedAmount(unit, quantity, price, s.path);
      if (!ext.ok()) return ext.status();
      d = PercentOffDiscount(*ext, p->percent_off().basis_points(), s.path);
    } else {
      d = AmountOffDiscount(unit, quantity, price,
                            p->amount_off().amount().minor_units(), s.path);
    }
    if (!d.ok()) return d.status();
    if (*d > best.discount) best = BestPerLine{*d, p};  // ties: smaller id
  }
  return best;
}

// What applying one multi-buy to the units not yet taken would do.
struct MultiBuyPlan {
  std::int64_t gain = 0;
  // Units of its SKU set not yet taken, over all its lines.
  std::int64_t pool_units = 0;
  std::vector<std::pair<std::size_t, std::int64_t>> taken;  // line, units
  std::vector<std::pair<std::size_t, std::int64_t>> freed;  // line, units
};

// A multi-buy that applies to the basket, the lines it pools and its plan
// as of the last time one of those lines changed.
struct MultiBuyCandidate {
  const v1::Promotion* promotion = nullptr;
  std::vector<std::size_t> lines;
  MultiBuyPlan plan;
  bool stale = true;  // plan must be recomputed
};
// By id, so that ties go to the smaller id.
using MultiBuyCandidates = std::map<std::string, MultiBuyCandidate>;

// How many of the first `x` positions of the ordered pool are free, with
// `grouped` positions in groups of `buy` and the last buy - pay of each free.
std::int64_t FreeBefore(std::int64_t x, std::int64_t grouped, std::int64_t buy,
                        std::int64_t pay) {
  const std::int64_t y = std::min(x, grouped);
  return (y / buy) * (buy - pay) + std::max<std::int64_t>(0, y % buy - pay);
}

Result<MultiBuyPlan> Plan(const v1::Promotion& promotion,
                          const std::vector<std::size_t>& lines,
                          const std::vector<LineState>& states) {
  std::vector<std::size_t> pool;
  std::int64_t units = 0;  // <= 500 x 10^6
  for (std::size_t i : lines) {
    if (states[i].free_units == 0) continue;
    pool.push_back(i);
    units += states[i].free_units;
  }
  std::stable_sort(pool.begin(), pool.end(), [&](std::size_t a, std::size_t b) {
    return states[a].price.unit_price > states[b].price.unit_price;
  });
  const std::int64_t buy = promotion.multi_buy().buy();
  const std::int64_t pay = promotion.multi_buy().pay();
  const std::int64_t grouped = (units / buy) * buy;
  MultiBuyPlan plan;
  plan.pool_units = units;
  std::int64_t free_value = 0;
  std::int64_t forgone = 0;
  std::int64_t pos = 0;
  for (std::size_t i : pool) {
    const LineState& s = states[i];
    const std::int64_t end = pos + s.free_units;
    const std::int64_t taken = std::min(end, grouped) - std::min(pos, grouped);
    const std::int64_t freed =
        FreeBefore(end, grouped, buy, pay) - FreeBefore(pos, grouped, buy, pay);
    pos = end;
    if (taken == 0) continue;
    plan.taken.emplace_back(i, taken);
    if (freed > 0) {
      plan.freed.emplace_back(i, freed);
      Result<std::int64_t> value =
          CheckedMul(freed, s.price.unit_price, s.path + " (multi-buy)");
      if (!value.ok()) return value.status();
      Result<std::int64_t> sum =
          CheckedAdd(free_value, *value, s.path + " (multi-buy)");
      if (!sum.ok()) return sum.status();
      free_value = *sum;
    }
    Result<BestPerLine> before = Best(s, s.free_units);
    if (!before.ok()) return before.status();
    Result<BestPerLine> after = Best(s, s.free_units - taken);
    if (!after.ok()) return after.status();
    Result<std::int64_t> sum = CheckedAdd(
        forgone, before->discount - after->discount, s.path + " (multi-buy)");
    if (!sum.ok()) return sum.status();
    forgone = *sum;
  }
  plan.gain = free_value - forgone;  // both 0..int64 max: no overflow
  return plan;
}

Status CheckLine(const BasketLine& line, const std::string& path) {
  if (line.sku.empty()) {
    return Error(path + ".sku", "required (" + Num(kMinSkuLength) + ".." +
                                    Num(kMaxSkuLength) + " characters)");
  }
  if (!IsValidUtf8(line.sku) || Utf8Length(line.sku) > kMaxSkuLength) {
    return Error(path + ".sku",
                 "not 1.." + Num(kMaxSkuLength) + " characters of UTF-8");
  }
  if (line.unit == v1::UNIT_OF_MEASURE_EACH) {
    return CheckRange(line.quantity, kMinQuantityEach, kMaxQuantityEach,
                      path + ".quantity", " for EACH");
  }
  if (line.unit == v1::UNIT_OF_MEASURE_MILLI) {
    return CheckRange(line.quantity, kMinQuantityMilli, kMaxQuantityMilli,
                      path + ".quantity", " milli-units for MILLI");
  }
  return Error(path + ".unit", "required (EACH or MILLI)");
}

// Shelf price, extended amount and promotions of each line; the multi-buys
// that apply, with the lines they pool, by id.
Status Prepare(const PriceBook& book, const StoreContext& store,
               const Basket& basket, std::vector<LineState>* states,
               MultiBuyCandidates* multi_buys) {
  for (std::size_t i = 0; i < basket.lines.size(); ++i) {
    LineState& s = (*states)[i];
    s.line = &basket.lines[i];
    s.path = LinePath(i);
    STOREAGENT_RETURN_IF_ERROR(CheckLine(*s.line, s.path));
    std::optional<PriceInForce> price =
        book.PriceAt(store, s.line->sku, basket.at_us);
    if (!price) continue;  // kNotInBook
    if (price->unit != s.line->unit) {
      s.status = LineStatus::kUnitMismatch;
      continue;
    }
    s.status = LineStatus::kPriced;
    s.price = std::move(*price);
    Result<std::int64_t> ext = ExtendedAmount(s.price.unit, s.line->quantity,
                                              s.price.unit_price, s.path);
    if (!ext.ok()) return ext.status();
    s.extended = *ext;
    s.free_units = s.line->quantity;
    for (const v1::Promotion* p :
         book.PromotionsAt(store, s.line->sku, basket.at_us, basket.member)) {
      if (p->has_multi_buy()) {
        if (s.price.unit != v1::UNIT_OF_MEASURE_EACH) continue;
        MultiBuyCandidate& candidate = (*multi_buys)[p->id()];
        candidate.promotion = p;
        candidate.lines.push_back(i);
      } else if (p->has_amount_off() &&
                 p->amount_off().amount().currency() != s.price.currency) {
        continue;
      } else {
        s.per_line.push_back(p);
      }
    }
  }
  return Status::Ok();
}

// Multi-buys, the largest gain first (a tie: the smaller id), each at most
// once, until none gains the customer anything. A plan depends only on the
// units left on its lines, so only the candidates sharing a line with the
// one applied are planned again.
Status ApplyMultiBuys(MultiBuyCandidates* candidates,
                      std::vector<LineState>* states) {
  std::vector<bool> touched(states->size(), false);
  while (!candidates->empty()) {
    auto chosen = candidates->end();
    for (auto it = candidates->begin(); it != candidates->end();) {
      MultiBuyCandidate& c = it->second;
      if (c.stale) {
        Result<MultiBuyPlan> plan = Plan(*c.promotion, c.lines, *states);
        if (!plan.ok()) return plan.status();
        c.plan = std::move(*plan);
        c.stale = false;
      }
      // Units only ever leave a pool: one short of a group stays short.
      if (c.plan.pool_units < c.promotion->multi_buy().buy()) {
        it = candidates->erase(it);
        continue;
      }
      if (c.plan.gain > 0 && (chosen == candidates->end() ||
                              c.plan.gain > chosen->second.plan.gain)) {
        chosen = it;
      }
      ++it;
    }
    if (chosen == candidates->end()) break;  // none gains the customer more
    const v1::Promotion& p = *chosen->second.promotion;
    const MultiBuyPlan& plan = chosen->second.plan;
    std::fill(touched.begin(), touched.end(), false);
    for (const auto& [i, units] : plan.taken) {
      LineState& s = (*states)[i];
      s.free_units -= units;
      s.applied.push_back(AppliedPromotion{p.id(), p.version(), 0});
      touched[i] = true;
    }
    for (const auto& [i, units] : plan.freed) {
      LineState& s = (*states)[i];
      const std::int64_t value = units * s.price.unit_price;  // Plan checked
      s.multi_buy_discount += value;      // <= extended: no overflow
      s.applied.back().discount = value;  // this multi-buy's entry
    }
    candidates->erase(chosen);
    for (auto& [id, c] : *candidates) {
      for (std::size_t i : c.lines) {
        if (touched[i]) {
          c.stale = true;
          break;
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string_view LineStatusName(LineStatus status) {
  switch (status) {
    case LineStatus::kPriced:
      return "priced";
    case LineStatus::kNotInBook:
      return "not_in_book";
    case LineStatus::kUnitMismatch:
      return "unit_mismatch";
  }
  return "?";
}

Basket BasketFromTransactionLines(
    const google::protobuf::RepeatedPtrField<v1::TransactionLine>& lines,
    std::int64_t at_us, bool member) {
  Basket basket;
  basket.at_us = at_us;
  basket.member = member;
  basket.lines.reserve(static_cast<std::size_t>(lines.size()));
  for (const v1::TransactionLine& l : lines) {
    basket.lines.push_back(BasketLine{l.sku(), l.unit(), l.quantity()});
  }
  return basket;
}

Result<PricedBasket> PriceBasket(const PriceBook& book,
                                 const StoreContext& store,
                                 const Basket& basket) {
  if (store.currency.empty()) {
    return Error("store.currency", "required (the store's ISO 4217 code)");
  }
  STOREAGENT_RETURN_IF_ERROR(CheckCount(
      static_cast<std::int64_t>(basket.lines.size()), kMinLinesPerTransaction,
      kMaxLinesPerTransaction, "lines", "lines"));
  std::vector<LineState> states(basket.lines.size());
  MultiBuyCandidates multi_buys;
  STOREAGENT_RETURN_IF_ERROR(
      Prepare(book, store, basket, &states, &multi_buys));
  STOREAGENT_RETURN_IF_ERROR(ApplyMultiBuys(&multi_buys, &states));

  PricedBasket out;
  out.lines.resize(states.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    LineState& s = states[i];
    PricedLine& line = out.lines[i];
    line.status = s.status;
    if (s.status != LineStatus::kPriced) continue;
    Result<BestPerLine> best = Best(s, s.free_units);
    if (!best.ok()) return best.status();
    line.unit_price = s.price.unit_price;
    line.price_list_id = s.price.list_id;
    line.price_list_version = s.price.list_version;
    line.extended = s.extended;
    line.promotions = std::move(s.applied);
    if (best->promotion != nullptr) {
      line.promotions.push_back(AppliedPromotion{
          best->promotion->id(), best->promotion->version(), best->discount});
    }
    // Free units and the per-line best cover disjoint units: <= extended.
    line.discount = s.multi_buy_discount + best->discount;
    line.net = line.extended - line.discount;
    const std::string what = s.path + " (basket total)";
    Result<std::int64_t> ext =
        CheckedAdd(out.extended_total, line.extended, what);
    if (!ext.ok()) return ext.status();
    out.extended_total = *ext;
    out.discount_total += line.discount;  // <= extended_total
    out.net_total = out.extended_total - out.discount_total;
  }
  return out;
}

}  // namespace storeagent::core
