#include "agent/http/staff_auth.h"

#include <cctype>
#include <string>
#include <utility>

#include "platform/crypto.h"

namespace storeagent::agent {
namespace {

constexpr std::string_view kBearer = "bearer";
// Longer tokens are refused before hashing: no need to hash megabytes.
constexpr size_t kMaxTokenBytes = 512;

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// The token of "Bearer <token>", trimmed; "" when the header is not that.
std::string_view BearerToken(std::string_view header) {
  while (!header.empty() && IsSpace(header.front())) header.remove_prefix(1);
  while (!header.empty() && IsSpace(header.back())) header.remove_suffix(1);
  if (header.size() <= kBearer.size() || !IsSpace(header[kBearer.size()])) {
    return {};
  }
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kBearer[i]) {
      return {};
    }
  }
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && IsSpace(token.front())) token.remove_prefix(1);
  if (token.size() > kMaxTokenBytes) return {};
  for (char c : token) {
    if (IsSpace(c)) return {};
  }
  return token;
}

}  // namespace

std::optional<StaffRole> ParseStaffRole(std::string_view role) {
  if (role == "staff") return StaffRole::kStaff;
  if (role == "manager") return StaffRole::kManager;
  return std::nullopt;
}

StaffDirectory::StaffDirectory(std::vector<StaffUser> users) {
  SetUsers(std::move(users));
}

void StaffDirectory::SetUsers(std::vector<StaffUser> users) {
  auto entries = std::make_shared<Entries>();
  for (StaffUser& u : users) {
    std::optional<StaffRole> role = ParseStaffRole(u.role);
    if (!role || u.token_sha256.size() != crypto::kSha256Bytes) continue;
    entries->push_back(
        Entry{StaffIdentity{std::move(u.name), *role}, u.token_sha256});
  }
  std::lock_guard<std::mutex> lock(mu_);
  entries_ = std::move(entries);
}

std::shared_ptr<const StaffDirectory::Entries> StaffDirectory::Snapshot()
    const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

size_t StaffDirectory::size() const { return Snapshot()->size(); }

std::optional<StaffIdentity> StaffDirectory::Authenticate(
    std::string_view authorization) const {
  std::string_view token = BearerToken(authorization);
  if (token.empty()) return std::nullopt;
  const crypto::Digest digest = crypto::Sha256(token);
  std::shared_ptr<const Entries> entries = Snapshot();
  // Every entry is compared, whether or not an earlier one matched.
  const Entry* found = nullptr;
  for (const Entry& e : *entries) {
    if (crypto::ConstantTimeEquals(crypto::AsBytes(digest), e.token_sha256) &&
        found == nullptr) {
      found = &e;
    }
  }
  if (found == nullptr) return std::nullopt;
  return found->identity;
}

}  // namespace storeagent::agent
