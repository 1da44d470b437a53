// AgentDatabase: opens the agent's SQLite file and everything that works on
// it: the one writer (group commit), the read pool and the journal.
//
// The file belongs to one store: its store id is written at creation and a
// later open with another store id is refused, so a database copied to the
// wrong box is never mixed into another store's journal.
#ifndef STOREAGENT_STORAGE_AGENT_DATABASE_H_
#define STOREAGENT_STORAGE_AGENT_DATABASE_H_

#include <memory>
#include <string>

#include "platform/clock.h"
#include "platform/status.h"
#include "storage/checkpoint_keeper.h"
#include "storage/journal_store.h"
#include "storage/read_pool.h"
#include "storage/writer.h"

namespace storeagent::storage {

struct DatabaseOptions {
  std::string path;
  std::string store_id;
  int read_threads = 2;
  // Read connections beyond the threads', lent to callers that answer a
  // short read on their own thread (ReadPool::TryLease).
  int lease_connections = 2;
  // Registered SQLite VFS name; empty for the default (tests inject faults).
  std::string vfs;
  // The writer's connection at synchronous=NORMAL: tests of the power-loss
  // sweep only (ConnectionOptions::synchronous_normal).
  bool synchronous_normal = false;
  WriterOptions writer;
  // Signed checkpoints (key null: none; grand totals are kept either way).
  // store_id is taken from `store_id` above.
  CheckpointPolicy checkpoints;
};

class AgentDatabase {
 public:
  // Opens (creating if needed), migrates, checks the store id, starts the
  // writer and readers and loads the journal head.
  static Result<std::unique_ptr<AgentDatabase>> Open(
      const DatabaseOptions& options, const Clock& clock);
  ~AgentDatabase();

  Writer& writer() { return *writer_; }
  ReadPool& readers() { return *readers_; }
  JournalStore& journal() { return *journal_; }
  CheckpointKeeper& checkpoints() { return *checkpoints_; }
  const std::string& path() const { return path_; }

  // Database file plus WAL, bytes.
  uint64_t SizeBytes() const;

  // Commits what is queued, then stops readers and the writer. Idempotent.
  void Close();

 private:
  AgentDatabase() = default;

  std::string path_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<ReadPool> readers_;
  std::unique_ptr<JournalStore> journal_;
  std::unique_ptr<CheckpointKeeper> checkpoints_;
};

}  // namespace storeagent::storage

#endif  // STOREAGENT_STORAGE_AGENT_DATABASE_H_
