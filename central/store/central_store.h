// CentralStore: central's durable state for every store, behind one
// interface with two backends: SQLite (the embedded default, one file) and
// PostgreSQL (the fleet backend: stateless central replicas over one
// database; every table keyed by store_id so it can be distributed).
//
// Every method is one transaction. Methods are safe to call from many
// threads at once (each backend serialises or pools as it needs). A method
// that fails changes nothing.
#ifndef STOREAGENT_CENTRAL_STORE_CENTRAL_STORE_H_
#define STOREAGENT_CENTRAL_STORE_CENTRAL_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "central/store/ingest_plan.h"
#include "core/checkpoint.h"
#include "core/price_book.h"
#include "platform/clock.h"
#include "platform/status.h"
#include "storeagent/v1/events.pb.h"
#include "storeagent/v1/price.pb.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

// What central holds about one store's sync.
// PostgreSQL connections per store object when the caller does not say
// (tests, tools); storecentrald opens one per sync.worker_threads.
inline constexpr size_t kPgDefaultPoolSize = 4;

struct StoreRow {
  std::string store_id;
  // Up: the last store seq central committed, and its hash (32 bytes; 32
  // zero bytes at 0).
  uint64_t store_seq_held = 0;
  std::string store_hash_held;
  // recorded_at_us of the event at store_seq_held (0 at 0).
  int64_t store_recorded_at_us = 0;
  // Down: last central_seq recorded for the store, and the last one the
  // store acknowledged applying.
  uint64_t central_head_seq = 0;
  uint64_t central_seq_acked = 0;
  int64_t last_exchange_us = 0;
  std::string agent_version;
  // "match", "mismatch", "deferred" or "" (no digest yet), and its store seq.
  std::string last_digest;
  uint64_t last_digest_store_seq = 0;
  int64_t quarantined = 0;
  int64_t escrow_breaches = 0;
  // SetStoreRegion's; "" = none.
  std::string region;
  // Signed checkpoints (docs/security.md): the key id of the store's
  // current key ("" before it presented one), the seq of the last
  // checkpoint central verified, and the last signature problem ("" for
  // none) with when it was found.
  std::string signing_key_id;
  uint64_t last_checkpoint_seq = 0;
  std::string signature_problem;
  int64_t signature_problem_at_us = 0;
};

struct IngestResult {
  // The store's watermark after the batch (== store_seq_held).
  uint64_t acked_seq = 0;
  // Entries of this batch that were quarantined (kept, not applied).
  std::vector<v1::Quarantined> quarantined;
  // Positions in the batch of the entries newly committed (not skipped as
  // already held), in seq order, quarantined ones excluded: what a replica
  // applies. Positions, not copies: a batch is hundreds of sales.
  std::vector<size_t> applied;
  // Escrow breach lines this batch recorded (each uncovered a grant).
  int64_t escrow_breaches = 0;
};

struct PushResult {
  uint64_t central_seq = 0;
  bool replayed = false;  // the request_key was seen before
};

// How long callers waited for a pooled database connection (PostgreSQL;
// zeros for SQLite, which has one connection and no pool).
struct PoolFigures {
  uint64_t connections = 0;  // the pool's size
  uint64_t waits = 0;        // acquisitions that found every connection lent
  double wait_seconds = 0;   // their waiting, summed
};

// One store's replica snapshot (the replica cache's; docs/central.md,
// "The replica cache"): the replay's state with the store's entries through
// store_seq and its central events through central_seq applied.
struct ReplicaSnapshotRow {
  uint64_t store_seq = 0;
  uint64_t central_seq = 0;
  // A serialized storeagent.internal.v1.ReplicaSnapshot; opaque here.
  std::string state;
  int64_t taken_at_us = 0;
};

// A store and its region ("" = none).
struct StoreRegion {
  std::string store_id;
  std::string region;
};

// Whose KPIs: a store, a region, or (both empty) the fleet.
struct KpiScope {
  std::string store_id;
  std::string region;
};

// One sum of KPI counters (ReadKpiCounters).
struct KpiCounterSum {
  std::string store_id;  // empty: summed over the scope's stores
  std::string week;      // empty: summed over the span
  std::string name;
  int64_t value = 0;
};

// ---------------------------------------------------------- change feed
// What the change feed (CentralAdminService.StreamEvents, docs/feed.md)
// reads: one store's events as stored, page by page.

// Which of a store's two numberings a feed read walks.
enum class FeedSource { kStore, kCentral };

// One event as stored, unparsed: the feed drops what its filters leave out
// before parsing anything.
struct FeedRow {
  uint64_t number = 0;         // seq (kStore) or central_seq (kCentral)
  std::string kind;            // kStore: core::EventKind; kCentral: ""
  int64_t at_us = 0;           // recorded_at_us / created_at_us
  int64_t ingested_at_us = 0;  // when central committed it
  std::string bytes;           // a serialized JournalRecord / CentralEvent
  std::string quarantined;     // kStore: the reason; "" when accepted
  // kStore, a return central indexed: how it resolved the original
  // (ResolveOriginal's answer, read with the page).
  std::optional<v1::ResolvedOriginal> original;
};

// One page: rows with after < number <= through (through 0: no bound) and
// from_us <= at_us < to_us (0: no bound), oldest first, at most `limit`
// (ClampLimit). Walked by key range on (store_id, number), never OFFSET.
struct FeedPageQuery {
  std::string store_id;
  FeedSource source = FeedSource::kStore;
  uint64_t after = 0;
  uint64_t through = 0;
  int64_t from_us = 0;
  int64_t to_us = 0;
  size_t limit = 0;
};

// ------------------------------------------------------------ price book
// Head office's price lists and promotions (docs/central.md, "The price
// book"; the rules in price_book_store.h).

// What a publish did: the version rule's outcome against the version
// central holds, and the stores the version was queued to (byte order;
// empty unless added or replaced).
struct PublishResult {
  core::ApplyOutcome outcome = core::ApplyOutcome::kUnchanged;
  std::vector<std::string> stores_queued;
};

// QueuePriceBook's answer: the store's row after the call, and how many
// versions it queued.
struct PriceBookQueued {
  StoreRow row;
  uint32_t queued = 0;
};

// The price book as central holds it (ReadPriceBook): every list and
// promotion, or those that apply to one store; by id.
struct PriceBookRead {
  // The store asked for: whether central knows it, and its region.
  bool store_known = false;
  std::string region;
  // A summary per list (published_at_us set), and, when asked for, the
  // lists whole in the same order.
  std::vector<v1::PriceListSummary> summaries;
  std::vector<v1::PriceList> lists;
  std::vector<v1::Promotion> promotions;
};

// ------------------------------------------------------ price deviations
// ListPriceDeviations' filters (sync.proto): store_id and sku empty = any;
// recorded_at_us in [since_us, until_us), 0 = open; at most `limit` rows
// (ClampLimit).
struct PriceDeviationQuery {
  std::string store_id;
  std::string sku;
  int64_t since_us = 0;
  int64_t until_us = 0;
  size_t limit = 0;
};

// The rows, newest first, and the sale lines checked and deviating of the
// query's store (every store when none) over all time.
struct PriceDeviationList {
  std::vector<v1::PriceDeviationEntry> entries;
  int64_t lines_checked = 0;
  int64_t lines_deviating = 0;
};

class CentralStore {
 public:
  virtual ~CentralStore() = default;

  // One trivial query in a transaction (SELECT 1): the database answers
  // and a connection can be had. For the watchdog.
  virtual Status Ping() = 0;
  virtual PoolFigures pool_figures() const { return {}; }

  // The store's row, created (all zeros) on first sight.
  virtual Result<StoreRow> GetOrCreateStore(const std::string& store_id) = 0;
  // nullopt for a store central never saw.
  virtual Result<std::optional<StoreRow>> GetStore(
      const std::string& store_id) = 0;
  // GetStore of each of `store_ids`, in one transaction (one view of the
  // rows, one round of locking): the i-th result is store_ids[i]'s row, or
  // nullopt. An invalid id is refused as GetStore refuses it.
  virtual Result<std::vector<std::optional<StoreRow>>> GetStores(
      const std::vector<std::string>& store_ids) = 0;
  virtual Result<std::vector<StoreRow>> ListStores() = 0;

  // Commits a batch of the store's journal in one transaction.
  // Entries at or below the watermark are skipped (a resent batch: each
  // (store_id, seq) is applied once). The rest must start at
  // store_seq_held + 1 and be contiguous (else FAILED_PRECONDITION naming
  // the expected and the received seq; nothing changes), and the chain must
  // continue: entry.prev_hash == the hash held before it and entry.hash ==
  // SHA-256(prev_hash || record) (else DATA_LOSS naming the seq; nothing
  // changes). An entry whose record cannot be parsed or fails validation is
  // stored in quarantine with the reason and still advances the watermark.
  // An escrow-breach event (EscrowChanged with breach) is recorded, counted
  // and listed only for the SKU lines that leave an escrow grant uncovered;
  // those orders are named and marked at risk (escrow_breach.h).
  // A batch that commits new entries also stamps last_exchange_us = now_us
  // (one transaction per batch; TouchExchange is for the other messages).
  // An entry with canonical_record set is hashed and stored as those bytes;
  // REQUIRES: its record was parsed from them (core::AdoptCanonicalRecord,
  // as the sync stream does on receipt).
  Result<IngestResult> IngestBatch(const std::string& store_id,
                                   const std::vector<v1::JournalEntry>& entries,
                                   int64_t now_us) {
    return IngestCheckedBatch(store_id, entries, CheckEntries(entries), now_us);
  }

  // IngestBatch with each entry checked already: `checks` is
  // CheckEntries(entries) (ingest_plan.h), worked out before the call, off
  // the transaction (the sync stream does, while the previous batch
  // commits).
  virtual Result<IngestResult> IngestCheckedBatch(
      const std::string& store_id, const std::vector<v1::JournalEntry>& entries,
      const std::vector<EntryCheck>& checks, int64_t now_us) = 0;

  // The store's journal entries with after < seq <= through (through 0 =
  // no upper bound), oldest first, at most `limit`. Quarantined entries are
  // included (they are part of the chain). Each carries its stored bytes in
  // canonical_record as well as parsed.
  virtual Result<std::vector<v1::JournalEntry>> ReadStoreEvents(
      const std::string& store_id, uint64_t after, uint64_t through,
      size_t limit) = 0;

  // Records a central event for the store: central_seq = head + 1 and
  // created_at_us = now_us are set here. Idempotent per (store_id,
  // request_key): a retry returns the first central_seq, replayed = true.
  Result<PushResult> AppendCentralEvent(const std::string& store_id,
                                        const std::string& request_key,
                                        v1::CentralEvent event,
                                        int64_t now_us) {
    return AppendCentralEventAt(store_id, request_key, std::move(event), now_us,
                                std::nullopt);
  }
  // The same, but with `expected_head` set only while the store's
  // central_head_seq still is that: otherwise ABORTED ("central_head_seq:
  // expected N, is M") and nothing changes. A request_key seen before is
  // replayed whatever the head. For decisions taken on the events up to a
  // head, like an escrow grant: central replicas deciding at once over one
  // database cannot both append; the loser reads again and decides again.
  virtual Result<PushResult> AppendCentralEventAt(
      const std::string& store_id, const std::string& request_key,
      v1::CentralEvent event, int64_t now_us,
      std::optional<uint64_t> expected_head) = 0;
  // Central events with after < central_seq <= through (0 = no bound),
  // oldest first, at most `limit`.
  virtual Result<std::vector<v1::CentralEvent>> ReadCentralEvents(
      const std::string& store_id, uint64_t after, uint64_t through,
      size_t limit) = 0;
  // The store applied every central event up to central_seq. Never moves
  // the watermark back; beyond the head is FAILED_PRECONDITION.
  Status AckCentral(const std::string& store_id, uint64_t central_seq) {
    return AckCentralAt(store_id, central_seq, std::nullopt);
  }
  // The same, the ack received at `received_at_us`: each central event it
  // newly covers adds an integration-latency sample (docs/kpis.md).
  virtual Status AckCentralAt(const std::string& store_id, uint64_t central_seq,
                              std::optional<int64_t> received_at_us) = 0;
  // The store applied central events up to central_seq, beyond this
  // database's head: central was restored from an older backup and lost
  // them. The head (and the ack watermark) move up to central_seq so the
  // next event is numbered after what the store applied; without this the
  // store would take the new events for ones it has and skip them. Returns
  // the head before the call (nothing changes when central_seq is not
  // beyond it).
  virtual Result<uint64_t> RaiseCentralHead(const std::string& store_id,
                                            uint64_t central_seq) = 0;

  // The store talked to central at now_us (agent_version from its Hello,
  // empty = unchanged).
  virtual Status TouchExchange(const std::string& store_id, int64_t now_us,
                               const std::string& agent_version) = 0;

  // Registers the store's checkpoint key (raw Ed25519, 32 bytes) from its
  // Hello and returns every key central holds for it by key id
  // (docs/security.md, "Signed checkpoints"): the first key a store
  // presents is registered; the same key again changes nothing; another
  // key only while the store's journal is empty (agent_head_seq 0: a new
  // database, which central re-seeds; the old keys stay for the
  // checkpoints it signed), FAILED_PRECONDITION otherwise, naming both key
  // ids. An empty key registers nothing. INVALID_ARGUMENT for a key of the
  // wrong length.
  virtual Result<core::StoreKeys> RegisterSigningKey(
      const std::string& store_id, const std::string& public_key,
      uint64_t agent_head_seq, int64_t now_us) = 0;
  // A checkpoint verified at seq (the row keeps the highest).
  virtual Status RecordCheckpoint(const std::string& store_id,
                                  uint64_t seq) = 0;
  // A checkpoint or key that failed, with what and where (kept on the
  // store's row until the next problem).
  virtual Status RecordSignatureProblem(const std::string& store_id,
                                        const std::string& problem,
                                        int64_t now_us) = 0;

  // The outcome of a digest comparison.
  virtual Status RecordDigest(const std::string& store_id,
                              const std::string& result,
                              uint64_t store_seq) = 0;
  virtual Status RecordDrift(const std::vector<v1::Drift>& drift) = 0;
  // Newest first; store_id empty = every store.
  virtual Result<std::vector<v1::Drift>> ListDrift(const std::string& store_id,
                                                   size_t limit) = 0;
  virtual Result<v1::ListQuarantineResponse> ListQuarantine(
      const std::string& store_id, size_t limit) = 0;
  // Escrow-granted orders an escrow breach left uncovered (docs/central.md,
  // "Breaches and orders at risk"), newest mark first, at most `limit`
  // (ClampLimit); store_id empty = every store. With unresolved_only, only
  // the orders still at risk.
  virtual Result<std::vector<v1::AtRiskOrder>> ListAtRiskOrders(
      const std::string& store_id, bool unresolved_only, size_t limit) = 0;
  // The seqs of the store's quarantined entries with after < seq <= through,
  // ascending, at most kMaxReadRows (a replica asks page by page).
  virtual Result<std::vector<uint64_t>> QuarantinedSeqs(
      const std::string& store_id, uint64_t after, uint64_t through) = 0;
  // Appends one admin write to the audit trail; audit_id is assigned.
  virtual Status RecordAdminAudit(const v1::AdminAuditEntry& entry) = 0;
  // Newest first; store_id empty = every store.
  virtual Result<std::vector<v1::AdminAuditEntry>> ListAdminAudit(
      const std::string& store_id, size_t limit) = 0;

  // ---- Head office's KPIs (docs/kpis.md; central/store/kpi_*.cc) ----

  // Turns the KPI aggregation at ingest, ack and drift on or off ([kpi]
  // enabled; on by default). While off, the aggregates miss what arrives.
  virtual void SetKpiAggregation(bool on) = 0;
  // The store's region: 1..64 characters of [A-Za-z0-9._:-], or empty for
  // none (else INVALID_ARGUMENT naming `region`). NOT_FOUND for a store
  // central never saw. Returns false when the region already was that (a
  // retry).
  // A changed region also queues, in the same transaction, the price
  // lists and promotions of the new region the store was not sent yet
  // (QueuePriceBook), stamped now_us.
  virtual Result<bool> SetStoreRegion(const std::string& store_id,
                                      const std::string& region,
                                      int64_t now_us) = 0;
  // Every store with its region, store id order.
  virtual Result<std::vector<StoreRegion>> ListStoreRegions() = 0;
  // Sums of kpi_counters for the weeks first_week..last_week ("YYYY-Www")
  // of the stores in `scope`: one row per (week, name) with store_id empty,
  // and with `by_store` also one per (store_id, name) over the whole span
  // with week empty. Reads only the aggregates.
  virtual Result<std::vector<KpiCounterSum>> ReadKpiCounters(
      const KpiScope& scope, const std::string& first_week,
      const std::string& last_week, bool by_store) = 0;
  // How central resolved the original of the return at (store_id, seq)
  // (for the change feed's FeedEvent.original); nullopt when that entry is
  // not a return central indexed (or the KPI aggregation was off).
  virtual Result<std::optional<v1::ResolvedOriginal>> ResolveOriginal(
      const std::string& store_id, uint64_t seq) = 0;

  // Keeps `snapshot` as the store's replica snapshot (one per store),
  // unless the one kept is ahead of it in either seq (another central
  // replica wrote a newer one): then nothing changes and the call is OK.
  virtual Status PutReplicaSnapshot(const std::string& store_id,
                                    const ReplicaSnapshotRow& snapshot) = 0;
  // The store's replica snapshot; nullopt when none was kept.
  virtual Result<std::optional<ReplicaSnapshotRow>> GetReplicaSnapshot(
      const std::string& store_id) = 0;

  // ------------------------------------------------ price book (issue #14)
  // Keeps a version of a price list (promotion) by the version rule of
  // core/price_book.h against the version central holds under its id
  // (INVALID_ARGUMENT from core/price_validation.h naming the field, or
  // ALREADY_EXISTS for the same version with other content: nothing
  // changes). Added or replaced, the version is queued, in the same
  // transaction, as a CentralEvent to every store it may apply to (its
  // store ids, created when new; every store of its region; every store
  // for all_stores) and to every store an earlier version of the id was
  // queued to (so the new one replaces it there), each once: a store is
  // never queued one version twice. Unchanged or stale queues nothing.
  virtual Result<PublishResult> PublishPriceList(const v1::PriceList& list,
                                                 int64_t now_us) = 0;
  virtual Result<PublishResult> PublishPromotion(const v1::Promotion& promotion,
                                                 int64_t now_us) = 0;
  // Queues to the store (its row created when missing) every held version
  // whose scope applies to it (its id, its region, all stores) and that it
  // was not queued yet: a store central learns of after a publish gets
  // them at its Hello. Returns the store's row after the call.
  virtual Result<PriceBookQueued> QueuePriceBook(const std::string& store_id,
                                                 int64_t now_us) = 0;
  // Every held list and promotion, or (store_id set) those whose scope
  // applies to that store, by id; with `whole_lists`, the lists' entries
  // too. A store central never saw has no region: only lists naming it and
  // fleet lists apply.
  virtual Result<PriceBookRead> ReadPriceBook(const std::string& store_id,
                                              bool whole_lists) = 0;

  // ------------------------------------------ price deviations (issue #14)
  // The sale lines the stores recorded as charged other than the price
  // book, kept at ingest (docs/central.md, "Price deviations"): newest
  // first (recorded_at_us descending, then store id, seq descending,
  // line), filtered as `query` says, and the counts. INVALID_ARGUMENT for
  // a store id that is not one; a store central never saw has none.
  virtual Result<PriceDeviationList> ListPriceDeviations(
      const PriceDeviationQuery& query) = 0;

  // ------------------------------------------------ change feed (issue #11)
  // One page of a store's events for the change feed (FeedPageQuery).
  virtual Result<std::vector<FeedRow>> ReadFeedPage(
      const FeedPageQuery& query) = 0;
};

// Opens a backend from its URL:
//   "sqlite:/path/to/central.db"             (created if missing)
//   "postgresql://user@host:port/dbname"     (any libpq connection URI)
// The schema is created or migrated on open. `clock` times waits for a
// pooled connection (PostgreSQL; the figures of pool_figures()).
// `pg_pool_size`: PostgreSQL connections (storecentrald passes
// sync.worker_threads: one per worker, so no worker waits for one).
Result<std::unique_ptr<CentralStore>> OpenCentralStore(
    const std::string& url, const Clock& clock,
    size_t pg_pool_size = kPgDefaultPoolSize);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_CENTRAL_STORE_H_
