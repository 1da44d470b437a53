// StockTestEnv: a real agent database in a temp dir with StockOps and a
// Recorder on a FakeClock, plus blocking wrappers and event builders, for
// the stock, hold and availability tests of tests/unit/stock.
//
// The wrappers submit through the asynchronous interfaces and wait for the
// answer, the way a client would. Thread-safe where StockOps and Recorder
// are: several threads may call the wrappers at once. Open()/Close() are
// not thread-safe.
#ifndef STOREAGENT_TESTS_UNIT_STOCK_STOCK_TEST_ENV_H_
#define STOREAGENT_TESTS_UNIT_STOCK_STOCK_TEST_ENV_H_

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/recorder.h"
#include "agent/stock_ops.h"
#include "platform/clock.h"
#include "platform/status.h"
#include "storage/agent_database.h"
#include "storage/writer.h"
#include "storeagent/v1/availability.pb.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/pos.pb.h"
#include "tests/support/temp_dir.h"

namespace storeagent::stocktest {

// A second in microseconds, the unit of the ledger's times.
inline constexpr int64_t kSecond = 1'000'000;

// Calls `start(done)` and waits until `done` has run once.
template <typename T, typename Start>
Result<T> Await(Start&& start) {
  std::promise<Result<T>> p;
  std::future<Result<T>> f = p.get_future();
  start([&p](Result<T> r) { p.set_value(std::move(r)); });
  return f.get();
}

// (sku, quantity) of a sale, return, movement, count or hold line.
struct Line {
  std::string sku;
  int64_t quantity = 0;
  bool restock = false;  // return lines only
};

// A valid sale (EUR, card tender) of EACH lines.
v1::Transaction SaleOf(const std::vector<Line>& lines);
// A valid return of EACH lines, `restock` per line.
v1::Transaction ReturnOf(const std::vector<Line>& lines);
// A valid post-void of `original`.
v1::Transaction PostVoidOf(const v1::ClientKey& original);
v1::StockMovement MovementOf(v1::StockMovement::Reason reason,
                             const std::vector<Line>& lines);
v1::StockCount CountOf(const std::vector<Line>& lines);
v1::HoldPlaced HoldOf(const std::string& order_ref,
                      const std::vector<Line>& lines, int64_t expires_at_us);

class StockTestEnv {
 public:
  // Opens the database at once; check db() != nullptr.
  StockTestEnv();
  ~StockTestEnv();

  FakeClock& clock() { return clock_; }
  storage::AgentDatabase* db() { return db_.get(); }
  agent::StockOps& ops() { return *ops_; }
  agent::Recorder& recorder() { return *recorder_; }

  // Opens the database (again) with the same file and clock.
  bool Open();
  // Destroys StockOps, Recorder and the database, as a stopping agent does.
  void Close();

  // A fresh client key ("till-01" / "<prefix>-<n>"), unique per env.
  v1::ClientKey NextKey(const std::string& prefix = "t");

  // Blocking wrappers.
  Result<v1::RecordTransactionResponse> Record(const v1::Transaction& txn,
                                               const v1::ClientKey& key);
  Result<v1::RecordTransactionResponse> Record(const v1::Transaction& txn) {
    return Record(txn, NextKey());
  }
  Result<v1::RecordTransactionResponse> Movement(
      v1::StockMovement::Reason reason, const std::vector<Line>& lines);
  Result<v1::RecordTransactionResponse> Count(const std::vector<Line>& lines);
  Result<v1::PlaceHoldResponse> PlaceHold(const v1::HoldPlaced& hold,
                                          const v1::ClientKey& key);
  Result<v1::PlaceHoldResponse> PlaceHold(const v1::HoldPlaced& hold) {
    return PlaceHold(hold, NextKey("h"));
  }
  Result<v1::GetHoldResponse> Pick(const std::string& order_ref);
  Result<v1::GetHoldResponse> Collect(const std::string& order_ref);
  Result<v1::GetHoldResponse> Cancel(const std::string& order_ref);
  Result<v1::GetHoldResponse> ShortPick(const std::string& order_ref,
                                        const std::vector<Line>& found);
  Result<v1::GetHoldResponse> GetHold(const std::string& order_ref);
  Result<int> ExpireDueHolds();
  Result<v1::ImportCatalogResponse> ImportCatalog(
      std::vector<v1::Product> products);
  // The gRPC API's lookup (StockOps::GetAvailabilityInto).
  Result<v1::GetAvailabilityResponse> Availability(
      const std::vector<std::string>& skus);
  // The staff page's (StockOps::GetAvailability, always on the read pool).
  Result<v1::GetAvailabilityResponse> AvailabilityOnPool(
      const std::vector<std::string>& skus);

  // Runs `fn` in one read transaction on a new read-only connection to the
  // database file, closed afterwards: the committed state, read
  // independently of the agent's read pool.
  template <typename T>
  Result<T> ReadFresh(const std::function<Result<T>(storage::DbContext&)>& fn);

  // One SKU's figures as the ledger has them (storage::StockLedger::Figures
  // on a fresh connection); a default SkuAvailability (sku empty) on error,
  // which the caller's expectations then catch.
  v1::SkuAvailability Figures(const std::string& sku);
  // The ledger's hold for `order_ref` (fresh connection); nullopt if none.
  std::optional<v1::Hold> LedgerHold(const std::string& order_ref);
  // The hold's state in the ledger; UNSPECIFIED when there is none.
  v1::HoldState StateOf(const std::string& order_ref);

  // Every journal record, in seq order (fresh connection).
  Result<std::vector<v1::JournalRecord>> Journal();
  uint64_t HeadSeq() { return db_->journal().head().seq; }

 private:
  Result<v1::GetHoldResponse> Update(v1::UpdateHoldRequest request);

  storeagent::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  std::unique_ptr<agent::StockOps> ops_;
  std::unique_ptr<agent::Recorder> recorder_;
  std::atomic<uint64_t> next_key_{1};
};

template <typename T>
Result<T> StockTestEnv::ReadFresh(
    const std::function<Result<T>(storage::DbContext&)>& fn) {
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(dir_.File("agent.db").c_str(), &raw, SQLITE_OPEN_READONLY,
                      nullptr) != SQLITE_OK) {
    const std::string why = raw != nullptr ? sqlite3_errmsg(raw) : "no memory";
    sqlite3_close(raw);
    return Internal("open read-only: " + why);
  }
  std::optional<Result<T>> out;
  {
    storage::DbContext ctx(raw);  // finalizes its statements before close
    if (sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
      out.emplace(Internal(std::string("begin: ") + sqlite3_errmsg(raw)));
    } else {
      out.emplace(fn(ctx));
    }
  }
  sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  return std::move(*out);
}

}  // namespace storeagent::stocktest

#endif  // STOREAGENT_TESTS_UNIT_STOCK_STOCK_TEST_ENV_H_
