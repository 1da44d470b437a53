#include "bench/central_find_stores.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "core/journal_chain.h"
#include "core/limits.h"
#include "platform/clock.h"

namespace storeagent::bench {
namespace {

// Lines per receipt, write-off and escrow record: the most a stock record
// may hold.
constexpr int kLinesPerRecord = core::kMaxStockLines;
// Entries per EventBatch (far below Welcome's 500 events and 1 MiB: a
// 500-line receipt is about 12 KB).
constexpr int kEntriesPerBatch = 20;
// Longest the synchronous stream calls wait (the streams stay open through
// the measurement).
constexpr auto kStreamDeadline = std::chrono::minutes(30);
constexpr auto kConnectTimeout = std::chrono::seconds(10);

// A store's journal: chained entries, as an agent's.
class FindJournal {
 public:
  explicit FindJournal(const std::string& store) : store_(store) {}

  void Add(v1::JournalRecord record) {
    const uint64_t seq = entries_.size() + 1;
    record.set_seq(seq);
    record.set_recorded_at_us(SystemClock().NowMicros());
    record.mutable_client_key()->set_terminal_id("backoffice");
    record.mutable_client_key()->set_client_txn_id(store_ + "-" +
                                                   std::to_string(seq));
    v1::JournalEntry e;
    e.set_prev_hash(entries_.empty() ? core::GenesisHash()
                                     : entries_.back().hash());
    e.set_hash(core::ChainHash(e.prev_hash(), core::CanonicalBytes(record)));
    *e.mutable_record() = std::move(record);
    entries_.push_back(std::move(e));
  }

  const std::vector<v1::JournalEntry>& entries() const { return entries_; }
  std::string head_hash() const {
    return entries_.empty() ? core::GenesisHash() : entries_.back().hash();
  }

 private:
  std::string store_;
  std::vector<v1::JournalEntry> entries_;
};

// Receipts of every SKU of the store's window, then write-offs of one unit
// of every seventh, then the escrow, each in records of up to 500 lines.
FindJournal BuildJournal(const FindStock& stock, int store) {
  FindJournal j(stock.StoreId(store));
  std::vector<int> skus;
  for (int i = 0; i < stock.catalog_skus(); ++i) {
    if (stock.Stocks(store, i)) skus.push_back(i);
  }
  auto movements = [&](v1::StockMovement::Reason reason, auto quantity) {
    v1::JournalRecord r;
    for (int i : skus) {
      const int64_t q = quantity(i);
      if (q == 0) continue;
      v1::StockMovement* m = r.mutable_stock()->mutable_movement();
      m->set_reason(reason);
      v1::StockDelta* d = m->add_lines();
      d->set_sku(stock.Sku(i));
      d->set_quantity(q);
      if (m->lines_size() == kLinesPerRecord) j.Add(std::exchange(r, {}));
    }
    if (r.has_stock()) j.Add(std::move(r));
  };
  movements(v1::StockMovement::REASON_RECEIPT, [&](int i) {
    return stock.OnHand(store, i) + (i % 7 == 0 ? 1 : 0);
  });
  movements(v1::StockMovement::REASON_CORRECTION,
            [](int i) -> int64_t { return i % 7 == 0 ? -1 : 0; });
  v1::JournalRecord escrow;
  for (int i : skus) {
    const int64_t q = stock.Escrow(store, i);
    if (q == 0) continue;
    v1::EscrowLine* l =
        escrow.mutable_stock()->mutable_escrow_changed()->add_lines();
    l->set_sku(stock.Sku(i));
    l->set_quantity(q);
    if (escrow.stock().escrow_changed().lines_size() == kLinesPerRecord) break;
  }
  j.Add(std::move(escrow));
  return j;
}

// Reads until central acknowledged `seq`; false when the stream ended.
bool AwaitAck(grpc::ClientReaderWriter<v1::SyncRequest, v1::SyncResponse>& rw,
              uint64_t seq) {
  v1::SyncResponse m;
  while (rw.Read(&m)) {
    if (m.has_ack() && m.ack().acked_seq() >= seq) return true;
  }
  return false;
}

}  // namespace

FindStock::FindStock(int stores, int catalog_skus, int skus_per_store)
    : skus_per_store_(skus_per_store) {
  char id[32];
  for (int s = 0; s < stores; ++s) {
    std::snprintf(id, sizeof id, "find-%04d", s);
    store_ids_.emplace_back(id);
  }
  for (int k = 0; k < catalog_skus; ++k) {
    std::snprintf(id, sizeof id, "SKU-%06d", k);
    skus_.emplace_back(id);
  }
}

int FindStock::Offset(int store, int sku) const {
  // Windows spread evenly over the catalog, each wrapping around its end.
  const int n = catalog_skus();
  const int first =
      static_cast<int>(static_cast<int64_t>(store) * n / stores());
  return (sku - first + n) % n;
}

bool FindStock::Stocks(int store, int sku) const {
  return Offset(store, sku) < skus_per_store_;
}

int64_t FindStock::OnHand(int store, int sku) const {
  if (!Stocks(store, sku)) return 0;
  return 1 + (static_cast<int64_t>(store) * 31 + sku * 7) % 97;
}

int64_t FindStock::Escrow(int store, int sku) const {
  return Offset(store, sku) < std::min(kLinesPerRecord, skus_per_store_)
             ? 1 + sku % 3
             : 0;
}

FindStores::~FindStores() { Close(); }

Status FindStores::SyncAll(const std::string& target, const std::string& ca_pem,
                           const std::vector<testing::CertAndKey>& certs,
                           const FindStock& stock) {
  for (int s = 0; s < stock.stores(); ++s) {
    const std::string id = stock.StoreId(s);
    const FindJournal journal = BuildJournal(stock, s);
    const std::vector<v1::JournalEntry>& entries = journal.entries();
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ca_pem;
    o.pem_cert_chain = certs.at(static_cast<size_t>(s)).cert_pem;
    o.pem_private_key = certs.at(static_cast<size_t>(s)).key_pem;
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    streams_.push_back(std::make_unique<Stream>());
    Stream* stream = streams_.back().get();
    stream->channel =
        grpc::CreateCustomChannel(target, grpc::SslCredentials(o), args);
    if (!stream->channel->WaitForConnected(std::chrono::system_clock::now() +
                                           kConnectTimeout)) {
      return Unavailable("store " + id + ": could not connect to " + target);
    }
    stream->stub = v1::SyncService::NewStub(stream->channel);
    stream->ctx.set_deadline(std::chrono::system_clock::now() +
                             kStreamDeadline);
    stream->rw = stream->stub->Sync(&stream->ctx);
    v1::SyncRequest hello;
    v1::Hello* h = hello.mutable_hello();
    h->set_store_id(id);
    h->set_agent_version("bench-central-find");
    h->set_schema_version(1);
    h->set_journal_head_seq(entries.size());
    h->set_journal_head_hash(journal.head_hash());
    v1::SyncResponse welcome;
    if (!stream->rw->Write(hello) || !stream->rw->Read(&welcome) ||
        !welcome.has_welcome()) {
      return Unavailable("store " + id + ": no Welcome");
    }
    for (size_t from = 0; from < entries.size(); from += kEntriesPerBatch) {
      const size_t to = std::min(entries.size(), from + kEntriesPerBatch);
      v1::SyncRequest batch;
      for (size_t i = from; i < to; ++i) {
        *batch.mutable_events()->add_entries() = entries[i];
      }
      if (!stream->rw->Write(batch) || !AwaitAck(*stream->rw, to)) {
        return Unavailable("store " + id + ": the stream ended before seq " +
                           std::to_string(to) + " was acknowledged");
      }
    }
    heads_.push_back(entries.size());
    entries_ += entries.size();
  }
  return Status::Ok();
}

void FindStores::Close() {
  for (std::unique_ptr<Stream>& s : streams_) s->ctx.TryCancel();
  for (std::unique_ptr<Stream>& s : streams_) {
    if (s->rw == nullptr) continue;  // never opened
    v1::SyncResponse m;
    while (s->rw->Read(&m)) {
    }
    (void)s->rw->Finish();
  }
  streams_.clear();
}

}  // namespace storeagent::bench
