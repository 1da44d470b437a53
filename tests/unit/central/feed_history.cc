#include "tests/unit/central/feed_history.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace storeagent::central::testing {

bool FeedHistory::Upload(const std::string& store, int n) {
  FakeJournal& j = journals_[store];
  const uint64_t held = j.head_seq();
  for (int i = 0; i < n; ++i) {
    j.Movement("SKU-" + std::to_string((j.head_seq() % 7) + 1), 1);
  }
  return SendAfter(store, held);
}

bool FeedHistory::UploadRecords(const std::string& store,
                                std::vector<v1::JournalRecord> records) {
  FakeJournal& j = journals_[store];
  const uint64_t held = j.head_seq();
  for (v1::JournalRecord& r : records) j.Add(std::move(r));
  return SendAfter(store, held);
}

bool FeedHistory::SendAfter(const std::string& store, uint64_t held) {
  FakeJournal& j = journals_[store];
  AgentStream s(sync_);
  if (!s.Hello(store, j.head_seq(), j.head_hash(), central_head(store))) {
    ADD_FAILURE() << store << ": no Welcome: " << s.Finish().error_message();
    return false;
  }
  constexpr uint64_t kBatch = 500;
  for (uint64_t from = held + 1; from <= j.head_seq(); from += kBatch) {
    const uint64_t to = std::min(j.head_seq(), from + kBatch - 1);
    if (!s.SendEvents(j.Range(from, to))) {
      ADD_FAILURE() << store << ": send failed";
      return false;
    }
    // Central may send its own events down first: wait for the ack.
    for (;;) {
      std::optional<v1::SyncResponse> m = s.Read();
      if (!m) {
        ADD_FAILURE() << store
                      << ": stream ended: " << s.Finish().error_message();
        return false;
      }
      if (m->has_ack() && m->ack().acked_seq() >= to) break;
    }
  }
  (void)s.Finish();  // the agent's side closes first
  return true;
}

bool FeedHistory::Push(const std::string& store, int n) {
  for (int i = 0; i < n; ++i) {
    const uint64_t next = ++central_[store];
    v1::PushCentralEventRequest r;
    r.set_store_id(store);
    r.set_request_key("asn-" + std::to_string(next));
    v1::StockMovement* m = r.mutable_event()->mutable_movement();
    m->set_reason(v1::StockMovement::REASON_RECEIPT);
    m->add_lines()->set_sku("SKU-1");
    m->mutable_lines(0)->set_quantity(1);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(20));
    v1::PushCentralEventResponse out;
    grpc::Status st = admin_.PushCentralEvent(&ctx, r, &out);
    if (!st.ok() || out.central_seq() != next) {
      ADD_FAILURE() << store << ": push " << next << ": " << st.error_message()
                    << " central_seq " << out.central_seq();
      return false;
    }
  }
  return true;
}

std::set<std::string> FeedHistory::stores() const {
  std::set<std::string> out;
  for (const auto& [id, j] : journals_) out.insert(id);
  for (const auto& [id, n] : central_) out.insert(id);
  return out;
}

std::set<std::tuple<std::string, uint64_t, uint64_t>> FeedHistory::Keys()
    const {
  std::set<std::tuple<std::string, uint64_t, uint64_t>> out;
  for (const std::string& id : stores()) {
    for (uint64_t s = 1; s <= store_head(id); ++s) out.emplace(id, s, 0);
    for (uint64_t c = 1; c <= central_head(id); ++c) out.emplace(id, 0, c);
  }
  return out;
}

}  // namespace storeagent::central::testing
