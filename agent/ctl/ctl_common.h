// Shared plumbing of the storeagentctl commands: where the agent is, gRPC
// channels with a deadline on every call, client keys, exit codes and how
// errors and times are printed.
#ifndef STOREAGENT_AGENT_CTL_CTL_COMMON_H_
#define STOREAGENT_AGENT_CTL_CTL_COMMON_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "storeagent/v1/common.pb.h"

namespace storeagent::ctl {

// Exit codes: done, failed (bad input, agent unreachable, refused), and a
// verification that found the data inconsistent.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;  // as platform::kExitUsage
inline constexpr int kExitVerifyFailed = 3;

// Where the agent and its database are, from the global options.
struct Target {
  std::string config_path = "/etc/storeagent/agent.toml";
  std::string socket;
  std::string address;
  std::string db;
  int deadline_ms = 5000;
};

// What a subcommand runs once the command line is parsed; its exit code.
using Action = std::function<int()>;

// Prints "storeagentctl: <what>" to stderr; returns kExitError.
int Fail(const std::string& what);

// Loads the config file (t.config_path) and fills socket/db when they were
// not given; when it cannot be read or parsed, prints "storeagentctl:
// config: <why>" and returns kExitUsage (it was named with --config).
int LoadConfigOrFail(Target& t);
// Fills socket/db from the config file when they were not given.
void ResolveFromConfig(Target& t);

// A channel to the agent's socket (or --address).
std::shared_ptr<grpc::Channel> OpenChannel(Target& t);

// Every call gets t.deadline_ms (or `ms` when given) from now.
void SetDeadline(grpc::ClientContext& ctx, const Target& t, int ms = 0);

// "agent answered INVALID_ARGUMENT: <message>", or that it is unreachable.
std::string RpcError(const grpc::Status& s);

// "2024-05-01 12:00:00Z" for µs since the epoch.
std::string FormatTime(int64_t us);
// "as of seq 42 at 2024-05-01 12:00:00Z (0.2 s ago)".
std::string FormatAsOf(uint64_t seq, int64_t at_us);

// "ctl:<user>" from $USER (characters a client key may not hold become
// '_'), or "ctl".
std::string CtlTerminalId();
// 32 random letters a..p (128 bits): a fresh client_txn_id that holds no
// digits, so it can never look like a card number.
std::string RandomTxnId();
// `prefix` + `ref` made fit for a client_txn_id (1..64 of [A-Za-z0-9._:-]):
// other characters and '_' are written _XX (hex); too long, the tail is
// replaced by a digest of `ref`. The same ref always gives the same id.
std::string KeyFor(std::string_view prefix, std::string_view ref);

// True when `text` is a whole number (an optional sign, then digits).
bool ParseInt64(std::string_view text, int64_t* out);

}  // namespace storeagent::ctl

#endif  // STOREAGENT_AGENT_CTL_CTL_COMMON_H_
