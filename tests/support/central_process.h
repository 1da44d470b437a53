// CentralProcess: runs the real storecentrald binary as a child process for
// integration tests, fault tests and benchmarks, next to AgentProcess.
//
// Writes a config into its work directory (the store URL — SQLite file in
// the work dir by default, or a PostgreSQL URL —, a sync port and an admin
// port on 127.0.0.1, TLS files or plaintext), starts the daemon, waits until
// the admin API answers, and stops it with SIGTERM or SIGKILL. Only ever
// signals the PID it started. Ports stay the same across restarts.
#ifndef STOREAGENT_TESTS_SUPPORT_CENTRAL_PROCESS_H_
#define STOREAGENT_TESTS_SUPPORT_CENTRAL_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "storeagent/v1/sync.grpc.pb.h"

namespace storeagent::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

struct CentralOptions {
  // "" = sqlite:<work_dir>/central.db
  std::string store_url;
  // Directory made by installer/dev-ca (ca.pem, central.pem, central.key);
  // "" = plaintext (tls.insecure).
  std::string tls_dir;
  // With tls_dir: serve the admin API over mutual TLS (admin.tls = true).
  bool admin_tls = false;
  // The admin certificate NewAdminStub presents (and Start polls with) when
  // admin_tls: a path without ".pem"/".key", e.g. tls_dir + "/admin-ops"
  // from `installer/dev-ca admin`.
  std::string admin_cert;
  // Lines added to the generated [sync] table (e.g. "poll_interval_s = 60").
  std::string sync_toml;
  // Appended to the generated config.
  std::string extra_toml;
};

class CentralProcess {
 public:
  CentralProcess(std::string work_dir, CentralOptions options = {});
  ~CentralProcess();  // kills the daemon if still running

  const std::string& config_path() const { return config_path_; }
  const std::string& log_path() const { return log_path_; }
  int sync_port() const { return sync_port_; }
  int admin_port() const { return admin_port_; }
  std::string sync_address() const {
    return "127.0.0.1:" + std::to_string(sync_port_);
  }
  pid_t pid() const { return pid_; }

  bool Start(int timeout_ms = 15000);
  void Kill9();
  int Terminate(int timeout_ms = 15000);
  bool running() const { return pid_ > 0; }

  // A stub for the admin API: plaintext, or with admin_tls the options'
  // admin_cert.
  std::unique_ptr<v1::CentralAdminService::Stub> NewAdminStub() const;
  // With admin_tls: a stub presenting `cert_prefix` (".pem"/".key"
  // appended; "" = no client certificate) and trusting `ca_file` for
  // central's certificate ("" = the options' tls_dir/ca.pem).
  std::unique_ptr<v1::CentralAdminService::Stub> NewAdminStubAs(
      const std::string& cert_prefix, const std::string& ca_file = "") const;
  // A channel to the sync port over TLS presenting `cert_prefix` (as for
  // NewAdminStubAs), trusting the options' tls_dir/ca.pem.
  std::shared_ptr<grpc::Channel> SyncChannelAs(
      const std::string& cert_prefix) const;

  // Directory holding storecentrald.
  static std::string BinDir();

 private:
  std::shared_ptr<grpc::Channel> TlsChannel(int port,
                                            const std::string& cert_prefix,
                                            const std::string& ca_file) const;

  std::string work_dir_;
  CentralOptions options_;
  std::string config_path_;
  std::string log_path_;
  int sync_port_ = 0;
  int admin_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_SUPPORT_CENTRAL_PROCESS_H_
