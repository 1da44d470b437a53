#include "tests/unit/central/fake_agent.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/journal_chain.h"

namespace storeagent::central::testing {
namespace {

constexpr int64_t kRecordedAt = 1'700'000'000'000'000;
// Longest any test waits for one message.
constexpr auto kCallDeadline = std::chrono::seconds(20);

}  // namespace

v1::JournalEntry FakeJournal::Add(v1::JournalRecord record) {
  const uint64_t seq = entries_.size() + 1;
  record.set_seq(seq);
  record.set_recorded_at_us(kRecordedAt + static_cast<int64_t>(seq));
  if (!record.has_client_key()) {
    record.mutable_client_key()->set_terminal_id("till-1");
    record.mutable_client_key()->set_client_txn_id("t" + std::to_string(seq));
  }
  v1::JournalEntry e;
  e.set_prev_hash(entries_.empty() ? core::GenesisHash()
                                   : entries_.back().hash());
  e.set_hash(core::ChainHash(e.prev_hash(), core::CanonicalBytes(record)));
  *e.mutable_record() = std::move(record);
  entries_.push_back(e);
  return e;
}

v1::JournalEntry FakeJournal::Movement(const std::string& sku,
                                       int64_t quantity) {
  v1::JournalRecord r;
  v1::StockMovement* m = r.mutable_stock()->mutable_movement();
  m->set_reason(quantity > 0 ? v1::StockMovement::REASON_RECEIPT
                             : v1::StockMovement::REASON_CORRECTION);
  v1::StockDelta* d = m->add_lines();
  d->set_sku(sku);
  d->set_quantity(quantity);
  return Add(std::move(r));
}

v1::JournalEntry FakeJournal::Escrow(const std::string& sku, int64_t quantity) {
  v1::JournalRecord r;
  v1::EscrowLine* l = r.mutable_stock()->mutable_escrow_changed()->add_lines();
  l->set_sku(sku);
  l->set_quantity(quantity);
  return Add(std::move(r));
}

v1::JournalEntry FakeJournal::NoBody() { return Add(v1::JournalRecord()); }

std::vector<v1::JournalEntry> FakeJournal::Range(uint64_t from,
                                                 uint64_t to) const {
  std::vector<v1::JournalEntry> out;
  for (uint64_t s = from; s <= to && s <= entries_.size(); ++s) {
    out.push_back(entries_[s - 1]);
  }
  return out;
}

std::string FakeJournal::head_hash() const { return hash_at(head_seq()); }

std::string FakeJournal::hash_at(uint64_t seq) const {
  return seq == 0 ? core::GenesisHash() : entries_[seq - 1].hash();
}

AgentStream::AgentStream(const std::shared_ptr<grpc::Channel>& channel,
                         ServiceName name) {
  ctx_.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  if (name == ServiceName::kV02) {
    stub_v02_ = v1::Sync::NewStub(channel);
    stream_ = stub_v02_->Sync(&ctx_);
  } else {
    stub_ = v1::SyncService::NewStub(channel);
    stream_ = stub_->Sync(&ctx_);
  }
}

AgentStream::~AgentStream() {
  if (!finished_) {
    ctx_.TryCancel();
    (void)Finish();
  }
}

bool AgentStream::Send(const v1::SyncRequest& m) { return stream_->Write(m); }

std::optional<v1::SyncResponse> AgentStream::Read() {
  v1::SyncResponse m;
  if (!stream_->Read(&m)) return std::nullopt;
  return m;
}

grpc::Status AgentStream::Finish() {
  if (finished_) return status_;
  finished_ = true;
  stream_->WritesDone();
  // Drain what central still sends, then take the status.
  v1::SyncResponse m;
  for (int i = 0; i < 100000 && stream_->Read(&m); ++i) {
  }
  status_ = stream_->Finish();
  return status_;
}

std::optional<v1::Welcome> AgentStream::Hello(const std::string& store_id,
                                              uint64_t head_seq,
                                              const std::string& head_hash,
                                              uint64_t central_applied) {
  v1::SyncRequest m;
  v1::Hello* h = m.mutable_hello();
  h->set_store_id(store_id);
  h->set_agent_version("0.0.0-test");
  h->set_schema_version(1);
  h->set_journal_head_seq(head_seq);
  h->set_journal_head_hash(head_hash);
  h->set_central_seq_applied(central_applied);
  if (!Send(m)) return std::nullopt;
  std::optional<v1::SyncResponse> r = Read();
  if (!r || !r->has_welcome()) return std::nullopt;
  return r->welcome();
}

bool AgentStream::SendEvents(const std::vector<v1::JournalEntry>& entries) {
  v1::SyncRequest m;
  for (const v1::JournalEntry& e : entries) {
    *m.mutable_events()->add_entries() = e;
  }
  return Send(m);
}

CentralFixture::CentralFixture() = default;

CentralConfig CentralFixture::DefaultConfig() {
  CentralConfig c;
  c.insecure = true;
  c.sync_listen = "127.0.0.1:0";
  c.admin_listen = "127.0.0.1:0";
  c.worker_threads = 2;
  c.store_url.clear();  // Start puts a SQLite file in the temp dir
  return c;
}

void CentralFixture::Start(CentralConfig config) {
  if (config.store_url.empty()) {
    config.store_url = "sqlite:" + dir_.File("central.db");
  }
  Result<std::unique_ptr<CentralServer>> s =
      CentralServer::Start(config, clock_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  server_ = std::move(s).value();
  auto admin =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->admin_port()),
                          grpc::InsecureChannelCredentials());
  admin_ = v1::CentralAdminService::NewStub(admin);
  admin_v02_ = v1::CentralAdmin::NewStub(admin);
}

std::shared_ptr<grpc::Channel> CentralFixture::SyncChannel() {
  return grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server_->sync_port()),
      grpc::InsecureChannelCredentials());
}

}  // namespace storeagent::central::testing
