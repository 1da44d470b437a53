#include "central/store/stream_leases.h"

#include <unistd.h>

#include <array>

#include "platform/crypto.h"

namespace storeagent::central {

Result<LeaseTaken> LocalStreamLeases::Take(const std::string& store_id) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t g = ++generation_[store_id];
  held_[store_id] = g;
  return LeaseTaken{g, std::nullopt};
}

Result<bool> LocalStreamLeases::Renew(const std::string& store_id,
                                      uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(store_id);
  return it != held_.end() && it->second == generation;
}

Status LocalStreamLeases::Release(const std::string& store_id,
                                  uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(store_id);
  if (it != held_.end() && it->second == generation) held_.erase(it);
  return Status::Ok();
}

Result<std::optional<StreamLease>> LocalStreamLeases::Live(
    const std::string& store_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = held_.find(store_id);
  if (it == held_.end()) return std::optional<StreamLease>();
  return std::optional<StreamLease>(
      StreamLease{replica_id(), channel(), it->second});
}

Result<std::set<std::string>> LocalStreamLeases::LiveStores() {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> out;
  for (const auto& [store, g] : held_) out.insert(store);
  return out;
}

Status LocalStreamLeases::Send(const std::string& channel, const std::string&) {
  return FailedPrecondition("no other central replica to send to (channel " +
                            channel + "): one process on SQLite");
}

std::string NewReplicaId() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::string name(host.data());
  if (name.empty()) name = "localhost";
  return name + ":" + std::to_string(::getpid()) + ":" +
         crypto::ToHex(crypto::RandomBytes(4));
}

std::string ReplicaChannel(const std::string& replica_id) {
  std::string tail = replica_id.substr(replica_id.rfind(':') + 1);
  std::string out = "storecentral_";
  for (char c : tail) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
      out += c;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

}  // namespace storeagent::central
