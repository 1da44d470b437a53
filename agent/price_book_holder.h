// PriceBookHolder: the agent's in-memory copy of its price book
// (storage/price_store.h), what the till's price questions and the price
// check of every sale read, without a trip to the database.
//
// A snapshot is immutable: readers take a shared_ptr to the current one and
// price from it as long as they like; Reload builds a new one from SQLite
// (after a central batch that carried a price list or promotion, or a new
// region in central's Welcome) and swaps it in. Thread-safe.
#ifndef STOREAGENT_AGENT_PRICE_BOOK_HOLDER_H_
#define STOREAGENT_AGENT_PRICE_BOOK_HOLDER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/price_book.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storage/price_store.h"

namespace storeagent::agent {

struct PriceBookSnapshot {
  // The book as stored (its central_seq 0: no price event yet, nothing is
  // checked) and the store it prices for.
  storage::StoredPriceBook stored;
  core::StoreContext store;
};

class PriceBookHolder {
 public:
  // `store_id` and `currency` ("" accepts lists in any currency) make the
  // StoreContext with the region the stored book carries.
  PriceBookHolder(std::string store_id, std::string currency);
  ~PriceBookHolder();  // waits for a ReloadSoon under way
  PriceBookHolder(const PriceBookHolder&) = delete;
  PriceBookHolder& operator=(const PriceBookHolder&) = delete;

  // Reads the stored book on one of `db`'s reader threads, in one read
  // transaction, and makes it current. Waits for the read; not on a reader
  // thread.
  Status Reload(storage::AgentDatabase& db);

  // Asks for a Reload on the holder's own thread and returns at once. Asks
  // that come while one runs are served together by one more Reload after
  // it, so a catch-up of thousands of price events reads the book a few
  // times, not once per batch. A failed Reload is logged; the next ask
  // tries again. REQUIRES: `db` outlives this holder.
  void ReloadSoon(storage::AgentDatabase& db);

  // The region central named, written on the writer thread; reloads when it
  // changed. Not on the writer or a reader thread.
  Status SetRegion(storage::AgentDatabase& db, const std::string& region);

  // The current snapshot; never null (empty before the first Reload).
  std::shared_ptr<const PriceBookSnapshot> Get() const;

 private:
  const std::string store_id_;
  const std::string currency_;
  mutable std::mutex mu_;
  std::shared_ptr<const PriceBookSnapshot> current_;

  // ReloadSoon's thread, started by its first call: reloads while asked.
  void Reloader();
  std::mutex reload_mu_;
  std::condition_variable reload_cv_;
  storage::AgentDatabase* reload_db_ = nullptr;
  bool reload_asked_ = false;
  bool stopping_ = false;
  std::thread reloader_;
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_PRICE_BOOK_HOLDER_H_
