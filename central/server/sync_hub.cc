#include "central/server/sync_hub.h"

#include <boost/asio/post.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "platform/crypto.h"
#include "platform/log.h"

namespace storeagent::central {
namespace {

std::vector<std::string> Fields(const std::string& payload) {
  std::vector<std::string> out;
  std::istringstream in(payload);
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

bool ToU64(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

// The holder asks its store for a little less than the asker waits, so its
// reply can still arrive in time.
std::chrono::milliseconds HolderTimeout(std::chrono::milliseconds asked) {
  return asked - std::min(asked / 4, std::chrono::milliseconds(500));
}

}  // namespace

SyncHub::SyncHub(SyncContext context)
    : ctx_(context), poll_timer_(ctx_.io), renew_timer_(ctx_.io) {}

SyncHub::~SyncHub() { Stop(); }

Status SyncHub::Register(const std::string& store_id,
                         const std::shared_ptr<SyncSession>& session) {
  Result<LeaseTaken> taken = ctx_.leases.Take(store_id);
  if (!taken.ok()) {
    Log(LogLevel::kError, "sync.lease_failed",
        {{"store", store_id},
         {"replica", ctx_.leases.replica_id()},
         {"error", taken.status().ToString()}});
    return taken.status();
  }
  std::shared_ptr<SyncSession> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Registered& slot = sessions_[store_id];
    old = slot.session.lock();
    slot.session = session;
    slot.generation = taken->generation;
  }
  if (old && old != session) old->Replace();
  if (taken->previous) {
    // The store's stream moved here from a live replica (the store
    // reconnected elsewhere before that stream ended): end it there.
    Log(LogLevel::kInfo, "sync.lease_taken_over",
        {{"store", store_id},
         {"replica", ctx_.leases.replica_id()},
         {"generation", std::to_string(taken->generation)},
         {"from_replica", taken->previous->replica_id},
         {"from_generation", std::to_string(taken->previous->generation)}});
    (void)SendTo(
        taken->previous->channel,
        "end " + store_id + " " + std::to_string(taken->previous->generation));
  } else if (ctx_.leases.shared()) {
    Log(LogLevel::kInfo, "sync.lease_taken",
        {{"store", store_id},
         {"replica", ctx_.leases.replica_id()},
         {"generation", std::to_string(taken->generation)}});
  }
  return Status::Ok();
}

void SyncHub::Unregister(const std::string& store_id,
                         const SyncSession* session) {
  std::optional<uint64_t> release;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(store_id);
    if (it == sessions_.end()) return;
    std::shared_ptr<SyncSession> current = it->second.session.lock();
    if (!current || current.get() == session) {
      release = it->second.generation;
      sessions_.erase(it);
    }
  }
  if (!release) return;
  Status s = ctx_.leases.Release(store_id, *release);
  if (!s.ok()) {
    // It expires by itself within the lease time.
    Log(LogLevel::kWarn, "sync.lease_release_failed",
        {{"store", store_id}, {"error", s.ToString()}});
  } else if (ctx_.leases.shared()) {
    Log(LogLevel::kInfo, "sync.lease_released",
        {{"store", store_id},
         {"replica", ctx_.leases.replica_id()},
         {"generation", std::to_string(*release)}});
  }
}

std::shared_ptr<SyncSession> SyncHub::Find(const std::string& store_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(store_id);
  return it == sessions_.end() ? nullptr : it->second.session.lock();
}

bool SyncHub::Connected(const std::string& store_id) {
  if (Find(store_id) != nullptr) return true;
  if (!ctx_.leases.shared()) return false;
  Result<std::optional<StreamLease>> live = ctx_.leases.Live(store_id);
  return live.ok() && live->has_value();
}

std::set<std::string> SyncHub::ConnectedStores() {
  std::set<std::string> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [store, r] : sessions_) {
      if (!r.session.expired()) out.insert(store);
    }
  }
  if (ctx_.leases.shared()) {
    Result<std::set<std::string>> live = ctx_.leases.LiveStores();
    if (live.ok()) out.insert(live->begin(), live->end());
  }
  return out;
}

std::vector<bool> SyncHub::ConnectedAmong(
    const std::vector<std::string>& store_ids) {
  std::vector<bool> out(store_ids.size(), false);
  bool all_here = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < store_ids.size(); ++i) {
      auto it = sessions_.find(store_ids[i]);
      out[i] = it != sessions_.end() && !it->second.session.expired();
      all_here = all_here && out[i];
    }
  }
  if (all_here || !ctx_.leases.shared()) return out;
  Result<std::set<std::string>> live = ctx_.leases.LiveStores();
  if (!live.ok()) return out;
  for (size_t i = 0; i < store_ids.size(); ++i) {
    if (!out[i]) out[i] = live->count(store_ids[i]) > 0;
  }
  return out;
}

size_t SyncHub::ConnectedCount() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [store, r] : sessions_) {
    if (!r.session.expired()) ++n;
  }
  return n;
}

void SyncHub::RequestHold(const std::string& store_id,
                          const v1::HoldPlaced& hold,
                          std::chrono::milliseconds timeout,
                          HoldCallback done) {
  auto none = [this](HoldCallback cb) {
    boost::asio::post(ctx_.io, [cb = std::move(cb)] { cb(std::nullopt); });
  };
  if (std::shared_ptr<SyncSession> s = Find(store_id)) {
    s->RequestHold(hold, timeout, std::move(done));
    return;
  }
  if (!ctx_.leases.shared()) return none(std::move(done));
  Result<std::optional<StreamLease>> live = ctx_.leases.Live(store_id);
  if (!live.ok() || !live->has_value() ||
      (*live)->replica_id == ctx_.leases.replica_id()) {
    // No stream anywhere (or only a lease of ours whose stream just ended).
    return none(std::move(done));
  }
  const StreamLease holder = **live;
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return none(std::move(done));
    id = ++next_forward_;
  }
  const std::string payload = "hold " + std::to_string(id) + " " +
                              ctx_.leases.channel() + " " + store_id + " " +
                              std::to_string(timeout.count()) + " " +
                              crypto::ToHex(hold.SerializeAsString());
  if (payload.size() > kMaxNotifyPayload) {
    Log(LogLevel::kWarn, "sync.hold_not_forwarded",
        {{"store", store_id},
         {"order_ref", hold.order_ref()},
         {"to_replica", holder.replica_id},
         {"why", "the request is " + std::to_string(payload.size()) +
                     " bytes, more than a NOTIFY carries; escrow decides"}});
    ctx_.metrics.HoldForwarded("too_large");
    return none(std::move(done));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    Forward& f = forwards_[id];
    f.done = std::move(done);
    f.store_id = store_id;
    f.timer = std::make_unique<boost::asio::steady_timer>(ctx_.io, timeout);
    f.timer->async_wait([this, id](const boost::system::error_code& ec) {
      if (ec) return;
      FinishForward(id, std::nullopt, "timeout");
    });
  }
  Log(LogLevel::kInfo, "sync.hold_forwarded",
      {{"store", store_id},
       {"order_ref", hold.order_ref()},
       {"request_id", std::to_string(id)},
       {"to_replica", holder.replica_id},
       {"generation", std::to_string(holder.generation)}});
  if (!SendTo(holder.channel, payload).ok()) {
    FinishForward(id, std::nullopt, "send_failed");
  }
}

void SyncHub::FinishForward(uint64_t id, std::optional<v1::HoldAnswer> answer,
                            const std::string& outcome) {
  Forward f;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = forwards_.find(id);
    if (it == forwards_.end()) return;  // answered, timed out or stopped
    f = std::move(it->second);
    forwards_.erase(it);
  }
  f.timer->cancel();
  ctx_.metrics.HoldForwarded(outcome);
  Log(outcome == "store" ? LogLevel::kInfo : LogLevel::kWarn,
      "sync.hold_forward_done",
      {{"store", f.store_id},
       {"request_id", std::to_string(id)},
       {"outcome", outcome}});
  boost::asio::post(ctx_.io,
                    [cb = std::move(f.done), a = std::move(answer)] { cb(a); });
}

Status SyncHub::SendTo(const std::string& channel, const std::string& payload) {
  Status s = ctx_.leases.Send(channel, payload);
  if (!s.ok()) {
    Log(LogLevel::kWarn, "sync.replica_send_failed",
        {{"channel", channel},
         {"message", payload.substr(0, payload.find(' '))},
         {"error", s.ToString()}});
  }
  return s;
}

void SyncHub::NotifyCentralEvent(const std::string& store_id) {
  feed_bell_.Ring();
  if (std::shared_ptr<SyncSession> s = Find(store_id)) {
    s->PumpDown();
    return;
  }
  if (!ctx_.leases.shared()) return;
  // The store's stream is elsewhere: wake its holder (its poll timer would
  // find the event too, within sync.poll_interval_s).
  Result<std::optional<StreamLease>> live = ctx_.leases.Live(store_id);
  if (live.ok() && live->has_value() &&
      (*live)->replica_id != ctx_.leases.replica_id()) {
    (void)SendTo((*live)->channel, "wake " + store_id);
  }
}

void SyncHub::OnMessage(const std::string& payload) {
  const std::vector<std::string> f = Fields(payload);
  uint64_t n = 0;
  uint64_t timeout_ms = 0;
  if (f.size() == 6 && f[0] == "hold" && ToU64(f[1], &n) &&
      ToU64(f[4], &timeout_ms) && timeout_ms <= 60000) {
    OnForwardedHold(n, f[2], f[3], static_cast<uint32_t>(timeout_ms), f[5]);
  } else if (f.size() == 3 && f[0] == "answer" && ToU64(f[1], &n)) {
    OnAnswer(n, f[2]);
  } else if (f.size() == 2 && f[0] == "wake") {
    if (std::shared_ptr<SyncSession> s = Find(f[1])) s->PumpDown();
  } else if (f.size() == 3 && f[0] == "end" && ToU64(f[2], &n)) {
    std::shared_ptr<SyncSession> s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = sessions_.find(f[1]);
      if (it != sessions_.end() && it->second.generation <= n) {
        s = it->second.session.lock();
      }
    }
    if (s) {
      Log(LogLevel::kInfo, "sync.lease_lost",
          {{"store", f[1]},
           {"replica", ctx_.leases.replica_id()},
           {"generation", f[2]},
           {"why",
            "a newer stream of the store took the lease on another "
            "replica"}});
      s->Replace();
    }
  } else {
    Log(LogLevel::kWarn, "sync.replica_message_unknown",
        {{"message", payload.substr(0, 80)}});
  }
}

void SyncHub::OnForwardedHold(uint64_t id, const std::string& reply_channel,
                              const std::string& store_id, uint32_t timeout_ms,
                              const std::string& hold_hex) {
  auto reply = [this, id, reply_channel](std::optional<v1::HoldAnswer> a) {
    (void)SendTo(reply_channel,
                 "answer " + std::to_string(id) + " " +
                     (a ? crypto::ToHex(a->SerializeAsString()) : "-"));
  };
  Result<std::string> bytes = crypto::FromHex(hold_hex);
  v1::HoldPlaced hold;
  std::shared_ptr<SyncSession> s = Find(store_id);
  Log(LogLevel::kInfo, "sync.hold_forward_received",
      {{"store", store_id},
       {"request_id", std::to_string(id)},
       {"from_channel", reply_channel},
       {"stream_here", s ? "true" : "false"}});
  if (!bytes.ok() || !hold.ParseFromString(*bytes) || !s) {
    return reply(std::nullopt);
  }
  s->RequestHold(hold, HolderTimeout(std::chrono::milliseconds(timeout_ms)),
                 std::move(reply));
}

void SyncHub::OnAnswer(uint64_t id, const std::string& answer_hex) {
  if (answer_hex == "-") return FinishForward(id, std::nullopt, "no_answer");
  Result<std::string> bytes = crypto::FromHex(answer_hex);
  v1::HoldAnswer a;
  if (!bytes.ok() || !a.ParseFromString(*bytes)) {
    return FinishForward(id, std::nullopt, "no_answer");
  }
  FinishForward(id, std::move(a), "store");
}

void SyncHub::StartPolling(std::chrono::seconds every) {
  std::lock_guard<std::mutex> lock(mu_);
  poll_every_ = every;
  ArmPoll();
}

void SyncHub::StartLeases(std::chrono::seconds lease_time) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    renew_every_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(lease_time) / 3;
    ArmRenew();
  }
  if (ctx_.leases.shared()) {
    ctx_.leases.Listen([this](const std::string& payload) {
      boost::asio::post(ctx_.io, [this, payload] { OnMessage(payload); });
    });
  }
}

void SyncHub::ArmPoll() {
  if (stopped_ || poll_every_.count() == 0) return;
  poll_timer_.expires_after(poll_every_);
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    std::vector<std::shared_ptr<SyncSession>> open;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [id, r] : sessions_) {
        if (std::shared_ptr<SyncSession> s = r.session.lock()) {
          open.push_back(s);
        }
      }
    }
    for (const auto& s : open) s->PumpDown();
    std::lock_guard<std::mutex> lock(mu_);
    ArmPoll();
  });
}

void SyncHub::ArmRenew() {
  if (stopped_ || renew_every_.count() == 0) return;
  renew_timer_.expires_after(renew_every_);
  renew_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    Renew();
    std::lock_guard<std::mutex> lock(mu_);
    ArmRenew();
  });
}

void SyncHub::Renew() {
  std::vector<std::pair<std::string, Registered>> held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [store, r] : sessions_) held.emplace_back(store, r);
  }
  for (const auto& [store, r] : held) {
    Result<bool> kept = ctx_.leases.Renew(store, r.generation);
    if (!kept.ok()) {
      // The stream goes on; the lease may lapse if the database stays away.
      Log(LogLevel::kWarn, "sync.lease_renew_failed",
          {{"store", store}, {"error", kept.status().ToString()}});
      continue;
    }
    if (*kept) continue;
    std::shared_ptr<SyncSession> s = r.session.lock();
    if (!s) continue;
    Log(LogLevel::kWarn, "sync.lease_lost",
        {{"store", store},
         {"replica", ctx_.leases.replica_id()},
         {"generation", std::to_string(r.generation)},
         {"why", "the lease expired or another replica took it"}});
    s->Replace();
  }
}

void SyncHub::Stop() {
  std::vector<uint64_t> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    poll_timer_.cancel();
    renew_timer_.cancel();
    for (const auto& [id, f] : forwards_) pending.push_back(id);
  }
  for (uint64_t id : pending) FinishForward(id, std::nullopt, "no_answer");
}

}  // namespace storeagent::central
