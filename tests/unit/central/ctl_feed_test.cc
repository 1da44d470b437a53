// storecentralctl feed's cursor file text (central/ctl_feed.h): it reads
// back to the cursor it was made from, or it is refused (never written).
#include "central/ctl_feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "platform/fs.h"
#include "tests/support/temp_dir.h"

namespace storeagent::central {
namespace {

using ::testing::HasSubstr;

FeedCursor Cursor(const std::string& store, uint64_t seq, uint64_t central) {
  FeedCursor c;
  v1::FeedPosition& p = c[store];
  p.set_store_id(store);
  p.set_seq(seq);
  p.set_central_seq(central);
  return c;
}

TEST(CtlFeedTest, TheCursorFileReadsBackToTheCursor) {
  FeedCursor c = Cursor("store-1", 1500, 3);
  c.merge(Cursor("store-2", 7, 0));
  Result<std::string> json = FeedCursorJson(c);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  storeagent::testing::TempDir dir;
  const std::string path = dir.path() + "/feed.cursor";
  ASSERT_TRUE(fs::WriteFileDurably(path, *json, 0644).ok());
  Result<FeedCursor> back = ReadFeedCursor(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(back->at("store-1").seq(), 1500u);
  EXPECT_EQ(back->at("store-1").central_seq(), 3u);
  EXPECT_EQ(back->at("store-2").seq(), 7u);
}

TEST(CtlFeedTest, ACursorThatCannotBeWrittenIsAnErrorNotAWrongFile) {
  // Not UTF-8: the JSON printer would drop the bad bytes and the file would
  // name store "st-1", so the next run would replay store "st\xff-1".
  Result<std::string> json = FeedCursorJson(Cursor("st\xff-1", 9, 0));
  ASSERT_FALSE(json.ok()) << *json;
  EXPECT_THAT(json.status().message(), HasSubstr("store_id"));
}

}  // namespace
}  // namespace storeagent::central
