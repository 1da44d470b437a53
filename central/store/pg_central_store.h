// CentralStore on PostgreSQL (libpqxx 6.4): the fleet backend, where several
// stateless storecentrald replicas share one database. Every method is one
// transaction on a connection from a small pool; a method that changes a
// store locks its `stores` row (SELECT ... FOR UPDATE) first, so two replicas
// ingesting for the same store take turns, and (store_id, seq) and
// (store_id, central_seq) are primary keys besides. Schema: docs/central.md.
#ifndef STOREAGENT_CENTRAL_STORE_PG_CENTRAL_STORE_H_
#define STOREAGENT_CENTRAL_STORE_PG_CENTRAL_STORE_H_

#include <memory>
#include <string>

#include "central/store/central_store.h"

namespace storeagent::central {

class PgPool;

class PgCentralStore : public CentralStore {
 public:
  // Connects kPgPoolSize connections to `url` (any libpq URI; the schema
  // follows the connection's search_path) and creates or migrates the
  // schema, under an advisory lock so replicas starting together do it
  // once. A newer schema is FAILED_PRECONDITION.
  static Result<std::unique_ptr<PgCentralStore>> Open(const std::string& url,
                                                      const Clock& clock);
  ~PgCentralStore() override;

  Status Ping() override;
  PoolFigures pool_figures() const override;

  Result<StoreRow> GetOrCreateStore(const std::string& store_id) override;
  Result<std::optional<StoreRow>> GetStore(
      const std::string& store_id) override;
  Result<std::vector<StoreRow>> ListStores() override;
  Result<IngestResult> IngestBatch(const std::string& store_id,
                                   const std::vector<v1::JournalEntry>& entries,
                                   int64_t now_us) override;
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
  Status AckCentral(const std::string& store_id, uint64_t central_seq) override;
  Result<uint64_t> RaiseCentralHead(const std::string& store_id,
                                    uint64_t central_seq) override;
  Status TouchExchange(const std::string& store_id, int64_t now_us,
                       const std::string& agent_version) override;
  Status RecordDigest(const std::string& store_id, const std::string& result,
                      uint64_t store_seq) override;
  Status RecordDrift(const std::vector<v1::Drift>& drift) override;
  Result<std::vector<v1::Drift>> ListDrift(const std::string& store_id,
                                           size_t limit) override;
  Result<v1::ListQuarantineResponse> ListQuarantine(const std::string& store_id,
                                                    size_t limit) override;
  Result<std::vector<uint64_t>> QuarantinedSeqs(const std::string& store_id,
                                                uint64_t after,
                                                uint64_t through) override;
  Status RecordAdminAudit(const v1::AdminAuditEntry& entry) override;
  Result<std::vector<v1::AdminAuditEntry>> ListAdminAudit(
      const std::string& store_id, size_t limit) override;

 private:
  explicit PgCentralStore(std::unique_ptr<PgPool> pool);

  std::unique_ptr<PgPool> pool_;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_PG_CENTRAL_STORE_H_
