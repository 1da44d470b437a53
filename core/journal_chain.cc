#include "core/journal_chain.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "platform/crypto.h"

namespace storeagent::core {

const std::string& GenesisHash() {
  static const std::string kGenesis(kHashBytes, '\0');
  return kGenesis;
}

std::string CanonicalBytes(const v1::JournalRecord& record) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream raw(&out);
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    record.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string ChainHash(std::string_view prev_hash, std::string_view canonical) {
  return std::string(
      crypto::AsBytes(crypto::Sha256Concat(prev_hash, canonical)));
}

std::string EntryCanonicalBytes(const v1::JournalEntry& entry) {
  if (!entry.canonical_record().empty()) return entry.canonical_record();
  return CanonicalBytes(entry.record());
}

Status AdoptCanonicalRecord(v1::JournalEntry& entry, std::string_view where) {
  if (entry.canonical_record().empty()) return Status::Ok();
  // The sender's record re-serializes to exactly these bytes (both ends
  // built alike): it is the record they hold, no parse needed.
  // (A seq-only record, bytes only, is a few bytes: cheap, never equal.)
  if (entry.has_record() &&
      CanonicalBytes(entry.record()) == entry.canonical_record()) {
    return Status::Ok();
  }
  v1::JournalRecord parsed;
  if (!parsed.ParseFromString(entry.canonical_record())) {
    return DataLoss(std::string(where) +
                    ": canonical_record does not parse as a JournalRecord");
  }
  *entry.mutable_record() = std::move(parsed);
  return Status::Ok();
}

namespace {

// True when `record` holds something ContentDigest leaves out besides seq
// and recorded_at.
bool HasAgentParts(const v1::JournalRecord& record) {
  if (record.has_transaction() && record.transaction().has_sale()) {
    const v1::Sale& sale = record.transaction().sale();
    if (sale.price_book_central_seq() != 0) return true;
    for (const v1::TransactionLine& l : sale.lines()) {
      if (l.has_price_deviation()) return true;
    }
  }
  if (record.has_loyalty() && record.loyalty().has_enrolled()) {
    const v1::MemberEnrolled& e = record.loyalty().enrolled();
    return e.has_contact() || !e.sealed_contact().empty();
  }
  return false;
}

}  // namespace

std::string ContentDigest(const v1::JournalRecord& record) {
  if (record.seq() == 0 && record.recorded_at_us() == 0 &&
      !HasAgentParts(record)) {
    return std::string(crypto::AsBytes(crypto::Sha256(CanonicalBytes(record))));
  }
  v1::JournalRecord content = record;
  content.clear_seq();
  content.clear_recorded_at_us();
  if (content.has_transaction() && content.transaction().has_sale()) {
    v1::Sale* sale = content.mutable_transaction()->mutable_sale();
    sale->clear_price_book_central_seq();
    for (v1::TransactionLine& l : *sale->mutable_lines()) {
      l.clear_price_deviation();
    }
  }
  if (content.has_loyalty() && content.loyalty().has_enrolled()) {
    v1::MemberEnrolled* e = content.mutable_loyalty()->mutable_enrolled();
    e->clear_contact();
    e->clear_sealed_contact();
  }
  return std::string(crypto::AsBytes(crypto::Sha256(CanonicalBytes(content))));
}

ChainVerifier::ChainVerifier(uint64_t anchor_seq, std::string anchor_hash)
    : last_seq_(anchor_seq), last_hash_(std::move(anchor_hash)) {}

Status ChainVerifier::Next(uint64_t seq, std::string_view prev_hash,
                           std::string_view hash, std::string_view canonical) {
  const std::string at = "seq " + std::to_string(seq) + ": ";
  if (seq != last_seq_ + 1) {
    if (seq > last_seq_ + 1) {
      return DataLoss(at + "gap: seq " + std::to_string(last_seq_ + 1) +
                      " is missing (deleted?)");
    }
    return DataLoss(at + "out of order after seq " + std::to_string(last_seq_));
  }
  if (prev_hash != last_hash_) {
    return DataLoss(at +
                    "prev_hash does not continue the chain (reordered or "
                    "inserted row?)");
  }
  if (ChainHash(prev_hash, canonical) != hash) {
    return DataLoss(at + "hash does not match the content (edited row?)");
  }
  v1::JournalRecord record;
  if (!record.ParseFromString(std::string(canonical))) {
    return DataLoss(at + "record bytes do not parse");
  }
  if (record.seq() != seq) {
    return DataLoss(at + "record says seq " + std::to_string(record.seq()) +
                    " (moved row?)");
  }
  last_seq_ = seq;
  last_hash_ = std::string(hash);
  return Status::Ok();
}

}  // namespace storeagent::core
