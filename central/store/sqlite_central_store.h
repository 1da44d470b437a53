// CentralStore on one SQLite file: the embedded default for a single
// storecentrald. One read-write connection (WAL, synchronous=FULL) guarded
// by a mutex: every method is one transaction on it, so methods serialise.
// Schema: docs/central.md.
#ifndef STOREAGENT_CENTRAL_STORE_SQLITE_CENTRAL_STORE_H_
#define STOREAGENT_CENTRAL_STORE_SQLITE_CENTRAL_STORE_H_

#include <memory>
#include <mutex>
#include <string>

#include "central/store/central_store.h"
#include "storage/sqlite_handle.h"
#include "storage/writer.h"

namespace storeagent::central {

class SqliteCentralStore : public CentralStore {
 public:
  // Opens (creating if missing) the file at `path` and creates or migrates
  // its schema. A file with a newer schema is FAILED_PRECONDITION.
  static Result<std::unique_ptr<SqliteCentralStore>> Open(
      const std::string& path);

  Status Ping() override;
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
  explicit SqliteCentralStore(storage::Connection conn)
      : conn_(std::move(conn)), ctx_(conn_.get()) {}

  // Runs `body` inside BEGIN IMMEDIATE .. COMMIT under the mutex; rolls
  // back when it (or the commit) fails.
  template <typename Fn>
  Status InTransaction(Fn&& body);

  std::mutex mu_;
  storage::Connection conn_;
  storage::DbContext ctx_;  // conn_'s statement cache; after conn_
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_SQLITE_CENTRAL_STORE_H_
