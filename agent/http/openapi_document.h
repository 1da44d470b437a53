// The OpenAPI 3.1 document of the staff API: agent/http/openapi.json, built
// into the binary at build time (agent/http/CMakeLists.txt) and served at
// GET /api/openapi.json. tests/integration/staff_page/openapi_routes_test.cc
// checks that its paths are exactly StaffApi's routes.
#ifndef STOREAGENT_AGENT_HTTP_OPENAPI_DOCUMENT_H_
#define STOREAGENT_AGENT_HTTP_OPENAPI_DOCUMENT_H_

#include <string_view>

namespace storeagent::agent {

// The JSON text of agent/http/openapi.json.
std::string_view OpenApiDocument();

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_OPENAPI_DOCUMENT_H_
