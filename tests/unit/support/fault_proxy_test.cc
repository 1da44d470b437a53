// tests/support/fault_proxy against a small echo server on 127.0.0.1: clean
// pass-through, each fault kind, the max-faults bound, reproducibility from
// the seed, pause/resume, the lifetime and config checks.
#include "tests/support/fault_proxy.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace storeagent::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kIoTimeoutMs = 10'000;  // no socket call waits longer
constexpr int kPollStepMs = 20;

void SetTimeouts(int fd) {
  timeval tv{kIoTimeoutMs / 1000, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A connected socket to 127.0.0.1:port, or -1.
int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  SetTimeouts(fd);
  const sockaddr_in a = Loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n =
        ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads until `n` bytes, end of stream, an error or the timeout.
std::string ReadUpTo(int fd, size_t n) {
  std::string out;
  char buf[65536];
  while (out.size() < n) {
    const ssize_t r = ::recv(fd, buf, std::min(sizeof(buf), n - out.size()), 0);
    if (r <= 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

// Reads until end of stream (or error/timeout); at most `max` bytes.
std::string ReadToEnd(int fd, size_t max = 1 << 20) {
  return ReadUpTo(fd, max);
}

// True when `fd` has something to read (data or end of stream) within ms.
bool Readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

// A TCP server on 127.0.0.1 with a thread per connection.
//   echo mode: writes back every byte it reads.
//   framed mode: reads kFrame-byte messages "seq=%08d..." and echoes each;
//     a seq not above the last one on the connection (a duplicate) makes
//     it close the connection, as a TLS peer fails on a replayed record.
class TestServer {
 public:
  static constexpr size_t kFrame = 64;

  explicit TestServer(bool framed) : framed_(framed) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in a = Loopback(0);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
      ADD_FAILURE() << "test server: bind/listen failed";
    }
    socklen_t len = sizeof(a);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~TestServer() {
    stop_.store(true);
    acceptor_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (std::thread& t : conns_) t.join();
    ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  uint64_t connections() const { return connections_.load(); }

 private:
  void AcceptLoop() {
    while (!stop_.load()) {
      if (!Readable(listen_fd_, kPollStepMs)) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      connections_.fetch_add(1);
      std::lock_guard<std::mutex> lock(mu_);
      conns_.emplace_back([this, fd] {
        Serve(fd);
        ::close(fd);
      });
    }
  }

  // Waits for data in kPollStepMs steps so that stop_ is seen.
  ssize_t Recv(int fd, char* buf, size_t n) {
    while (!stop_.load()) {
      if (!Readable(fd, kPollStepMs)) continue;
      return ::recv(fd, buf, n, 0);
    }
    return -1;
  }

  void Serve(int fd) {
    char buf[65536];
    std::string pending;
    long last_seq = -1;
    for (;;) {
      const ssize_t n = Recv(fd, buf, sizeof(buf));
      if (n <= 0) return;
      if (!framed_) {
        if (!SendAll(fd, std::string(buf, static_cast<size_t>(n)))) return;
        continue;
      }
      pending.append(buf, static_cast<size_t>(n));
      while (pending.size() >= kFrame) {
        const std::string msg = pending.substr(0, kFrame);
        pending.erase(0, kFrame);
        const long seq = std::strtol(msg.c_str() + 4, nullptr, 10);
        if (msg.compare(0, 4, "seq=") != 0 || seq <= last_seq) return;
        last_seq = seq;
        if (!SendAll(fd, msg)) return;
      }
    }
  }

  const bool framed_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> connections_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> conns_;
};

std::string Frame(int seq) {
  char head[16];
  std::snprintf(head, sizeof(head), "seq=%08d", seq);
  std::string msg(head);
  msg.resize(TestServer::kFrame, static_cast<char>('a' + seq % 26));
  return msg;
}

FaultProxyConfig ConfigFor(const TestServer& server) {
  FaultProxyConfig c;
  c.upstream_port = server.port();
  c.lifetime_ms = 120'000;
  return c;
}

std::unique_ptr<FaultProxy> Started(const FaultProxyConfig& c) {
  auto proxy = std::make_unique<FaultProxy>(c);
  const Status st = proxy->Start();
  EXPECT_TRUE(st.ok()) << st.ToString();
  return proxy;
}

// Sends `msg` and reads back up to its length.
std::string Exchange(int fd, const std::string& msg) {
  if (!SendAll(fd, msg)) return "";
  return ReadUpTo(fd, msg.size());
}

TEST(FaultProxyTest, PassesBytesThroughUnchangedWithoutFaults) {
  TestServer echo(false);
  auto proxy = Started(ConfigFor(echo));
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  std::mt19937_64 rng(42);
  std::string sent, got;
  for (int piece = 0; piece < 16; ++piece) {  // 1 MiB in 64 KiB exchanges
    std::string data(65536, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    sent += data;
    got += Exchange(fd, data);
  }
  EXPECT_EQ(got.size(), sent.size());
  EXPECT_TRUE(got == sent) << "bytes changed on the way";
  // End of stream passes through too: the echo server closes in turn.
  ::shutdown(fd, SHUT_WR);
  EXPECT_EQ(ReadToEnd(fd), "");
  ::close(fd);
  EXPECT_EQ(proxy->faults_injected().total(), 0u);
  EXPECT_TRUE(proxy->fault_log().empty());
  EXPECT_EQ(proxy->connections_accepted(), 1u);
}

TEST(FaultProxyTest, DropClosesBothSides) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.drop_probability = 1;
  c.max_faults = 1;
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Exchange(fd, "hello"), "");  // lost, and the link closed
  ::close(fd);
  const FaultCounts n = proxy->faults_injected();
  EXPECT_EQ(n[FaultKind::kDrop], 1u);
  EXPECT_EQ(n.total(), 1u);
  // The bound is reached: the next connection is clean.
  const int fd2 = Connect(proxy->port());
  ASSERT_GE(fd2, 0);
  EXPECT_EQ(Exchange(fd2, "again"), "again");
  ::close(fd2);
  EXPECT_EQ(proxy->faults_injected().total(), 1u);
}

TEST(FaultProxyTest, DelayHoldsBytesButDeliversThem) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.delay_probability = 1;
  c.delay_ms_max = 30;
  c.max_faults = 4;
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Exchange(fd, Frame(i)), Frame(i));
  ::close(fd);
  EXPECT_EQ(proxy->faults_injected()[FaultKind::kDelay], 4u);
  EXPECT_EQ(proxy->faults_injected().total(), 4u);
  for (const FaultEvent& e : proxy->fault_log()) {
    EXPECT_EQ(e.kind, FaultKind::kDelay);
    EXPECT_GE(e.param, 1u);
    EXPECT_LE(e.param, 30u);
  }
}

TEST(FaultProxyTest, DuplicateSendsAChunkTwice) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.duplicate_probability = 1;
  c.max_faults = 1;  // only the client's first chunk
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "abc"));
  EXPECT_EQ(ReadUpTo(fd, 6), "abcabc");
  ::close(fd);
  ASSERT_EQ(proxy->fault_log().size(), 1u);
  const FaultEvent e = proxy->fault_log()[0];
  EXPECT_EQ(e.kind, FaultKind::kDuplicate);
  EXPECT_EQ(e.direction, FaultDirection::kClientToUpstream);
  EXPECT_EQ(proxy->faults_injected()[FaultKind::kDuplicate], 1u);
}

TEST(FaultProxyTest, CutForwardsAPrefixThenCloses) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.cut_probability = 1;
  c.max_faults = 1;
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  const std::string msg(100, 'x');
  ASSERT_TRUE(SendAll(fd, msg));
  // The link closes; at most the forwarded prefix can have come back.
  const std::string got = ReadToEnd(fd);
  ::close(fd);
  ASSERT_EQ(proxy->fault_log().size(), 1u);
  const FaultEvent e = proxy->fault_log()[0];
  EXPECT_EQ(e.kind, FaultKind::kCut);
  EXPECT_LT(e.param, msg.size());
  EXPECT_LE(got.size(), e.param);
  EXPECT_EQ(got, std::string(got.size(), 'x'));
  EXPECT_EQ(proxy->faults_injected()[FaultKind::kCut], 1u);
}

TEST(FaultProxyTest, StallHoldsBytesWithoutClosingUntilStopped) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.stall_probability = 1;
  c.stall_ms = 0;  // until closed
  c.max_faults = 1;
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "ping"));
  // Stalled for good: nothing comes back and the link stays open (neither
  // data nor end of stream is readable).
  EXPECT_FALSE(Readable(fd, 300));
  EXPECT_EQ(proxy->faults_injected()[FaultKind::kStall], 1u);
  proxy->Stop();
  EXPECT_EQ(ReadToEnd(fd), "");  // closed by Stop, "ping" never forwarded
  ::close(fd);
}

TEST(FaultProxyTest, TimedStallResumesForwarding) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.stall_probability = 1;
  c.stall_ms = 50;
  c.max_faults = 2;
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Exchange(fd, "ping"), "ping");
  EXPECT_EQ(Exchange(fd, "pong"), "pong");
  ::close(fd);
  EXPECT_EQ(proxy->faults_injected()[FaultKind::kStall], 2u);
  for (const FaultEvent& e : proxy->fault_log()) EXPECT_EQ(e.param, 50u);
}

TEST(FaultProxyTest, MaxFaultsBoundsInjection) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.duplicate_probability = 0.5;
  c.delay_probability = 0.5;
  c.delay_ms_max = 2;
  c.max_faults = 0;
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Exchange(fd, Frame(i)), Frame(i));
  ::close(fd);
  EXPECT_EQ(proxy->faults_injected().total(), 0u);
}

// A client that sends framed messages one at a time and, on anything
// unexpected (end of stream, a short or wrong reply), closes gracefully
// (shutdown, drain) and retries the same message on a new connection.
// Returns the number of messages confirmed.
int RunFramedClient(uint16_t port, int messages) {
  constexpr int kMaxAttempts = 50;  // per message
  int fd = -1;
  int confirmed = 0;
  for (int seq = 0; seq < messages; ++seq) {
    bool ok = false;
    for (int attempt = 0; attempt < kMaxAttempts && !ok; ++attempt) {
      if (fd < 0) fd = Connect(port);
      if (fd < 0) continue;
      ok = Exchange(fd, Frame(seq)) == Frame(seq);
      if (!ok) {
        ::shutdown(fd, SHUT_WR);
        ReadToEnd(fd);
        ::close(fd);
        fd = -1;
      }
    }
    if (!ok) break;
    ++confirmed;
  }
  if (fd >= 0) {
    ::shutdown(fd, SHUT_WR);
    ReadToEnd(fd);
    ::close(fd);
  }
  return confirmed;
}

struct SeededRun {
  std::vector<FaultEvent> log;
  FaultCounts counts;
  int confirmed = 0;
};

SeededRun RunWithSeed(uint64_t seed) {
  TestServer server(true);
  FaultProxyConfig c = ConfigFor(server);
  c.seed = seed;
  c.drop_probability = 0.03;
  c.delay_probability = 0.03;
  c.duplicate_probability = 0.03;
  c.cut_probability = 0.03;
  c.stall_probability = 0.03;
  c.delay_ms_max = 3;
  c.stall_ms = 3;
  c.max_faults = 10'000;
  auto proxy = Started(c);
  SeededRun run;
  run.confirmed = RunFramedClient(proxy->port(), 300);
  // The last connection's teardown may still be in flight on the proxy's
  // thread; Stop() waits for it, then the log is final.
  proxy->Stop();
  run.log = proxy->fault_log();
  run.counts = proxy->faults_injected();
  return run;
}

TEST(FaultProxyTest, SameSeedSameFaultSequence) {
  const SeededRun a = RunWithSeed(7);
  const SeededRun b = RunWithSeed(7);
  const SeededRun other = RunWithSeed(8);
  EXPECT_EQ(a.confirmed, 300);
  EXPECT_EQ(b.confirmed, 300);
  EXPECT_EQ(other.confirmed, 300);
  // Every kind happened, and the traffic survived it.
  for (size_t k = 0; k < kFaultKindCount; ++k) {
    EXPECT_GT(a.counts.by_kind[k], 0u)
        << FaultKindName(static_cast<FaultKind>(k));
  }
  ASSERT_EQ(a.log.size(), b.log.size());
  for (size_t i = 0; i < a.log.size(); ++i) {
    EXPECT_EQ(a.log[i], b.log[i])
        << i << ": " << ToString(a.log[i]) << " vs " << ToString(b.log[i]);
  }
  EXPECT_NE(a.log, other.log);
}

TEST(FaultProxyTest, PauseClosesAndRefusesUntilResume) {
  TestServer echo(false);
  auto proxy = Started(ConfigFor(echo));
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Exchange(fd, "up"), "up");
  proxy->Pause();
  EXPECT_EQ(ReadToEnd(fd), "");  // the open link went down
  ::close(fd);
  const int refused = Connect(proxy->port());
  ASSERT_GE(refused, 0);  // the port stays bound, the connection is closed
  EXPECT_EQ(Exchange(refused, "down?"), "");
  ::close(refused);
  EXPECT_GE(proxy->connections_refused(), 1u);
  proxy->Resume();
  const int fd2 = Connect(proxy->port());
  ASSERT_GE(fd2, 0);
  EXPECT_EQ(Exchange(fd2, "up again"), "up again");
  ::close(fd2);
}

TEST(FaultProxyTest, StopsByItselfAfterItsLifetime) {
  TestServer echo(false);
  FaultProxyConfig c = ConfigFor(echo);
  c.lifetime_ms = 100;
  auto proxy = Started(c);
  const int fd = Connect(proxy->port());
  ASSERT_GE(fd, 0);
  // Bounded wait: 500 x 20 ms.
  for (int i = 0; i < 500 && !proxy->stopped(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollStepMs));
  }
  EXPECT_TRUE(proxy->stopped());
  EXPECT_EQ(ReadToEnd(fd), "");  // its connection was closed
  ::close(fd);
  proxy->Stop();  // idempotent
}

TEST(FaultProxyTest, RefusesBadConfigNamingTheField) {
  struct Case {
    FaultProxyConfig config;
    std::string field;
  };
  std::vector<Case> cases;
  FaultProxyConfig base;
  base.upstream_port = 9;
  cases.push_back({FaultProxyConfig{}, "upstream_port"});
  FaultProxyConfig c = base;
  c.drop_probability = 1.5;
  cases.push_back({c, "drop_probability"});
  c = base;
  c.stall_probability = -0.1;
  cases.push_back({c, "stall_probability"});
  c = base;
  c.cut_probability = 0.6;
  c.delay_probability = 0.6;
  cases.push_back({c, "add up to more than 1"});
  c = base;
  c.delay_ms_max = 0;
  cases.push_back({c, "delay_ms_max"});
  c = base;
  c.chunk_bytes = kMaxProxyChunkBytes + 1;
  cases.push_back({c, "chunk_bytes"});
  c = base;
  c.lifetime_ms = 0;
  cases.push_back({c, "lifetime_ms"});
  c = base;
  c.max_faults = kMaxProxyFaults + 1;
  cases.push_back({c, "max_faults"});
  c = base;
  c.stall_ms = kMaxProxyStallMs + 1;
  cases.push_back({c, "stall_ms"});
  for (const Case& k : cases) {
    FaultProxy proxy(k.config);
    const Status st = proxy.Start();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << k.field;
    EXPECT_THAT(st.message(), HasSubstr(k.field));
  }
  // The limits themselves are accepted.
  c = base;
  c.chunk_bytes = kMaxProxyChunkBytes;
  c.delay_ms_max = kMaxProxyDelayMs;
  c.stall_ms = kMaxProxyStallMs;
  c.max_faults = kMaxProxyFaults;
  c.lifetime_ms = kMaxProxyLifetimeMs;
  c.drop_probability = 0.5;
  c.cut_probability = 0.5;
  FaultProxy ok(c);
  EXPECT_TRUE(ok.Start().ok());
}

}  // namespace
}  // namespace storeagent::testing
