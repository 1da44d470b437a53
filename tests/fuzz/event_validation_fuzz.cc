// Fuzz target `event_validation`: one journal record's bytes, as a store
// sends them up (JournalEntry.canonical_record) and central checks them.
//
// Whatever the bytes, nothing crashes, and:
//   * core::TextPassesOnTheWire never passes bytes whose parsed record
//     core::CheckFreeText refuses (the wire check may only be stricter);
//   * central's verdict on the record is the same with the bytes
//     (the one-pass wire check) as without (the reflective walk):
//     IngestProblem(record, bytes) == IngestProblem(record);
//   * the agent's validators give one verdict whether they walk the strings
//     themselves or are told the wire check passed them, when it did;
//   * canonical bytes are stable: parsing CanonicalBytes(r) and taking them
//     again gives the same bytes, and the same ContentDigest and chain hash;
//   * AdoptCanonicalRecord of the bytes leaves the record the bytes hold.
// Seeds: tests/fuzz/corpus/event_validation (make_corpus.cc).
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include <string>
#include <string_view>

#include "central/store/ingest_validation.h"
#include "core/event_validation.h"
#include "core/journal_chain.h"
#include "core/stock_validation.h"
#include "core/text_checks.h"
#include "storeagent/v1/events.pb.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_target.h"

namespace storeagent::fuzz {
namespace {

// The verdicts of the agent's validators on `record`'s body with `text`.
std::string AgentVerdicts(const v1::JournalRecord& record,
                          core::FreeText text) {
  std::string out =
      core::ValidateClientKey(record.client_key(), "record.client_key", text)
          .ToString();
  if (record.has_transaction()) {
    out +=
        "|" + core::ValidateTransaction(record.transaction(), text).ToString();
  }
  return out;
}

void ValidateEveryWay(const v1::JournalRecord& record) {
  // Each validator the agent runs on what the POS sends: none may crash,
  // whatever the verdict.
  if (record.has_transaction()) {
    (void)core::ValidatePosTransaction(record.transaction());
  }
  if (record.has_loyalty()) {
    (void)core::ValidateLoyaltySignal(record.loyalty());
  }
  (void)core::ValidateCallerClientKey(record.client_key(), "client_key");
  if (record.has_stock()) {
    const v1::StockEvent& s = record.stock();
    if (s.has_movement()) {
      (void)core::ValidateStockMovement(s.movement(), "movement");
    }
    if (s.has_count()) (void)core::ValidateStockCount(s.count(), "count");
    if (s.has_hold_placed()) {
      (void)core::ValidateHoldPlaced(s.hold_placed(), record.recorded_at_us(),
                                     "hold");
    }
  }
}

void CheckCanonicalBytes(const v1::JournalRecord& record) {
  const std::string canonical = core::CanonicalBytes(record);
  v1::JournalRecord again;
  FUZZ_CHECK(again.ParseFromString(canonical),
             "CanonicalBytes of a record does not parse");
  FUZZ_CHECK(core::CanonicalBytes(again) == canonical,
             "CanonicalBytes is not stable across a parse");
  FUZZ_CHECK(core::ContentDigest(again) == core::ContentDigest(record),
             "ContentDigest differs across a parse of the canonical bytes");
  const std::string& genesis = core::GenesisHash();
  FUZZ_CHECK(core::ChainHash(genesis, canonical).size() == core::kHashBytes,
             "ChainHash is not 32 bytes");
  if (record.seq() == 1) {  // the first of a chain: it must verify
    core::ChainVerifier verifier(0, genesis);
    const Status s = verifier.Next(
        1, genesis, core::ChainHash(genesis, canonical), canonical);
    FUZZ_CHECK(s.ok(),
               "ChainVerifier refused a chained record: " + s.ToString());
  }
}

}  // namespace
}  // namespace storeagent::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // libprotobuf logs every string with invalid UTF-8 it refuses to parse.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storeagent;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const bool wire_passes =
      core::TextPassesOnTheWire(*v1::JournalRecord::descriptor(), bytes);
  v1::JournalRecord record;
  if (!record.ParseFromArray(data, static_cast<int>(size))) {
    // Not a record: the wire check alone must survive it.
    return 0;
  }
  const Status full = core::CheckFreeText(record, "record");
  FUZZ_CHECK(!wire_passes || full.ok(),
             "TextPassesOnTheWire passed bytes CheckFreeText refuses: " +
                 full.ToString());

  // Central's verdict, with and without the bytes.
  const std::string with_bytes = central::IngestProblem(record, bytes);
  const std::string walked = central::IngestProblem(record);
  FUZZ_CHECK(with_bytes == walked, "IngestProblem with the bytes says '" +
                                       with_bytes + "', without '" + walked +
                                       "'");
  if (wire_passes) {
    const std::string told =
        fuzz::AgentVerdicts(record, core::FreeText::kPassedOnTheWire);
    const std::string checked =
        fuzz::AgentVerdicts(record, core::FreeText::kCheck);
    FUZZ_CHECK(told == checked, "validators told the wire passed say '" + told +
                                    "', walking '" + checked + "'");
  }
  fuzz::ValidateEveryWay(record);
  fuzz::CheckCanonicalBytes(record);

  // The receiving side: adopt the bytes as a 0.4 entry's.
  v1::JournalEntry entry;
  entry.set_canonical_record(std::string(bytes));
  entry.mutable_record()->set_seq(record.seq());
  FUZZ_CHECK(core::AdoptCanonicalRecord(entry, "entry").ok(),
             "AdoptCanonicalRecord refused bytes that parse");
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(entry.record(),
                                                                record),
             "AdoptCanonicalRecord left another record than the bytes hold");
  FUZZ_CHECK(core::EntryCanonicalBytes(entry) == bytes,
             "EntryCanonicalBytes is not the canonical_record set");
  return 0;
}
