// TillClient: one simulated POS terminal for the kill -9 test.
//
// A till records 5-line sales with client keys (T<index>, "<cycle>-<n>") one
// after another. An OK answer is appended to the till's AckLog and fsynced
// before the sale counts as acknowledged. A call that fails while the agent
// is being killed is "lost": the sale may or may not be in the journal. A
// lost sale is retried with the same key and content at the start of a later
// cycle, or (one in four) abandoned and never sent again. Each cycle the till
// also re-sends one acknowledged sale, which must come back replayed with the
// acknowledged seq and hash.
//
// Everything the agent answers is checked as it arrives; violations are
// collected in errors(). Not thread-safe: one thread drives a till during a
// cycle, and the test reads it only after joining that thread.
#ifndef STOREAGENT_TESTS_FAULT_TILL_CLIENT_H_
#define STOREAGENT_TESTS_FAULT_TILL_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storeagent/v1/pos.grpc.pb.h"
#include "tests/fault/ack_log.h"
#include "tests/support/agent_process.h"

namespace storeagent::testing {

// The deadline of each call a fault test makes to the agent.
inline constexpr int kRpcDeadlineMs = 10000;

struct TillStats {
  uint64_t acked = 0;             // fresh acknowledgements
  uint64_t lost = 0;              // calls cut off by the kill
  uint64_t retried_found = 0;     // lost, retried, already recorded (replayed)
  uint64_t retried_fresh = 0;     // lost, retried, recorded by the retry
  uint64_t replays_of_acked = 0;  // acknowledged sale re-sent, replayed
};

class TillClient {
 public:
  struct Ack {
    uint64_t seq = 0;
    std::string hash;  // raw bytes
  };

  // Most calls per cycle: bounds the loop if the agent is never killed.
  static constexpr int kMaxCallsPerCycle = 20000;

  // `index` names the terminal "T<index>"; `log_path` is its AckLog.
  TillClient(int index, const std::string& log_path, uint32_t seed);

  // Calls `agent` until a call fails after `killing` was set (the agent is
  // dead), a call fails otherwise (an error), or kMaxCallsPerCycle.
  void RunCycle(const AgentProcess& agent, int cycle,
                const std::atomic<bool>& killing);

  const std::string& terminal() const { return terminal_; }
  const AckLog& log() const { return log_; }
  // Acknowledged sales by client_txn_id.
  const std::map<std::string, Ack>& acked() const { return acked_; }
  // Every client_txn_id ever sent.
  const std::set<std::string>& attempted() const { return attempted_; }
  const std::vector<std::string>& errors() const { return errors_; }
  const TillStats& stats() const { return stats_; }

  static v1::ClientKey Key(const std::string& terminal,
                           const std::string& client_txn_id);

 private:
  enum class Outcome { kAcked, kLost, kBroken };

  Outcome Send(v1::PosService::Stub& stub, const std::string& txn_id,
               const std::atomic<bool>& killing);
  Outcome Answered(const std::string& txn_id,
                   const v1::RecordTransactionResponse& reply);
  void Error(const std::string& txn_id, const std::string& what);

  std::string terminal_;
  AckLog log_;
  std::mt19937 rng_;
  v1::Transaction sale_;
  std::map<std::string, Ack> acked_;
  std::vector<std::string> lost_;    // to be retried
  std::set<std::string> abandoned_;  // lost and never sent again
  std::set<std::string> attempted_;
  uint64_t last_fresh_seq_ = 0;
  std::vector<std::string> errors_;
  TillStats stats_;
};

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_FAULT_TILL_CLIENT_H_
