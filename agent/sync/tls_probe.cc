#include "agent/sync/tls_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <optional>

#include "platform/openssl_ptr.h"
#include "platform/tls.h"

namespace storeagent::agent {
namespace {

using SteadyClock = std::chrono::steady_clock;
using Kind = ProbeResult::Kind;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

int MsLeft(SteadyClock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - SteadyClock::now())
                        .count();
  return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : static_cast<int>(left);
}

bool WaitFd(int fd, short events, SteadyClock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, MsLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// "host:port" / "[v6]:port" split; false when there is no port.
bool SplitHostPort(const std::string& address, std::string* host,
                   std::string* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return false;
  }
  *host = address.substr(0, colon);
  *port = address.substr(colon + 1);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return true;
}

// A connected non-blocking socket to one of the host's addresses.
ProbeResult Connect(const std::string& host, const std::string& port,
                    SteadyClock::time_point deadline, Fd* out) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
      rc != 0) {
    return {Kind::kNoConnection,
            "cannot resolve " + host + ": " + ::gai_strerror(rc)};
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(list,
                                                             ::freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
    Fd s;
    s.fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    a->ai_protocol);
    if (s.fd < 0) {
      last = std::strerror(errno);
      continue;
    }
    int rc = ::connect(s.fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      continue;
    }
    if (rc != 0) {
      if (!WaitFd(s.fd, POLLOUT, deadline)) {
        last = "connect timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last = std::strerror(err);
        continue;
      }
    }
    out->fd = s.fd;
    s.fd = -1;
    return {Kind::kAccepted, ""};
  }
  return {Kind::kNoConnection,
          "cannot connect to " + host + ":" + port + ": " + last};
}

bool LoadTrust(SSL_CTX* ctx, std::string_view ca_pem) {
  tls::BioPtr bio(
      BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (bio) {
    X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (x == nullptr) break;
    if (X509_STORE_add_cert(store, x) == 1) ++added;
    X509_free(x);
  }
  ERR_clear_error();
  return added > 0;
}

bool LoadIdentity(SSL_CTX* ctx, std::string_view cert_pem,
                  std::string_view key_pem) {
  tls::BioPtr cb(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
  tls::BioPtr kb(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  if (!cb || !kb) return false;
  X509* leaf = PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr || SSL_CTX_use_certificate(ctx, leaf) != 1) {
    X509_free(leaf);
    return false;
  }
  X509_free(leaf);
  while (X509* extra = PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add_extra_chain_cert(ctx, extra) != 1) X509_free(extra);
  }
  EVP_PKEY* key = PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr);
  const bool ok = key != nullptr && SSL_CTX_use_PrivateKey(ctx, key) == 1;
  EVP_PKEY_free(key);
  ERR_clear_error();
  return ok;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// "DNS:localhost IP:127.0.0.1" from central's certificate.
std::string NamesOf(SSL* ssl) {
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr) return "none";
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), peer) != 1) return "unknown";
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  Result<tls::CertificateInfo> info =
      tls::InspectCertificate(std::string_view(data, static_cast<size_t>(n)));
  if (!info.ok()) return "unknown";
  std::string out;
  for (const std::string& d : info->dns_sans) out += " DNS:" + d;
  for (const std::string& i : info->ip_sans) out += " IP:" + i;
  if (out.empty()) out = " CN=" + info->subject_cn;
  return out.substr(1);
}

// Alerts by which a TLS server says it does not accept our certificate.
bool IsCertificateAlert(int alert) {
  switch (alert) {
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
    case SSL_AD_CERTIFICATE_REVOKED:
    case SSL_AD_CERTIFICATE_EXPIRED:
    case SSL_AD_CERTIFICATE_UNKNOWN:
    case SSL_AD_UNKNOWN_CA:
    case SSL_AD_ACCESS_DENIED:
    case SSL_AD_DECRYPT_ERROR:
    case SSL_AD_CERTIFICATE_REQUIRED:
      return true;
    default:
      return false;
  }
}

// Lets the handshake finish whatever our verification found, so that
// central's certificate can be named; SSL_get_verify_result keeps the
// verdict, which the probe reads before anything else.
int CarryOn(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

// Our verdict on central's certificate, once the handshake got that far;
// nullopt when it verified.
std::optional<ProbeResult> OurVerdict(SSL* ssl, const std::string& name) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify == X509_V_OK) return std::nullopt;
  ERR_clear_error();
  if (verify == X509_V_ERR_HOSTNAME_MISMATCH ||
      verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return ProbeResult{Kind::kNameMismatch,
                       "central's certificate does not name " + name +
                           " (it names " + NamesOf(ssl) + ")"};
  }
  return ProbeResult{Kind::kWeRefusedCentral,
                     std::string("central's certificate does not verify "
                                 "against sync.ca_file: ") +
                         X509_verify_cert_error_string(verify)};
}

// What a failed SSL_connect / SSL_read means. `handshaken`: our side of
// the handshake completed (so a close now is central's answer to our
// certificate).
ProbeResult Classify(SSL* ssl, int ssl_error, const std::string& name,
                     bool handshaken) {
  if (std::optional<ProbeResult> ours = OurVerdict(ssl, name)) return *ours;
  unsigned long e = 0;
  unsigned long last = 0;
  while ((e = ERR_get_error()) != 0) last = e;
  if (last != 0 && ERR_GET_LIB(last) == ERR_LIB_SSL &&
      ERR_GET_REASON(last) >= SSL_AD_REASON_OFFSET) {
    const int alert = ERR_GET_REASON(last) - SSL_AD_REASON_OFFSET;
    const std::string text = SSL_alert_desc_string_long(alert);
    if (IsCertificateAlert(alert)) {
      return {Kind::kCentralRefusedUs, "TLS alert \"" + text + "\""};
    }
    return {Kind::kOther,
            "central ended the handshake with TLS alert \"" + text + "\""};
  }
  // OpenSSL 3 reports a close without close_notify as an error of its own.
  const bool eof = last != 0 && ERR_GET_LIB(last) == ERR_LIB_SSL &&
                   ERR_GET_REASON(last) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
  if (eof) ssl_error = SSL_ERROR_SYSCALL;
  if (last != 0 && !eof) {
    const char* reason = ERR_reason_error_string(last);
    return {Kind::kOther,
            std::string("TLS: ") + (reason != nullptr ? reason : "error")};
  }
  if (ssl_error == SSL_ERROR_ZERO_RETURN || ssl_error == SSL_ERROR_SYSCALL) {
    // gRPC's server closes without flushing its alert: after our Finished,
    // a close before any byte (no session ticket, no HTTP/2 SETTINGS) is
    // its refusal of our certificate.
    if (handshaken) {
      return {Kind::kCentralRefusedUs,
              "central closed the connection on receiving it, without a "
              "TLS alert"};
    }
    return {Kind::kOther, "central closed the connection during the handshake"};
  }
  return {Kind::kOther, "TLS error " + std::to_string(ssl_error)};
}

}  // namespace

ProbeResult ProbeHandshake(const std::string& address,
                           const std::string& server_name,
                           std::string_view ca_pem, std::string_view cert_pem,
                           std::string_view key_pem,
                           std::chrono::milliseconds timeout) {
  const SteadyClock::time_point deadline = SteadyClock::now() + timeout;
  std::string host;
  std::string port;
  if (!SplitHostPort(address, &host, &port)) {
    return {Kind::kOther, "address \"" + address + "\" is not host:port"};
  }
  if (ca_pem.size() > INT_MAX || cert_pem.size() > INT_MAX ||
      key_pem.size() > INT_MAX) {
    return {Kind::kOther, "TLS files too large"};
  }
  const std::string name = server_name.empty() ? host : server_name;
  tls::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return {Kind::kOther, "SSL_CTX_new failed"};
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (!LoadTrust(ctx.get(), ca_pem)) {
    return {Kind::kOther, "sync.ca_file holds no certificate"};
  }
  if (!LoadIdentity(ctx.get(), cert_pem, key_pem)) {
    return {Kind::kOther, "sync.cert_file / sync.key_file do not load"};
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, CarryOn);

  Fd sock;
  if (ProbeResult c = Connect(host, port, deadline, &sock);
      c.kind != Kind::kAccepted) {
    return c;
  }
  tls::SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl || SSL_set_fd(ssl.get(), sock.fd) != 1) {
    return {Kind::kOther, "SSL_new failed"};
  }
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_set_alpn_protos(ssl.get(), kAlpn, sizeof(kAlpn));
  if (IsIpLiteral(name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), name.c_str());
  } else {
    // SSL_set_tlsext_host_name without its C cast (-Wold-style-cast).
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(name.c_str()));
    SSL_set1_host(ssl.get(), name.c_str());
  }
  ERR_clear_error();

  // The handshake, then (TLS 1.3) central's verdict on our certificate:
  // its first bytes (HTTP/2 SETTINGS) or an alert.
  bool handshaken = false;
  for (;;) {
    int rc;
    if (!handshaken) {
      rc = SSL_connect(ssl.get());
      if (rc == 1) {
        if (std::optional<ProbeResult> ours = OurVerdict(ssl.get(), name)) {
          return *ours;
        }
        handshaken = true;
        continue;
      }
    } else {
      char buf[256];
      rc = SSL_read(ssl.get(), buf, sizeof(buf));
      if (rc > 0) return {Kind::kAccepted, "handshake accepted"};
    }
    const int err = SSL_get_error(ssl.get(), rc);
    short events = 0;
    if (err == SSL_ERROR_WANT_READ) events = POLLIN;
    if (err == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events == 0) return Classify(ssl.get(), err, name, handshaken);
    if (!WaitFd(sock.fd, events, deadline)) {
      ERR_clear_error();
      if (handshaken) return {Kind::kAccepted, "handshake accepted"};
      return {Kind::kOther, "TLS handshake timed out"};
    }
  }
}

}  // namespace storeagent::agent
