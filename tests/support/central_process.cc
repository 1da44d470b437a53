#include "tests/support/central_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "platform/fs.h"
#include "tests/support/child_process.h"

namespace storeagent::testing {

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

std::string CentralProcess::BinDir() {
  return BuildBinDir("STOREAGENT_CENTRAL_BIN_DIR", "central");
}

CentralProcess::CentralProcess(std::string work_dir, CentralOptions options)
    : work_dir_(std::move(work_dir)),
      options_(options),
      config_path_(work_dir_ + "/central.toml"),
      log_path_(work_dir_ + "/storecentrald.log"),
      sync_port_(FreeLoopbackPort()),
      admin_port_(FreeLoopbackPort()) {
  const std::string url = options.store_url.empty()
                              ? "sqlite:" + work_dir_ + "/central.db"
                              : options.store_url;
  std::ofstream cfg(config_path_);
  cfg << "[store]\nurl = \"" << url << "\"\n"
      << "[sync]\nlisten = \"127.0.0.1:" << sync_port_ << "\"\n"
      << options.sync_toml << "[admin]\nlisten = \"127.0.0.1:" << admin_port_
      << "\"\n"
      << (options.admin_tls ? "tls = true\n" : "");
  if (options.tls_dir.empty()) {
    cfg << "[tls]\ninsecure = true\n";
  } else {
    cfg << "[tls]\nca_file = \"" << options.tls_dir << "/ca.pem\"\n"
        << "cert_file = \"" << options.tls_dir << "/central.pem\"\n"
        << "key_file = \"" << options.tls_dir << "/central.key\"\n";
  }
  cfg << options.extra_toml;
}

CentralProcess::~CentralProcess() { Kill9(); }

bool CentralProcess::Start(int timeout_ms) {
  const pid_t pid =
      SpawnDaemon(BinDir() + "/storecentrald", config_path_, log_path_);
  if (pid < 0) return false;
  pid_ = pid;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ExitedEarly(&pid_)) return false;
    auto stub = NewAdminStub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(500));
    v1::ListDriftRequest req;
    req.set_limit(1);
    v1::ListDriftResponse reply;
    const grpc::Status s = stub->ListDrift(&ctx, req, &reply);
    if (s.ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill9();
  return false;
}

void CentralProcess::Kill9() { KillAndReap(&pid_); }

int CentralProcess::Terminate(int timeout_ms) {
  return TerminateAndReap(&pid_, timeout_ms);
}

namespace {

// A PEM file's text, or "" (gRPC then fails the handshake, as a test wants
// to see when it passes a file that is not there).
std::string Pem(const std::string& path) {
  Result<std::string> text = fs::ReadFile(path);
  return text.ok() ? *text : std::string();
}

}  // namespace

std::unique_ptr<v1::CentralAdminService::Stub> CentralProcess::NewAdminStub()
    const {
  if (options_.admin_tls) return NewAdminStubAs(options_.admin_cert);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  return v1::CentralAdminService::NewStub(
      grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(admin_port_),
                                grpc::InsecureChannelCredentials(), args));
}

std::shared_ptr<grpc::Channel> CentralProcess::TlsChannel(
    int port, const std::string& cert_prefix,
    const std::string& ca_file) const {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs =
      Pem(ca_file.empty() ? options_.tls_dir + "/ca.pem" : ca_file);
  if (!cert_prefix.empty()) {
    ssl.pem_cert_chain = Pem(cert_prefix + ".pem");
    ssl.pem_private_key = Pem(cert_prefix + ".key");
  }
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::SslCredentials(ssl), args);
}

std::unique_ptr<v1::CentralAdminService::Stub> CentralProcess::NewAdminStubAs(
    const std::string& cert_prefix, const std::string& ca_file) const {
  return v1::CentralAdminService::NewStub(
      TlsChannel(admin_port_, cert_prefix, ca_file));
}

std::shared_ptr<grpc::Channel> CentralProcess::SyncChannelAs(
    const std::string& cert_prefix) const {
  return TlsChannel(sync_port_, cert_prefix, "");
}

}  // namespace storeagent::testing
