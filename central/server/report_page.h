// The report page's files: one HTML document, its script and its style
// sheet (report_page/index.html, app.js, app.css, built into the binary at
// configure time). The page loads nothing from elsewhere and uses no
// library; it calls GET /api/kpi and draws its charts as inline SVG.
#ifndef STOREAGENT_CENTRAL_SERVER_REPORT_PAGE_H_
#define STOREAGENT_CENTRAL_SERVER_REPORT_PAGE_H_

#include <string_view>

namespace storeagent::central {

struct ReportAsset {
  std::string_view path;          // "/", "/app.js", "/app.css"
  std::string_view content_type;  // with charset
  std::string_view body;
};

// The file served at `path`, or nullptr. "/index.html" is "/".
const ReportAsset* FindReportAsset(std::string_view path);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_REPORT_PAGE_H_
