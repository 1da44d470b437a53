// The journal's hash chain: canonical bytes, chain hashes and verification.
//
// A journal record's canonical bytes are its deterministic protobuf
// serialization, taken once when the record is written and stored verbatim.
// hash(n) = SHA-256(hash(n-1) || canonical_bytes(n)), hash(0) = 32 zero bytes.
// Verifiers hash the stored bytes and never re-encode, and the sync stream
// carries them verbatim (JournalEntry.canonical_record), so two builds
// (agent and central) cannot disagree about a record they both hold.
#ifndef STOREAGENT_CORE_JOURNAL_CHAIN_H_
#define STOREAGENT_CORE_JOURNAL_CHAIN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "platform/status.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

inline constexpr size_t kHashBytes = 32;

// The prev_hash of seq 1.
const std::string& GenesisHash();

// Deterministic serialization of `record`.
std::string CanonicalBytes(const v1::JournalRecord& record);

// SHA-256(prev_hash || canonical).
std::string ChainHash(std::string_view prev_hash, std::string_view canonical);

// The bytes an entry's hash covers: its canonical_record, verbatim, when the
// sender set it (0.4, docs/sync-protocol.md "Record bytes"); else the
// record re-serialized here (a 0.3 sender).
std::string EntryCanonicalBytes(const v1::JournalEntry& entry);

// Makes `entry.record()` the record its canonical_record holds, so every
// check after reads what the hash covers: kept as sent when it re-serializes
// to exactly those bytes (sender and receiver built alike: no parse),
// otherwise parsed from the bytes, replacing whatever the sender put in
// `record`. Nothing to do when canonical_record is empty.
// DATA_LOSS "<where>: canonical_record does not parse" when the bytes are
// no JournalRecord (`entry` is then unchanged).
Status AdoptCanonicalRecord(v1::JournalEntry& entry, std::string_view where);

// What a retry is compared on: SHA-256 of the record's canonical bytes with
// seq and recorded_at cleared (client key and body only), and without what
// the agent adds to what the POS sent: a sale's price check
// (price_book_central_seq, each line's price_deviation), which may differ
// between a call and its retry when the price book moved in between, and an
// enrolment's contact details (contact, sealed_contact). Sealing is
// randomised, and anything deterministic stored about the contact details
// (even a keyed digest: the key is on the box) would let whoever holds the
// box test guesses, so a retry is compared on everything but them. The same
// digest whether the record was recorded here or re-seeded from central.
std::string ContentDigest(const v1::JournalRecord& record);

// Checks a run of stored entries in seq order, one call per entry.
// Not thread-safe; one verifier per walk.
class ChainVerifier {
 public:
  // The chain starts after (anchor_seq, anchor_hash): (0, GenesisHash()) for
  // a journal that was never pruned.
  ChainVerifier(uint64_t anchor_seq, std::string anchor_hash);

  // Checks the next stored entry. Returns DATA_LOSS naming the seq and what
  // is wrong: a gap (a deleted row), a seq out of order, a prev_hash that does
  // not continue the chain (reordered or inserted rows), a hash that does not
  // match the content (an edited row), or a record whose own seq disagrees
  // with its row.
  Status Next(uint64_t seq, std::string_view prev_hash, std::string_view hash,
              std::string_view canonical);

  uint64_t last_seq() const { return last_seq_; }
  const std::string& last_hash() const { return last_hash_; }

 private:
  uint64_t last_seq_;
  std::string last_hash_;
};

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_JOURNAL_CHAIN_H_
