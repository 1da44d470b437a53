// Fuzz target `central_apply`: the agent's apply of one batch of central's
// events (storage::SyncStore::ApplyCentralBatch, storage/sync_store.h) in a
// writer transaction, on an agent database that central's seed batch gave
// a catalog of two products, their stock and an open escrow hold.
//
// The input is one flags byte, then a v1::CentralBatch. Flags bit 0
// numbers the events on from the database's watermark (so a mutated event
// reaches its apply instead of the gap check). Each input is applied and
// then rolled back (the command fails on purpose after the apply), so
// every input meets the same database and a crash file reproduces alone.
//
// Whatever the batch, nothing crashes, and:
//   * an apply that succeeds counts every event as applied or skipped and
//     raises the watermark to the batch's highest central_seq;
//   * a refused batch is INVALID_ARGUMENT, FAILED_PRECONDITION or DATA_LOSS;
//   * after the rollback the watermark and the journal head are the seed's.
// Seeds: tests/fuzz/corpus/central_apply (make_corpus.cc).
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "storage/agent_database.h"
#include "storage/sync_store.h"
#include "storeagent/v1/sync.pb.h"
#include "tests/fuzz/fuzz_env.h"
#include "tests/fuzz/fuzz_target.h"

namespace storeagent::fuzz {
namespace {

constexpr int64_t kNowUs = 1'800'000'000'000'000;

v1::Product Product(const std::string& sku, const std::string& name) {
  v1::Product p;
  p.set_sku(sku);
  p.set_name(name);
  p.set_unit("each");
  return p;
}

// Central's seed batch: the catalog, a receipt, an escrow hold.
v1::CentralBatch SeedBatch() {
  v1::CentralBatch b;
  v1::CentralEvent* e = b.add_events();
  e->set_central_seq(1);
  e->set_created_at_us(kNowUs);
  *e->mutable_catalog()->add_products() = Product("SKU-MUG", "Coffee mug");
  *e->mutable_catalog()->add_products() = Product("SKU-TEA", "Loose tea");
  e = b.add_events();
  e->set_central_seq(2);
  e->set_created_at_us(kNowUs);
  e->set_reference("ASN-1");
  v1::StockMovement* m = e->mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  for (const char* sku : {"SKU-MUG", "SKU-TEA"}) {
    v1::StockDelta* d = m->add_lines();
    d->set_sku(sku);
    d->set_quantity(100);
  }
  e = b.add_events();
  e->set_central_seq(3);
  e->set_created_at_us(kNowUs);
  v1::HoldPlaced* h = e->mutable_escrow_hold()->mutable_hold();
  h->set_order_ref("ORD-ESC-1");
  h->set_channel("online");
  h->set_expires_at_us(kNowUs + 3'600'000'000LL);
  v1::HoldLine* l = h->add_lines();
  l->set_sku("SKU-MUG");
  l->set_quantity(1);
  return b;
}

struct Marks {
  uint64_t central_seq = 0;
  uint64_t head_seq = 0;
};

class Env {
 public:
  Env() : db_(OpenAgentDatabase("apply.db", clock_)) {
    const v1::CentralBatch seed = SeedBatch();
    const Status s = db_->writer().Run([&](storage::WriteContext& ctx) {
      return storage::SyncStore::ApplyCentralBatch(ctx, db_->journal(), seed,
                                                   nullptr, kNowUs)
          .status();
    });
    FUZZ_CHECK(s.ok(), "the seed batch: " + s.ToString());
    seed_ = ReadMarks();
    FUZZ_CHECK(seed_.central_seq == 3, "the seed's watermark");
  }
  ~Env() { db_->Close(); }

  Marks ReadMarks() {
    Marks m;
    const Status s = db_->writer().Run([&](storage::WriteContext& ctx) {
      Result<storage::SyncWatermarks> w =
          storage::SyncStore::ReadWatermarks(ctx);
      if (!w.ok()) return w.status();
      m.central_seq = w->central_seq;
      m.head_seq = w->head_seq;
      return Status::Ok();
    });
    FUZZ_CHECK(s.ok(), "reading the watermarks: " + s.ToString());
    return m;
  }

  storage::AgentDatabase& db() { return *db_; }
  const Marks& seed() const { return seed_; }

 private:
  FakeClock clock_;
  std::unique_ptr<storage::AgentDatabase> db_;
  Marks seed_;
};

Env& TheEnv() {
  static Env env;
  return env;
}

const Status& RolledBack() {
  static const Status s(StatusCode::kAborted, "fuzz: rolled back on purpose");
  return s;
}

}  // namespace
}  // namespace storeagent::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  storeagent::fuzz::TheEnv();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storeagent;
  if (size < 1) return -1;
  v1::CentralBatch batch;
  if (!batch.ParseFromArray(data + 1, static_cast<int>(size - 1))) return -1;
  fuzz::Env& env = fuzz::TheEnv();
  if (data[0] & 1) {
    uint64_t seq = env.seed().central_seq;
    for (v1::CentralEvent& e : *batch.mutable_events())
      e.set_central_seq(++seq);
  }
  std::optional<Result<storage::CentralApplied>> answer;
  const Status run = env.db().writer().Run([&](storage::WriteContext& ctx) {
    answer.emplace(storage::SyncStore::ApplyCentralBatch(
        ctx, env.db().journal(), batch, nullptr, fuzz::kNowUs));
    return fuzz::RolledBack();
  });
  FUZZ_CHECK(run.code() == StatusCode::kAborted && answer.has_value(),
             "the writer answered " + run.ToString());
  const Result<storage::CentralApplied>& applied = *answer;
  if (applied.ok()) {
    FUZZ_CHECK(applied->applied + applied->skipped == batch.events_size(),
               std::to_string(applied->applied) + " applied + " +
                   std::to_string(applied->skipped) + " skipped of " +
                   std::to_string(batch.events_size()));
    if (applied->applied > 0) {
      // Events after the watermark must continue it, so the last applied
      // is the highest (a resent one further on is skipped).
      uint64_t top = 0;
      for (const v1::CentralEvent& e : batch.events()) {
        top = std::max<uint64_t>(top, e.central_seq());
      }
      FUZZ_CHECK(applied->watermark == top,
                 "watermark " + std::to_string(applied->watermark) +
                     ", highest central_seq " + std::to_string(top));
    }
  } else {
    const StatusCode c = applied.status().code();
    FUZZ_CHECK(c == StatusCode::kInvalidArgument ||
                   c == StatusCode::kFailedPrecondition ||
                   c == StatusCode::kDataLoss,
               "refused with " + applied.status().ToString());
  }
  const fuzz::Marks after = env.ReadMarks();
  FUZZ_CHECK(after.central_seq == env.seed().central_seq &&
                 after.head_seq == env.seed().head_seq,
             "the rollback left central_seq " +
                 std::to_string(after.central_seq) + ", head " +
                 std::to_string(after.head_seq));
  return 0;
}
