// Conformance suite for CentralStore: every backend must pass all of it.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "central/store/central_store.h"
#include "core/journal_chain.h"
#include "platform/signing.h"
#include "tests/unit/central_store/central_store_fixture.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {

using central::CentralStore;
using central::IngestResult;
using central::PushResult;
using central::StoreRow;

void CentralStoreTest::SetUp() {
  Result<std::unique_ptr<BackendInstance>> inst = GetParam().make();
  if (!inst.ok()) {
    const std::string& m = inst.status().message();
    if (m.rfind(kSkipPrefix, 0) == 0) GTEST_SKIP() << m;
    FAIL() << GetParam().name << ": " << inst.status().ToString();
  }
  instance_ = std::move(inst).value();
  Result<std::unique_ptr<CentralStore>> s = instance_->Open();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  store_ = std::move(s).value();
}

v1::JournalEntry ChainBuilder::Next(v1::JournalRecord record) {
  record.set_seq(++seq_);
  record.set_recorded_at_us(1'000'000 * static_cast<int64_t>(seq_));
  v1::JournalEntry e;
  *e.mutable_record() = record;
  e.set_prev_hash(hash_);
  hash_ = core::ChainHash(hash_, core::CanonicalBytes(record));
  e.set_hash(hash_);
  return e;
}

std::vector<v1::JournalEntry> ChainBuilder::NoSales(int n) {
  std::vector<v1::JournalEntry> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(Next(NoSale("txn-" + std::to_string(seq_ + 1))));
  }
  return out;
}

v1::JournalRecord NoSale(const std::string& txn) {
  v1::JournalRecord r;
  *r.mutable_client_key() = test::SampleClientKey(txn);
  *r.mutable_transaction() = test::SampleNoSale();
  return r;
}

v1::JournalRecord KpiSale(const std::string& txn, const std::string& receipt,
                          const std::string& order_ref) {
  v1::JournalRecord r = NoSale(txn);
  *r.mutable_transaction() = test::SampleSale(2);
  v1::Sale* s = r.mutable_transaction()->mutable_sale();
  s->set_receipt_number(receipt);
  if (!order_ref.empty()) {
    s->set_order_ref(order_ref);
    s->set_channel(v1::SALES_CHANNEL_CLICK_AND_COLLECT);
  }
  return r;
}

v1::JournalRecord KpiReturn(const std::string& txn, const std::string& store,
                            const std::string& orig_txn,
                            const std::string& reference,
                            const std::string& channel) {
  v1::JournalRecord r = NoSale(txn);
  *r.mutable_transaction() = test::SampleReturn();
  v1::OriginalTransaction* o =
      r.mutable_transaction()->mutable_return_()->mutable_original();
  o->Clear();
  o->set_store_id(store);
  if (!orig_txn.empty())
    *o->mutable_client_key() = test::SampleClientKey(orig_txn);
  o->set_reference(reference);
  o->set_channel(channel);
  return r;
}

namespace {

std::vector<uint64_t> Seqs(const std::vector<v1::JournalEntry>& v) {
  std::vector<uint64_t> out;
  for (const v1::JournalEntry& e : v) out.push_back(e.record().seq());
  return out;
}

// The seqs of the batch entries at `positions` (IngestResult.applied).
std::vector<uint64_t> Seqs(const std::vector<v1::JournalEntry>& batch,
                           const std::vector<size_t>& positions) {
  std::vector<uint64_t> out;
  for (size_t i : positions) out.push_back(batch.at(i).record().seq());
  return out;
}

std::vector<uint64_t> CentralSeqs(const std::vector<v1::CentralEvent>& v) {
  std::vector<uint64_t> out;
  for (const v1::CentralEvent& e : v) out.push_back(e.central_seq());
  return out;
}

v1::CentralEvent Movement(const std::string& sku, int64_t qty) {
  v1::CentralEvent e;
  e.set_reference("asn-" + sku);
  v1::StockMovement* m = e.mutable_movement();
  m->set_reason(v1::StockMovement::REASON_RECEIPT);
  v1::StockDelta* d = m->add_lines();
  d->set_sku(sku);
  d->set_quantity(qty);
  return e;
}

v1::JournalRecord Escrow(const std::string& sku, int64_t qty, bool breach,
                         uint64_t cause_seq) {
  v1::JournalRecord r;
  r.mutable_client_key()->set_terminal_id("agent.sync");
  r.mutable_client_key()->set_client_txn_id("escrow-" + sku + "-" +
                                            std::to_string(qty));
  v1::EscrowChanged* e = r.mutable_stock()->mutable_escrow_changed();
  v1::EscrowLine* l = e->add_lines();
  l->set_sku(sku);
  l->set_quantity(qty);
  e->set_breach(breach);
  e->set_cause_seq(cause_seq);
  return r;
}

StoreRow Row(CentralStore& s, const std::string& id) {
  Result<std::optional<StoreRow>> r = s.GetStore(id);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok() || !r->has_value()) return StoreRow{};
  return **r;
}

TEST_P(CentralStoreTest, StoreIsCreatedOnFirstSightWithZeros) {
  Result<std::optional<StoreRow>> none = store_->GetStore("s1");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  Result<StoreRow> row = store_->GetOrCreateStore("s1");
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->store_id, "s1");
  EXPECT_EQ(row->store_seq_held, 0u);
  EXPECT_EQ(row->store_hash_held, core::GenesisHash());
  EXPECT_EQ(row->central_head_seq, 0u);
  EXPECT_EQ(row->last_digest, "");

  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());  // second sight: same row
  Result<std::vector<StoreRow>> all = store_->ListStores();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].store_id, "s1");
}

// GetStores: each id's row in the order asked, nullopt for a store never
// seen, a repeat answered twice; one malformed id refuses the whole read.
// A store's checkpoint key (docs/security.md, "Signed checkpoints"): the
// first registered, the same again a no-op, another refused while the
// store's journal holds events and registered beside the old one from an
// empty journal; problems and checkpoints on the row.
TEST_P(CentralStoreTest, TheFirstSigningKeyIsRegisteredAndAnotherOnlyAfresh) {
  const crypto::SigningKey k1 = crypto::SigningKey::Generate();
  const crypto::SigningKey k2 = crypto::SigningKey::Generate();
  Result<core::StoreKeys> none = store_->RegisterSigningKey("s1", "", 5, kNow);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  Result<core::StoreKeys> first =
      store_->RegisterSigningKey("s1", k1.public_key(), 0, kNow);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->at(k1.key_id()), k1.public_key());
  Result<core::StoreKeys> again =
      store_->RegisterSigningKey("s1", k1.public_key(), 40, kNow);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), 1u);
  Result<core::StoreKeys> other =
      store_->RegisterSigningKey("s1", k2.public_key(), 40, kNow);
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other.status().message().find(k1.key_id()), std::string::npos);
  EXPECT_NE(other.status().message().find(k2.key_id()), std::string::npos);
  Result<StoreRow> row = store_->GetOrCreateStore("s1");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->signing_key_id, k1.key_id());
  // From an empty journal (a new database central re-seeds): registered,
  // and the old key kept for the checkpoints it signed.
  Result<core::StoreKeys> fresh =
      store_->RegisterSigningKey("s1", k2.public_key(), 0, kNow);
  ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
  EXPECT_EQ(fresh->size(), 2u);
  row = store_->GetOrCreateStore("s1");
  EXPECT_EQ(row->signing_key_id, k2.key_id());
  EXPECT_EQ(store_->RegisterSigningKey("s1", "short", 0, kNow).status().code(),
            StatusCode::kInvalidArgument);

  ASSERT_TRUE(store_->RecordCheckpoint("s1", 12).ok());
  ASSERT_TRUE(store_->RecordCheckpoint("s1", 6).ok());  // never backwards
  ASSERT_TRUE(
      store_->RecordSignatureProblem("s1", "seq 12: checkpoint ...", kNow)
          .ok());
  row = store_->GetOrCreateStore("s1");
  EXPECT_EQ(row->last_checkpoint_seq, 12u);
  EXPECT_EQ(row->signature_problem, "seq 12: checkpoint ...");
  EXPECT_EQ(row->signature_problem_at_us, kNow);
}

TEST_P(CentralStoreTest, GetStoresAnswersEachIdInOrder) {
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  ASSERT_TRUE(store_->GetOrCreateStore("s2").ok());
  ASSERT_TRUE(store_->SetStoreRegion("s2", "north", 1).ok());
  Result<std::vector<std::optional<StoreRow>>> rows =
      store_->GetStores({"s2", "nobody", "s1", "s2"});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  ASSERT_TRUE((*rows)[0].has_value());
  EXPECT_EQ((*rows)[0]->store_id, "s2");
  EXPECT_EQ((*rows)[0]->region, "north");
  EXPECT_FALSE((*rows)[1].has_value());
  ASSERT_TRUE((*rows)[2].has_value());
  EXPECT_EQ((*rows)[2]->store_id, "s1");
  EXPECT_EQ((*rows)[2]->store_hash_held, core::GenesisHash());
  ASSERT_TRUE((*rows)[3].has_value());
  EXPECT_EQ((*rows)[3]->store_id, "s2");

  Result<std::vector<std::optional<StoreRow>>> none = store_->GetStores({});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  Result<std::vector<std::optional<StoreRow>>> bad =
      store_->GetStores({"s1", "a b"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("store_id"), std::string::npos);
}

TEST_P(CentralStoreTest, BadStoreIdIsRefusedNamingTheField) {
  for (const std::string& bad : {std::string(), std::string(65, 'a'),
                                 std::string("a b"), std::string("x/../y")}) {
    Result<StoreRow> r = store_->GetOrCreateStore(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("store_id"), std::string::npos);
  }
  EXPECT_TRUE(store_->GetOrCreateStore(std::string(64, 'a')).ok());
  Result<std::vector<StoreRow>> all = store_->ListStores();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

// A 0.4 agent's entry carries its canonical bytes; these may be bytes this
// build would not produce (here a field it does not know, 1000, before the
// known ones). They are what is hashed, kept and read back, verbatim.
TEST_P(CentralStoreTest, IngestKeepsTheBytesItHashedVerbatim) {
  v1::JournalRecord r = NoSale("bytes-1");
  r.set_seq(1);
  r.set_recorded_at_us(1'000'000);
  const std::string bytes =
      std::string("\xc0\x3e\x07", 3) + core::CanonicalBytes(r);
  v1::JournalEntry e;
  e.set_canonical_record(bytes);
  ASSERT_TRUE(core::AdoptCanonicalRecord(e, "entries[0]").ok());
  e.set_prev_hash(core::GenesisHash());
  e.set_hash(core::ChainHash(core::GenesisHash(), bytes));
  Result<IngestResult> in = store_->IngestBatch("s1", {e}, kNow);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in->acked_seq, 1u);
  EXPECT_TRUE(in->quarantined.empty());
  EXPECT_EQ(Row(*store_, "s1").store_hash_held, e.hash());
  Result<std::vector<v1::JournalEntry>> read =
      store_->ReadStoreEvents("s1", 0, 0, 10);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->front().canonical_record(), bytes);
  EXPECT_EQ(read->front().hash(), e.hash());
  EXPECT_EQ(read->front().record().client_key().client_txn_id(), "bytes-1");
}

TEST_P(CentralStoreTest, IngestInOrderCommitsAndReadsBack) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> batch = chain.NoSales(3);
  Result<IngestResult> r = store_->IngestBatch("s1", batch, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->acked_seq, 3u);
  EXPECT_TRUE(r->quarantined.empty());
  EXPECT_EQ(Seqs(batch, r->applied), (std::vector<uint64_t>{1, 2, 3}));

  StoreRow row = Row(*store_, "s1");
  EXPECT_EQ(row.store_seq_held, 3u);
  EXPECT_EQ(row.store_hash_held, chain.hash());
  EXPECT_EQ(row.store_recorded_at_us, 3'000'000);

  Result<std::vector<v1::JournalEntry>> read =
      store_->ReadStoreEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // The stored bytes come back beside the record (a 0.3 sender's record
    // re-serialized: what was hashed).
    EXPECT_EQ((*read)[i].canonical_record(),
              core::CanonicalBytes(batch[i].record()));
    (*read)[i].clear_canonical_record();
    EXPECT_EQ((*read)[i].SerializeAsString(), batch[i].SerializeAsString());
  }
}

TEST_P(CentralStoreTest, ResentEntriesAreSkippedAndAppliedOnce) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> all = chain.NoSales(5);
  std::vector<v1::JournalEntry> first(all.begin(), all.begin() + 3);
  ASSERT_TRUE(store_->IngestBatch("s1", first, kNow).ok());

  Result<IngestResult> again = store_->IngestBatch("s1", all, kNow);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->acked_seq, 5u);
  EXPECT_EQ(Seqs(all, again->applied), (std::vector<uint64_t>{4, 5}));

  Result<IngestResult> third = store_->IngestBatch("s1", all, kNow);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->acked_seq, 5u);
  EXPECT_TRUE(third->applied.empty());

  Result<std::vector<v1::JournalEntry>> read =
      store_->ReadStoreEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(Seqs(*read), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
}

TEST_P(CentralStoreTest, GapIsRefusedAndChangesNothing) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> all = chain.NoSales(5);
  ASSERT_TRUE(store_->IngestBatch("s1", {all[0], all[1]}, kNow).ok());

  Result<IngestResult> gap = store_->IngestBatch("s1", {all[3], all[4]}, kNow);
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(gap.status().message().find("expected seq 3"), std::string::npos)
      << gap.status().message();
  EXPECT_NE(gap.status().message().find("received seq 4"), std::string::npos);

  // A hole inside the batch: seq 3 must not be kept either.
  Result<IngestResult> hole = store_->IngestBatch("s1", {all[2], all[4]}, kNow);
  ASSERT_FALSE(hole.ok());
  EXPECT_EQ(hole.status().code(), StatusCode::kFailedPrecondition);

  EXPECT_EQ(Row(*store_, "s1").store_seq_held, 2u);
  Result<std::vector<v1::JournalEntry>> read =
      store_->ReadStoreEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), 2u);
}

TEST_P(CentralStoreTest, BrokenChainIsDataLossAndChangesNothing) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> all = chain.NoSales(3);
  ASSERT_TRUE(store_->IngestBatch("s1", {all[0]}, kNow).ok());

  std::vector<v1::JournalEntry> bad_hash = {all[1], all[2]};
  bad_hash[1].mutable_hash()->at(0) ^= 1;
  std::vector<v1::JournalEntry> bad_prev = {all[1], all[2]};
  bad_prev[0].set_prev_hash(core::GenesisHash());
  std::vector<v1::JournalEntry> edited = {all[1], all[2]};
  edited[1]
      .mutable_record()
      ->mutable_transaction()
      ->mutable_no_sale()
      ->set_reason("edited");

  for (const auto& [name, batch] :
       std::vector<std::pair<std::string, std::vector<v1::JournalEntry>>>{
           {"hash", bad_hash}, {"prev_hash", bad_prev}, {"edited", edited}}) {
    Result<IngestResult> r = store_->IngestBatch("s1", batch, kNow);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << name;
    EXPECT_NE(r.status().message().find("seq"), std::string::npos);
  }
  StoreRow row = Row(*store_, "s1");
  EXPECT_EQ(row.store_seq_held, 1u);
  EXPECT_EQ(row.store_hash_held, all[0].hash());
  Result<std::vector<v1::JournalEntry>> read =
      store_->ReadStoreEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), 1u);
  // The good batch still goes in afterwards.
  Result<IngestResult> ok = store_->IngestBatch("s1", {all[1], all[2]}, kNow);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->acked_seq, 3u);
}

TEST_P(CentralStoreTest, QuarantinedEntriesAdvanceTheAckAndAreListed) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> batch;
  batch.push_back(chain.Next(NoSale("ok-1")));
  v1::JournalRecord no_body;
  *no_body.mutable_client_key() = test::SampleClientKey("no-body");
  batch.push_back(chain.Next(no_body));
  v1::JournalRecord bad_sale = NoSale("bad-sale");
  *bad_sale.mutable_transaction() = test::SampleSale(1);
  bad_sale.mutable_transaction()->mutable_sale()->clear_lines();
  batch.push_back(chain.Next(bad_sale));
  v1::JournalRecord card;  // a loyalty card number must never be journaled
  *card.mutable_client_key() = test::SampleClientKey("card");
  *card.mutable_loyalty() = test::SampleIdentified();
  batch.push_back(chain.Next(card));
  batch.push_back(chain.Next(NoSale("ok-2")));

  Result<IngestResult> r = store_->IngestBatch("s1", batch, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->acked_seq, 5u);
  EXPECT_EQ(Seqs(batch, r->applied), (std::vector<uint64_t>{1, 5}));
  ASSERT_EQ(r->quarantined.size(), 3u);
  EXPECT_EQ(r->quarantined[0].seq(), 2u);
  EXPECT_EQ(r->quarantined[0].reason(), "record: no body set");
  EXPECT_EQ(r->quarantined[1].seq(), 3u);
  EXPECT_NE(r->quarantined[1].reason().find("transaction.sale.lines"),
            std::string::npos)
      << r->quarantined[1].reason();
  EXPECT_EQ(r->quarantined[2].seq(), 4u);
  EXPECT_NE(r->quarantined[2].reason().find("card_number"), std::string::npos);

  EXPECT_EQ(Row(*store_, "s1").quarantined, 3);
  EXPECT_EQ(Row(*store_, "s1").store_seq_held, 5u);
  Result<v1::ListQuarantineResponse> q = store_->ListQuarantine("s1", 100);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_EQ(q->quarantined_size(), 3);
  std::vector<uint64_t> seqs;
  for (const v1::QuarantineEntry& e : q->quarantined()) {
    seqs.push_back(e.seq());
    EXPECT_EQ(e.store_id(), "s1");
    EXPECT_EQ(e.at_us(), kNow);
    EXPECT_FALSE(e.reason().empty());
  }
  std::sort(seqs.begin(), seqs.end());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{2, 3, 4}));
  // Quarantined entries stay part of the chain.
  Result<std::vector<v1::JournalEntry>> read =
      store_->ReadStoreEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), 5u);
  // Another store's list is empty.
  Result<v1::ListQuarantineResponse> other = store_->ListQuarantine("s2", 100);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->quarantined_size(), 0);
}

TEST_P(CentralStoreTest, JournaledFormsOfAgentSetFieldsAreApplied) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> batch;
  v1::JournalRecord loyalty;  // the agent replaced the card by a pseudonym
  *loyalty.mutable_client_key() = test::SampleClientKey("loyal");
  *loyalty.mutable_loyalty() = test::SampleIdentified();
  loyalty.mutable_loyalty()
      ->mutable_identified()
      ->mutable_member()
      ->set_pseudonym(std::string(32, '\x07'));
  batch.push_back(chain.Next(loyalty));
  v1::JournalRecord enrol;
  *enrol.mutable_client_key() = test::SampleClientKey("enrol");
  *enrol.mutable_loyalty() = test::SampleEnrolment();
  v1::MemberEnrolled* e = enrol.mutable_loyalty()->mutable_enrolled();
  e->mutable_member()->set_pseudonym(std::string(32, '\x08'));
  e->clear_contact();
  e->set_sealed_contact("sealed bytes");
  batch.push_back(chain.Next(enrol));
  v1::JournalRecord hold;  // central's escrow hold, applied after it lapsed
  *hold.mutable_client_key() = test::SampleClientKey("escrow-hold");
  v1::HoldPlaced* h = hold.mutable_stock()->mutable_hold_placed();
  h->set_order_ref("web-1");
  h->set_from_escrow(true);
  h->set_expires_at_us(1);  // long before recorded_at
  v1::HoldLine* line = h->add_lines();
  line->set_sku("sku-a");
  line->set_quantity(1);
  batch.push_back(chain.Next(hold));
  v1::JournalRecord count;  // central_seq set by the agent
  *count.mutable_client_key() = test::SampleClientKey("count");
  v1::StockCount* c = count.mutable_stock()->mutable_count();
  c->set_central_seq(7);
  v1::CountLine* cl = c->add_lines();
  cl->set_sku("sku-a");
  cl->set_counted(3);
  batch.push_back(chain.Next(count));

  Result<IngestResult> r = store_->IngestBatch("s1", batch, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (const v1::Quarantined& q : r->quarantined) {
    ADD_FAILURE() << "seq " << q.seq() << " quarantined: " << q.reason();
  }
  EXPECT_EQ(Seqs(batch, r->applied), (std::vector<uint64_t>{1, 2, 3, 4}));
}

// A breach that uncovers an escrow grant (escrow_breach_test.cc has the
// rules of which breaches are recorded and which orders they name).
TEST_P(CentralStoreTest, EscrowBreachesAreCountedWithGrantAndWhatIsLeft) {
  ChainBuilder chain;
  ASSERT_TRUE(
      store_
          ->IngestBatch("s1", {chain.Next(Escrow("sku-a", 5, false, 0))}, kNow)
          .ok());
  v1::CentralEvent grant;
  v1::HoldPlaced* h = grant.mutable_escrow_hold()->mutable_hold();
  h->set_order_ref("web-1");
  h->set_from_escrow(true);
  v1::HoldLine* l = h->add_lines();
  l->set_sku("sku-a");
  l->set_quantity(3);
  ASSERT_TRUE(
      store_->AppendCentralEvent("s1", "#hold:web-1", grant, kNow).ok());
  std::vector<v1::JournalEntry> batch;
  batch.push_back(chain.Next(NoSale("sale")));
  batch.push_back(chain.Next(Escrow("sku-a", 2, true, 2)));
  Result<IngestResult> r = store_->IngestBatch("s1", batch, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->quarantined.empty());
  EXPECT_EQ(r->applied.size(), 2u);
  EXPECT_EQ(r->escrow_breaches, 1);

  EXPECT_EQ(Row(*store_, "s1").escrow_breaches, 1);
  Result<v1::ListQuarantineResponse> q = store_->ListQuarantine("s1", 10);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->quarantined_size(), 0);
  ASSERT_EQ(q->breaches_size(), 1);
  EXPECT_EQ(q->breaches(0).store_id(), "s1");
  EXPECT_EQ(q->breaches(0).seq(), 3u);
  EXPECT_EQ(q->breaches(0).sku(), "sku-a");
  EXPECT_EQ(q->breaches(0).escrow(), 5);
  EXPECT_EQ(q->breaches(0).available(), 2);
  ASSERT_EQ(q->breaches(0).order_refs_size(), 1);
  EXPECT_EQ(q->breaches(0).order_refs(0), "web-1");
  EXPECT_EQ(q->breaches(0).at_risk(), 3);
}

TEST_P(CentralStoreTest, CentralEventsAreNumberedPerStoreAndIdempotent) {
  std::vector<uint64_t> got;
  for (const char* key : {"k1", "k2", "k3"}) {
    Result<PushResult> p = store_->AppendCentralEvent(
        "s1", key, Movement(std::string("sku-") + key, 4), kNow);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_FALSE(p->replayed);
    got.push_back(p->central_seq);
  }
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2, 3}));

  Result<PushResult> retry =
      store_->AppendCentralEvent("s1", "k2", Movement("other", 9), kNow + 5);
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->central_seq, 2u);

  Result<PushResult> other =
      store_->AppendCentralEvent("s2", "k2", Movement("x", 1), kNow);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->replayed);
  EXPECT_EQ(other->central_seq, 1u);

  EXPECT_EQ(Row(*store_, "s1").central_head_seq, 3u);
  Result<std::vector<v1::CentralEvent>> read =
      store_->ReadCentralEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(CentralSeqs(*read), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ((*read)[1].movement().lines(0).sku(), "sku-k2");  // the first
  EXPECT_EQ((*read)[1].created_at_us(), kNow);
  EXPECT_EQ((*read)[1].reference(), "asn-sku-k2");

  Result<PushResult> no_key =
      store_->AppendCentralEvent("s1", "", Movement("x", 1), kNow);
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_key.status().message().find("request_key"), std::string::npos);
  Result<PushResult> long_key = store_->AppendCentralEvent(
      "s1", std::string(65, 'k'), Movement("x", 1), kNow);
  EXPECT_EQ(long_key.status().code(), StatusCode::kInvalidArgument);
  Result<PushResult> no_kind =
      store_->AppendCentralEvent("s1", "k9", v1::CentralEvent(), kNow);
  ASSERT_FALSE(no_kind.ok());
  EXPECT_NE(no_kind.status().message().find("event.kind"), std::string::npos);
  EXPECT_EQ(Row(*store_, "s1").central_head_seq, 3u);
}

TEST_P(CentralStoreTest, AckWatermarkNeverGoesBackNorBeyondTheHead) {
  for (const char* key : {"a", "b", "c"}) {
    ASSERT_TRUE(
        store_->AppendCentralEvent("s1", key, Movement("sku", 1), kNow).ok());
  }
  ASSERT_TRUE(store_->AckCentral("s1", 2).ok());
  EXPECT_EQ(Row(*store_, "s1").central_seq_acked, 2u);
  ASSERT_TRUE(store_->AckCentral("s1", 1).ok());  // late, stale ack
  EXPECT_EQ(Row(*store_, "s1").central_seq_acked, 2u);
  Status beyond = store_->AckCentral("s1", 4);
  EXPECT_EQ(beyond.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(beyond.message().find("beyond the head 3"), std::string::npos)
      << beyond.message();
  EXPECT_EQ(Row(*store_, "s1").central_seq_acked, 2u);
  ASSERT_TRUE(store_->AckCentral("s1", 3).ok());
  EXPECT_EQ(Row(*store_, "s1").central_seq_acked, 3u);
}

TEST_P(CentralStoreTest, ReadsHonourAfterThroughAndLimit) {
  ChainBuilder chain;
  ASSERT_TRUE(store_->IngestBatch("s1", chain.NoSales(10), kNow).ok());
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(store_
                    ->AppendCentralEvent("s1", "k" + std::to_string(i),
                                         Movement("sku", i), kNow)
                    .ok());
  }
  auto store_seqs = [&](uint64_t after, uint64_t through, size_t limit) {
    Result<std::vector<v1::JournalEntry>> r =
        store_->ReadStoreEvents("s1", after, through, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? Seqs(*r) : std::vector<uint64_t>{};
  };
  auto central_seqs = [&](uint64_t after, uint64_t through, size_t limit) {
    Result<std::vector<v1::CentralEvent>> r =
        store_->ReadCentralEvents("s1", after, through, limit);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? CentralSeqs(*r) : std::vector<uint64_t>{};
  };
  using V = std::vector<uint64_t>;
  EXPECT_EQ(store_seqs(3, 6, 100), (V{4, 5, 6}));
  EXPECT_EQ(store_seqs(3, 6, 2), (V{4, 5}));
  EXPECT_EQ(store_seqs(8, 0, 100), (V{9, 10}));
  EXPECT_EQ(store_seqs(10, 0, 100), V{});
  EXPECT_EQ(central_seqs(3, 6, 100), (V{4, 5, 6}));
  EXPECT_EQ(central_seqs(0, 0, 3), (V{1, 2, 3}));
  EXPECT_EQ(central_seqs(9, 0, 100), (V{10}));
  Result<std::vector<v1::JournalEntry>> unknown =
      store_->ReadStoreEvents("nobody", 0, 0, 10);
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->empty());
}

TEST_P(CentralStoreTest, DriftIsListedNewestFirstPerStoreOrAll) {
  std::vector<v1::Drift> drift;
  for (int i = 0; i < 3; ++i) {
    v1::Drift d;
    d.set_store_id(i == 1 ? "s2" : "s1");
    d.set_sku("sku-" + std::to_string(i));
    d.set_store_seq(10 + i);
    d.set_found_at_us(kNow + i);
    d.mutable_store()->set_on_hand(5);
    d.mutable_central()->set_on_hand(4);
    drift.push_back(d);
  }
  ASSERT_TRUE(store_->RecordDrift(drift).ok());
  Result<std::vector<v1::Drift>> all = store_->ListDrift("", 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].sku(), "sku-2");
  EXPECT_EQ((*all)[2].sku(), "sku-0");
  EXPECT_EQ((*all)[0].store().on_hand(), 5);
  Result<std::vector<v1::Drift>> s1 = store_->ListDrift("s1", 100);
  ASSERT_TRUE(s1.ok());
  ASSERT_EQ(s1->size(), 2u);
  EXPECT_EQ((*s1)[0].sku(), "sku-2");
  Result<std::vector<v1::Drift>> one = store_->ListDrift("", 1);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);

  std::vector<v1::Drift> bad = drift;
  bad[1].set_store_id("");
  Status st = store_->RecordDrift(bad);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("drift[1].store_id"), std::string::npos);
  Result<std::vector<v1::Drift>> after = store_->ListDrift("", 100);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 3u);  // nothing of the refused batch
}

TEST_P(CentralStoreTest, AdminAuditIsListedNewestFirstPerStoreOrAll) {
  for (int i = 0; i < 3; ++i) {
    v1::AdminAuditEntry e;
    e.set_at_us(kNow + i);
    e.set_caller(i == 1 ? "reader:bob" : "operator:alice");
    e.set_method(i == 1 ? "PlaceHold" : "PushCentralEvent");
    e.set_store_id(i == 1 ? "s2" : "s1");
    e.set_detail("request_key=k" + std::to_string(i));
    e.set_code(i == 1 ? "PERMISSION_DENIED" : "OK");
    e.set_message(i == 1 ? "reader:bob is a reader" : "");
    ASSERT_TRUE(store_->RecordAdminAudit(e).ok());
  }
  Result<std::vector<v1::AdminAuditEntry>> all = store_->ListAdminAudit("", 0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].detail(), "request_key=k2");
  EXPECT_EQ((*all)[1].caller(), "reader:bob");
  EXPECT_EQ((*all)[1].code(), "PERMISSION_DENIED");
  EXPECT_EQ((*all)[1].message(), "reader:bob is a reader");
  EXPECT_EQ((*all)[1].at_us(), kNow + 1);
  EXPECT_EQ((*all)[2].method(), "PushCentralEvent");
  EXPECT_GT((*all)[0].audit_id(), (*all)[1].audit_id());
  EXPECT_GT((*all)[1].audit_id(), (*all)[2].audit_id());
  Result<std::vector<v1::AdminAuditEntry>> s1 = store_->ListAdminAudit("s1", 1);
  ASSERT_TRUE(s1.ok());
  ASSERT_EQ(s1->size(), 1u);
  EXPECT_EQ((*s1)[0].detail(), "request_key=k2");
  Result<std::vector<v1::AdminAuditEntry>> bad =
      store_->ListAdminAudit("not a store", 10);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST_P(CentralStoreTest, ExchangeAndDigestAreRecorded) {
  ASSERT_TRUE(store_->TouchExchange("s1", kNow, "0.4.0").ok());
  ASSERT_TRUE(store_->TouchExchange("s1", kNow + 7, "").ok());
  ASSERT_TRUE(store_->RecordDigest("s1", "mismatch", 12).ok());
  StoreRow row = Row(*store_, "s1");
  EXPECT_EQ(row.last_exchange_us, kNow + 7);
  EXPECT_EQ(row.agent_version, "0.4.0");
  EXPECT_EQ(row.last_digest, "mismatch");
  EXPECT_EQ(row.last_digest_store_seq, 12u);
  Status bad = store_->RecordDigest("s1", "maybe", 13);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Row(*store_, "s1").last_digest_store_seq, 12u);
}

TEST_P(CentralStoreTest, DataSurvivesReopen) {
  ChainBuilder chain;
  ASSERT_TRUE(store_->IngestBatch("s1", chain.NoSales(4), kNow).ok());
  ASSERT_TRUE(
      store_->AppendCentralEvent("s1", "k", Movement("sku", 1), kNow).ok());
  store_.reset();
  Result<std::unique_ptr<CentralStore>> again = Reopen();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  StoreRow row = Row(**again, "s1");
  EXPECT_EQ(row.store_seq_held, 4u);
  EXPECT_EQ(row.store_hash_held, chain.hash());
  EXPECT_EQ(row.central_head_seq, 1u);
}

// Four threads (for PostgreSQL: four replicas, each its own store and
// connections) send the same batches of one store's journal in order, as
// resends after reconnects do. Every seq must be applied exactly once.
TEST_P(CentralStoreTest, ConcurrentIngestsOfOneStoreApplyEachSeqOnce) {
  constexpr int kThreads = 4;
  constexpr int kEntries = 60;
  constexpr int kBatch = 6;
  ChainBuilder chain;
  const std::vector<v1::JournalEntry> all = chain.NoSales(kEntries);

  const std::vector<CentralStore*> stores = StoresForThreads(kThreads);
  ASSERT_EQ(stores.size(), static_cast<size_t>(kThreads));
  std::mutex mu;
  std::map<uint64_t, int> applied;  // seq -> times applied
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    CentralStore* s = stores[t];
    threads.emplace_back([&, s] {
      for (int from = 0; from < kEntries; from += kBatch) {
        std::vector<v1::JournalEntry> batch(all.begin() + from,
                                            all.begin() + from + kBatch);
        Result<IngestResult> r = s->IngestBatch("s1", batch, kNow);
        std::lock_guard<std::mutex> lock(mu);
        if (!r.ok()) {
          errors.push_back(r.status().ToString());
          return;
        }
        for (uint64_t seq : Seqs(batch, r->applied)) ++applied[seq];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  ASSERT_EQ(applied.size(), static_cast<size_t>(kEntries));
  for (const auto& [seq, times] : applied) {
    EXPECT_EQ(times, 1) << "seq " << seq;
  }
  EXPECT_EQ(Row(*store_, "s1").store_seq_held, static_cast<uint64_t>(kEntries));
  Result<std::vector<v1::JournalEntry>> read =
      store_->ReadStoreEvents("s1", 0, 0, 1000);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), static_cast<size_t>(kEntries));
}

// Concurrent pushes to one store: central_seq 1..N without gaps or doubles.
TEST_P(CentralStoreTest, ConcurrentCentralPushesNumberWithoutGaps) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  const std::vector<CentralStore*> stores = StoresForThreads(kThreads);
  ASSERT_EQ(stores.size(), static_cast<size_t>(kThreads));
  std::mutex mu;
  std::vector<uint64_t> seqs;
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    CentralStore* s = stores[t];
    threads.emplace_back([&, s, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every thread also retries key "shared": it is recorded once.
        const std::string key =
            i == 0 ? "shared"
                   : "t" + std::to_string(t) + "-" + std::to_string(i);
        Result<PushResult> p =
            s->AppendCentralEvent("s1", key, Movement("sku", 1), kNow);
        std::lock_guard<std::mutex> lock(mu);
        if (!p.ok()) {
          errors.push_back(p.status().ToString());
          return;
        }
        if (!p->replayed) seqs.push_back(p->central_seq);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  std::sort(seqs.begin(), seqs.end());
  const size_t expected = kThreads * (kPerThread - 1) + 1;
  ASSERT_EQ(seqs.size(), expected);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

TEST_P(CentralStoreTest, QuarantinedSeqsAreListedByRange) {
  ChainBuilder chain;
  std::vector<v1::JournalEntry> batch;
  batch.push_back(chain.Next(NoSale("ok-1")));
  v1::JournalRecord no_body;
  *no_body.mutable_client_key() = test::SampleClientKey("no-body-1");
  batch.push_back(chain.Next(no_body));
  batch.push_back(chain.Next(NoSale("ok-2")));
  *no_body.mutable_client_key() = test::SampleClientKey("no-body-2");
  batch.push_back(chain.Next(no_body));
  ASSERT_TRUE(store_->IngestBatch("s1", batch, kNow).ok());
  Result<std::vector<uint64_t>> all = store_->QuarantinedSeqs("s1", 0, 0);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, (std::vector<uint64_t>{2, 4}));
  Result<std::vector<uint64_t>> some = store_->QuarantinedSeqs("s1", 2, 3);
  ASSERT_TRUE(some.ok());
  EXPECT_TRUE(some->empty());
  Result<std::vector<uint64_t>> last = store_->QuarantinedSeqs("s1", 3, 4);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, (std::vector<uint64_t>{4}));
  EXPECT_FALSE(store_->QuarantinedSeqs("bad id", 0, 0).ok());
}

TEST_P(CentralStoreTest, RaisedHeadNumbersTheNextEventAfterIt) {
  ASSERT_TRUE(
      store_->AppendCentralEvent("s1", "k1", Movement("sku", 1), kNow).ok());
  Result<uint64_t> before = store_->RaiseCentralHead("s1", 4);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(*before, 1u);
  StoreRow row = Row(*store_, "s1");
  EXPECT_EQ(row.central_head_seq, 4u);
  EXPECT_EQ(row.central_seq_acked, 4u);
  // Not beyond the head: nothing changes.
  Result<uint64_t> again = store_->RaiseCentralHead("s1", 2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 4u);
  EXPECT_EQ(Row(*store_, "s1").central_head_seq, 4u);
  Result<PushResult> next =
      store_->AppendCentralEvent("s1", "k2", Movement("sku", 1), kNow);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->central_seq, 5u);
  Result<std::vector<v1::CentralEvent>> read =
      store_->ReadCentralEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(CentralSeqs(*read), (std::vector<uint64_t>{1, 5}));
  EXPECT_FALSE(store_->RaiseCentralHead("bad id", 1).ok());
}

TEST_P(CentralStoreTest, AppendAtAStaleHeadIsAbortedAndChangesNothing) {
  ASSERT_TRUE(
      store_->AppendCentralEvent("s1", "k1", Movement("sku", 1), kNow).ok());
  Result<PushResult> at_head =
      store_->AppendCentralEventAt("s1", "k2", Movement("sku", 2), kNow, 1);
  ASSERT_TRUE(at_head.ok()) << at_head.status().ToString();
  EXPECT_EQ(at_head->central_seq, 2u);

  Result<PushResult> stale =
      store_->AppendCentralEventAt("s1", "k3", Movement("sku", 3), kNow, 1);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
  EXPECT_NE(stale.status().message().find("central_head_seq: expected 1, is 2"),
            std::string::npos)
      << stale.status().message();
  Result<std::vector<v1::CentralEvent>> read =
      store_->ReadCentralEvents("s1", 0, 0, 100);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(CentralSeqs(*read), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(Row(*store_, "s1").central_head_seq, 2u);

  // A key seen before is its first answer, whatever head the retry expects.
  Result<PushResult> retry =
      store_->AppendCentralEventAt("s1", "k2", Movement("sku", 2), kNow, 0);
  ASSERT_TRUE(retry.ok()) << retry.status().ToString();
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->central_seq, 2u);
}

// Deciders that read the head and append only at it (escrow grants from
// several central processes): every append lands right after the head its
// decider saw, so no decision was taken on a stale view.
TEST_P(CentralStoreTest, ConditionalAppendsNeverLandOnAStaleHead) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 8;
  constexpr int kMaxTries = 1000;
  const std::vector<CentralStore*> stores = StoresForThreads(kThreads);
  ASSERT_EQ(stores.size(), static_cast<size_t>(kThreads));
  ASSERT_TRUE(store_->GetOrCreateStore("s1").ok());
  std::mutex mu;
  std::vector<std::string> errors;
  std::vector<uint64_t> seqs;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    CentralStore* s = stores[t];
    threads.emplace_back([&, s, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key =
            "t" + std::to_string(t) + "-" + std::to_string(i);
        bool done = false;
        for (int tries = 0; tries < kMaxTries && !done; ++tries) {
          Result<std::optional<StoreRow>> row = s->GetStore("s1");
          if (!row.ok() || !row->has_value()) {
            std::lock_guard<std::mutex> lock(mu);
            errors.push_back("GetStore failed");
            return;
          }
          const uint64_t head = (*row)->central_head_seq;
          Result<PushResult> p = s->AppendCentralEventAt(
              "s1", key, Movement("sku", 1), kNow, head);
          std::lock_guard<std::mutex> lock(mu);
          if (p.ok()) {
            if (p->central_seq != head + 1) {
              errors.push_back(key + " decided at head " +
                               std::to_string(head) + " but landed at " +
                               std::to_string(p->central_seq));
            }
            seqs.push_back(p->central_seq);
            done = true;
          } else if (p.status().code() != StatusCode::kAborted) {
            errors.push_back(p.status().ToString());
            return;
          }
        }
        if (!done) {
          std::lock_guard<std::mutex> lock(mu);
          errors.push_back(key + ": never appended");
          return;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  std::sort(seqs.begin(), seqs.end());
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], i + 1);
}

TEST_P(CentralStoreTest, ManyStoresKeepTheirOwnState) {
  constexpr int kStores = 40;
  for (int i = 0; i < kStores; ++i) {
    const std::string id = "store-" + std::to_string(i);
    ChainBuilder chain;
    Result<IngestResult> r =
        store_->IngestBatch(id, chain.NoSales(1 + i % 3), kNow);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_TRUE(
        store_->AppendCentralEvent(id, "same-key", Movement("sku", 1), kNow)
            .ok());
  }
  Result<std::vector<StoreRow>> all = store_->ListStores();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kStores));
  for (const StoreRow& row : *all) {
    const int i = std::stoi(row.store_id.substr(6));
    EXPECT_EQ(row.store_seq_held, static_cast<uint64_t>(1 + i % 3))
        << row.store_id;
    EXPECT_EQ(row.central_head_seq, 1u) << row.store_id;
  }
}

}  // namespace
}  // namespace storeagent::testing
