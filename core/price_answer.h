// The answer to PriceService.GetPrices from a price book: per SKU asked, the
// shelf price in force and the promotions active at the moment asked. Pure
// function, no I/O; the agent's PriceService calls it and fills in what only
// it knows (the book's central_seq and age, docs/pricing.md).
#ifndef STOREAGENT_CORE_PRICE_ANSWER_H_
#define STOREAGENT_CORE_PRICE_ANSWER_H_

#include <cstdint>

#include "core/price_book.h"
#include "platform/status.h"
#include "storeagent/v1/price.pb.h"

namespace storeagent::core {

// Validates `request` (core/price_validation.h; INVALID_ARGUMENT naming the
// field, `out` untouched) and answers it into `out` (cleared first) for
// `store` at request.at_us, or at `now_us` when that is 0. One SkuPrice per
// SKU, in the request's order: found = false when no price is in force;
// promotions active for the SKU (member-only ones only when request.member
// is present), by id, less amount_off ones in another currency than the
// shelf price. Leaves book_central_seq, book_applied_at_us and synced_at_us
// at 0 for the caller. `out` may live on an arena (the agent builds its
// reply on one).
Status AnswerGetPrices(const PriceBook& book, const StoreContext& store,
                       const v1::GetPricesRequest& request, std::int64_t now_us,
                       v1::GetPricesResponse* out);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_PRICE_ANSWER_H_
