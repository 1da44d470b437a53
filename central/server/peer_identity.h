// Who is at the other end of a call, from its client certificate.
//
// A store's certificate names it with the URI SAN "storeagent:store:<id>"
// (or, failing that, its common name); an admin's names a role and a name
// with "storeagent:admin:<role>:<name>" (installer/dev-ca makes both).
// docs/security.md ("Identities") has the profiles.
#ifndef STOREAGENT_CENTRAL_SERVER_PEER_IDENTITY_H_
#define STOREAGENT_CENTRAL_SERVER_PEER_IDENTITY_H_

#include <grpcpp/security/auth_context.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/status.h"

namespace storeagent::central {

inline constexpr std::string_view kStoreUriPrefix = "storeagent:store:";
inline constexpr std::string_view kAdminUriPrefix = "storeagent:admin:";

// The store a sync client's certificate names. "" when the peer presented
// no certificate (an insecure listener), the certificate names no store, or
// it is an admin's certificate (an admin is never a store).
std::string StoreIdFromAuthContext(const grpc::AuthContext* auth);

// What an admin caller may do. A reader reads; an operator also writes
// (pushes events, places and cancels holds).
enum class AdminRole { kReader, kOperator };

std::string_view AdminRoleName(AdminRole role);
std::optional<AdminRole> ParseAdminRole(std::string_view name);

struct AdminCaller {
  AdminRole role = AdminRole::kReader;
  // The name in the certificate, or "loopback" on a plaintext admin
  // listener (admin.tls = false, which the config allows on loopback only).
  std::string name;
};

// "operator:alice": how audit rows and log lines name a caller.
std::string AdminCallerName(const AdminCaller& caller);

// Parses "storeagent:admin:<role>:<name>"; nullopt when `uri` is not an
// admin URI at all; an error naming what is wrong when it is one with an
// unknown role or a bad name.
Result<std::optional<AdminCaller>> ParseAdminUri(std::string_view uri);

// The admin a verified client certificate names, from its URIs (the URI
// SANs) and its subject CN: the first admin URI; a malformed admin URI, a
// store's URI or no admin URI at all is PERMISSION_DENIED saying why, with
// `what` ("the admin API", "the report page") naming what was refused.
Result<AdminCaller> AdminCallerFromCertificate(
    const std::vector<std::string>& uris, std::string_view common_name,
    std::string_view what);

// The admin caller of a call on the admin listener. `tls` is admin.tls:
// without it the listener is plaintext on loopback and every caller is the
// operator "loopback". With it, the certificate (verified by gRPC against
// the CA) must name an admin role; a store's certificate, or one naming no
// admin, is PERMISSION_DENIED with a message saying why.
Result<AdminCaller> AdminCallerFromAuthContext(const grpc::AuthContext* auth,
                                               bool tls);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_PEER_IDENTITY_H_
