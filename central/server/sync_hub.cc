#include "central/server/sync_hub.h"

#include <vector>

namespace storeagent::central {

SyncHub::SyncHub(SyncContext context) : ctx_(context), poll_timer_(ctx_.io) {}

SyncHub::~SyncHub() { Stop(); }

void SyncHub::Register(const std::string& store_id,
                       const std::shared_ptr<SyncSession>& session) {
  std::shared_ptr<SyncSession> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::weak_ptr<SyncSession>& slot = sessions_[store_id];
    old = slot.lock();
    slot = session;
  }
  if (old && old != session) old->Replace();
}

void SyncHub::Unregister(const std::string& store_id,
                         const SyncSession* session) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(store_id);
  if (it == sessions_.end()) return;
  std::shared_ptr<SyncSession> current = it->second.lock();
  if (!current || current.get() == session) sessions_.erase(it);
}

std::shared_ptr<SyncSession> SyncHub::Find(const std::string& store_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(store_id);
  return it == sessions_.end() ? nullptr : it->second.lock();
}

bool SyncHub::Connected(const std::string& store_id) {
  return Find(store_id) != nullptr;
}

size_t SyncHub::ConnectedCount() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [store, session] : sessions_) {
    if (!session.expired()) ++n;
  }
  return n;
}

void SyncHub::NotifyCentralEvent(const std::string& store_id) {
  if (std::shared_ptr<SyncSession> s = Find(store_id)) s->PumpDown();
}

void SyncHub::StartPolling(std::chrono::seconds every) {
  std::lock_guard<std::mutex> lock(mu_);
  poll_every_ = every;
  ArmPoll();
}

void SyncHub::ArmPoll() {
  if (stopped_ || poll_every_.count() == 0) return;
  poll_timer_.expires_after(poll_every_);
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    std::vector<std::shared_ptr<SyncSession>> open;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [id, weak] : sessions_) {
        if (std::shared_ptr<SyncSession> s = weak.lock()) open.push_back(s);
      }
    }
    for (const auto& s : open) s->PumpDown();
    std::lock_guard<std::mutex> lock(mu_);
    ArmPoll();
  });
}

void SyncHub::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  poll_timer_.cancel();
}

}  // namespace storeagent::central
