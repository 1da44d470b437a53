#include "central/server/peer_identity.h"

#include <grpc/grpc_security_constants.h>

#include <vector>

#include "central/server/admin_validation.h"

namespace storeagent::central {
namespace {

// Every URI the certificate carries: the peer URI property and the SANs.
std::vector<std::string> Uris(const grpc::AuthContext& auth) {
  std::vector<std::string> out;
  for (const char* property :
       {GRPC_PEER_URI_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const grpc::string_ref& v : auth.FindPropertyValues(property)) {
      out.emplace_back(v.data(), v.size());
    }
  }
  return out;
}

bool HasPrefix(const std::string& s, std::string_view prefix) {
  return s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::string CommonName(const grpc::AuthContext& auth) {
  for (const grpc::string_ref& v :
       auth.FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
    return std::string(v.data(), v.size());
  }
  return "";
}

constexpr std::string_view kHowToIssue =
    "issue one with: installer/dev-ca admin DIR NAME --role reader|operator "
    "(docs/security.md)";

}  // namespace

std::string StoreIdFromAuthContext(const grpc::AuthContext* auth) {
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  const std::vector<std::string> uris = Uris(*auth);
  for (const std::string& uri : uris) {
    if (HasPrefix(uri, kAdminUriPrefix)) return "";
  }
  for (const std::string& uri : uris) {
    if (HasPrefix(uri, kStoreUriPrefix)) {
      return uri.substr(kStoreUriPrefix.size());
    }
  }
  return CommonName(*auth);
}

std::string_view AdminRoleName(AdminRole role) {
  return role == AdminRole::kOperator ? "operator" : "reader";
}

std::optional<AdminRole> ParseAdminRole(std::string_view name) {
  if (name == "reader") return AdminRole::kReader;
  if (name == "operator") return AdminRole::kOperator;
  return std::nullopt;
}

std::string AdminCallerName(const AdminCaller& caller) {
  return std::string(AdminRoleName(caller.role)) + ":" + caller.name;
}

Result<std::optional<AdminCaller>> ParseAdminUri(std::string_view uri) {
  if (uri.substr(0, kAdminUriPrefix.size()) != kAdminUriPrefix) {
    return std::optional<AdminCaller>();
  }
  const std::string_view rest = uri.substr(kAdminUriPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return PermissionDenied("client certificate URI '" + std::string(uri) +
                            "': expected storeagent:admin:ROLE:NAME");
  }
  const std::optional<AdminRole> role = ParseAdminRole(rest.substr(0, colon));
  if (!role) {
    return PermissionDenied("client certificate URI '" + std::string(uri) +
                            "': role '" + std::string(rest.substr(0, colon)) +
                            "' is neither reader nor operator");
  }
  AdminCaller caller{*role, std::string(rest.substr(colon + 1))};
  if (!CheckStoreId(caller.name, "name").ok()) {
    return PermissionDenied("client certificate URI '" + std::string(uri) +
                            "': NAME must be 1..64 characters of "
                            "[A-Za-z0-9._-]");
  }
  return std::optional<AdminCaller>(std::move(caller));
}

Result<AdminCaller> AdminCallerFromCertificate(
    const std::vector<std::string>& uris, std::string_view common_name,
    std::string_view what) {
  for (const std::string& uri : uris) {
    Result<std::optional<AdminCaller>> parsed = ParseAdminUri(uri);
    if (!parsed.ok()) return parsed.status();
    if (parsed->has_value()) return **parsed;
  }
  for (const std::string& uri : uris) {
    if (HasPrefix(uri, kStoreUriPrefix)) {
      return PermissionDenied("the client certificate is store " +
                              uri.substr(kStoreUriPrefix.size()) +
                              "'s: store certificates may not use " +
                              std::string(what) + "; " +
                              std::string(kHowToIssue));
    }
  }
  return PermissionDenied(
      "the client certificate (CN=" + std::string(common_name) +
      ") names no admin role (no URI SAN "
      "storeagent:admin:ROLE:NAME); " +
      std::string(kHowToIssue));
}

Result<AdminCaller> AdminCallerFromAuthContext(const grpc::AuthContext* auth,
                                               bool tls) {
  if (!tls) return AdminCaller{AdminRole::kOperator, "loopback"};
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return PermissionDenied(
        "the admin API needs an admin client certificate; " +
        std::string(kHowToIssue));
  }
  return AdminCallerFromCertificate(Uris(*auth), CommonName(*auth),
                                    "the admin API");
}

}  // namespace storeagent::central
