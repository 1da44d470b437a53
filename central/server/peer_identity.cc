#include "central/server/peer_identity.h"

#include <grpc/grpc_security_constants.h>

namespace storeagent::central {
namespace {

std::string FromUri(const grpc::AuthContext& auth, const char* property) {
  for (const grpc::string_ref& v : auth.FindPropertyValues(property)) {
    const std::string s(v.data(), v.size());
    if (s.rfind(kStoreUriPrefix, 0) == 0 && s.size() > kStoreUriPrefix.size()) {
      return s.substr(kStoreUriPrefix.size());
    }
  }
  return "";
}

}  // namespace

std::string StoreIdFromAuthContext(const grpc::AuthContext* auth) {
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  std::string id = FromUri(*auth, GRPC_PEER_URI_PROPERTY_NAME);
  if (id.empty()) id = FromUri(*auth, GRPC_X509_SAN_PROPERTY_NAME);
  if (!id.empty()) return id;
  for (const grpc::string_ref& v :
       auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
    return std::string(v.data(), v.size());
  }
  return "";
}

}  // namespace storeagent::central
