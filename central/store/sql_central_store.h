// CentralStore written once over the SQL seam (sql_seam.h): every rule of
// central's storage (argument checks, the ingest loop, escrow bookkeeping,
// quarantine counts, ack bounds, the head raise, idempotent central events)
// lives here; an engine adapter only runs statements. Schema and rules:
// docs/central.md.
#ifndef STOREAGENT_CENTRAL_STORE_SQL_CENTRAL_STORE_H_
#define STOREAGENT_CENTRAL_STORE_SQL_CENTRAL_STORE_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "central/store/central_store.h"
#include "central/store/sql_seam.h"

namespace storeagent::central {

// The columns of a StoreRow, in StoreRowFrom's order: an adapter's
// LockStoreRow selects these.
inline constexpr std::string_view kStoreColumns =
    "store_id, store_seq_held, store_hash_held, store_recorded_at_us, "
    "central_head_seq, central_seq_acked, last_exchange_us, agent_version, "
    "last_digest, last_digest_store_seq, quarantined, escrow_breaches, "
    "region, signing_key_id, last_checkpoint_seq, signature_problem, "
    "signature_problem_at_us";
StoreRow StoreRowFrom(const SqlRow& r);

// The store's row, locked until the transaction ends (created first when
// missing): every method that changes a store's central events starts
// here.
Result<StoreRow> LockStore(SqlTx& tx, const std::string& store_id);

// Appends `event` for the store whose row `row` the transaction holds
// locked (LockStore): idempotent per request_key (a key seen before
// answers its first central_seq, replayed), else central_seq =
// row.central_head_seq + 1, created_at_us = now_us, and row's head moves
// with it (so several appends in one transaction number on). With
// `expected_head`, a new key is appended only while the head is that
// (ABORTED otherwise, CheckHead). The escrow bookkeeping of the event is
// done here too.
Result<PushResult> AppendLockedCentralEvent(
    SqlTx& tx, StoreRow& row, const std::string& request_key,
    const v1::CentralEvent& event, int64_t now_us,
    std::optional<uint64_t> expected_head = std::nullopt);

// FAILED_PRECONDITION for a database whose schema is newer than this build;
// `where` names the database.
Status SchemaTooNew(const std::string& where, int version);

class SqlCentralStore final : public CentralStore {
 public:
  explicit SqlCentralStore(std::unique_ptr<SqlEngine> engine)
      : engine_(std::move(engine)) {}

  Status Ping() override;
  PoolFigures pool_figures() const override { return engine_->pool_figures(); }
  Result<StoreRow> GetOrCreateStore(const std::string& store_id) override;
  Result<std::optional<StoreRow>> GetStore(
      const std::string& store_id) override;
  Result<std::vector<std::optional<StoreRow>>> GetStores(
      const std::vector<std::string>& store_ids) override;
  Result<std::vector<StoreRow>> ListStores() override;
  Result<IngestResult> IngestCheckedBatch(
      const std::string& store_id, const std::vector<v1::JournalEntry>& entries,
      const std::vector<EntryCheck>& checks, int64_t now_us) override;
  Result<std::vector<v1::JournalEntry>> ReadStoreEvents(
      const std::string& store_id, uint64_t after, uint64_t through,
      size_t limit) override;
  Result<PushResult> AppendCentralEventAt(
      const std::string& store_id, const std::string& request_key,
      v1::CentralEvent event, int64_t now_us,
      std::optional<uint64_t> expected_head) override;
  Result<std::vector<v1::CentralEvent>> ReadCentralEvents(
      const std::string& store_id, uint64_t after, uint64_t through,
      size_t limit) override;
  Status AckCentralAt(const std::string& store_id, uint64_t central_seq,
                      std::optional<int64_t> received_at_us) override;
  Result<uint64_t> RaiseCentralHead(const std::string& store_id,
                                    uint64_t central_seq) override;
  Status TouchExchange(const std::string& store_id, int64_t now_us,
                       const std::string& agent_version) override;
  Result<core::StoreKeys> RegisterSigningKey(const std::string& store_id,
                                             const std::string& public_key,
                                             uint64_t agent_head_seq,
                                             int64_t now_us) override;
  Status RecordCheckpoint(const std::string& store_id, uint64_t seq) override;
  Status RecordSignatureProblem(const std::string& store_id,
                                const std::string& problem,
                                int64_t now_us) override;
  Status RecordDigest(const std::string& store_id, const std::string& result,
                      uint64_t store_seq) override;
  Status RecordDrift(const std::vector<v1::Drift>& drift) override;
  Result<std::vector<v1::Drift>> ListDrift(const std::string& store_id,
                                           size_t limit) override;
  Result<v1::ListQuarantineResponse> ListQuarantine(const std::string& store_id,
                                                    size_t limit) override;
  Result<std::vector<v1::AtRiskOrder>> ListAtRiskOrders(
      const std::string& store_id, bool unresolved_only, size_t limit) override;
  Result<std::vector<uint64_t>> QuarantinedSeqs(const std::string& store_id,
                                                uint64_t after,
                                                uint64_t through) override;
  Status RecordAdminAudit(const v1::AdminAuditEntry& entry) override;
  Result<std::vector<v1::AdminAuditEntry>> ListAdminAudit(
      const std::string& store_id, size_t limit) override;
  void SetKpiAggregation(bool on) override { kpi_on_.store(on); }
  Result<bool> SetStoreRegion(const std::string& store_id,
                              const std::string& region,
                              int64_t now_us) override;
  Result<std::vector<StoreRegion>> ListStoreRegions() override;
  Result<std::vector<KpiCounterSum>> ReadKpiCounters(
      const KpiScope& scope, const std::string& first_week,
      const std::string& last_week, bool by_store) override;
  Result<std::optional<v1::ResolvedOriginal>> ResolveOriginal(
      const std::string& store_id, uint64_t seq) override;
  Status PutReplicaSnapshot(const std::string& store_id,
                            const ReplicaSnapshotRow& snapshot) override;
  Result<std::optional<ReplicaSnapshotRow>> GetReplicaSnapshot(
      const std::string& store_id) override;
  // Price book (issue #14; sql_central_store_prices.cc).
  Result<PublishResult> PublishPriceList(const v1::PriceList& list,
                                         int64_t now_us) override;
  Result<PublishResult> PublishPromotion(const v1::Promotion& promotion,
                                         int64_t now_us) override;
  Result<PriceBookQueued> QueuePriceBook(const std::string& store_id,
                                         int64_t now_us) override;
  Result<PriceBookRead> ReadPriceBook(const std::string& store_id,
                                      bool whole_lists) override;
  Result<PriceDeviationList> ListPriceDeviations(
      const PriceDeviationQuery& query) override;
  // Change feed (issue #11).
  Result<std::vector<FeedRow>> ReadFeedPage(
      const FeedPageQuery& query) override;

 private:
  std::unique_ptr<SqlEngine> engine_;
  std::atomic<bool> kpi_on_{true};
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_SQL_CENTRAL_STORE_H_
