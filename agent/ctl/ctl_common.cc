#include "agent/ctl/ctl_common.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "agent/config.h"
#include "platform/clock.h"
#include "platform/crypto.h"
#include "platform/status.h"

namespace storeagent::ctl {
namespace {

constexpr size_t kMaxKeyLength = 64;

bool KeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
}

}  // namespace

int Fail(const std::string& what) {
  std::fprintf(stderr, "storeagentctl: %s\n", what.c_str());
  return kExitError;
}

int LoadConfigOrFail(Target& t) {
  Result<agent::AgentConfig> c =
      agent::LoadAgentConfig(t.config_path, /*load_secrets=*/false);
  if (!c.ok()) {
    std::fprintf(stderr, "storeagentctl: config: %s\n",
                 c.status().message().c_str());
    return kExitUsage;
  }
  if (t.socket.empty()) t.socket = c->pos_socket;
  if (t.db.empty()) t.db = c->DatabasePath();
  return kExitOk;
}

void ResolveFromConfig(Target& t) {
  if (!t.socket.empty() && !t.db.empty()) return;
  Result<agent::AgentConfig> c =
      agent::LoadAgentConfig(t.config_path, /*load_secrets=*/false);
  if (!c.ok()) return;
  if (t.socket.empty()) t.socket = c->pos_socket;
  if (t.db.empty()) t.db = c->DatabasePath();
}

std::shared_ptr<grpc::Channel> OpenChannel(Target& t) {
  ResolveFromConfig(t);
  const std::string target = !t.address.empty() ? t.address
                             : !t.socket.empty()
                                 ? "unix:" + t.socket
                                 : "unix:/run/storeagent/pos.sock";
  return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
}

void SetDeadline(grpc::ClientContext& ctx, const Target& t, int ms) {
  ctx.set_deadline(gpr_time_add(
      gpr_now(GPR_CLOCK_MONOTONIC),
      gpr_time_from_millis(ms > 0 ? ms : t.deadline_ms, GPR_TIMESPAN)));
}

std::string RpcError(const grpc::Status& s) {
  const char* code = StatusCodeName(static_cast<StatusCode>(s.error_code()));
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return std::string("agent not reachable (") + code +
           "): " + s.error_message() +
           " (is storeagentd running? check --config / --socket)";
  }
  return std::string("agent answered ") + code + ": " + s.error_message();
}

std::string FormatTime(int64_t us) { return FormatUtcSeconds(us); }

std::string FormatAsOf(uint64_t seq, int64_t at_us) {
  const int64_t age_ms = (SystemClock().NowMicros() - at_us) / 1000;
  char age[48];
  std::snprintf(
      age, sizeof age, "%lld.%01lld s ago",
      static_cast<long long>(age_ms / 1000),
      static_cast<long long>((age_ms < 0 ? -age_ms : age_ms) % 1000 / 100));
  return "as of seq " + std::to_string(seq) + " at " + FormatTime(at_us) +
         " (" + age + ")";
}

std::string CtlTerminalId() {
  const char* user = std::getenv("USER");
  if (user == nullptr || *user == '\0') return "ctl";
  std::string id = "ctl:";
  for (const char* c = user; *c != '\0' && id.size() < kMaxKeyLength; ++c) {
    id.push_back(KeyChar(*c) ? *c : '_');
  }
  return id;
}

std::string RandomTxnId() {
  // Letters, not hex: 32 hex digits held a run of 13+ decimal digits often
  // enough (about 1 call in 50) that one passed the Luhn check, and the
  // agent refuses a key that looks like a card number.
  return crypto::RandomLetters(16);
}

std::string KeyFor(std::string_view prefix, std::string_view ref) {
  std::string key(prefix);
  for (char c : ref) {
    if (KeyChar(c)) {
      key.push_back(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "_%02X",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      key += hex;
    }
  }
  if (key.size() <= kMaxKeyLength) return key;
  // Too long: keep the start readable, end with 16 hex digits of a digest.
  const crypto::Digest d = crypto::Sha256(ref);
  const std::string tail = crypto::ToHex(crypto::AsBytes(d)).substr(0, 16);
  return key.substr(0, kMaxKeyLength - tail.size() - 1) + "." + tail;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace storeagent::ctl
