// The store a sync client's certificate names: the URI SAN
// "storeagent:store:<id>" or, failing that, the certificate's common name.
#ifndef STOREAGENT_CENTRAL_SERVER_PEER_IDENTITY_H_
#define STOREAGENT_CENTRAL_SERVER_PEER_IDENTITY_H_

#include <grpcpp/security/auth_context.h>

#include <string>

namespace storeagent::central {

inline constexpr std::string_view kStoreUriPrefix = "storeagent:store:";

// "" when the peer presented no certificate (an insecure listener) or the
// certificate names no store.
std::string StoreIdFromAuthContext(const grpc::AuthContext* auth);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_PEER_IDENTITY_H_
