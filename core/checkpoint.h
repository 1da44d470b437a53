// Signed checkpoints (docs/security.md, "Signed checkpoints"): what the
// agent signs into its journal every so often, and how anyone holding the
// store's public key checks one against the chain.
//
// A checkpoint is the journal record right after the one it covers: its
// statement names (store, covered_seq = its own seq - 1, covered_hash = the
// chain hash there = its own prev_hash, the time, the perpetual grand
// totals), serialized once, and the signature covers exactly those bytes
// behind a domain prefix. Whoever rewrites a record a checkpoint covers and
// re-hashes the chain changes the covered hash, and cannot sign again
// without the key.
#ifndef STOREAGENT_CORE_CHECKPOINT_H_
#define STOREAGENT_CORE_CHECKPOINT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "platform/signing.h"
#include "platform/status.h"
#include "storeagent/v1/events.pb.h"

namespace storeagent::core {

// The client key's terminal of every checkpoint record; its client_txn_id
// is "c<covered_seq>".
inline constexpr std::string_view kCheckpointTerminal = "storeagent:checkpoint";

// The bytes a checkpoint's signature covers.
std::string CheckpointSignedBytes(std::string_view statement);

// The checkpoint record to append after (covered_seq, covered_hash): body,
// client key; seq and recorded_at are the journal's to fill in.
v1::JournalRecord MakeCheckpointRecord(const v1::CheckpointStatement& statement,
                                       const crypto::SigningKey& key);

// A store's registered public keys by key id.
using StoreKeys = std::map<std::string, std::string, std::less<>>;

// Checks the checkpoint record at `seq`, whose chain predecessor has hash
// `prev_hash`, for `store_id`, against `keys`. Returns its statement, or
// DATA_LOSS "seq N: checkpoint ..." saying what is wrong: no signature, a
// statement that does not parse, another store, a key the store never
// registered, a signature that does not verify, or a statement that covers
// another seq or another hash than the chain holds (records up to seq - 1
// changed after they were signed). Thread-safe.
Result<v1::CheckpointStatement> VerifyCheckpoint(const v1::Checkpoint& cp,
                                                 uint64_t seq,
                                                 std::string_view prev_hash,
                                                 std::string_view store_id,
                                                 const StoreKeys& keys);

}  // namespace storeagent::core

#endif  // STOREAGENT_CORE_CHECKPOINT_H_
