#include "core/checkpoint.h"

#include "platform/crypto.h"

namespace storeagent::core {
namespace {

constexpr std::string_view kDomain{"storeagent checkpoint v1\0", 25};

Status Bad(uint64_t seq, const std::string& what) {
  return DataLoss("seq " + std::to_string(seq) + ": checkpoint " + what);
}

std::string ShortHex(std::string_view bytes) {
  return crypto::ToHex(bytes.substr(0, 8));
}

// A name the peer sent (a key id, a store id) as it may be shown in an
// error that is logged and kept on the store's row: as sent when short and
// printable, else only its size.
std::string Shown(std::string_view name) {
  bool plain = !name.empty() && name.size() <= 64;
  for (char c : name) plain = plain && c > ' ' && c <= '~';
  return plain ? std::string(name)
               : "(" + std::to_string(name.size()) + " bytes)";
}

}  // namespace

std::string CheckpointSignedBytes(std::string_view statement) {
  std::string out;
  out.reserve(kDomain.size() + statement.size());
  out.append(kDomain);
  out.append(statement);
  return out;
}

v1::JournalRecord MakeCheckpointRecord(const v1::CheckpointStatement& statement,
                                       const crypto::SigningKey& key) {
  v1::JournalRecord r;
  r.mutable_client_key()->set_terminal_id(std::string(kCheckpointTerminal));
  r.mutable_client_key()->set_client_txn_id(
      "c" + std::to_string(statement.covered_seq()));
  v1::Checkpoint* cp = r.mutable_checkpoint();
  std::string bytes;
  statement.SerializeToString(&bytes);
  cp->set_signature(key.Sign(CheckpointSignedBytes(bytes)));
  cp->set_statement(std::move(bytes));
  cp->set_key_id(key.key_id());
  return r;
}

Result<v1::CheckpointStatement> VerifyCheckpoint(const v1::Checkpoint& cp,
                                                 uint64_t seq,
                                                 std::string_view prev_hash,
                                                 std::string_view store_id,
                                                 const StoreKeys& keys) {
  if (cp.signature().empty()) return Bad(seq, "has no signature");
  v1::CheckpointStatement st;
  if (cp.statement().empty() || !st.ParseFromString(cp.statement())) {
    return Bad(seq, "statement does not parse");
  }
  auto key = keys.find(cp.key_id());
  if (key == keys.end()) {
    std::string known;
    for (const auto& [id, unused] : keys) {
      known += (known.empty() ? "" : ", ") + id;
    }
    return Bad(seq, "is signed by key " + Shown(cp.key_id()) +
                        ", which store " + std::string(store_id) +
                        " never registered (registered: " +
                        (known.empty() ? "none" : known) + ")");
  }
  if (!crypto::VerifyEd25519(key->second, CheckpointSignedBytes(cp.statement()),
                             cp.signature())) {
    return Bad(seq, "signature does not verify with key " + Shown(cp.key_id()) +
                        ": the checkpoint was changed after it was signed");
  }
  if (st.store_id() != store_id) {
    return Bad(seq, "is store " + Shown(st.store_id()) + "'s, not " +
                        std::string(store_id) + "'s");
  }
  if (st.covered_seq() + 1 != seq) {
    return Bad(seq, "covers seq " + std::to_string(st.covered_seq()) +
                        ", not the record before it (" +
                        std::to_string(seq - 1) + ")");
  }
  if (st.covered_hash() != prev_hash) {
    return Bad(seq, "signed hash " + ShortHex(st.covered_hash()) +
                        "... for seq " + std::to_string(st.covered_seq()) +
                        " but the chain holds " + ShortHex(prev_hash) +
                        "... there: records up to seq " +
                        std::to_string(st.covered_seq()) +
                        " were changed after they were signed");
  }
  return st;
}

}  // namespace storeagent::core
