#include "tests/fault/till_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <memory>

#include "platform/crypto.h"
#include "tests/unit/core/sample_events.h"

namespace storeagent::testing {
namespace {

constexpr int kSaleLines = 5;
// Generous: a healthy agent answers in milliseconds. A call that runs out
// of it while the agent is alive is reported as an error.
constexpr int kCallDeadlineMs = 10000;

}  // namespace

TillClient::TillClient(int index, const std::string& log_path, uint32_t seed)
    : terminal_("T" + std::to_string(index)),
      log_(log_path),
      rng_(seed),
      sale_(test::SampleSale(kSaleLines)) {}

v1::ClientKey TillClient::Key(const std::string& terminal,
                              const std::string& client_txn_id) {
  v1::ClientKey key;
  key.set_terminal_id(terminal);
  key.set_client_txn_id(client_txn_id);
  return key;
}

void TillClient::Error(const std::string& txn_id, const std::string& what) {
  errors_.push_back("(" + terminal_ + ", " + txn_id + "): " + what);
}

void TillClient::RunCycle(const AgentProcess& agent, int cycle,
                          const std::atomic<bool>& killing) {
  std::unique_ptr<v1::PosService::Stub> stub = agent.NewStub();

  // 1. Retry the sales whose answer the last crash swallowed.
  const std::vector<std::string> retry = lost_;
  for (const std::string& txn_id : retry) {
    if (Send(*stub, txn_id, killing) != Outcome::kAcked) return;
  }
  // 2. Re-send one acknowledged sale: it must be replayed, not recorded.
  if (!acked_.empty()) {
    auto it = acked_.begin();
    std::advance(it, static_cast<long>(rng_() % acked_.size()));
    const std::string txn_id = it->first;
    if (Send(*stub, txn_id, killing) != Outcome::kAcked) return;
  }
  // 3. New sales until the agent dies.
  for (int n = 0; n < kMaxCallsPerCycle; ++n) {
    const std::string txn_id = std::to_string(cycle) + "-" + std::to_string(n);
    if (Send(*stub, txn_id, killing) != Outcome::kAcked) return;
  }
}

TillClient::Outcome TillClient::Send(v1::PosService::Stub& stub,
                                     const std::string& txn_id,
                                     const std::atomic<bool>& killing) {
  attempted_.insert(txn_id);
  v1::RecordTransactionRequest request;
  *request.mutable_client_key() = Key(terminal_, txn_id);
  *request.mutable_transaction() = sale_;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(kCallDeadlineMs));
  v1::RecordTransactionResponse reply;
  const grpc::Status s = stub.RecordTransaction(&ctx, request, &reply);
  if (s.ok()) return Answered(txn_id, reply);

  // The flag is set before the kill, so a failure seen while it is clear
  // happened with a live agent.
  if (!killing.load() || s.error_code() != grpc::StatusCode::UNAVAILABLE) {
    Error(txn_id, std::string(killing.load() ? "while killing" : "live agent") +
                      " answered code " + std::to_string(s.error_code()) +
                      ": " + s.error_message());
    return Outcome::kBroken;
  }
  ++stats_.lost;
  if (acked_.count(txn_id) == 0 &&
      std::find(lost_.begin(), lost_.end(), txn_id) == lost_.end()) {
    if (rng_() % 4 == 0) {
      abandoned_.insert(txn_id);
    } else {
      lost_.push_back(txn_id);
    }
  }
  return Outcome::kLost;
}

TillClient::Outcome TillClient::Answered(
    const std::string& txn_id, const v1::RecordTransactionResponse& reply) {
  if (reply.seq() == 0 || reply.hash().size() != 32) {
    Error(txn_id, "OK without a seq and a 32-byte hash");
    return Outcome::kBroken;
  }
  if (auto it = acked_.find(txn_id); it != acked_.end()) {
    if (!reply.replayed() || reply.seq() != it->second.seq ||
        reply.hash() != it->second.hash) {
      Error(txn_id, "re-sent acknowledged sale (seq " +
                        std::to_string(it->second.seq) + ") answered seq " +
                        std::to_string(reply.seq()) +
                        " replayed=" + (reply.replayed() ? "true" : "false") +
                        (reply.hash() != it->second.hash ? " other hash" : ""));
      return Outcome::kBroken;
    }
    ++stats_.replays_of_acked;
    return Outcome::kAcked;
  }
  auto lost = std::find(lost_.begin(), lost_.end(), txn_id);
  const bool was_lost = lost != lost_.end();
  if (was_lost) lost_.erase(lost);
  if (reply.replayed()) {
    if (!was_lost) {
      Error(txn_id, "first send answered replayed=true (seq " +
                        std::to_string(reply.seq()) + ")");
      return Outcome::kBroken;
    }
    ++stats_.retried_found;
  } else {
    // Calls from one till are sequential, so a fresh append lands after
    // every earlier one.
    if (reply.seq() <= last_fresh_seq_) {
      Error(txn_id, "fresh seq " + std::to_string(reply.seq()) +
                        " not after this till's previous " +
                        std::to_string(last_fresh_seq_));
      return Outcome::kBroken;
    }
    last_fresh_seq_ = reply.seq();
    if (was_lost) {
      ++stats_.retried_fresh;
    } else {
      ++stats_.acked;
    }
  }
  AckRecord record{terminal_, txn_id, reply.seq(), crypto::ToHex(reply.hash())};
  if (!log_.Append(record)) {
    Error(txn_id, "could not append and fsync " + log_.path());
    return Outcome::kBroken;
  }
  acked_[txn_id] = Ack{reply.seq(), reply.hash()};
  return Outcome::kAcked;
}

}  // namespace storeagent::testing
