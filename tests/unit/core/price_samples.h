// Price lists and promotions built by hand for the pricing tests.
#ifndef STOREAGENT_TESTS_UNIT_CORE_PRICE_SAMPLES_H_
#define STOREAGENT_TESTS_UNIT_CORE_PRICE_SAMPLES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/price_book.h"
#include "storeagent/v1/price.pb.h"

namespace storeagent::test {

inline constexpr v1::UnitOfMeasure kEach = v1::UNIT_OF_MEASURE_EACH;
inline constexpr v1::UnitOfMeasure kMilli = v1::UNIT_OF_MEASURE_MILLI;
// The store the pricing tests price for.
inline const core::StoreContext kStore{"s1", "north", "EUR"};

inline v1::PriceScope FleetScope() {
  v1::PriceScope s;
  s.set_all_stores(true);
  return s;
}
inline v1::PriceScope RegionScope(const std::string& region) {
  v1::PriceScope s;
  s.set_region(region);
  return s;
}
inline v1::PriceScope StoresScope(std::vector<std::string> stores) {
  v1::PriceScope s;
  for (std::string& id : stores) s.add_store_ids(std::move(id));
  return s;
}

struct Price {
  std::string sku;
  std::int64_t minor_units;
  v1::UnitOfMeasure unit = v1::UNIT_OF_MEASURE_EACH;
};

// A list in EUR over `scope`, in force [from_us, to_us).
inline v1::PriceList MakeList(const std::string& id, std::uint64_t version,
                              const std::vector<Price>& prices,
                              v1::PriceScope scope = FleetScope(),
                              std::int64_t from_us = 0, std::int64_t to_us = 0,
                              const std::string& currency = "EUR") {
  v1::PriceList list;
  list.set_id(id);
  list.set_version(version);
  list.set_currency(currency);
  *list.mutable_scope() = std::move(scope);
  list.set_effective_from_us(from_us);
  list.set_effective_to_us(to_us);
  for (const Price& p : prices) {
    v1::PriceEntry* e = list.add_entries();
    e->set_sku(p.sku);
    e->set_unit(p.unit);
    e->mutable_unit_price()->set_minor_units(p.minor_units);
    e->mutable_unit_price()->set_currency(currency);
  }
  return list;
}

// A promotion over `skus` for the whole fleet, always in force, version 1;
// the kind is set by the caller or by the helpers below.
inline v1::Promotion MakePromotion(const std::string& id,
                                   const std::vector<std::string>& skus) {
  v1::Promotion p;
  p.set_id(id);
  p.set_version(1);
  *p.mutable_scope() = FleetScope();
  for (const std::string& sku : skus) p.add_skus(sku);
  return p;
}
inline v1::Promotion PercentOff(const std::string& id,
                                const std::vector<std::string>& skus,
                                std::int32_t basis_points) {
  v1::Promotion p = MakePromotion(id, skus);
  p.mutable_percent_off()->set_basis_points(basis_points);
  return p;
}
inline v1::Promotion AmountOff(const std::string& id,
                               const std::vector<std::string>& skus,
                               std::int64_t minor_units,
                               const std::string& currency = "EUR") {
  v1::Promotion p = MakePromotion(id, skus);
  p.mutable_amount_off()->mutable_amount()->set_minor_units(minor_units);
  p.mutable_amount_off()->mutable_amount()->set_currency(currency);
  return p;
}
inline v1::Promotion MultiBuy(const std::string& id,
                              const std::vector<std::string>& skus,
                              std::int32_t buy, std::int32_t pay) {
  v1::Promotion p = MakePromotion(id, skus);
  p.mutable_multi_buy()->set_buy(buy);
  p.mutable_multi_buy()->set_pay(pay);
  return p;
}

}  // namespace storeagent::test

#endif  // STOREAGENT_TESTS_UNIT_CORE_PRICE_SAMPLES_H_
