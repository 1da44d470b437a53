#include "agent/price_book_holder.h"

#include <future>
#include <utility>

#include "platform/log.h"
#include "storage/sqlite_handle.h"

namespace storeagent::agent {

PriceBookHolder::PriceBookHolder(std::string store_id, std::string currency)
    : store_id_(std::move(store_id)), currency_(std::move(currency)) {
  auto empty = std::make_shared<PriceBookSnapshot>();
  empty->store = core::StoreContext{store_id_, "", currency_};
  current_ = std::move(empty);
}

PriceBookHolder::~PriceBookHolder() {
  {
    std::lock_guard<std::mutex> lock(reload_mu_);
    stopping_ = true;
  }
  reload_cv_.notify_all();
  if (reloader_.joinable()) reloader_.join();
}

void PriceBookHolder::ReloadSoon(storage::AgentDatabase& db) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  reload_db_ = &db;
  reload_asked_ = true;
  if (!reloader_.joinable()) reloader_ = std::thread([this] { Reloader(); });
  reload_cv_.notify_one();
}

void PriceBookHolder::Reloader() {
  std::unique_lock<std::mutex> lock(reload_mu_);
  for (;;) {
    reload_cv_.wait(lock, [this] { return reload_asked_ || stopping_; });
    if (stopping_) return;
    reload_asked_ = false;
    storage::AgentDatabase* db = reload_db_;
    lock.unlock();
    if (Status r = Reload(*db); !r.ok()) {
      Log(LogLevel::kError, "prices.reload_failed", {{"error", r.ToString()}});
    }
    lock.lock();
  }
}

Status PriceBookHolder::Reload(storage::AgentDatabase& db) {
  std::promise<Result<storage::StoredPriceBook>> p;
  std::future<Result<storage::StoredPriceBook>> f = p.get_future();
  db.readers().Submit([&p](storage::DbContext* ctx) {
    if (ctx == nullptr) {
      p.set_value(Unavailable("agent is shutting down"));
      return;
    }
    if (int rc = sqlite3_exec(ctx->db(), "BEGIN", nullptr, nullptr, nullptr);
        rc != SQLITE_OK) {
      p.set_value(storage::SqliteStatus(ctx->db(), rc, "begin read"));
      return;
    }
    Result<storage::StoredPriceBook> r = storage::PriceStore::Load(*ctx);
    ctx->ResetBusyStatements();
    sqlite3_exec(ctx->db(), "COMMIT", nullptr, nullptr, nullptr);
    p.set_value(std::move(r));
  });
  Result<storage::StoredPriceBook> loaded = f.get();
  if (!loaded.ok()) return loaded.status();
  auto next = std::make_shared<PriceBookSnapshot>();
  next->stored = std::move(loaded).value();
  next->store = core::StoreContext{store_id_, next->stored.region, currency_};
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(next);
  return Status::Ok();
}

Status PriceBookHolder::SetRegion(storage::AgentDatabase& db,
                                  const std::string& region) {
  bool changed = false;
  Status s = db.writer().Run([&](storage::DbContext& ctx) -> Status {
    Result<bool> c = storage::PriceStore::WriteRegion(ctx, region);
    if (!c.ok()) return c.status();
    changed = *c;
    return Status::Ok();
  });
  if (!s.ok() || !changed) return s;
  return Reload(db);
}

std::shared_ptr<const PriceBookSnapshot> PriceBookHolder::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

}  // namespace storeagent::agent
