// StaffDirectory: who may use the staff API, and with which role.
//
// Staff present `Authorization: Bearer <token>`; the directory keeps only
// SHA-256 of each token (config [[http.users]] token_sha256) and compares
// the hash of the presented token with every user's in constant time, so
// neither the token nor which user matched leaks through timing.
//
// Roles: "staff" may look up products, availability and holds and pick and
// collect holds; "manager" may also cancel and short-pick holds and adjust
// and count stock. Thread-safe: SetUsers may run while requests are checked.
#ifndef STOREAGENT_AGENT_HTTP_STAFF_AUTH_H_
#define STOREAGENT_AGENT_HTTP_STAFF_AUTH_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "agent/config.h"

namespace storeagent::agent {

enum class StaffRole { kStaff = 0, kManager = 1 };

// "staff" or "manager"; nullopt for anything else.
std::optional<StaffRole> ParseStaffRole(std::string_view role);

struct StaffIdentity {
  std::string name;
  StaffRole role = StaffRole::kStaff;
};

// True when `who` may do what `needed` may.
inline bool HasRole(const StaffIdentity& who, StaffRole needed) {
  return static_cast<int>(who.role) >= static_cast<int>(needed);
}

class StaffDirectory {
 public:
  explicit StaffDirectory(std::vector<StaffUser> users = {});

  // Users with an unknown role or a token hash that is not 32 bytes are
  // left out (config checking refuses them earlier).
  void SetUsers(std::vector<StaffUser> users);

  // The user whose token is presented in `authorization` (the header's
  // value: "Bearer <token>", scheme case-insensitive); nullopt when the
  // header is missing, malformed or matches nobody.
  std::optional<StaffIdentity> Authenticate(
      std::string_view authorization) const;

  // Users currently allowed in.
  size_t size() const;

 private:
  struct Entry {
    StaffIdentity identity;
    std::string token_sha256;  // raw 32 bytes
  };
  using Entries = std::vector<Entry>;

  std::shared_ptr<const Entries> Snapshot() const;

  mutable std::mutex mu_;
  std::shared_ptr<const Entries> entries_;  // guarded by mu_
};

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_AUTH_H_
