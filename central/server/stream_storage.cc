#include "central/server/stream_storage.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "core/journal_chain.h"
#include "core/stock_digest.h"
#include "platform/log.h"

namespace storeagent::central {
namespace {

v1::SkuFigure FigureOf(const std::string& sku, const core::SkuFigures& f) {
  v1::SkuFigure out;
  out.set_sku(sku);
  out.set_on_hand(f.on_hand);
  out.set_held(f.held);
  out.set_unavailable(f.unavailable);
  return out;
}

bool SameFigures(const v1::SkuFigure& a, const v1::SkuFigure& b) {
  return a.on_hand() == b.on_hand() && a.held() == b.held() &&
         a.unavailable() == b.unavailable();
}

}  // namespace

void StreamStorage::Run(StreamMachine& machine, const Transport& transport) {
  for (;;) {
    std::vector<StreamAction> actions = machine.TakeActions();
    if (actions.empty()) return;
    for (StreamAction& a : actions) Execute(a, machine, transport);
  }
}

Result<StoreFacts> StreamStorage::LoadStore(const StreamAction& a) {
  CentralStore& store = ctx_.store;
  const int64_t now = ctx_.clock.NowMicros();
  Result<StoreRow> row = store.GetOrCreateStore(a.store_id);
  if (!row.ok()) return row.status();
  Status touched = store.TouchExchange(a.store_id, now, a.agent_version);
  if (!touched.ok()) return touched;
  // The price book's versions the store is due and was not sent (a store
  // central learns of after a publish; docs/central.md, "The price book"),
  // queued before the flow down starts. Not when the agent applied more
  // than central holds (central restored from a backup): those would be
  // numbered at or below what it applied: they are queued once the head is
  // raised (kRaiseCentralHead).
  if (a.upto <= row->central_head_seq) {
    Result<PriceBookQueued> queued = store.QueuePriceBook(a.store_id, now);
    if (!queued.ok()) return queued.status();
    if (queued->queued > 0) {
      Log(LogLevel::kInfo, "sync.price_book_queued",
          {{"store", a.store_id},
           {"versions", std::to_string(queued->queued)}});
    }
    row = std::move(queued->row);
  }
  // The store's checkpoint key (docs/security.md, "Signed checkpoints"):
  // registered on first sight; a refused one is a problem on the store.
  Result<core::StoreKeys> keys =
      store.RegisterSigningKey(a.store_id, a.public_key, a.seq, now);
  StoreFacts facts;
  if (!keys.ok()) {
    const StatusCode code = keys.status().code();
    if (code != StatusCode::kFailedPrecondition &&
        code != StatusCode::kInvalidArgument) {
      return keys.status();  // the database: UNAVAILABLE, the store redials
    }
    // The key itself was refused: a signature problem on the store.
    ctx_.metrics.SignatureProblem("key");
    if (Status r = store.RecordSignatureProblem(a.store_id,
                                                keys.status().message(), now);
        !r.ok()) {
      Log(LogLevel::kError, "sync.signature_problem_not_recorded",
          {{"store", a.store_id}, {"error", r.ToString()}});
    }
    facts.key_refused = keys.status();
    return facts;
  }
  facts.keys = std::move(keys).value();
  facts.row = std::move(row).value();
  if (a.seq < facts.row.store_seq_held) {
    facts.hash_at_agent_head = core::GenesisHash();
    if (a.seq > 0) {
      Result<std::vector<v1::JournalEntry>> at =
          store.ReadStoreEvents(a.store_id, a.seq - 1, a.seq, 1);
      facts.hash_at_agent_head =
          at.ok() && at->size() == 1 ? (*at)[0].hash() : std::string();
    }
  }
  return facts;
}

void StreamStorage::Execute(StreamAction& a, StreamMachine& machine,
                            const Transport& transport) {
  using Kind = StreamAction::Kind;
  CentralStore& store = ctx_.store;
  const std::string& store_id = machine.store_id();
  switch (a.kind) {
    case Kind::kSend:
      transport.send(std::move(a.message));
      return;
    case Kind::kEnd:
      transport.end(a.status);
      return;
    case Kind::kStartHoldTimer:
      transport.start_hold_timer(a.hold_id, a.timeout_us);
      return;
    case Kind::kHoldDone:
      transport.hold_done(a.hold_id, std::move(a.hold_answer));
      return;
    case Kind::kRegister:
      machine.OnRegistered(transport.register_stream(a.store_id),
                           ctx_.clock.NowMicros());
      return;
    case Kind::kLoadStore:
      machine.OnStoreLoaded(LoadStore(a));
      return;
    case Kind::kRaiseCentralHead: {
      Result<uint64_t> before = store.RaiseCentralHead(store_id, a.seq);
      if (before.ok()) {
        ctx_.replicas.OnCentralAck(store_id, a.seq);
        // What LoadStore left for after the raise: numbered after what the
        // store applied now. A failure leaves it to the next Hello.
        Result<PriceBookQueued> queued =
            store.QueuePriceBook(store_id, ctx_.clock.NowMicros());
        if (!queued.ok()) {
          Log(LogLevel::kError, "sync.price_book_queue_failed",
              {{"store", store_id}, {"error", queued.status().ToString()}});
        }
      }
      machine.OnHeadRaised(std::move(before));
      return;
    }
    case Kind::kAckCentral: {
      Status s = store.AckCentralAt(store_id, a.seq, ctx_.clock.NowMicros());
      if (s.ok()) ctx_.replicas.OnCentralAck(store_id, a.seq);
      if (a.answer) machine.OnCentralAckRecorded(s);
      return;
    }
    case Kind::kReadReseed:
      machine.OnReseedPage(
          store.ReadStoreEvents(store_id, a.seq, a.upto, a.max));
      return;
    case Kind::kReadCentral:
      machine.OnCentralPage(store.ReadCentralEvents(store_id, a.seq, 0, a.max));
      return;
    case Kind::kIngest: {
      const int64_t now = ctx_.clock.NowMicros();
      const int64_t started = ctx_.clock.MonotonicMicros();
      Result<IngestResult> r =
          store.IngestCheckedBatch(store_id, a.entries, a.checks, now);
      const double commit_seconds =
          static_cast<double>(ctx_.clock.MonotonicMicros() - started) / 1e6;
      if (r.ok()) {
        const uint64_t prev = a.seq;
        ctx_.replicas.OnIngest(store_id, prev, a.entries, *r);
        if (!r->applied.empty() || !r->quarantined.empty()) {
          // The newest entry central did not hold before: the batch's last.
          const double lag_seconds =
              static_cast<double>(now -
                                  a.entries.back().record().recorded_at_us()) /
              1e6;
          ctx_.metrics.BatchCommitted(r->applied.size(), r->quarantined.size(),
                                      r->escrow_breaches, commit_seconds,
                                      std::max(lag_seconds, 0.0));
          hub_.feed_bell().Ring();  // the change feed's following streams
        }
        // A batch that committed stamped the exchange in its own
        // transaction.
        if (r->acked_seq <= prev) (void)store.TouchExchange(store_id, now, "");
        if (a.checkpoint_seq != 0) {
          ctx_.metrics.CheckpointVerified();
          if (Status c = store.RecordCheckpoint(store_id, a.checkpoint_seq);
              !c.ok()) {
            Log(LogLevel::kWarn, "sync.checkpoint_not_recorded",
                {{"store", store_id}, {"error", c.ToString()}});
          }
        }
      }
      machine.OnIngested(std::move(r));
      return;
    }
    case Kind::kSignatureProblem: {
      ctx_.metrics.SignatureProblem("checkpoint");
      if (Status r = store.RecordSignatureProblem(store_id, a.status.message(),
                                                  ctx_.clock.NowMicros());
          !r.ok()) {
        Log(LogLevel::kError, "sync.signature_problem_not_recorded",
            {{"store", store_id}, {"error", r.ToString()}});
      }
      return;
    }
    case Kind::kCheckDigest:
      machine.OnDigestChecked(CheckDigest(store_id, a.digest));
      return;
    case Kind::kCheckDrillDown:
      CheckDrillDown(store_id, a.drill_down, a.buckets);
      return;
  }
}

Result<v1::DigestResult> StreamStorage::CheckDigest(const std::string& store_id,
                                                    const v1::StockDigest& d) {
  CentralStore& store = ctx_.store;
  const auto n = static_cast<uint32_t>(d.buckets_size());
  v1::DigestResult r;
  r.set_store_seq(d.store_seq());
  r.set_central_seq(d.central_seq());
  Result<std::optional<StoreRow>> row = store.GetStore(store_id);
  if (!row.ok() || !row->has_value()) {
    return Unavailable("central store: reading store " + store_id);
  }
  if (d.store_seq() > (*row)->store_seq_held ||
      d.central_seq() > (*row)->central_head_seq) {
    r.set_deferred(true);
    (void)store.RecordDigest(store_id, "deferred", d.store_seq());
    return r;
  }
  std::vector<std::string> ours;
  Status s = ctx_.replicas.At(
      store_id, d.store_seq(), d.central_seq(),
      [&](const core::StockReplay& replay, uint64_t, uint64_t) {
        core::StockDigestBuilder b(n);
        for (const auto& [sku, f] : replay.figures()) {
          b.Add({sku, f.on_hand, f.held, f.unavailable});
        }
        ours = b.Finish();
      });
  if (!s.ok()) {
    Log(LogLevel::kError, "sync.digest_failed",
        {{"store", store_id}, {"error", s.ToString()}});
    r.set_deferred(true);
    return r;
  }
  const std::vector<std::string> theirs(d.buckets().begin(), d.buckets().end());
  const std::vector<uint32_t> diff = core::MismatchedBuckets(ours, theirs);
  r.set_match(diff.empty());
  for (uint32_t b : diff) r.add_mismatched_buckets(b);
  (void)store.RecordDigest(store_id, diff.empty() ? "match" : "mismatch",
                           d.store_seq());
  (void)store.TouchExchange(store_id, ctx_.clock.NowMicros(), "");
  Log(diff.empty() ? LogLevel::kDebug : LogLevel::kWarn, "sync.digest",
      {{"store", store_id},
       {"store_seq", std::to_string(d.store_seq())},
       {"central_seq", std::to_string(d.central_seq())},
       {"mismatched_buckets", std::to_string(diff.size())}});
  return r;
}

void StreamStorage::CheckDrillDown(const std::string& store_id,
                                   const v1::DrillDownAnswer& a, uint32_t n) {
  const std::set<uint32_t> asked(a.buckets().begin(), a.buckets().end());
  std::map<std::string, v1::SkuFigure> theirs;
  for (const v1::SkuFigure& f : a.figures()) theirs[f.sku()] = f;
  std::map<std::string, v1::SkuFigure> ours;
  Status s = ctx_.replicas.At(
      store_id, a.store_seq(), a.central_seq(),
      [&](const core::StockReplay& replay, uint64_t, uint64_t) {
        for (const auto& [sku, f] : replay.figures()) {
          if (asked.count(core::DigestBucketOf(sku, n))) {
            ours[sku] = FigureOf(sku, f);
          }
        }
        for (const auto& [sku, f] : theirs) {
          if (!ours.count(sku)) ours[sku] = FigureOf(sku, replay.Figures(sku));
        }
      });
  if (!s.ok()) {
    Log(LogLevel::kError, "sync.drill_down_failed",
        {{"store", store_id}, {"error", s.ToString()}});
    return;
  }
  const int64_t now = ctx_.clock.NowMicros();
  std::vector<v1::Drift> drift;
  for (const auto& [sku, central] : ours) {
    v1::SkuFigure store_fig;
    store_fig.set_sku(sku);
    if (auto it = theirs.find(sku); it != theirs.end()) store_fig = it->second;
    if (SameFigures(store_fig, central)) continue;
    v1::Drift d;
    d.set_store_id(store_id);
    d.set_sku(sku);
    d.set_store_seq(a.store_seq());
    d.set_central_seq(a.central_seq());
    *d.mutable_store() = store_fig;
    *d.mutable_central() = central;
    d.set_found_at_us(now);
    Log(LogLevel::kWarn, "sync.drift",
        {{"store", store_id},
         {"sku", sku},
         {"store_seq", std::to_string(a.store_seq())},
         {"central_seq", std::to_string(a.central_seq())},
         {"store_on_hand", std::to_string(store_fig.on_hand())},
         {"central_on_hand", std::to_string(central.on_hand())},
         {"store_held", std::to_string(store_fig.held())},
         {"central_held", std::to_string(central.held())},
         {"store_unavailable", std::to_string(store_fig.unavailable())},
         {"central_unavailable", std::to_string(central.unavailable())}});
    drift.push_back(std::move(d));
  }
  if (drift.empty()) return;
  ctx_.metrics.DriftFound(drift.size());
  Status rec = ctx_.store.RecordDrift(drift);
  if (!rec.ok()) {
    Log(LogLevel::kError, "sync.record_drift_failed",
        {{"store", store_id}, {"error", rec.ToString()}});
  }
}

}  // namespace storeagent::central
