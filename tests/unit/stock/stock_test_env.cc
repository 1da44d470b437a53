#include "tests/unit/stock/stock_test_env.h"

#include "storage/journal_store.h"
#include "storage/stock_ledger.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::stocktest {
namespace {

constexpr int64_t kUnitPrice = 250;  // EUR minor units, per piece
// 32 bytes: the Recorder needs a loyalty key; these tests send no signals.
constexpr char kLoyaltyKey[] = "0123456789abcdef0123456789abcdef";
// More journal records than any test here writes.
constexpr size_t kMaxJournalRead = 1'000'000;

void SetLines(const std::vector<Line>& lines, bool is_return,
              google::protobuf::RepeatedPtrField<v1::TransactionLine>* out) {
  out->Clear();
  for (const Line& l : lines) {
    v1::TransactionLine* t = out->Add();
    t->set_sku(l.sku);
    t->set_unit(v1::UNIT_OF_MEASURE_EACH);
    t->set_quantity(l.quantity);
    *t->mutable_unit_price() = test::Eur(kUnitPrice);
    *t->mutable_extended_amount() = test::Eur(kUnitPrice * l.quantity);
    if (is_return) t->set_restock(l.restock);
  }
}

}  // namespace

v1::Transaction SaleOf(const std::vector<Line>& lines) {
  v1::Transaction txn = test::SampleSale(1);
  SetLines(lines, false, txn.mutable_sale()->mutable_lines());
  test::RecomputeTotals(&txn);
  return txn;
}

v1::Transaction ReturnOf(const std::vector<Line>& lines) {
  v1::Transaction txn = test::SampleReturn();
  SetLines(lines, true, txn.mutable_return_()->mutable_lines());
  test::RecomputeTotals(&txn);
  return txn;
}

v1::Transaction PostVoidOf(const v1::ClientKey& original) {
  v1::Transaction txn = test::SamplePostVoid();
  *txn.mutable_post_void()->mutable_original() = original;
  return txn;
}

v1::StockMovement MovementOf(v1::StockMovement::Reason reason,
                             const std::vector<Line>& lines) {
  v1::StockMovement m;
  m.set_reason(reason);
  for (const Line& l : lines) {
    v1::StockDelta* d = m.add_lines();
    d->set_sku(l.sku);
    d->set_quantity(l.quantity);
  }
  m.set_reference("DN-1");
  return m;
}

v1::StockCount CountOf(const std::vector<Line>& lines) {
  v1::StockCount c;
  for (const Line& l : lines) {
    v1::CountLine* cl = c.add_lines();
    cl->set_sku(l.sku);
    cl->set_counted(l.quantity);
  }
  return c;
}

v1::HoldPlaced HoldOf(const std::string& order_ref,
                      const std::vector<Line>& lines, int64_t expires_at_us) {
  v1::HoldPlaced h;
  h.set_order_ref(order_ref);
  h.set_channel("online");
  for (const Line& l : lines) {
    v1::HoldLine* hl = h.add_lines();
    hl->set_sku(l.sku);
    hl->set_quantity(l.quantity);
  }
  h.set_expires_at_us(expires_at_us);
  return h;
}

StockTestEnv::StockTestEnv() { Open(); }

StockTestEnv::~StockTestEnv() { Close(); }

bool StockTestEnv::Open() {
  Close();
  storage::DatabaseOptions o;
  o.path = dir_.File("agent.db");
  o.store_id = "store-1";
  Result<std::unique_ptr<storage::AgentDatabase>> db =
      storage::AgentDatabase::Open(o, clock_);
  if (!db.ok()) return false;
  db_ = std::move(db).value();
  ops_ = std::make_unique<agent::StockOps>(*db_, clock_);
  agent::RecorderOptions ro;
  ro.loyalty_key = kLoyaltyKey;
  recorder_ = std::make_unique<agent::Recorder>(*db_, std::move(ro));
  return true;
}

void StockTestEnv::Close() {
  recorder_.reset();
  ops_.reset();
  if (db_ != nullptr) db_->Close();
  db_.reset();
}

v1::ClientKey StockTestEnv::NextKey(const std::string& prefix) {
  v1::ClientKey k;
  k.set_terminal_id("till-01");
  k.set_client_txn_id(prefix + "-" + std::to_string(next_key_.fetch_add(1)));
  return k;
}

Result<v1::RecordTransactionResponse> StockTestEnv::Record(
    const v1::Transaction& txn, const v1::ClientKey& key) {
  v1::RecordTransactionRequest req;
  *req.mutable_client_key() = key;
  *req.mutable_transaction() = txn;
  return Await<v1::RecordTransactionResponse>([&](agent::Recorder::Done done) {
    recorder_->RecordTransaction(req, done);
  });
}

Result<v1::RecordTransactionResponse> StockTestEnv::Movement(
    v1::StockMovement::Reason reason, const std::vector<Line>& lines) {
  v1::RecordStockEventRequest req;
  *req.mutable_client_key() = NextKey("m");
  *req.mutable_movement() = MovementOf(reason, lines);
  return Await<v1::RecordTransactionResponse>(
      [&](agent::StockOps::Done<v1::RecordTransactionResponse> done) {
        ops_->RecordStockEvent(req, std::move(done));
      });
}

Result<v1::RecordTransactionResponse> StockTestEnv::Count(
    const std::vector<Line>& lines) {
  v1::RecordStockEventRequest req;
  *req.mutable_client_key() = NextKey("c");
  *req.mutable_count() = CountOf(lines);
  return Await<v1::RecordTransactionResponse>(
      [&](agent::StockOps::Done<v1::RecordTransactionResponse> done) {
        ops_->RecordStockEvent(req, std::move(done));
      });
}

Result<v1::PlaceHoldResponse> StockTestEnv::PlaceHold(
    const v1::HoldPlaced& hold, const v1::ClientKey& key) {
  v1::PlaceHoldRequest req;
  *req.mutable_client_key() = key;
  *req.mutable_hold() = hold;
  return Await<v1::PlaceHoldResponse>(
      [&](agent::StockOps::Done<v1::PlaceHoldResponse> done) {
        ops_->PlaceHold(req, std::move(done));
      });
}

Result<v1::GetHoldResponse> StockTestEnv::Update(
    v1::UpdateHoldRequest request) {
  *request.mutable_client_key() = NextKey("u");
  return Await<v1::GetHoldResponse>(
      [&](agent::StockOps::Done<v1::GetHoldResponse> done) {
        ops_->UpdateHold(request, std::move(done));
      });
}

Result<v1::GetHoldResponse> StockTestEnv::Pick(const std::string& order_ref) {
  v1::UpdateHoldRequest r;
  r.mutable_pick()->set_order_ref(order_ref);
  return Update(std::move(r));
}

Result<v1::GetHoldResponse> StockTestEnv::Collect(
    const std::string& order_ref) {
  v1::UpdateHoldRequest r;
  r.mutable_collect()->set_order_ref(order_ref);
  return Update(std::move(r));
}

Result<v1::GetHoldResponse> StockTestEnv::Cancel(const std::string& order_ref) {
  v1::UpdateHoldRequest r;
  r.mutable_cancel()->set_order_ref(order_ref);
  r.mutable_cancel()->set_reason("customer cancelled");
  return Update(std::move(r));
}

Result<v1::GetHoldResponse> StockTestEnv::ShortPick(
    const std::string& order_ref, const std::vector<Line>& found) {
  v1::UpdateHoldRequest r;
  r.mutable_short_pick()->set_order_ref(order_ref);
  for (const Line& l : found) {
    v1::HoldLine* f = r.mutable_short_pick()->add_found();
    f->set_sku(l.sku);
    f->set_quantity(l.quantity);
  }
  return Update(std::move(r));
}

Result<v1::GetHoldResponse> StockTestEnv::GetHold(
    const std::string& order_ref) {
  return Await<v1::GetHoldResponse>(
      [&](agent::StockOps::Done<v1::GetHoldResponse> done) {
        ops_->GetHold(order_ref, std::move(done));
      });
}

Result<int> StockTestEnv::ExpireDueHolds() {
  return Await<int>([&](agent::StockOps::Done<int> done) {
    ops_->ExpireDueHolds(std::move(done));
  });
}

Result<v1::ImportCatalogResponse> StockTestEnv::ImportCatalog(
    std::vector<v1::Product> products) {
  return Await<v1::ImportCatalogResponse>(
      [&](agent::StockOps::Done<v1::ImportCatalogResponse> done) {
        ops_->ImportCatalog(std::move(products), 1, std::move(done));
      });
}

Result<v1::GetAvailabilityResponse> StockTestEnv::Availability(
    const std::vector<std::string>& skus) {
  // The gRPC API's path (GetAvailabilityInto), on the caller's thread when a
  // connection is idle.
  google::protobuf::RepeatedPtrField<std::string> asked(skus.begin(),
                                                        skus.end());
  v1::GetAvailabilityResponse reply;
  Status s =
      Await<bool>([&](std::function<void(Result<bool>)> done) {
        ops_->GetAvailabilityInto(asked, &reply, [done](const Status& st) {
          if (!st.ok()) return done(st);
          done(true);
        });
      }).status();
  if (!s.ok()) return s;
  return reply;
}

Result<v1::GetAvailabilityResponse> StockTestEnv::AvailabilityOnPool(
    const std::vector<std::string>& skus) {
  return Await<v1::GetAvailabilityResponse>(
      [&](agent::StockOps::Done<v1::GetAvailabilityResponse> done) {
        ops_->GetAvailability(skus, std::move(done));
      });
}

v1::SkuAvailability StockTestEnv::Figures(const std::string& sku) {
  Result<std::vector<v1::SkuAvailability>> f =
      ReadFresh<std::vector<v1::SkuAvailability>>([&](storage::DbContext& ctx) {
        return storage::StockLedger::Figures(ctx, {sku});
      });
  if (!f.ok() || f->size() != 1) return v1::SkuAvailability();
  return f->front();
}

std::optional<v1::Hold> StockTestEnv::LedgerHold(const std::string& order_ref) {
  Result<std::optional<v1::Hold>> h =
      ReadFresh<std::optional<v1::Hold>>([&](storage::DbContext& ctx) {
        return storage::StockLedger::GetHold(ctx, order_ref);
      });
  return h.ok() ? *h : std::nullopt;
}

v1::HoldState StockTestEnv::StateOf(const std::string& order_ref) {
  const std::optional<v1::Hold> h = LedgerHold(order_ref);
  return h ? h->state() : v1::HOLD_STATE_UNSPECIFIED;
}

Result<std::vector<v1::JournalRecord>> StockTestEnv::Journal() {
  return ReadFresh<std::vector<v1::JournalRecord>>(
      [](storage::DbContext& ctx) -> Result<std::vector<v1::JournalRecord>> {
        Result<std::vector<v1::JournalEntry>> entries =
            storage::JournalStore::ReadRange(ctx.db(), 1, kMaxJournalRead);
        if (!entries.ok()) return entries.status();
        std::vector<v1::JournalRecord> out;
        out.reserve(entries->size());
        for (v1::JournalEntry& e : *entries) {
          out.push_back(std::move(*e.mutable_record()));
        }
        return out;
      });
}

}  // namespace storeagent::stocktest
