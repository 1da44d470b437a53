// ReportHttpServer: head office's KPI report page, served by storecentrald
// on report.listen (docs/central.md, "The report page").
//
//   GET /                  the page (HTML; its script /app.js and style
//   GET /app.js, /app.css  sheet /app.css: the CSP forbids inline ones)
//   GET /api/kpi?...       GetKpiReportResponse as protobuf JSON
//                          (report_query.h has the parameters); a bad
//                          parameter is 400 {"error":{"parameter":...}}
// Anything else is 404; a method other than GET or HEAD on a served path
// is 405.
//
// Who may see it (docs/security.md, "The report page"): with `tls` every
// request needs a client certificate from the client CA that names an
// admin role (reader or operator), checked as the admin API checks one
// (ClientCertVerifier, then AdminCallerFromCertificate); otherwise 403
// saying why. Without `tls` the listener must be on loopback (the rule of
// the plaintext admin API); Start refuses any other address.
//
// The report comes from `provider` (ComputeKpiReport in storecentrald),
// called on a thread of the server's own (it may read the database), at
// most kMaxReportsInFlight at once (503 beyond).
#ifndef STOREAGENT_CENTRAL_SERVER_REPORT_HTTP_H_
#define STOREAGENT_CENTRAL_SERVER_REPORT_HTTP_H_

#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <string>

#include "platform/status.h"
#include "storeagent/v1/sync.pb.h"

namespace storeagent::central {

using KpiReportProvider = std::function<grpc::Status(
    const v1::GetKpiReportRequest&, v1::GetKpiReportResponse*)>;

inline constexpr int kMaxReportsInFlight = 4;
// One thread per report in flight: none waits in a queue.
inline constexpr int kReportThreads = kMaxReportsInFlight;
inline constexpr int kMaxReportConnections = 64;

struct ReportHttpOptions {
  std::string listen;  // report.listen, "ADDRESS:PORT"
  bool tls = false;    // report.tls
  // With `tls`: central's own pair (tls.cert_file, tls.key_file) and the CA
  // of admin certificates (tls.ca_file), PEM.
  std::string cert_pem;
  std::string key_pem;
  std::string ca_pem;
};

class ReportHttpServer {
 public:
  // INVALID_ARGUMENT naming report.listen for a bad or (without tls)
  // non-loopback address, or bad TLS material; UNAVAILABLE when it cannot
  // bind.
  static Result<std::unique_ptr<ReportHttpServer>> Start(
      const ReportHttpOptions& options, KpiReportProvider provider);
  ~ReportHttpServer();  // Stop()
  ReportHttpServer(const ReportHttpServer&) = delete;
  ReportHttpServer& operator=(const ReportHttpServer&) = delete;

  int port() const { return port_; }
  // Closes the listener and every connection, waits for the reports being
  // computed. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit ReportHttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // null once stopped
  int port_ = 0;
};

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_SERVER_REPORT_HTTP_H_
