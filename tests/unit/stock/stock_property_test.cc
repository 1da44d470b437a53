// Seeded random interleavings of every stock operation from several client
// threads at once, then three invariants checked against the journal:
//  (a) the materialised `stock` and `holds` tables equal a from-scratch
//      replay of the journal (core::StockReplay);
//  (b) every hold was granted against enough stock: at each HoldPlaced the
//      replayed figures just before it have available >= each line;
//  (c) held is never negative and always equals the sum of the open holds'
//      lines, after every event and in the final tables.
//
// The seed is printed; STOREAGENT_PROPERTY_SEED=<n> replays the same
// operation sequences per thread (the interleaving is up to the scheduler).
// STOREAGENT_PROPERTY_RUNS=<n> runs more rounds (seed, seed+1, ...) for a
// longer soak; the default keeps the test within the fast `unit` label.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/stock_replay.h"
#include "core/stock_rule.h"
#include "tests/unit/stock/stock_test_env.h"

namespace storeagent::stocktest {
namespace {

constexpr int kSkus = 8;
constexpr int kDefaultRuns = 3;
constexpr int kOpsPerRun = 2000;
constexpr int kMinThreads = 4;
constexpr int kMaxThreads = 8;
// Holds expire this long after they are placed.
constexpr int64_t kMinHoldSeconds = 300;
constexpr int64_t kMaxHoldSeconds = 2400;
// ExpireDueHolds first moves the clock by up to this much.
constexpr int64_t kMaxClockStepSeconds = 90;

std::string Sku(int i) { return "P-" + std::to_string(i); }

// Safety stock per SKU in the catalog: the first two keep some back.
int64_t SafetyStock(int i) { return i == 0 ? 2 : i == 1 ? 5 : 0; }

uint64_t SeedFromEnv() {
  if (const char* s = std::getenv("STOREAGENT_PROPERTY_SEED");
      s != nullptr && *s != '\0') {
    return std::strtoull(s, nullptr, 10);
  }
  return std::random_device{}();
}

int RunsFromEnv() {
  if (const char* s = std::getenv("STOREAGENT_PROPERTY_RUNS");
      s != nullptr && std::atoi(s) > 0) {
    return std::atoi(s);
  }
  return kDefaultRuns;
}

// What the client threads share: keys of sales and returns that may be
// voided, holds that may be updated or placed again, and the first
// unexpected answer of each thread.
struct Shared {
  std::mutex mu;
  std::vector<v1::ClientKey> voidable;
  std::vector<v1::HoldPlaced> holds;
  std::vector<std::string> failures;
  std::map<std::string, int> tally;  // operation -> outcome count
};

class Client {
 public:
  Client(StockTestEnv& env, Shared& shared, uint64_t seed, int run, int id)
      : env_(env), shared_(shared), rng_(seed), run_(run), id_(id) {}

  // Runs `ops` operations; stops at the first unexpected answer.
  void Run(int ops) {
    for (op_ = 0; op_ < ops; ++op_) {
      if (!Step()) return;
    }
  }

 private:
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  // `n` distinct SKUs of the small set, so clients collide on them.
  std::vector<int> Skus(int n) {
    std::vector<int> all(kSkus);
    for (int i = 0; i < kSkus; ++i) all[static_cast<size_t>(i)] = i;
    std::shuffle(all.begin(), all.end(), rng_);
    all.resize(static_cast<size_t>(n));
    return all;
  }

  bool Fail(const std::string& what, const Status& s) {
    std::ostringstream m;
    m << "run " << run_ << " client " << id_ << " op " << op_ << " (" << what
      << "): " << s.ToString();
    std::lock_guard<std::mutex> l(shared_.mu);
    shared_.failures.push_back(m.str());
    return false;
  }
  bool FailIf(bool bad, const std::string& what, const std::string& why) {
    return bad ? Fail(what, Internal(why)) : true;
  }

  void Count(const std::string& outcome) {
    std::lock_guard<std::mutex> l(shared_.mu);
    ++shared_.tally[outcome];
  }

  bool Step() {
    const int64_t pick = Uniform(0, 99);
    if (pick < 24) return Sale();
    if (pick < 34) return Return();
    if (pick < 38) return PostVoid();
    if (pick < 48) return Receipt();
    if (pick < 51) return QualityHold();
    if (pick < 54) return StockCount();
    if (pick < 74) return PlaceHold();
    if (pick < 76) return PlaceHoldAgain();
    if (pick < 96) return UpdateHold();
    return Expire();
  }

  bool Sale() {
    std::vector<Line> lines;
    for (int s : Skus(static_cast<int>(Uniform(1, 3)))) {
      lines.push_back({Sku(s), Uniform(1, 4)});
    }
    const v1::ClientKey key = env_.NextKey("sale");
    Result<v1::RecordTransactionResponse> r = env_.Record(SaleOf(lines), key);
    if (!r.ok()) return Fail("sale", r.status());
    Count("sale");
    std::lock_guard<std::mutex> l(shared_.mu);
    shared_.voidable.push_back(key);
    return true;
  }

  bool Return() {
    std::vector<Line> lines;
    for (int s : Skus(static_cast<int>(Uniform(1, 2)))) {
      lines.push_back({Sku(s), Uniform(1, 3), Uniform(0, 1) == 1});
    }
    const v1::ClientKey key = env_.NextKey("ret");
    Result<v1::RecordTransactionResponse> r = env_.Record(ReturnOf(lines), key);
    if (!r.ok()) return Fail("return", r.status());
    Count("return");
    std::lock_guard<std::mutex> l(shared_.mu);
    shared_.voidable.push_back(key);
    return true;
  }

  bool PostVoid() {
    v1::ClientKey original;
    {
      std::lock_guard<std::mutex> l(shared_.mu);
      if (shared_.voidable.empty()) return true;
      original = shared_.voidable[static_cast<size_t>(
          Uniform(0, static_cast<int64_t>(shared_.voidable.size()) - 1))];
    }
    Result<v1::RecordTransactionResponse> r = env_.Record(PostVoidOf(original));
    if (r.ok()) {
      Count("post_void");
      return true;
    }
    // Already voided by this or another client.
    if (r.status().code() != StatusCode::kFailedPrecondition) {
      return Fail("post-void", r.status());
    }
    Count("post_void refused");
    return true;
  }

  bool Receipt() {
    std::vector<Line> lines;
    for (int s : Skus(static_cast<int>(Uniform(1, 3)))) {
      lines.push_back({Sku(s), Uniform(1, 12)});
    }
    Result<v1::RecordTransactionResponse> r =
        env_.Movement(v1::StockMovement::REASON_RECEIPT, lines);
    if (!r.ok()) return Fail("receipt", r.status());
    Count("receipt");
    return true;
  }

  bool QualityHold() {
    int64_t q = Uniform(-3, 3);
    if (q == 0) q = 1;
    Result<v1::RecordTransactionResponse> r = env_.Movement(
        v1::StockMovement::REASON_QUALITY_HOLD, {{Sku(Skus(1)[0]), q}});
    if (!r.ok()) return Fail("quality hold", r.status());
    Count("quality_hold");
    return true;
  }

  bool StockCount() {
    std::vector<Line> lines;
    for (int s : Skus(static_cast<int>(Uniform(1, 2)))) {
      lines.push_back({Sku(s), Uniform(0, 25)});
    }
    Result<v1::RecordTransactionResponse> r = env_.Count(lines);
    if (!r.ok()) return Fail("count", r.status());
    Count("count");
    return true;
  }

  bool PlaceHold() {
    std::vector<Line> lines;
    for (int s : Skus(static_cast<int>(Uniform(1, 2)))) {
      lines.push_back({Sku(s), Uniform(1, 3)});
    }
    const std::string ref = "o" + std::to_string(run_) + "-" +
                            std::to_string(id_) + "-" + std::to_string(op_);
    const v1::HoldPlaced hold =
        HoldOf(ref, lines,
               env_.clock().NowMicros() +
                   Uniform(kMinHoldSeconds, kMaxHoldSeconds) * kSecond);
    Result<v1::PlaceHoldResponse> r = env_.PlaceHold(hold);
    if (!r.ok()) {
      // Other clients may have moved the clock past the expiry meanwhile.
      if (r.status().code() == StatusCode::kInvalidArgument &&
          hold.expires_at_us() <= env_.clock().NowMicros()) {
        Count("hold expired before placing");
        return true;
      }
      return Fail("place hold " + ref, r.status());
    }
    if (!FailIf(r->replayed(), "place hold " + ref, "a new order replayed")) {
      return false;
    }
    if (!r->granted()) {
      if (!FailIf(r->shortfall_size() == 0, "place hold " + ref,
                  "refused without a shortfall")) {
        return false;
      }
      for (const v1::SkuAvailability& s : r->shortfall()) {
        int64_t wanted = 0;
        for (const Line& l : lines) {
          if (l.sku == s.sku()) wanted = l.quantity;
        }
        if (!FailIf(
                wanted == 0 || s.available() >= wanted, "place hold " + ref,
                "shortfall line " + s.ShortDebugString() + " is not short")) {
          return false;
        }
      }
      Count("hold refused");
      return true;
    }
    if (!FailIf(r->hold().order_ref() != ref ||
                    r->hold().lines_size() != hold.lines_size() ||
                    r->hold().state() != v1::HOLD_STATE_HELD,
                "place hold " + ref,
                "granted hold " + r->hold().ShortDebugString())) {
      return false;
    }
    Count("hold granted");
    std::lock_guard<std::mutex> l(shared_.mu);
    shared_.holds.push_back(hold);
    return true;
  }

  bool RandomHold(v1::HoldPlaced* out) {
    std::lock_guard<std::mutex> l(shared_.mu);
    if (shared_.holds.empty()) return false;
    *out = shared_.holds[static_cast<size_t>(
        Uniform(0, static_cast<int64_t>(shared_.holds.size()) - 1))];
    return true;
  }

  // A retry of a granted hold from another client key gets it back.
  bool PlaceHoldAgain() {
    v1::HoldPlaced hold;
    if (!RandomHold(&hold)) return true;
    Result<v1::PlaceHoldResponse> r = env_.PlaceHold(hold);
    const std::string what = "place hold again " + hold.order_ref();
    if (!r.ok()) {
      // Validation comes first: a retry after the expiry is refused.
      if (r.status().code() == StatusCode::kInvalidArgument &&
          hold.expires_at_us() <= env_.clock().NowMicros()) {
        Count("hold retried after expiry");
        return true;
      }
      return Fail(what, r.status());
    }
    if (!FailIf(!r->granted() || !r->replayed() ||
                    r->hold().order_ref() != hold.order_ref(),
                what, "reply " + r->ShortDebugString())) {
      return false;
    }
    Count("hold replayed");
    return true;
  }

  bool UpdateHold() {
    v1::HoldPlaced hold;
    if (!RandomHold(&hold)) return true;
    const std::string& ref = hold.order_ref();
    const int64_t action = Uniform(0, 99);
    std::string what;
    Result<v1::GetHoldResponse> r = Status(StatusCode::kUnknown, "not run");
    if (action < 35) {
      what = "pick";
      r = env_.Pick(ref);
    } else if (action < 65) {
      what = "collect";
      r = env_.Collect(ref);
    } else if (action < 80) {
      what = "cancel";
      r = env_.Cancel(ref);
    } else {
      what = "short_pick";
      std::vector<Line> found;
      for (const v1::HoldLine& l : hold.lines()) {
        if (Uniform(0, 2) > 0)
          found.push_back({l.sku(), Uniform(0, l.quantity())});
      }
      r = env_.ShortPick(ref, found);
    }
    if (r.ok()) {
      Count(what);
      return true;
    }
    // The hold's state does not allow it (e.g. already collected).
    if (r.status().code() != StatusCode::kFailedPrecondition) {
      return Fail(what + " " + ref, r.status());
    }
    Count(what + " refused");
    return true;
  }

  bool Expire() {
    env_.clock().Advance(Uniform(0, kMaxClockStepSeconds) * kSecond);
    Result<int> n = env_.ExpireDueHolds();
    if (!n.ok()) return Fail("expire", n.status());
    Count("expire ran");
    std::lock_guard<std::mutex> l(shared_.mu);
    shared_.tally["expired"] += *n;
    return true;
  }

  StockTestEnv& env_;
  Shared& shared_;
  std::mt19937_64 rng_;
  int run_;
  int id_;
  int op_ = 0;
};

struct TableRow {
  int64_t on_hand = 0;
  int64_t held = 0;
  int64_t unavailable = 0;
};

struct Tables {
  std::map<std::string, TableRow> stock;
  std::map<std::string, v1::Hold> holds;
};

// The `stock` and `holds` tables as committed, read on a fresh connection.
Result<Tables> ReadTables(StockTestEnv& env) {
  return env.ReadFresh<Tables>([](storage::DbContext& c) -> Result<Tables> {
    Tables t;
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(c.db(),
                           "SELECT sku, on_hand, held, unavailable FROM stock",
                           -1, &s, nullptr) != SQLITE_OK) {
      return Internal(sqlite3_errmsg(c.db()));
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
      const std::string sku(
          reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
      t.stock[sku] =
          TableRow{sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
                   sqlite3_column_int64(s, 3)};
    }
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(c.db(), "SELECT hold FROM holds", -1, &s, nullptr) !=
        SQLITE_OK) {
      return Internal(sqlite3_errmsg(c.db()));
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
      v1::Hold h;
      if (!h.ParseFromArray(sqlite3_column_blob(s, 0),
                            sqlite3_column_bytes(s, 0))) {
        sqlite3_finalize(s);
        return DataLoss("holds: a row does not parse");
      }
      t.holds[h.order_ref()] = h;
    }
    sqlite3_finalize(s);
    return t;
  });
}

std::map<std::string, int64_t> OpenHeld(
    const std::map<std::string, v1::Hold>& holds) {
  std::map<std::string, int64_t> out;
  for (const auto& [ref, h] : holds) {
    if (!core::HoldIsOpen(h.state())) continue;
    for (const v1::HoldLine& l : h.lines()) out[l.sku()] += l.quantity();
  }
  return out;
}

// Replays the journal and checks (b) and (c) at every event; returns the
// replay for (a).
void ReplayJournal(const std::vector<v1::JournalRecord>& journal,
                   core::StockReplay* replay, int* holds_checked) {
  std::map<std::string, int64_t> safety;
  for (int i = 0; i < kSkus; ++i) safety[Sku(i)] = SafetyStock(i);
  uint64_t expect_seq = 1;
  for (const v1::JournalRecord& r : journal) {
    ASSERT_EQ(r.seq(), expect_seq++) << "journal has a gap";
    if (r.has_stock() && r.stock().has_hold_placed()) {
      // (b) The hold fit at the moment it was granted.
      for (const v1::HoldLine& l : r.stock().hold_placed().lines()) {
        const core::SkuFigures f = replay->Figures(l.sku());
        const int64_t available =
            core::Available(f.on_hand, f.held, f.unavailable, safety[l.sku()]);
        ASSERT_GE(available, l.quantity())
            << "seq " << r.seq() << ": hold "
            << r.stock().hold_placed().order_ref() << " granted " << l.sku()
            << " x" << l.quantity() << " with on_hand " << f.on_hand << " held "
            << f.held << " unavailable " << f.unavailable << " safety "
            << safety[l.sku()];
      }
      ++*holds_checked;
    }
    const Status s = replay->Apply(r);
    ASSERT_TRUE(s.ok()) << "the journal holds an event the ledger should "
                           "have refused: "
                        << s.ToString() << "\n"
                        << r.ShortDebugString();
    // (c) held never negative, and the sum of the open holds.
    const std::map<std::string, int64_t> open = OpenHeld(replay->holds());
    for (const auto& [sku, f] : replay->figures()) {
      ASSERT_GE(f.held, 0) << "seq " << r.seq() << " sku " << sku;
      const auto it = open.find(sku);
      ASSERT_EQ(f.held, it == open.end() ? 0 : it->second)
          << "seq " << r.seq() << " sku " << sku;
    }
  }
}

void CheckRun(uint64_t seed, int run) {
  const int threads =
      kMinThreads + static_cast<int>(seed % (kMaxThreads - kMinThreads + 1));
  SCOPED_TRACE("seed " + std::to_string(seed) + " run " + std::to_string(run) +
               " threads " + std::to_string(threads));
  StockTestEnv env;
  ASSERT_NE(env.db(), nullptr);
  std::vector<v1::Product> catalog;
  std::vector<Line> initial;
  for (int i = 0; i < kSkus; ++i) {
    v1::Product p;
    p.set_sku(Sku(i));
    p.set_name("Product " + std::to_string(i));
    p.set_unit("each");
    p.set_safety_stock(SafetyStock(i));
    catalog.push_back(p);
    initial.push_back({Sku(i), 15});
  }
  ASSERT_TRUE(env.ImportCatalog(catalog).ok());
  ASSERT_TRUE(env.Movement(v1::StockMovement::REASON_RECEIPT, initial).ok());

  Shared shared;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Client c(env, shared, seed * 1000 + static_cast<uint64_t>(t), run, t);
      c.Run(kOpsPerRun / threads);
    });
  }
  for (std::thread& t : pool) t.join();
  for (const std::string& f : shared.failures) ADD_FAILURE() << f;
  ASSERT_TRUE(shared.failures.empty());

  std::ostringstream tally;
  for (const auto& [what, n] : shared.tally) tally << " " << what << "=" << n;
  std::cout << "[ tally    ] run " << run << ":" << tally.str() << std::endl;

  Result<std::vector<v1::JournalRecord>> journal = env.Journal();
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  ASSERT_EQ(journal->size(), env.HeadSeq());
  core::StockReplay replay;
  int holds_checked = 0;
  ReplayJournal(*journal, &replay, &holds_checked);
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_EQ(holds_checked, shared.tally["hold granted"]);

  // (a) The materialised tables equal the replay.
  Result<Tables> tables = ReadTables(env);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  std::set<std::string> skus;
  for (const auto& [sku, row] : tables->stock) skus.insert(sku);
  for (const auto& [sku, f] : replay.figures()) skus.insert(sku);
  for (const std::string& sku : skus) {
    const TableRow row =
        tables->stock.count(sku) ? tables->stock[sku] : TableRow{};
    const core::SkuFigures f = replay.Figures(sku);
    EXPECT_EQ(row.on_hand, f.on_hand) << sku;
    EXPECT_EQ(row.held, f.held) << sku;
    EXPECT_EQ(row.unavailable, f.unavailable) << sku;
  }
  EXPECT_EQ(tables->holds.size(), replay.holds().size());
  for (const auto& [ref, h] : replay.holds()) {
    auto it = tables->holds.find(ref);
    if (it == tables->holds.end()) {
      ADD_FAILURE() << "hold " << ref << " missing from the holds table";
      continue;
    }
    EXPECT_EQ(it->second.SerializeAsString(), h.SerializeAsString())
        << "table: " << it->second.ShortDebugString()
        << "\nreplay: " << h.ShortDebugString();
  }
  // (c) In the tables too.
  const std::map<std::string, int64_t> open = OpenHeld(tables->holds);
  for (const auto& [sku, row] : tables->stock) {
    EXPECT_GE(row.held, 0) << sku;
    const auto it = open.find(sku);
    EXPECT_EQ(row.held, it == open.end() ? 0 : it->second) << sku;
  }
  // And the API's figures are the tables' with the catalog's safety stock
  // (the first read of this database's read pool, so a fresh snapshot).
  std::vector<std::string> all;
  for (int i = 0; i < kSkus; ++i) all.push_back(Sku(i));
  Result<v1::GetAvailabilityResponse> av = env.Availability(all);
  ASSERT_TRUE(av.ok()) << av.status().ToString();
  EXPECT_EQ(av->as_of().seq(), env.HeadSeq());
  for (int i = 0; i < kSkus; ++i) {
    const v1::SkuAvailability& a = av->items(i);
    const core::SkuFigures f = replay.Figures(Sku(i));
    EXPECT_EQ(a.on_hand(), f.on_hand) << Sku(i);
    EXPECT_EQ(a.held(), f.held) << Sku(i);
    EXPECT_EQ(a.safety_stock(), SafetyStock(i)) << Sku(i);
    EXPECT_EQ(a.available(),
              core::Available(f.on_hand, f.held, f.unavailable, SafetyStock(i)))
        << Sku(i);
    EXPECT_EQ(a.negative(), f.on_hand < 0) << Sku(i);
  }
}

TEST(StockPropertyTest, ConcurrentOperationsKeepTheLedgerEqualToTheJournal) {
  const uint64_t seed = SeedFromEnv();
  std::cout << "[ seed     ] STOREAGENT_PROPERTY_SEED=" << seed << std::endl;
  RecordProperty("seed", std::to_string(seed));
  const int runs = RunsFromEnv();
  for (int run = 0; run < runs; ++run) {
    CheckRun(seed + static_cast<uint64_t>(run), run);
    if (HasFailure()) {
      std::cout << "[ failed   ] rerun with STOREAGENT_PROPERTY_SEED=" << seed
                << std::endl;
      return;
    }
  }
}

}  // namespace
}  // namespace storeagent::stocktest
