#include "core/checkpoint.h"

#include <gtest/gtest.h>

#include "core/journal_chain.h"
#include "platform/signing.h"

namespace storeagent::core {
namespace {

// A checkpoint at seq 11 covering seq 10, whose hash is `hash10`.
class CheckpointTest : public ::testing::Test {
 protected:
  CheckpointTest() : key_(crypto::SigningKey::Generate()) {
    keys_.emplace(key_.key_id(), key_.public_key());
    statement_.set_store_id("store-1");
    statement_.set_covered_seq(10);
    statement_.set_covered_hash(hash10_);
    statement_.set_signed_at_us(1'700'000'000'000'000);
    statement_.mutable_grand_totals()->set_sale_count(7);
    statement_.set_reason("events");
  }

  Status Verify(const v1::JournalRecord& r, uint64_t seq = 11,
                const std::string& prev_hash = "") {
    return VerifyCheckpoint(r.checkpoint(), seq,
                            prev_hash.empty() ? hash10_ : prev_hash, "store-1",
                            keys_)
        .status();
  }

  const std::string hash10_ = std::string(32, '\x2a');
  crypto::SigningKey key_;
  StoreKeys keys_;
  v1::CheckpointStatement statement_;
};

TEST_F(CheckpointTest, ASignedCheckpointVerifiesAndGivesItsStatement) {
  v1::JournalRecord r = MakeCheckpointRecord(statement_, key_);
  EXPECT_EQ(r.client_key().terminal_id(), kCheckpointTerminal);
  EXPECT_EQ(r.client_key().client_txn_id(), "c10");
  EXPECT_EQ(r.checkpoint().key_id(), key_.key_id());
  Result<v1::CheckpointStatement> st =
      VerifyCheckpoint(r.checkpoint(), 11, hash10_, "store-1", keys_);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->grand_totals().sale_count(), 7);
  // It survives the journal's canonical bytes (what the chain stores).
  v1::JournalRecord back;
  ASSERT_TRUE(back.ParseFromString(CanonicalBytes(r)));
  EXPECT_TRUE(Verify(back).ok());
}

TEST_F(CheckpointTest, AMissingSignatureIsRefused) {
  v1::JournalRecord r = MakeCheckpointRecord(statement_, key_);
  r.mutable_checkpoint()->clear_signature();
  Status s = Verify(r);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("seq 11: checkpoint has no signature"),
            std::string::npos)
      << s.message();
}

TEST_F(CheckpointTest, AnEditedStatementDoesNotVerify) {
  v1::JournalRecord r = MakeCheckpointRecord(statement_, key_);
  v1::CheckpointStatement st = statement_;
  st.mutable_grand_totals()->set_sale_count(6);
  r.mutable_checkpoint()->set_statement(st.SerializeAsString());
  Status s = Verify(r);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("signature does not verify"), std::string::npos)
      << s.message();
}

TEST_F(CheckpointTest, AKeyTheStoreNeverRegisteredIsRefused) {
  crypto::SigningKey other = crypto::SigningKey::Generate();
  v1::JournalRecord r = MakeCheckpointRecord(statement_, other);
  Status s = Verify(r);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("never registered"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find(key_.key_id()), std::string::npos)
      << "names the registered key";
  // A key id the peer made up is never echoed whole.
  r.mutable_checkpoint()->set_key_id(std::string(5000, 'k'));
  EXPECT_NE(Verify(r).message().find("(5000 bytes)"), std::string::npos);
  // The other key's signature under the registered key's id fails too.
  r.mutable_checkpoint()->set_key_id(key_.key_id());
  EXPECT_EQ(Verify(r).code(), StatusCode::kDataLoss);
}

TEST_F(CheckpointTest, ARewrittenChainBeforeItIsNamed) {
  v1::JournalRecord r = MakeCheckpointRecord(statement_, key_);
  // Records up to 10 were edited and the chain re-hashed: seq 10's hash
  // is another now.
  Status s = Verify(r, 11, std::string(32, '\x07'));
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("records up to seq 10 were changed after they "
                             "were signed"),
            std::string::npos)
      << s.message();
}

TEST_F(CheckpointTest, ACheckpointMovedElsewhereOrToAnotherStoreIsRefused) {
  v1::JournalRecord r = MakeCheckpointRecord(statement_, key_);
  Status moved = Verify(r, 12);
  EXPECT_EQ(moved.code(), StatusCode::kDataLoss);
  EXPECT_NE(moved.message().find("covers seq 10"), std::string::npos)
      << moved.message();
  Status other =
      VerifyCheckpoint(r.checkpoint(), 11, hash10_, "store-2", keys_).status();
  EXPECT_EQ(other.code(), StatusCode::kDataLoss);
  EXPECT_NE(other.message().find("store-1's, not store-2's"), std::string::npos)
      << other.message();
}

TEST_F(CheckpointTest, AStatementThatDoesNotParseIsRefused) {
  v1::JournalRecord r = MakeCheckpointRecord(statement_, key_);
  r.mutable_checkpoint()->set_statement("\xff\xff\xff");
  EXPECT_NE(Verify(r).message().find("statement does not parse"),
            std::string::npos);
}

}  // namespace
}  // namespace storeagent::core
