// PriceStore: the store's copy of head office's price book in SQLite
// (schema v7, table price_book): the latest version held of each price list
// and promotion central sent (CentralEvent price_list / promotion), and in
// `meta`:
//   price_book_central_seq    central_seq of the last price event applied
//   price_book_applied_at_us  when it was applied (the agent's clock)
//   store_region              the store's region as central last said it
//                             (Welcome.store_region); absent: none
//
// Apply runs in the writer transaction that applies the central batch, so
// the book and the down watermark commit together. The version rule is
// price.proto's (core/price_book.h): a later version replaces, an earlier
// one is ignored, the same one again changes nothing. Load reads it all back
// into a core::PriceBook for the in-memory copy the agent prices from
// (agent/price_book_holder.h).
#ifndef STOREAGENT_STORAGE_PRICE_STORE_H_
#define STOREAGENT_STORAGE_PRICE_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/price_book.h"
#include "platform/status.h"
#include "storage/writer.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::storage {

inline constexpr char kMetaPriceBookCentralSeq[] = "price_book_central_seq";
inline constexpr char kMetaPriceBookAppliedAt[] = "price_book_applied_at_us";
inline constexpr char kMetaStoreRegion[] = "store_region";

// The price book as stored, ready to price from.
struct StoredPriceBook {
  core::PriceBook book;
  uint64_t central_seq = 0;   // 0: no price event applied yet
  int64_t applied_at_us = 0;  // 0: never
  std::string region;         // "" when central named none
};

class PriceStore {
 public:
  // Applies the price_list or promotion of `e` (REQUIRES: one of them; it
  // passed core::ValidatePriceList / ValidatePromotion). A version the book
  // does not take (stale, or the same version with other content: central
  // never sends that) changes nothing and adds a note to `notes`; the
  // event still counts as applied, so the stream moves on. Writer thread.
  static Status Apply(DbContext& ctx, const v1::CentralEvent& e, int64_t now_us,
                      std::vector<std::string>* notes);

  // Everything held, built into a PriceBook. Any connection; call inside a
  // read transaction for one snapshot.
  static Result<StoredPriceBook> Load(DbContext& ctx);

  // The region central named in its Welcome ("" for none); true when it
  // changed. Writer thread.
  static Result<bool> WriteRegion(DbContext& ctx, const std::string& region);
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_PRICE_STORE_H_
