// core/journal_chain.h: which bytes an entry's hash covers, and adopting a
// record from its canonical bytes.
#include "core/journal_chain.h"

#include <gtest/gtest.h>

#include <string>

namespace storeagent::core {
namespace {

v1::JournalRecord NoSale(uint64_t seq) {
  v1::JournalRecord r;
  r.set_seq(seq);
  r.set_recorded_at_us(1'800'000'000'000'000);
  r.mutable_client_key()->set_terminal_id("T1");
  r.mutable_client_key()->set_client_txn_id("chain-1");
  r.mutable_transaction()->mutable_no_sale()->set_reason("drawer");
  return r;
}

// Field 1000 (varint 7), unknown to this build, before the known fields.
std::string NewerBytes(const v1::JournalRecord& r) {
  return std::string("\xc0\x3e\x07", 3) + CanonicalBytes(r);
}

TEST(JournalChain, AnEntrysBytesAreItsCanonicalRecordWhenSet) {
  v1::JournalEntry e;
  *e.mutable_record() = NoSale(4);
  EXPECT_EQ(EntryCanonicalBytes(e), CanonicalBytes(e.record()));
  const std::string bytes = NewerBytes(e.record());
  e.set_canonical_record(bytes);
  EXPECT_EQ(EntryCanonicalBytes(e), bytes);
}

TEST(JournalChain, AdoptingParsesTheBytesOverTheRecordSent) {
  const v1::JournalRecord r = NoSale(4);
  const std::string bytes = NewerBytes(r);
  v1::JournalEntry e;
  e.mutable_record()->set_seq(99);  // whatever the sender put there
  e.set_canonical_record(bytes);
  ASSERT_TRUE(AdoptCanonicalRecord(e, "entries[0]").ok());
  EXPECT_EQ(e.record().seq(), 4u);
  EXPECT_EQ(e.record().client_key().client_txn_id(), "chain-1");
  EXPECT_TRUE(e.record().transaction().has_no_sale());
  // Re-serialized, the unknown field moves: only the bytes hash right.
  EXPECT_NE(CanonicalBytes(e.record()), bytes);
  EXPECT_EQ(e.canonical_record(), bytes);

  v1::JournalEntry plain;
  *plain.mutable_record() = r;
  ASSERT_TRUE(AdoptCanonicalRecord(plain, "entries[0]").ok());  // 0.3: no-op
  EXPECT_EQ(plain.record().seq(), 4u);
}

TEST(JournalChain, ARecordSentBesideItsOwnBytesIsKeptAnyOtherReplaced) {
  const v1::JournalRecord r = NoSale(4);
  v1::JournalEntry same;
  *same.mutable_record() = r;
  same.set_canonical_record(CanonicalBytes(r));
  ASSERT_TRUE(AdoptCanonicalRecord(same, "entries[0]").ok());
  EXPECT_EQ(CanonicalBytes(same.record()), CanonicalBytes(r));
  // A record of the same size that is not the bytes' record: the bytes win.
  v1::JournalEntry edited = same;
  edited.mutable_record()->mutable_client_key()->set_client_txn_id("chain-2");
  ASSERT_EQ(edited.record().ByteSizeLong(), r.ByteSizeLong());
  ASSERT_TRUE(AdoptCanonicalRecord(edited, "entries[0]").ok());
  EXPECT_EQ(edited.record().client_key().client_txn_id(), "chain-1");
}

TEST(JournalChain, BytesThatDoNotParseAreDataLossNamingWhere) {
  v1::JournalEntry e;
  e.mutable_record()->set_seq(7);
  e.set_canonical_record(std::string("\xff\xff\xff", 3));
  Status s = AdoptCanonicalRecord(e, "events.entries[2]");
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("events.entries[2]: canonical_record"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(e.record().seq(), 7u);  // unchanged
}

}  // namespace
}  // namespace storeagent::core
