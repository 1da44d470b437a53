// The staff page: one HTML file, its script and its style sheet, built into
// the binary (the store network is closed, so the page loads nothing from
// elsewhere and uses no framework). The page holds no data; it calls the
// JSON API with the token the user typed, kept in sessionStorage.
#ifndef STOREAGENT_AGENT_HTTP_STAFF_PAGE_H_
#define STOREAGENT_AGENT_HTTP_STAFF_PAGE_H_

#include <string_view>

namespace storeagent::agent {

struct StaticAsset {
  std::string_view path;          // "/", "/app.js", "/app.css"
  std::string_view content_type;  // with charset
  std::string_view body;
};

// The asset served at `path`, or nullptr. "/index.html" is "/".
const StaticAsset* FindStaticAsset(std::string_view path);

}  // namespace storeagent::agent

#endif  // STOREAGENT_AGENT_HTTP_STAFF_PAGE_H_
