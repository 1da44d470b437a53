// The staff API routes that need no token: GET /healthz (is the agent up
// and its database readable?) and GET /api/openapi.json (the API's OpenAPI
// document, agent/http/openapi.json built into the binary).
#include <utility>

#include "agent/http/openapi_document.h"
#include "agent/http/staff_api.h"
#include "agent/http/staff_json.h"

namespace storeagent::agent {

void StaffApi::Healthz(Call call) {
  // One read of the journal head on the read pool: cheap, and it proves a
  // reader thread answers and the database file reads.
  ops_.ReadHead([reply = std::move(call.reply)](Result<v1::AsOf> head) {
    StaffResponse r;
    r.content_type = "text/plain; charset=utf-8";
    if (head.ok()) {
      r.body = "ok\n";
    } else {
      r.status = 503;
      r.body = "unavailable: database: " + head.status().message() + "\n";
    }
    reply(std::move(r));
  });
}

void StaffApi::OpenApi(Call call) {
  StaffResponse r;
  r.body = std::string(OpenApiDocument());
  call.reply(std::move(r));
}

}  // namespace storeagent::agent
