#include "core/journal_archive.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/day_totals.h"
#include "core/event_kind.h"
#include "core/journal_chain.h"
#include "platform/signing.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::core {
namespace {

// A journal built here as the agent builds one: sales, a post-void, and a
// checkpoint after every `every` records, each carrying the grand totals.
class ArchiveTest : public ::testing::Test {
 protected:
  ArchiveTest() : key_(crypto::SigningKey::Generate()) {}

  void Add(v1::JournalRecord r) {
    r.set_seq(entries_.size() + 1);
    r.set_recorded_at_us(1'000'000 * static_cast<int64_t>(r.seq()));
    if (r.has_transaction() && !r.transaction().has_daily_close()) {
      const v1::JournalRecord* voided = nullptr;
      if (r.transaction().has_post_void()) {
        for (const v1::JournalRecord& rec : records_) {
          if (rec.client_key().client_txn_id() ==
              r.transaction().post_void().original().client_txn_id()) {
            voided = &rec;
          }
        }
      }
      totals_.Add(r, voided);
    }
    ArchiveEntry e;
    e.seq = r.seq();
    e.kind = std::string(EventKind(r));
    e.recorded_at_us = r.recorded_at_us();
    e.prev_hash = entries_.empty() ? GenesisHash() : entries_.back().hash;
    e.canonical = CanonicalBytes(r);
    e.hash = ChainHash(e.prev_hash, e.canonical);
    entries_.push_back(e);
    records_.push_back(r);
  }

  void Checkpoint() {
    v1::CheckpointStatement st;
    st.set_store_id("store-1");
    st.set_covered_seq(entries_.size());
    st.set_covered_hash(entries_.back().hash);
    st.set_signed_at_us(42);
    *st.mutable_grand_totals() = totals_.Totals();
    st.set_reason("events");
    Add(MakeCheckpointRecord(st, key_));
  }

  void Build(int sales, int every) {
    for (int i = 1; i <= sales; ++i) {
      v1::JournalRecord r;
      *r.mutable_client_key() = test::SampleClientKey("s" + std::to_string(i));
      *r.mutable_transaction() = test::SampleSale(1 + i % 4);
      Add(r);
      if (i == 7) {
        v1::JournalRecord v;
        *v.mutable_client_key() = test::SampleClientKey("v1");
        *v.mutable_transaction() = test::SamplePostVoid();
        *v.mutable_transaction()->mutable_post_void()->mutable_original() =
            test::SampleClientKey("s5");
        Add(v);
      }
      if (i % every == 0) Checkpoint();
    }
  }

  // The archive of entries [first, last] (1-based seqs).
  std::string Archive(uint64_t first, uint64_t last) {
    ArchiveManifest m;
    m.store_id = "store-1";
    m.from_day = m.to_day = "2026-03-14";
    m.first_seq = first;
    m.last_seq = last;
    m.keys.emplace(key_.key_id(), key_.public_key());
    std::string out = ArchiveManifestLine(m);
    for (uint64_t s = first; s <= last; ++s) {
      out += ArchiveEntryLine(entries_[s - 1]);
    }
    return out;
  }

  ArchiveReport Verify(const std::string& archive, StoreKeys trusted = {}) {
    std::istringstream in(archive);
    Result<ArchiveReport> r = VerifyArchive(in, trusted);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ArchiveReport{};
  }

  crypto::SigningKey key_;
  DayTotalsBuilder totals_ = DayTotalsBuilder::Perpetual({});
  std::vector<ArchiveEntry> entries_;
  std::vector<v1::JournalRecord> records_;
};

TEST_F(ArchiveTest, AnIntactArchiveProvesItsChainSignaturesAndTotals) {
  // 30 sales, a post-void (seq 8) and checkpoints at seqs 12, 23 and 34.
  Build(30, 10);
  ASSERT_EQ(entries_.size(), 34u);
  ArchiveReport r = Verify(Archive(1, 34));
  EXPECT_TRUE(r.problem.ok()) << r.problem.ToString();
  EXPECT_EQ(r.records, 34u);
  EXPECT_EQ(r.checkpoints_verified, 3u);
  EXPECT_EQ(r.signed_from_seq, 1u);
  EXPECT_EQ(r.signed_through_seq, 33u);
  EXPECT_EQ(r.totals_spans_checked, 2u);
  // The archive's own key: a note says what that does not prove.
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("not who signed"), std::string::npos);
}

TEST_F(ArchiveTest, ARunStartingAtACheckpointChecksTheTotalsAfterIt) {
  Build(30, 10);
  ArchiveReport r = Verify(Archive(12, 34));
  EXPECT_TRUE(r.problem.ok()) << r.problem.ToString();
  EXPECT_EQ(r.checkpoints_verified, 3u);
  EXPECT_EQ(r.totals_spans_checked, 2u);
}

TEST_F(ArchiveTest, AnEditedAndRehashedRecordFailsAtTheNextCheckpoint) {
  Build(30, 10);
  // Seq 14's record edited, and the chain re-hashed from it.
  v1::JournalRecord r;
  ASSERT_TRUE(r.ParseFromString(entries_[13].canonical));
  r.mutable_transaction()->mutable_sale()->set_receipt_number("EDITED");
  entries_[13].canonical = CanonicalBytes(r);
  for (size_t i = 13; i < entries_.size(); ++i) {
    entries_[i].prev_hash = entries_[i - 1].hash;
    entries_[i].hash = ChainHash(entries_[i].prev_hash, entries_[i].canonical);
  }
  ArchiveReport rep = Verify(Archive(1, 34));
  EXPECT_EQ(rep.problem.code(), StatusCode::kDataLoss);
  EXPECT_EQ(rep.first_bad_seq, 23u);
  EXPECT_NE(rep.problem.message().find("changed after they were signed"),
            std::string::npos)
      << rep.problem.message();
}

TEST_F(ArchiveTest, AnEditedRecordWithoutRehashIsNamedAtItsSeq) {
  Build(20, 10);
  entries_[4].canonical[3] = static_cast<char>(entries_[4].canonical[3] ^ 1);
  ArchiveReport r = Verify(Archive(1, 22));
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.first_bad_seq, 5u);
}

TEST_F(ArchiveTest, SignedTotalsThatDisagreeWithTheRecordsAreRefused) {
  Build(20, 10);
  // The second checkpoint re-signed (with the store's key) over totals
  // that leave a sale out: the signature verifies, the sum does not.
  v1::JournalRecord cp;
  ASSERT_TRUE(cp.ParseFromString(entries_[22].canonical));
  ASSERT_TRUE(cp.has_checkpoint());
  v1::CheckpointStatement st;
  ASSERT_TRUE(st.ParseFromString(cp.checkpoint().statement()));
  st.mutable_grand_totals()->set_sale_count(st.grand_totals().sale_count() - 1);
  v1::JournalRecord forged = MakeCheckpointRecord(st, key_);
  forged.set_seq(cp.seq());
  forged.set_recorded_at_us(cp.recorded_at_us());
  entries_[22].canonical = CanonicalBytes(forged);
  entries_[22].hash = ChainHash(entries_[22].prev_hash, entries_[22].canonical);
  ArchiveReport r = Verify(Archive(1, 23));
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.first_bad_seq, 23u);
  EXPECT_NE(r.problem.message().find("grand totals"), std::string::npos)
      << r.problem.message();
}

TEST_F(ArchiveTest, ACutShortArchiveOrAnotherKeyIsRefused) {
  Build(20, 10);
  std::string whole = Archive(1, 23);
  std::string cut = whole.substr(0, whole.rfind('\n', whole.size() - 2) + 1);
  ArchiveReport r = Verify(cut);
  EXPECT_EQ(r.problem.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.problem.message().find("cut short"), std::string::npos);
  crypto::SigningKey other = crypto::SigningKey::Generate();
  StoreKeys trusted;
  trusted.emplace(other.key_id(), other.public_key());
  ArchiveReport k = Verify(whole, trusted);
  EXPECT_EQ(k.problem.code(), StatusCode::kDataLoss);
  EXPECT_NE(k.problem.message().find("never registered"), std::string::npos);
  EXPECT_TRUE(k.notes.empty()) << "trusted keys given: no note";
}

TEST_F(ArchiveTest, APostVoidOfAnEarlierTransactionIsNotedNotRefused) {
  // Checkpoints at 7, 14, ...; the void at seq 9 voids s5 (seq 5), which a
  // run from the checkpoint at 7 does not hold.
  Build(20, 6);
  ArchiveReport r = Verify(Archive(7, entries_.size()));
  EXPECT_TRUE(r.problem.ok()) << r.problem.ToString();
  bool noted = false;
  for (const std::string& n : r.notes) {
    noted = noted || n.find("before the archive") != std::string::npos;
  }
  EXPECT_TRUE(noted);
}

TEST_F(ArchiveTest, WhatIsNotAnArchiveIsSaidSo) {
  std::istringstream empty("");
  EXPECT_EQ(VerifyArchive(empty, {}).status().code(),
            StatusCode::kInvalidArgument);
  std::istringstream other("{\"format\":\"zip\"}\n");
  Result<ArchiveReport> r = VerifyArchive(other, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("format"), std::string::npos);
}

}  // namespace
}  // namespace storeagent::core
