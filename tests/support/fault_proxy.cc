#include "tests/support/fault_proxy.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

namespace storeagent::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

// Probabilities become thresholds on a draw in [0, kScale).
constexpr uint64_t kScale = 1'000'000;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

Status CheckProbability(double p, const char* field) {
  if (!(p >= 0.0 && p <= 1.0)) {
    return InvalidArgument(std::string("FaultProxyConfig.") + field +
                           ": must be in [0, 1]");
  }
  return Status::Ok();
}

Status CheckConfig(const FaultProxyConfig& c) {
  if (c.upstream_port == 0) {
    return InvalidArgument("FaultProxyConfig.upstream_port: required");
  }
  STOREAGENT_RETURN_IF_ERROR(
      CheckProbability(c.drop_probability, "drop_probability"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckProbability(c.delay_probability, "delay_probability"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckProbability(c.duplicate_probability, "duplicate_probability"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckProbability(c.cut_probability, "cut_probability"));
  STOREAGENT_RETURN_IF_ERROR(
      CheckProbability(c.stall_probability, "stall_probability"));
  const double sum = c.drop_probability + c.delay_probability +
                     c.duplicate_probability + c.cut_probability +
                     c.stall_probability;
  if (sum > 1.0 + 1e-9) {
    return InvalidArgument(
        "FaultProxyConfig: the five *_probability fields add up to more "
        "than 1");
  }
  if (c.delay_ms_max < 1 || c.delay_ms_max > kMaxProxyDelayMs) {
    return InvalidArgument("FaultProxyConfig.delay_ms_max: must be 1.." +
                           std::to_string(kMaxProxyDelayMs));
  }
  if (c.stall_ms > kMaxProxyStallMs) {
    return InvalidArgument("FaultProxyConfig.stall_ms: must be 0.." +
                           std::to_string(kMaxProxyStallMs));
  }
  if (c.max_faults > kMaxProxyFaults) {
    return InvalidArgument("FaultProxyConfig.max_faults: must be 0.." +
                           std::to_string(kMaxProxyFaults));
  }
  if (c.chunk_bytes < 1 || c.chunk_bytes > kMaxProxyChunkBytes) {
    return InvalidArgument("FaultProxyConfig.chunk_bytes: must be 1.." +
                           std::to_string(kMaxProxyChunkBytes));
  }
  if (c.lifetime_ms < 1 || c.lifetime_ms > kMaxProxyLifetimeMs) {
    return InvalidArgument("FaultProxyConfig.lifetime_ms: must be 1.." +
                           std::to_string(kMaxProxyLifetimeMs));
  }
  return Status::Ok();
}

// What to do with one chunk.
struct Decision {
  bool fault = false;
  FaultKind kind = FaultKind::kDrop;
  uint64_t param = 0;
};

}  // namespace

const char* FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kDrop:
      return "drop";
    case FaultKind::kDelay:
      return "delay";
    case FaultKind::kDuplicate:
      return "duplicate";
    case FaultKind::kCut:
      return "cut";
    case FaultKind::kStall:
      return "stall";
  }
  return "?";
}

uint64_t FaultCounts::total() const {
  uint64_t t = 0;
  for (const uint64_t n : by_kind) t += n;
  return t;
}

std::string ToString(const FaultEvent& e) {
  return "conn " + std::to_string(e.connection) +
         (e.direction == FaultDirection::kClientToUpstream ? " c->u"
                                                           : " u->c") +
         " chunk " + std::to_string(e.chunk) + " " + FaultKindName(e.kind) +
         " " + std::to_string(e.param);
}

// ---------------------------------------------------------------------------

class FaultProxy::Impl {
 public:
  class Session;

  Impl(FaultProxy* outer, FaultProxyConfig config)
      : outer_(outer), config_(config), acceptor_(io_), lifetime_timer_(io_) {}

  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  void SetPaused(bool paused);

  FaultCounts Counts() const {
    FaultCounts c;
    for (size_t i = 0; i < kFaultKindCount; ++i)
      c.by_kind[i] = counts_[i].load();
    return c;
  }
  std::vector<FaultEvent> Log() const {
    std::lock_guard<std::mutex> lock(log_mu_);
    return log_;
  }

  // Io thread only.
  Decision Decide(uint64_t conn, FaultDirection dir, uint64_t chunk,
                  std::mt19937_64& rng, size_t n);
  void Forget(uint64_t conn) { sessions_.erase(conn); }
  const FaultProxyConfig& config() const { return config_; }
  asio::io_context& io() { return io_; }

 private:
  void Accept();
  void Shutdown();  // io thread
  void CloseAll();  // io thread
  // Runs `fn` on the io thread and waits for it; runs nothing once the
  // thread has exited.
  void RunOnIo(std::function<void()> fn);

  FaultProxy* const outer_;
  const FaultProxyConfig config_;
  std::array<uint64_t, kFaultKindCount> thresholds_ = {};  // cumulative
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer lifetime_timer_;
  std::thread thread_;
  std::mutex stop_mu_;
  std::atomic<bool> running_{false};

  // Io thread only.
  bool paused_ = false;
  bool shut_down_ = false;
  uint64_t next_connection_ = 0;
  uint64_t total_faults_ = 0;
  std::map<uint64_t, std::weak_ptr<Session>> sessions_;

  std::array<std::atomic<uint64_t>, kFaultKindCount> counts_ = {};
  mutable std::mutex log_mu_;
  std::vector<FaultEvent> log_;
};

// One proxied connection: two pumps (client->upstream, upstream->client).
class FaultProxy::Impl::Session
    : public std::enable_shared_from_this<FaultProxy::Impl::Session> {
 public:
  Session(Impl* proxy, tcp::socket client, uint64_t index)
      : proxy_(proxy),
        index_(index),
        client_(std::move(client)),
        upstream_(proxy->io()),
        stall_timer_(proxy->io()) {
    const uint64_t seed = proxy->config().seed;
    for (int d = 0; d < 2; ++d) {
      Pump& p = pumps_[d];
      p.dir = static_cast<FaultDirection>(d);
      p.from = d == 0 ? &client_ : &upstream_;
      p.to = d == 0 ? &upstream_ : &client_;
      p.buf.resize(proxy->config().chunk_bytes);
      p.rng.seed(SplitMix64(seed ^ SplitMix64(index * 2 + d)));
      p.delay_timer = std::make_unique<asio::steady_timer>(proxy->io());
    }
  }

  void Start() {
    const tcp::endpoint up(asio::ip::address_v4::loopback(),
                           proxy_->config().upstream_port);
    upstream_.async_connect(up, [self = shared_from_this()](error_code ec) {
      if (self->closed_) return;
      if (ec) {
        self->Close();
        return;
      }
      self->Read(0);
      self->Read(1);
    });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    client_.shutdown(tcp::socket::shutdown_both, ignored);
    client_.close(ignored);
    upstream_.shutdown(tcp::socket::shutdown_both, ignored);
    upstream_.close(ignored);
    stall_timer_.cancel();
    for (Pump& p : pumps_) p.delay_timer->cancel();
    proxy_->Forget(index_);
  }

 private:
  struct Pump {
    FaultDirection dir = FaultDirection::kClientToUpstream;
    tcp::socket* from = nullptr;
    tcp::socket* to = nullptr;
    std::vector<char> buf;
    std::mt19937_64 rng;
    uint64_t chunk = 0;
    bool done = false;
    std::unique_ptr<asio::steady_timer> delay_timer;
  };

  void Read(int d) {
    Pump& p = pumps_[d];
    p.from->async_read_some(asio::buffer(p.buf), [self = shared_from_this(), d](
                                                     error_code ec, size_t n) {
      self->OnRead(d, ec, n);
    });
  }

  void OnRead(int d, error_code ec, size_t n) {
    if (closed_) return;
    Pump& p = pumps_[d];
    if (ec == asio::error::eof) {
      // Half-close: pass the end of stream on, keep the other way going.
      error_code ignored;
      p.to->shutdown(tcp::socket::shutdown_send, ignored);
      p.done = true;
      if (pumps_[0].done && pumps_[1].done) Close();
      return;
    }
    if (ec) {
      Close();
      return;
    }
    const Decision dec = proxy_->Decide(index_, p.dir, p.chunk++, p.rng, n);
    if (!dec.fault) {
      AfterStall(d, [this, d, n] { Write(d, n, 1); });
      return;
    }
    switch (dec.kind) {
      case FaultKind::kDrop:
        Close();
        return;
      case FaultKind::kDelay:
        p.delay_timer->expires_after(std::chrono::milliseconds(dec.param));
        p.delay_timer->async_wait([self = shared_from_this(), d,
                                   n](error_code wait_ec) {
          if (self->closed_ || wait_ec) return;
          self->AfterStall(d, [s = self.get(), d, n] { s->Write(d, n, 1); });
        });
        return;
      case FaultKind::kDuplicate:
        AfterStall(d, [this, d, n] { Write(d, n, 2); });
        return;
      case FaultKind::kCut:
        asio::async_write(
            *p.to, asio::buffer(p.buf.data(), dec.param),
            [self = shared_from_this()](error_code, size_t) { self->Close(); });
        return;
      case FaultKind::kStall:
        stalled_ = true;
        if (dec.param == 0) {
          stall_timer_.expires_at(asio::steady_timer::time_point::max());
        } else {
          stall_timer_.expires_after(std::chrono::milliseconds(dec.param));
        }
        AfterStall(d, [this, d, n] { Write(d, n, 1); });
        return;
    }
  }

  // Runs `then` at once, or when the session's stall ends.
  void AfterStall(int d, std::function<void()> then) {
    if (!stalled_) {
      then();
      return;
    }
    stall_timer_.async_wait(
        [self = shared_from_this(), d, then = std::move(then)](error_code ec) {
          if (self->closed_) return;
          if (ec == asio::error::operation_aborted) {
            // Re-armed by a newer stall: wait for that one.
            self->AfterStall(d, then);
            return;
          }
          self->stalled_ = false;
          then();
        });
  }

  // Writes the chunk `copies` times, then reads the next one.
  void Write(int d, size_t n, int copies) {
    Pump& p = pumps_[d];
    asio::async_write(
        *p.to, asio::buffer(p.buf.data(), n),
        [self = shared_from_this(), d, n, copies](error_code ec, size_t) {
          if (self->closed_) return;
          if (ec) {
            self->Close();
            return;
          }
          if (copies > 1) {
            self->Write(d, n, copies - 1);
          } else {
            self->Read(d);
          }
        });
  }

  Impl* const proxy_;
  const uint64_t index_;
  tcp::socket client_;
  tcp::socket upstream_;
  asio::steady_timer stall_timer_;
  std::array<Pump, 2> pumps_;
  bool stalled_ = false;
  bool closed_ = false;
};

Status FaultProxy::Impl::Start() {
  STOREAGENT_RETURN_IF_ERROR(CheckConfig(config_));
  if (thread_.joinable() || shut_down_) {
    return FailedPrecondition("FaultProxy: Start() called twice");
  }
  const double probs[kFaultKindCount] = {
      config_.drop_probability, config_.delay_probability,
      config_.duplicate_probability, config_.cut_probability,
      config_.stall_probability};
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kFaultKindCount; ++i) {
    cumulative += static_cast<uint64_t>(std::llround(probs[i] * kScale));
    thresholds_[i] = cumulative;
  }
  error_code ec;
  const tcp::endpoint ep(asio::ip::address_v4::loopback(), config_.listen_port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable("FaultProxy: listen on 127.0.0.1:" +
                       std::to_string(config_.listen_port) + ": " +
                       ec.message());
  }
  outer_->port_.store(acceptor_.local_endpoint().port());
  lifetime_timer_.expires_after(std::chrono::milliseconds(config_.lifetime_ms));
  lifetime_timer_.async_wait([this](error_code wait_ec) {
    if (!wait_ec) Shutdown();
  });
  Accept();
  running_.store(true);
  thread_ = std::thread([this] {
    io_.run();
    running_.store(false);
    outer_->stopped_.store(true);
  });
  return Status::Ok();
}

void FaultProxy::Impl::Accept() {
  acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
    if (shut_down_ || !acceptor_.is_open()) return;
    if (!ec) {
      outer_->accepted_.fetch_add(1);
      if (paused_) {
        outer_->refused_.fetch_add(1);
        error_code ignored;
        socket.close(ignored);
      } else {
        const uint64_t index = next_connection_++;
        auto session =
            std::make_shared<Session>(this, std::move(socket), index);
        sessions_[index] = session;
        session->Start();
      }
    }
    Accept();
  });
}

Decision FaultProxy::Impl::Decide(uint64_t conn, FaultDirection dir,
                                  uint64_t chunk, std::mt19937_64& rng,
                                  size_t n) {
  // Two draws per chunk whatever happens, so the sequence of one stream
  // does not depend on the others or on max_faults.
  const uint64_t u = rng() % kScale;
  const uint64_t v = rng();
  Decision d;
  if (total_faults_ >= config_.max_faults) return d;
  size_t kind = 0;
  while (kind < kFaultKindCount && u >= thresholds_[kind]) ++kind;
  if (kind == kFaultKindCount) return d;
  d.fault = true;
  d.kind = static_cast<FaultKind>(kind);
  switch (d.kind) {
    case FaultKind::kDelay:
      d.param = 1 + v % config_.delay_ms_max;
      break;
    case FaultKind::kCut:
      d.param = v % n;  // 0..n-1 bytes get through
      break;
    case FaultKind::kStall:
      d.param = config_.stall_ms;
      break;
    case FaultKind::kDrop:
    case FaultKind::kDuplicate:
      break;
  }
  ++total_faults_;
  counts_[kind].fetch_add(1);
  std::lock_guard<std::mutex> lock(log_mu_);
  log_.push_back(FaultEvent{conn, dir, chunk, d.kind, d.param});
  return d;
}

void FaultProxy::Impl::CloseAll() {
  // Close() erases from sessions_: walk a copy.
  std::vector<std::shared_ptr<Session>> open;
  for (auto& [index, weak] : sessions_) {
    if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->Close();
  sessions_.clear();
}

void FaultProxy::Impl::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  lifetime_timer_.cancel();
  CloseAll();
  // io_.run() returns once the aborted handlers have run.
}

void FaultProxy::Impl::RunOnIo(std::function<void()> fn) {
  if (!running_.load()) return;
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> fut = done->get_future();
  asio::post(io_, [fn = std::move(fn), done] {
    fn();
    done->set_value();
  });
  // Bounded: either the handler runs or the io thread exits without it.
  while (fut.wait_for(std::chrono::milliseconds(20)) !=
         std::future_status::ready) {
    if (!running_.load()) return;
  }
}

void FaultProxy::Impl::SetPaused(bool paused) {
  RunOnIo([this, paused] {
    paused_ = paused;
    if (paused) CloseAll();
  });
}

void FaultProxy::Impl::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  RunOnIo([this] { Shutdown(); });
  if (thread_.joinable()) thread_.join();
  outer_->stopped_.store(true);
}

// ---------------------------------------------------------------------------

FaultProxy::FaultProxy(FaultProxyConfig config)
    : impl_(std::make_unique<Impl>(this, config)) {}

FaultProxy::~FaultProxy() { Stop(); }

Status FaultProxy::Start() { return impl_->Start(); }
void FaultProxy::Pause() { impl_->SetPaused(true); }
void FaultProxy::Resume() { impl_->SetPaused(false); }
void FaultProxy::Stop() { impl_->Stop(); }
FaultCounts FaultProxy::faults_injected() const { return impl_->Counts(); }
std::vector<FaultEvent> FaultProxy::fault_log() const { return impl_->Log(); }

}  // namespace storeagent::testing
