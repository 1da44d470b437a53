// A history for the change feed's tests (docs/feed.md): store events
// uploaded to central through a sync stream, as an agent sends them, and
// central events pushed on the admin API, as head office records them.
#ifndef STOREAGENT_TESTS_UNIT_CENTRAL_FEED_HISTORY_H_
#define STOREAGENT_TESTS_UNIT_CENTRAL_FEED_HISTORY_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "storeagent/v1/sync.grpc.pb.h"
#include "tests/unit/central/fake_agent.h"

namespace storeagent::central::testing {

class FeedHistory {
 public:
  FeedHistory(std::shared_ptr<grpc::Channel> sync,
              v1::CentralAdminService::Stub& admin)
      : sync_(std::move(sync)), admin_(admin) {}

  // `n` more stock movements of `store`, uploaded in batches of at most
  // 500 on one sync stream; false (with a test failure) if central did not
  // acknowledge them.
  bool Upload(const std::string& store, int n);
  // These records (seq and hashes set here) uploaded the same way.
  bool UploadRecords(const std::string& store,
                     std::vector<v1::JournalRecord> records);
  // `n` more receipts for `store` on PushCentralEvent.
  bool Push(const std::string& store, int n);

  uint64_t store_head(const std::string& store) const {
    auto it = journals_.find(store);
    return it == journals_.end() ? 0 : it->second.head_seq();
  }
  uint64_t central_head(const std::string& store) const {
    auto it = central_.find(store);
    return it == central_.end() ? 0 : it->second;
  }
  std::set<std::string> stores() const;
  // Every event of the history: (store, seq) with central_seq 0, and
  // (store, central_seq) with seq 0, as (store, seq, central_seq).
  std::set<std::tuple<std::string, uint64_t, uint64_t>> Keys() const;
  size_t size() const { return Keys().size(); }

 private:
  // Uploads `store`'s journal entries after `held`.
  bool SendAfter(const std::string& store, uint64_t held);

  std::shared_ptr<grpc::Channel> sync_;
  v1::CentralAdminService::Stub& admin_;
  std::map<std::string, FakeJournal> journals_;
  std::map<std::string, uint64_t> central_;
};

}  // namespace storeagent::central::testing

#endif  // STOREAGENT_TESTS_UNIT_CENTRAL_FEED_HISTORY_H_
