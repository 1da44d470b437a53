// Fuzz target `central_ingest`: central's ingest of one sync batch from a
// store (CentralStore::IngestBatch on the SQLite backend, in memory), after
// what the sync stream does on receipt (core::AdoptCanonicalRecord).
//
// The input is one flags byte, then a v1::EventBatch. Flags bit 0 numbers
// the entries 1, 2, 3 ...; bit 1 sets each entry's prev_hash and hash so
// that they chain from the genesis hash; so a mutated record still reaches
// validation, quarantine and the apply (without them almost every mutation
// stops at the seq or hash check). Each input goes to a store of its own.
//
// Whatever the batch, nothing crashes, and:
//   * a refused batch (FAILED_PRECONDITION, DATA_LOSS, INVALID_ARGUMENT)
//     changes nothing: no entry is held for the store;
//   * an ingested one holds exactly the entries up to its acked_seq, each
//     with the bytes and hashes sent, chaining from genesis; every new
//     entry is either applied or quarantined;
//   * sending the same batch again is OK and changes nothing.
// Seeds: tests/fuzz/corpus/central_ingest (make_corpus.cc).
#include <google/protobuf/stubs/logging.h>

#include <memory>
#include <string>
#include <vector>

#include "central/store/central_store.h"
#include "central/store/sqlite_central_store.h"
#include "core/journal_chain.h"
#include "storeagent/v1/sync.pb.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_target.h"

namespace storeagent::fuzz {
namespace {

constexpr int64_t kNowUs = 1'800'000'000'000'000;
// Inputs a store serves before it is opened anew (memory stays bounded).
constexpr int kInputsPerStore = 2000;

std::unique_ptr<central::CentralStore>& Store() {
  static std::unique_ptr<central::CentralStore> store;
  return store;
}

central::CentralStore& FreshEnoughStore() {
  static int served = 0;
  if (!Store() || ++served >= kInputsPerStore) {
    Store().reset();
    served = 0;
    Result<std::unique_ptr<central::CentralStore>> s =
        central::OpenSqliteCentralStore(":memory:");
    FUZZ_CHECK(s.ok(), "opening central's store: " + s.status().ToString());
    Store() = std::move(s).value();
  }
  return *Store();
}

void Repair(uint8_t flags, std::vector<v1::JournalEntry>& entries) {
  std::string prev = core::GenesisHash();
  for (size_t i = 0; i < entries.size(); ++i) {
    v1::JournalEntry& e = entries[i];
    if (flags & 1) e.mutable_record()->set_seq(i + 1);
    if (flags & 2) {
      e.set_prev_hash(prev);
      e.set_hash(core::ChainHash(prev, core::EntryCanonicalBytes(e)));
      prev = e.hash();
    }
  }
}

std::vector<v1::JournalEntry> Held(central::CentralStore& store,
                                   const std::string& id) {
  Result<std::vector<v1::JournalEntry>> held =
      store.ReadStoreEvents(id, 0, 0, 100'000);
  FUZZ_CHECK(held.ok(), "ReadStoreEvents: " + held.status().ToString());
  return std::move(held).value();
}

void CheckIngested(central::CentralStore& store, const std::string& id,
                   const std::vector<v1::JournalEntry>& sent,
                   const central::IngestResult& r) {
  const std::vector<v1::JournalEntry> held = Held(store, id);
  FUZZ_CHECK(held.size() == r.acked_seq, std::to_string(held.size()) +
                                             " entries held, acked_seq " +
                                             std::to_string(r.acked_seq));
  core::ChainVerifier verifier(0, core::GenesisHash());
  for (const v1::JournalEntry& e : held) {
    const Status s = verifier.Next(e.record().seq(), e.prev_hash(), e.hash(),
                                   core::EntryCanonicalBytes(e));
    FUZZ_CHECK(s.ok(), "the chain held does not verify: " + s.ToString());
  }
  size_t fresh = 0;
  for (const v1::JournalEntry& e : sent) {
    if (e.record().seq() == 0) continue;
    ++fresh;
    const v1::JournalEntry& h = held.at(e.record().seq() - 1);
    FUZZ_CHECK(
        h.hash() == e.hash() &&
            core::EntryCanonicalBytes(h) == core::EntryCanonicalBytes(e),
        "seq " + std::to_string(e.record().seq()) + " is not held as sent");
  }
  FUZZ_CHECK(r.applied.size() + r.quarantined.size() == fresh,
             std::to_string(r.applied.size()) + " applied + " +
                 std::to_string(r.quarantined.size()) + " quarantined of " +
                 std::to_string(fresh));
  // The same batch again: a resend, skipped whole.
  Result<central::IngestResult> again = store.IngestBatch(id, sent, kNowUs);
  FUZZ_CHECK(again.ok(), "a resent batch: " + again.status().ToString());
  FUZZ_CHECK(again->applied.empty() && again->quarantined.empty() &&
                 again->acked_seq == r.acked_seq,
             "a resent batch changed something");
}

}  // namespace
}  // namespace storeagent::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace storeagent;
  if (size < 1) return -1;
  v1::EventBatch batch;
  if (!batch.ParseFromArray(data + 1, static_cast<int>(size - 1))) return -1;
  std::vector<v1::JournalEntry> entries(batch.entries().begin(),
                                        batch.entries().end());
  fuzz::Repair(data[0], entries);
  for (size_t i = 0; i < entries.size(); ++i) {
    // What the sync stream does on receipt; it refuses the batch on error.
    if (!core::AdoptCanonicalRecord(entries[i], "entry").ok()) return 0;
  }
  static uint64_t inputs = 0;
  const std::string id = "S-" + std::to_string(++inputs);
  central::CentralStore& store = fuzz::FreshEnoughStore();
  Result<central::IngestResult> r =
      store.IngestBatch(id, entries, fuzz::kNowUs);
  if (!r.ok()) {
    const StatusCode c = r.status().code();
    FUZZ_CHECK(c == StatusCode::kFailedPrecondition ||
                   c == StatusCode::kDataLoss ||
                   c == StatusCode::kInvalidArgument,
               "refused with " + r.status().ToString());
    FUZZ_CHECK(fuzz::Held(store, id).empty(),
               "a refused batch left entries: " + r.status().ToString());
    return 0;
  }
  fuzz::CheckIngested(store, id, entries, *r);
  return 0;
}
