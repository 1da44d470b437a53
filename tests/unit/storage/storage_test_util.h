// Helpers for storage tests: a minimal journal record and a database opener.
#ifndef STOREAGENT_TESTS_UNIT_STORAGE_STORAGE_TEST_UTIL_H_
#define STOREAGENT_TESTS_UNIT_STORAGE_STORAGE_TEST_UTIL_H_

#include <memory>
#include <string>

#include "platform/clock.h"
#include "storage/agent_database.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::testing {

// A no-sale record for (terminal, txn); `reason` varies the content.
inline v1::JournalRecord NoSaleRecord(const std::string& terminal,
                                      const std::string& txn,
                                      const std::string& reason = "drawer") {
  v1::JournalRecord r;
  r.mutable_client_key()->set_terminal_id(terminal);
  r.mutable_client_key()->set_client_txn_id(txn);
  r.mutable_transaction()->mutable_no_sale()->set_reason(reason);
  return r;
}

inline std::unique_ptr<storage::AgentDatabase> OpenDb(
    const std::string& path, const Clock& clock, const std::string& vfs = "",
    const std::string& store = "store-1") {
  storage::DatabaseOptions o;
  o.path = path;
  o.store_id = store;
  o.vfs = vfs;
  Result<std::unique_ptr<storage::AgentDatabase>> db =
      storage::AgentDatabase::Open(o, clock);
  if (!db.ok()) return nullptr;
  return std::move(db).value();
}

// Appends through the writer and waits.
inline Result<storage::AppendResult> AppendSync(storage::AgentDatabase& db,
                                                v1::JournalRecord r) {
  storage::AppendResult out;
  Status s = db.writer().Run([&](storage::WriteContext& ctx) {
    Result<storage::AppendResult> a = db.journal().Append(ctx, r);
    if (!a.ok()) return a.status();
    out = *a;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_UNIT_STORAGE_STORAGE_TEST_UTIL_H_
