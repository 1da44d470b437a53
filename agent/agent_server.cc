#include "agent/agent_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "platform/fs.h"
#include "platform/listen_address.h"
#include "platform/log.h"
#include "storage/sync_store.h"

namespace storeagent::agent {
namespace {

constexpr char kPosServiceName[] = "storeagent.v1.PosService";
constexpr char kAvailabilityServiceName[] = "storeagent.v1.AvailabilityService";
// How often the disk guard samples the data directory's free space.
constexpr int64_t kDiskCheckIntervalMicros = 2'000'000;

// True when a process accepts connections on the Unix socket at `path`.
bool SocketAnswers(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool answers = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr),
                                 sizeof(addr)) == 0;
  ::close(fd);
  return answers;
}

// Removes a socket file left by an agent that died; one that a running
// process still listens on is refused (taking it over would split the
// tills between two agents).
Status ClearStaleSocket(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return Status::Ok();
  if (!S_ISSOCK(st.st_mode)) {
    return FailedPrecondition("pos.socket: " + path +
                              " exists and is not a socket");
  }
  if (SocketAnswers(path)) {
    return Unavailable("pos.socket: cannot listen on " + path +
                       ": a running process (another storeagentd?) already "
                       "listens on it");
  }
  ::unlink(path.c_str());
  return Status::Ok();
}

SyncClientOptions SyncOptionsOf(const AgentConfig& c) {
  SyncClientOptions o;
  o.store_id = c.store_id;
  o.agent_version = STOREAGENT_VERSION;
  o.central = c.sync_central;
  o.ca_file = c.sync_ca_file;
  o.cert_file = c.sync_cert_file;
  o.key_file = c.sync_key_file;
  o.server_name = c.sync_server_name;
  o.insecure = c.sync_insecure;
  o.max_batch_events = static_cast<uint32_t>(c.sync_max_batch_events);
  o.max_batch_bytes = static_cast<uint32_t>(c.sync_max_batch_bytes);
  o.window = static_cast<uint32_t>(c.sync_window);
  o.digest_interval = std::chrono::seconds(c.sync_digest_interval_s);
  o.digest_min_gap = std::chrono::milliseconds(c.sync_digest_min_gap_ms);
  o.send_parsed_records = c.sync_send_parsed_records;
  o.stall_timeout = std::chrono::seconds(c.sync_stall_timeout_s);
  o.backoff.initial = std::chrono::milliseconds(c.sync_backoff_initial_ms);
  o.backoff.max = std::chrono::milliseconds(c.sync_backoff_max_ms);
  return o;
}

std::string DirName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status PrepareSync(storage::AgentDatabase& db, const AgentConfig& config,
                   std::unique_ptr<storage::EscrowKeeper>* keeper,
                   std::unique_ptr<SyncGate>* gate) {
  storage::EscrowPolicy policy;
  policy.units = config.sync_escrow_units;
  policy.low_water = config.sync_escrow_low_water;
  *keeper = std::make_unique<storage::EscrowKeeper>(db.journal(), policy);
  storage::EscrowKeeper* k = keeper->get();
  db.journal().SetAfterAppend([k](storage::WriteContext& ctx,
                                  const v1::JournalRecord& record,
                                  const std::vector<std::string>& touched) {
    return k->AfterAppend(ctx, record, touched);
  });
  uint64_t confirmed = 0;
  STOREAGENT_RETURN_IF_ERROR(
      db.writer().Run([&confirmed](storage::WriteContext& ctx) -> Status {
        Result<uint64_t> v =
            storage::SyncStore::ReadMetaU64(ctx, storage::kMetaSyncConfirmed);
        if (!v.ok()) return v.status();
        confirmed = *v;
        return Status::Ok();
      }));
  // Closed until central has answered a Hello for this database: a new or
  // re-created database (disk died), and one put back by `storeagentctl
  // restore` (which clears the mark), may be behind central's copy.
  const bool closed = config.sync_enabled() && confirmed == 0;
  *gate = std::make_unique<SyncGate>(closed);
  if (closed) {
    Log(LogLevel::kWarn, "sync.gate_closed",
        {{"why",
          "this database was never confirmed by central (new, re-created "
          "or restored); journal writes wait for the first Welcome"}});
  }
  return Status::Ok();
}

Result<std::unique_ptr<AgentServer>> AgentServer::Start(
    const AgentConfig& config, const Clock& clock,
    const ServerOverrides& overrides) {
  std::unique_ptr<AgentServer> s(new AgentServer(clock));
  s->config_ = config;
  if (overrides.scheduler != nullptr) {
    s->scheduler_ = overrides.scheduler;
  } else {
    s->own_scheduler_ = std::make_unique<ThreadScheduler>();
    s->scheduler_ = s->own_scheduler_.get();
  }
  s->metrics_ = std::make_unique<AgentMetrics>(clock);

  STOREAGENT_RETURN_IF_ERROR(fs::EnsureDirectory(config.data_dir, 0750));
  // One agent per data directory: a second one would write the same journal
  // and take the POS socket away from the first.
  Result<FileLock> lock = FileLock::Acquire(config.data_dir + "/agent.lock");
  if (!lock.ok()) return lock.status();
  s->lock_ = std::move(lock).value();
  // The checkpoint key, created at the first start (docs/security.md,
  // "Signed checkpoints"). Its path and id are logged, never its bytes.
  bool key_created = false;
  Result<crypto::SigningKey> key =
      crypto::SigningKey::LoadOrCreate(config.SigningKeyPath(), &key_created);
  if (!key.ok()) return key.status();
  s->signing_key_ =
      std::make_unique<crypto::SigningKey>(std::move(key).value());
  Log(LogLevel::kInfo,
      key_created ? "checkpoint.key_created" : "checkpoint.key_loaded",
      {{"path", config.SigningKeyPath()},
       {"key_id", s->signing_key_->key_id()}});
  storage::DatabaseOptions dbo;
  dbo.path = config.DatabasePath();
  dbo.checkpoints.key = s->signing_key_.get();
  dbo.checkpoints.every_events =
      static_cast<uint64_t>(config.checkpoint_every_events);
  dbo.store_id = config.store_id;
  dbo.read_threads = config.read_threads;
  dbo.vfs = overrides.vfs;
  dbo.writer.max_batch = static_cast<size_t>(config.max_batch);
  dbo.writer.on_commit =
      [m = s->metrics_.get()](const storage::CommitInfo& info) {
        m->OnCommit(info);
      };
  Result<std::unique_ptr<storage::AgentDatabase>> db =
      storage::AgentDatabase::Open(dbo, clock);
  if (!db.ok()) return db.status();
  s->db_ = std::move(db).value();
  if (config.sync_enabled()) {
    STOREAGENT_RETURN_IF_ERROR(
        PrepareSync(*s->db_, config, &s->escrow_, &s->sync_gate_));
  }

  AgentServer* self = s.get();
  s->disk_guard_ = std::make_unique<DiskGuard>(
      [dir = config.data_dir] { return fs::FreeBytes(dir); },
      static_cast<uint64_t>(config.min_free_mib) << 20, *s->scheduler_,
      kDiskCheckIntervalMicros,
      [self](bool reached) { self->SetServing(!reached); });

  s->metrics_->SetSources(s->db_.get(), s->disk_guard_.get(), &s->sync_health_);
  s->metrics_->SetStaffPageSource([self] { return self->StaffPage(); });
  s->prices_ =
      std::make_unique<PriceBookHolder>(config.store_id, config.currency);
  STOREAGENT_RETURN_IF_ERROR(s->prices_->Reload(*s->db_));
  RecorderOptions ro;
  ro.prices = s->prices_.get();
  ro.clock = &clock;
  ro.loyalty_key = config.loyalty_key;
  ro.contact_public_key = config.contact_public_key;
  ro.disk_guard = s->disk_guard_.get();
  ro.sync_gate = s->sync_gate_.get();
  s->recorder_ = std::make_unique<Recorder>(*s->db_, ro);
  s->pos_ = std::make_unique<PosServiceImpl>(
      config.store_id, *s->db_, *s->recorder_, &s->sync_health_, clock);
  s->stock_ops_ = std::make_unique<StockOps>(
      *s->db_, clock, s->disk_guard_.get(), s->sync_gate_.get());
  s->availability_ = std::make_unique<AvailabilityServiceImpl>(*s->stock_ops_);
  s->price_service_ = std::make_unique<PriceServiceImpl>(
      *s->prices_, config.sync_enabled() ? &s->sync_health_ : nullptr, clock);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  // An answer may hold a recorded request twice: GetEvent carries the
  // record parsed and its stored bytes (canonical_record).
  builder.SetMaxSendMessageSize(2 * config.max_message_bytes + (64 << 10));
  if (!config.pos_socket.empty()) {
    STOREAGENT_RETURN_IF_ERROR(
        fs::EnsureDirectory(DirName(config.pos_socket), 0755));
    STOREAGENT_RETURN_IF_ERROR(ClearStaleSocket(config.pos_socket));
    builder.AddListeningPort("unix:" + config.pos_socket,
                             grpc::InsecureServerCredentials());
  }
  if (!config.pos_tcp_listen.empty()) {
    builder.AddListeningPort(config.pos_tcp_listen,
                             grpc::InsecureServerCredentials(), &s->tcp_port_);
  }
  // gRPC sets SO_REUSEPORT by default: a second agent on a taken port would
  // then start and the kernel would split the tills' calls between two
  // databases. Off, a taken port fails the start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(s->pos_.get());
  builder.RegisterService(s->availability_.get());
  builder.RegisterService(s->price_service_.get());
  {
    // Counts every finished call by code (metrics_ outlives server_).
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(s->metrics_->grpc().InterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr) {
    if (!config.pos_tcp_listen.empty()) {
      const std::string why =
          platform::ExplainBindFailure(config.pos_tcp_listen);
      if (!why.empty()) {
        return Unavailable("pos.tcp_listen: cannot listen on " +
                           config.pos_tcp_listen + ": " + why);
      }
    }
    return Unavailable("could not listen on pos.socket '" + config.pos_socket +
                       "' / pos.tcp_listen '" + config.pos_tcp_listen + "'");
  }
  if (!config.pos_tcp_listen.empty() && s->tcp_port_ == 0) {
    return Unavailable("pos.tcp_listen: could not bind " +
                       config.pos_tcp_listen);
  }
  if (!config.pos_socket.empty() &&
      ::chmod(config.pos_socket.c_str(), config.pos_socket_mode) != 0) {
    return Internal("pos.socket: chmod " + config.pos_socket + " failed");
  }
  if (!config.http_listen.empty()) {
    std::lock_guard<std::mutex> http_lock(s->http_mu_);
    STOREAGENT_RETURN_IF_ERROR(s->StartStaffPage(config));
  }
  if (!config.metrics_listen.empty()) {
    Result<std::unique_ptr<StaffHttpServer>> mh =
        StaffHttpServer::StartMetricsOnly(config.metrics_listen, *s->stock_ops_,
                                          clock, s->MetricsHandler());
    if (!mh.ok()) return mh.status();
    s->metrics_http_ = std::move(mh).value();
    s->metrics_http_->CountRequestsIn(&s->metrics_->http_requests());
  }
  s->started_.store(true);
  s->SetServing(!s->disk_guard_->reserve_reached());
  s->expiry_timer_ = std::make_unique<HoldExpiryTimer>(
      *s->stock_ops_, *s->scheduler_,
      int64_t{config.hold_expiry_interval_s} * 1'000'000);
  if (config.sync_enabled()) {
    SyncClientOptions sync_options = SyncOptionsOf(config);
    sync_options.store_public_key = s->signing_key_->public_key();
    PriceBookHolder* prices = s->prices_.get();
    storage::AgentDatabase* agent_db = s->db_.get();
    sync_options.on_price_book_changed = [prices, agent_db] {
      prices->ReloadSoon(*agent_db);
    };
    sync_options.on_region = [prices, agent_db](const std::string& region) {
      if (Status r = prices->SetRegion(*agent_db, region); !r.ok()) {
        Log(LogLevel::kError, "prices.region_not_recorded",
            {{"region", region}, {"error", r.ToString()}});
      }
    };
    s->sync_ = std::make_unique<SyncClient>(
        *s->db_, *s->stock_ops_, clock, *s->scheduler_, std::move(sync_options),
        s->sync_health_, s->sync_gate_.get(), s->escrow_.get());
    STOREAGENT_RETURN_IF_ERROR(s->sync_->Start());
    SyncClient* sync = s->sync_.get();
    s->SetSyncReloadHook([sync](const AgentConfig& next) {
      return sync->ReloadTls(next.sync_ca_file, next.sync_cert_file,
                             next.sync_key_file);
    });
  }
  PruneOptions po;
  po.replay_window_days = config.replay_window_days;
  po.batch = static_cast<size_t>(config.prune_batch);
  po.interval = std::chrono::seconds(config.prune_interval_s);
  po.duty_percent = config.prune_duty_percent;
  s->prune_timer_ =
      std::make_unique<JournalPruneTimer>(*s->db_, clock, *s->scheduler_, po);
  if (config.checkpoint_every_minutes > 0) {
    s->checkpoint_timer_ = std::make_unique<CheckpointTimer>(
        *s->db_, *s->scheduler_,
        int64_t{config.checkpoint_every_minutes} * 60'000'000);
  }
  storage::JournalHead head = s->db_->journal().head();
  Log(LogLevel::kInfo, "agent.started",
      {{"store", config.store_id},
       {"db", dbo.path},
       {"socket", config.pos_socket},
       {"tcp",
        config.pos_tcp_listen.empty()
            ? std::string("off")
            : config.pos_tcp_listen + " port " + std::to_string(s->tcp_port_)},
       {"http", s->http_ ? config.http_listen + " port " +
                               std::to_string(s->http_->port())
                : config.http_listen.empty() ? std::string("off")
                                             : std::string("off (unusable)")},
       {"head_seq", std::to_string(head.seq)},
       {"sync", config.sync_enabled() ? config.sync_central : "off"}});
  return s;
}

AgentServer::~AgentServer() { Shutdown(); }

void AgentServer::SetServing(bool serving) {
  if (!started_.load() || server_ == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus(kPosServiceName, serving);
  health->SetServingStatus(kAvailabilityServiceName, serving);
  health->SetServingStatus(serving);
}

void AgentServer::SetSyncReloadHook(SyncReloadHook hook) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  sync_reload_hook_ = std::move(hook);
}

bool AgentServer::has_sync_reload_hook() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  return static_cast<bool>(sync_reload_hook_);
}

StaffHttpServer::MetricsHandler AgentServer::MetricsHandler() {
  return [m = metrics_.get()](std::function<void(StaffResponse)> reply) {
    m->Scrape([reply = std::move(reply)](Result<std::string> text) {
      StaffResponse r;
      if (!text.ok()) {
        r.status = 503;
        r.content_type = "text/plain; charset=utf-8";
        r.body = text.status().ToString() + "\n";
      } else {
        r.content_type = platform::kMetricsContentType;
        r.body = std::move(text).value();
      }
      reply(std::move(r));
    });
  };
}

Status AgentServer::StartStaffPage(const AgentConfig& c) {
  // A certificate that expired overnight, or a 0.2 configuration serving
  // plain HTTP on the LAN, turns the page off, not the till (the POS API,
  // recording and sync carry on); --check-config fails on the same check.
  if (Status usable = CheckStaffHttps(c, clock_.NowMicros()); !usable.ok()) {
    Log(LogLevel::kError, "http.disabled",
        {{"error", usable.message()},
         {"detail",
          "the staff page is off until this is fixed and storeagentd is "
          "reloaded (SIGHUP) or restarted"}});
    return Status::Ok();
  }
  Result<std::unique_ptr<StaffHttpServer>> http =
      StaffHttpServer::Start(c, *stock_ops_, clock_);
  if (!http.ok()) return http.status();
  http_ = std::move(http).value();
  http_->SetMetricsHandler(MetricsHandler());
  http_->CountRequestsIn(&metrics_->http_requests());
  http_->SetSyncHealth(&sync_health_);
  http_->SetPriceBook(prices_.get());
  return Status::Ok();
}

StaffPageFigures AgentServer::StaffPage() const {
  std::lock_guard<std::mutex> lock(http_mu_);
  StaffPageFigures f;
  f.off = !config_.http_listen.empty() && http_ == nullptr;
  f.cert_not_after_us = http_ ? http_->cert_not_after_us() : 0;
  return f;
}

bool AgentServer::staff_page_https() const {
  std::lock_guard<std::mutex> lock(http_mu_);
  return http_ != nullptr && http_->https();
}

int AgentServer::http_port() const {
  std::lock_guard<std::mutex> lock(http_mu_);
  return http_ ? http_->port() : 0;
}

Status AgentServer::ApplyReload(const AgentConfig& next,
                                const std::vector<std::string>& apply) {
  std::lock_guard<std::mutex> lock(reload_mu_);
  {
    std::lock_guard<std::mutex> http_lock(http_mu_);
    for (const std::string& key : apply) {
      if (key == "http.users" && http_) http_->SetUsers(next.http_users);
    }
    if (http_) {
      ReloadHttpsPair(next);
    } else if (!config_.http_listen.empty()) {
      // Off because its files were unusable: try again with the new ones,
      // on the address it started with (http.listen needs a restart).
      AgentConfig page = next;
      page.http_listen = config_.http_listen;
      if (Status s = StartStaffPage(page); !s.ok()) {
        Log(LogLevel::kError, "http.disabled",
            {{"error", s.message()}, {"detail", "the staff page stays off"}});
      }
    }
  }
  if (sync_reload_hook_) return sync_reload_hook_(next);
  return Status::Ok();
}

void AgentServer::ReloadHttpsPair(const AgentConfig& next) {
  const bool wanted = !next.http_tls_cert_file.empty();
  if (http_->https() && wanted) {
    // Re-read even when the paths are the same: a certificate renewed in
    // place. A bad pair is logged (naming the file) and the old one stays.
    (void)http_->ReloadTls(next.http_tls_cert_file, next.http_tls_key_file);
  } else if (http_->https() != wanted) {
    Log(LogLevel::kWarn, "http.tls_restart_needed",
        {{"detail", wanted ? "the staff page speaks HTTP; HTTPS needs a restart"
                           : "the staff page keeps HTTPS until a restart"}});
  }
}

void AgentServer::Shutdown(int grace_ms) {
  if (shut_down_) return;
  shut_down_ = true;
  if (sync_) sync_->Stop();  // first: it writes through the database
  if (prune_timer_) prune_timer_->Stop();
  if (checkpoint_timer_) checkpoint_timer_->Stop();
  if (expiry_timer_) expiry_timer_->Stop();
  if (disk_guard_) disk_guard_->Stop();
  // Every timer of ours is cancelled: nothing more runs on it.
  if (own_scheduler_) own_scheduler_->Stop();
  {
    std::lock_guard<std::mutex> lock(http_mu_);
    if (http_) http_->Stop();
  }
  if (metrics_http_) metrics_http_->Stop();
  if (server_) {
    server_->GetHealthCheckService()->SetServingStatus(false);
    server_->Shutdown(
        gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                     gpr_time_from_millis(grace_ms, GPR_TIMESPAN)));
  }
  if (db_) db_->Close();
  // Only the instance that bound the socket removes it.
  if (server_ && !config_.pos_socket.empty()) {
    ::unlink(config_.pos_socket.c_str());
  }
  Log(LogLevel::kInfo, "agent.stopped", {{"store", config_.store_id}});
}

}  // namespace storeagent::agent
