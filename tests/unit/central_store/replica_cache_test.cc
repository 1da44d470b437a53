// The replica cache's snapshots (central/server/replica_cache.h), on each
// backend of the conformance suite: a cache started from a snapshot holds
// exactly what a replay from seq 1 holds (figures, holds, escrow, digests),
// a new cache over the same store reads the snapshot and replays only the
// tail, an evicted store reloads to the same answers, and a question behind
// the snapshot is still answered right.
#include "central/server/replica_cache.h"

#include <algorithm>
#include <set>

#include "core/stock_digest.h"
#include "storeagent/internal/v1/replica_snapshot.pb.h"
#include "tests/unit/central_store/central_store_fixture.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

using central::CentralStore;
using central::ReplicaCache;

constexpr int kSkus = 20;

std::string Sku(int i) { return "sku-" + std::to_string(i % kSkus); }

v1::ClientKey Key(int i) {
  return test::SampleClientKey("t-" + std::to_string(i));
}

// The i-th record of a varied history: receipts, sales, post-voids, holds
// placed and cancelled, escrow changes, counts (at central seq `c`).
v1::JournalRecord HistoryRecord(int i, uint64_t c) {
  v1::JournalRecord r;
  *r.mutable_client_key() = Key(i);
  switch (i % 10) {
    case 0: {
      v1::StockMovement* m = r.mutable_stock()->mutable_movement();
      m->set_reason(v1::StockMovement::REASON_RECEIPT);
      v1::StockDelta* d = m->add_lines();
      d->set_sku(Sku(i));
      d->set_quantity(10);
      break;
    }
    case 1:
    case 2:
    case 3: {
      *r.mutable_transaction() = test::SampleSale(1);
      v1::TransactionLine* l =
          r.mutable_transaction()->mutable_sale()->mutable_lines(0);
      l->set_sku(Sku(i));
      l->set_quantity(1);
      test::RecomputeTotals(r.mutable_transaction());
      break;
    }
    case 4:
      *r.mutable_transaction() = test::SamplePostVoid();
      *r.mutable_transaction()->mutable_post_void()->mutable_original() =
          Key(i - 2);
      break;
    case 5: {
      v1::HoldPlaced* h = r.mutable_stock()->mutable_hold_placed();
      h->set_order_ref("o-" + std::to_string(i));
      h->set_channel("web");
      // ChainBuilder records seq i + 1 at (i + 1) s.
      h->set_expires_at_us((i + 1 + 3600) * int64_t{1'000'000});
      v1::HoldLine* l = h->add_lines();
      l->set_sku(Sku(i));
      l->set_quantity(1);
      break;
    }
    case 6:
      if (i % 20 == 6) {  // every other hold stays open
        v1::HoldCancelled* h = r.mutable_stock()->mutable_hold_cancelled();
        h->set_order_ref("o-" + std::to_string(i - 1));
        h->set_reason("customer");
        h->set_operator_id("op-7");
      } else {
        *r.mutable_transaction() = test::SampleNoSale();
      }
      break;
    case 7: {
      v1::EscrowChanged* e = r.mutable_stock()->mutable_escrow_changed();
      v1::EscrowLine* l = e->add_lines();
      l->set_sku(Sku(i));
      l->set_quantity(i % 7);
      break;
    }
    case 8: {
      v1::StockCount* sc = r.mutable_stock()->mutable_count();
      sc->set_central_seq(c);
      v1::CountLine* l = sc->add_lines();
      l->set_sku(Sku(i));
      l->set_counted(50);
      break;
    }
    default:
      *r.mutable_transaction() = test::SampleNoSale();
      break;
  }
  return r;
}

v1::CentralEvent Movement(int i) {
  v1::CentralEvent e;
  e.set_reference("asn-" + std::to_string(i));
  v1::StockMovement* m = e.mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  v1::StockDelta* d = m->add_lines();
  d->set_sku(Sku(i * 3));
  d->set_quantity(4);
  return e;
}

// A replay from seq 1 of the store's entries through S (quarantined ones
// left out) and its central events through C, written without the cache.
core::StockReplay FromScratch(CentralStore& store, const std::string& id,
                              uint64_t S, uint64_t C) {
  core::StockReplay replay;
  if (S == 0 && C == 0) return replay;  // (a bound of 0 reads everything)
  Result<std::vector<v1::JournalEntry>> entries =
      store.ReadStoreEvents(id, 0, S, 10000);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  Result<std::vector<uint64_t>> q = store.QuarantinedSeqs(id, 0, S);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  const std::set<uint64_t> quarantined(q->begin(), q->end());
  for (const v1::JournalEntry& e : *entries) {
    if (!quarantined.count(e.record().seq())) {
      (void)replay.Apply(e.record());
    }
  }
  Result<std::vector<v1::CentralEvent>> events =
      store.ReadCentralEvents(id, 0, C, 10000);
  EXPECT_TRUE(events.ok()) << events.status().ToString();
  for (const v1::CentralEvent& e : *events) (void)replay.ApplyCentral(e);
  return replay;
}

// Everything a replay holds, as bytes (the snapshot message is written in
// a fixed order: ordered maps, repeated fields only).
std::string State(const core::StockReplay& r) {
  internal::v1::ReplicaSnapshot s;
  r.SaveTo(&s);
  return s.SerializeAsString();
}

std::vector<std::string> Digest(const core::StockReplay& r) {
  core::StockDigestBuilder b(core::kDefaultDigestBuckets);
  for (const auto& [sku, f] : r.figures()) {
    b.Add({sku, f.on_hand, f.held, f.unavailable});
  }
  return b.Finish();
}

struct Seen {
  std::string state;
  std::vector<std::string> digest;
  uint64_t S = 0;
  uint64_t C = 0;
};

Seen Read(ReplicaCache& cache, const std::string& id) {
  Seen out;
  Status s =
      cache.Latest(id, [&](const core::StockReplay& r, uint64_t S, uint64_t C) {
        out = {State(r), Digest(r), S, C};
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

Seen ReadAt(ReplicaCache& cache, const std::string& id, uint64_t S,
            uint64_t C) {
  Seen out;
  Status s =
      cache.At(id, S, C, [&](const core::StockReplay& r, uint64_t, uint64_t) {
        out = {State(r), Digest(r), S, C};
      });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Ingests `n` history entries in batches of 100 into `id`, one central
// movement appended and acknowledged after each batch, telling `cache`
// as sync_stream does.
void Feed(CentralStore& store, ReplicaCache& cache, const std::string& id,
          int n) {
  ChainBuilder chain;
  uint64_t c = 0;
  for (int at = 0; at < n; at += 100) {
    std::vector<v1::JournalEntry> batch;
    for (int i = at; i < std::min(n, at + 100); ++i) {
      batch.push_back(chain.Next(HistoryRecord(i, c)));
    }
    const uint64_t prev = chain.seq() - batch.size();
    Result<central::IngestResult> r = store.IngestBatch(id, batch, kNow);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    cache.OnIngest(id, prev, batch, *r);
    Result<central::PushResult> p = store.AppendCentralEvent(
        id, "k-" + std::to_string(at), Movement(at), kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    c = p->central_seq;
    ASSERT_TRUE(store.AckCentral(id, c).ok());
    cache.OnCentralAck(id, c);
  }
}

ReplicaCache::Options Every(uint64_t n, size_t max_stores = 16) {
  ReplicaCache::Options o;
  o.snapshot_every = n;
  o.max_stores = max_stores;
  return o;
}

TEST_P(CentralStoreTest, ReplicaFromASnapshotIsTheReplayFromSeqOne) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  ReplicaCache live(*store_, SystemClock(), Every(1000));
  Read(live, "s1");  // in memory from the start, fed as it goes
  Feed(*store_, live, "s1", 2550);
  const Seen now = Read(live, "s1");
  EXPECT_EQ(now.S, 2550u);
  EXPECT_EQ(now.C, 26u);
  EXPECT_GE(live.snapshots_written(), 2u);

  core::StockReplay reference = FromScratch(*store_, "s1", now.S, now.C);
  EXPECT_EQ(now.state, State(reference));
  EXPECT_EQ(now.digest, Digest(reference));
  // The history has something of each kind to compare.
  EXPECT_FALSE(reference.escrow().empty());
  EXPECT_GT(reference.holds().size(), 100u);
  EXPECT_GT(reference.records_applied(), 2000u);
  bool open_hold = false;
  for (const auto& [ref, h] : reference.holds()) {
    open_hold = open_hold || core::HoldIsOpen(h.state());
  }
  EXPECT_TRUE(open_hold);

  Result<std::optional<central::ReplicaSnapshotRow>> snap =
      store_->GetReplicaSnapshot("s1");
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  ASSERT_TRUE(snap->has_value());
  EXPECT_GT((*snap)->store_seq, 0u);
  EXPECT_LE((*snap)->store_seq, now.S);
  EXPECT_EQ((*snap)->taken_at_us > 0, true);

  // A restart: a new cache over the same database (a reopened store) reads
  // the snapshot and replays only what came after it.
  Result<std::unique_ptr<CentralStore>> reopened = Reopen();
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ReplicaCache cold(**reopened, SystemClock(), Every(1000));
  const Seen restarted = Read(cold, "s1");
  EXPECT_EQ(restarted.state, now.state);
  EXPECT_EQ(restarted.digest, now.digest);
  EXPECT_EQ(cold.snapshots_loaded(), 1u);
  EXPECT_EQ(cold.events_read(),
            (now.S - (*snap)->store_seq) + (now.C - (*snap)->central_seq));
  EXPECT_LT(cold.events_read(), 1000u);
}

TEST_P(CentralStoreTest, ReplicaWithoutSnapshotReadsEverythingOnceThenTheTail) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  ReplicaCache none(*store_, SystemClock(), Every(0));
  Feed(*store_, none, "s1", 1200);  // nothing in memory, nothing written
  EXPECT_EQ(none.snapshots_written(), 0u);
  const Seen first = Read(none, "s1");
  EXPECT_EQ(none.events_read(), 1200u + 12u);

  // A cache that snapshots writes one on its first cold build...
  ReplicaCache a(*store_, SystemClock(), Every(1000));
  EXPECT_EQ(Read(a, "s1").state, first.state);
  EXPECT_EQ(a.snapshots_written(), 1u);
  // ...so the next start reads nothing but the snapshot.
  ReplicaCache b(*store_, SystemClock(), Every(1000));
  EXPECT_EQ(Read(b, "s1").state, first.state);
  EXPECT_EQ(b.snapshots_loaded(), 1u);
  EXPECT_EQ(b.events_read(), 0u);
}

TEST_P(CentralStoreTest, EvictedReplicaReloadsToTheSameAnswers) {
  ReplicaCache feeder(*store_, SystemClock(), Every(500));
  for (const char* id : {"s1", "s2", "s3"}) {
    ASSERT_TRUE(store_->GetOrCreateStore(id).ok());
    Read(feeder, id);
    Feed(*store_, feeder, id, 700);
  }
  std::map<std::string, Seen> expected;
  for (const char* id : {"s1", "s2", "s3"}) {
    const Seen s = Read(feeder, id);
    EXPECT_EQ(s.state, State(FromScratch(*store_, id, s.S, s.C)));
    expected[id] = s;
  }

  ReplicaCache small(*store_, SystemClock(), Every(500, /*max_stores=*/2));
  for (int round = 0; round < 3; ++round) {
    for (const char* id : {"s1", "s2", "s3"}) {
      const Seen s = Read(small, id);
      EXPECT_EQ(s.state, expected[id].state) << id << " round " << round;
      EXPECT_EQ(s.digest, expected[id].digest) << id;
      EXPECT_LE(small.stores_in_memory(), 2u);
    }
  }
  // s1, s2, s3 in turn with room for two: every read was a reload.
  EXPECT_EQ(small.snapshots_loaded(), 9u);
  EXPECT_EQ(small.stores_in_memory(), 2u);
}

TEST_P(CentralStoreTest, ReplicaAtAWatermarkBehindTheSnapshotIsStillRight) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  ReplicaCache live(*store_, SystemClock(), Every(1000));
  Read(live, "s1");
  Feed(*store_, live, "s1", 2550);
  const Seen now = Read(live, "s1");
  Result<std::optional<central::ReplicaSnapshotRow>> snap =
      store_->GetReplicaSnapshot("s1");
  ASSERT_TRUE(snap.ok() && snap->has_value());
  const uint64_t snap_S = (*snap)->store_seq;
  const uint64_t snap_C = (*snap)->central_seq;
  ASSERT_GT(snap_S, 300u);

  ReplicaCache cache(*store_, SystemClock(), Every(1000));
  Read(cache, "s1");  // the cache is at the store's watermark
  // Behind the snapshot: from seq 1.
  for (auto [S, C] : {std::pair<uint64_t, uint64_t>{300, 3},
                      {snap_S - 1, snap_C},
                      {snap_S, snap_C - 1},
                      {0, 0}}) {
    const Seen at = ReadAt(cache, "s1", S, C);
    EXPECT_EQ(at.state, State(FromScratch(*store_, "s1", S, C)))
        << S << "," << C;
  }
  // Between the snapshot and the cache: from the snapshot.
  const uint64_t before = cache.events_read();
  const Seen mid = ReadAt(cache, "s1", snap_S + 10, snap_C);
  EXPECT_EQ(mid.state, State(FromScratch(*store_, "s1", snap_S + 10, snap_C)));
  EXPECT_EQ(cache.events_read() - before, 10u);
  // And the cache itself was not moved back.
  EXPECT_EQ(Read(cache, "s1").state, now.state);
}

// One snapshot per store, never moved back in either seq: two central
// replicas writing for one store cannot undo each other.
TEST_P(CentralStoreTest, ReplicaSnapshotRowOnlyMovesForward) {
  auto put = [&](uint64_t S, uint64_t C, const std::string& state) {
    central::ReplicaSnapshotRow row;
    row.store_seq = S;
    row.central_seq = C;
    row.state = state;
    row.taken_at_us = kNow;
    Status s = store_->PutReplicaSnapshot("s1", row);
    EXPECT_TRUE(s.ok()) << s.ToString();
  };
  auto kept = [&]() {
    Result<std::optional<central::ReplicaSnapshotRow>> r =
        store_->GetReplicaSnapshot("s1");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() && r->has_value() ? (*r)->state : std::string("none");
  };
  EXPECT_EQ(kept(), "none");
  put(10, 2, std::string("a\0b", 3));  // bytes, not text
  EXPECT_EQ(kept(), std::string("a\0b", 3));
  put(20, 2, "c");
  EXPECT_EQ(kept(), "c");
  put(15, 3, "behind in S");
  put(25, 1, "behind in C");
  EXPECT_EQ(kept(), "c");
  put(20, 2, "same");
  EXPECT_EQ(kept(), "same");
  EXPECT_FALSE(store_->GetReplicaSnapshot("bad id!").ok());
}

// A snapshot this build cannot read (damaged, or another format) is
// ignored: the replica is replayed from seq 1 and is still right.
TEST_P(CentralStoreTest, UnreadableSnapshotIsIgnored) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  ReplicaCache none(*store_, SystemClock(), Every(0));
  Feed(*store_, none, "s1", 300);
  const Seen expected = Read(none, "s1");
  internal::v1::ReplicaSnapshot future;
  future.set_format(core::kReplicaSnapshotFormat + 1);
  future.set_store_seq(200);
  future.set_central_seq(2);
  for (const std::string& state :
       {std::string("not a snapshot"), future.SerializeAsString()}) {
    central::ReplicaSnapshotRow row;
    row.store_seq = 200;
    row.central_seq = 2;
    row.state = state;
    ASSERT_TRUE(store_->PutReplicaSnapshot("s1", row).ok());
    ReplicaCache cache(*store_, SystemClock(), Every(0));
    const Seen s = Read(cache, "s1");
    EXPECT_EQ(s.state, expected.state);
    EXPECT_EQ(cache.snapshots_loaded(), 0u);
    EXPECT_EQ(cache.events_read(), 300u + 3u);
  }
}

}  // namespace
}  // namespace storeagent::testing
