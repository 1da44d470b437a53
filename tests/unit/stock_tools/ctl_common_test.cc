// storeagentctl's generated client keys.
#include "agent/ctl/ctl_common.h"

#include <gtest/gtest.h>

#include <set>

#include "core/event_validation.h"
#include "core/text_checks.h"

namespace storeagent::ctl {
namespace {

// The agent refuses a client_txn_id that looks like a card number; a
// generated one must never do so (32 bare hex digits did, about 1 in 50).
TEST(CtlCommonTest, GeneratedTxnIdsAreUniqueAndNeverLookLikeACardNumber) {
  std::set<std::string> seen;
  for (int i = 0; i < 5000; ++i) {
    const std::string id = RandomTxnId();
    ASSERT_EQ(id.size(), 32u) << id;
    ASSERT_EQ(id.find_first_not_of("abcdefghijklmnop"), std::string::npos)
        << id;
    ASSERT_FALSE(core::ContainsPan(id)) << id;
    v1::ClientKey key;
    key.set_terminal_id("ctl");
    key.set_client_txn_id(id);
    Status s = core::ValidateClientKey(key, "client_key");
    ASSERT_TRUE(s.ok()) << id << ": " << s.ToString();
    ASSERT_TRUE(seen.insert(id).second) << "repeated: " << id;
  }
}

}  // namespace
}  // namespace storeagent::ctl
