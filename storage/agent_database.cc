#include "storage/agent_database.h"

#include <sys/stat.h>

#include "storage/day_close_store.h"
#include "storage/migrations.h"
#include "storage/return_limits.h"

namespace storeagent::storage {
namespace {

// Writes the store id into a new file, or checks it against an existing one.
Status ClaimStore(const Connection& conn, const std::string& store_id) {
  Result<Statement> get = Statement::Prepare(
      conn.get(), "SELECT value FROM meta WHERE key = 'store_id'");
  if (!get.ok()) return get.status();
  Result<bool> row = get->Step();
  if (!row.ok()) return row.status();
  if (*row) {
    std::string have(get->ColumnText(0));
    if (have != store_id) {
      return FailedPrecondition("database belongs to store '" + have +
                                "', not to store '" + store_id +
                                "' (store.id in the config)");
    }
    return Status::Ok();
  }
  Result<Statement> put = Statement::Prepare(
      conn.get(), "INSERT INTO meta (key, value) VALUES ('store_id', ?1)");
  if (!put.ok()) return put.status();
  put->BindText(1, store_id);
  return put->Run();
}

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

Result<std::unique_ptr<AgentDatabase>> AgentDatabase::Open(
    const DatabaseOptions& options, const Clock& clock) {
  if (options.store_id.empty()) return InvalidArgument("store_id: required");
  ConnectionOptions copts;
  copts.vfs = options.vfs;
  copts.synchronous_normal = options.synchronous_normal;
  Result<Connection> conn = Connection::Open(options.path, copts);
  if (!conn.ok()) return conn.status();
  STOREAGENT_RETURN_IF_ERROR(Migrate(conn->get()));
  STOREAGENT_RETURN_IF_ERROR(ClaimStore(*conn, options.store_id));

  std::unique_ptr<AgentDatabase> db(new AgentDatabase());
  db->path_ = options.path;
  // Readers before the writer thread, so a failure leaves no thread behind.
  Result<std::unique_ptr<ReadPool>> readers = ReadPool::Open(
      options.path, options.read_threads,
      options.read_threads + options.lease_connections, options.vfs);
  if (!readers.ok()) return readers.status();
  db->readers_ = std::move(readers).value();
  WriterOptions wo = options.writer;
  if (wo.clock == nullptr) wo.clock = &clock;
  db->writer_ = std::make_unique<Writer>(std::move(conn).value(), wo);
  db->journal_ = std::make_unique<JournalStore>(*db->writer_, clock);
  CheckpointPolicy policy = options.checkpoints;
  policy.store_id = options.store_id;
  db->checkpoints_ = std::make_unique<CheckpointKeeper>(
      *db->writer_, *db->journal_, clock, std::move(policy));
  db->journal_->SetCheckpoints(db->checkpoints_.get());
  STOREAGENT_RETURN_IF_ERROR(db->journal_->Open());
  STOREAGENT_RETURN_IF_ERROR(db->writer_->Run(
      [](WriteContext& ctx) { return DayCloseStore::BuildIndexOnce(ctx); }));
  STOREAGENT_RETURN_IF_ERROR(db->writer_->Run(
      [](WriteContext& ctx) { return ReturnLimits::BuildIndexOnce(ctx); }));
  STOREAGENT_RETURN_IF_ERROR(db->checkpoints_->Open());
  return db;
}

AgentDatabase::~AgentDatabase() { Close(); }

void AgentDatabase::Close() {
  if (writer_) writer_->Stop();
  if (readers_) readers_->Stop();
}

uint64_t AgentDatabase::SizeBytes() const {
  return FileBytes(path_) + FileBytes(path_ + "-wal");
}

}  // namespace storeagent::storage
