// The SQL seam's own behaviour: RetryOnAborted, the retry of a transaction
// the engine aborted (PostgreSQL's serialization failures and deadlocks).
#include "central/store/sql_seam.h"

#include <gtest/gtest.h>

namespace storeagent::testing {
namespace {

using central::RetryOnAborted;

TEST(RetryOnAbortedTest, AnEngineAbortIsRetriedUntilTheAttemptSucceeds) {
  int runs = 0;
  Status st = RetryOnAborted(5, [&](bool& engine_aborted) {
    ++runs;
    if (runs <= 2) {
      engine_aborted = true;
      return Aborted("serialization failure");
    }
    return Status::Ok();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(runs, 3);
}

TEST(RetryOnAbortedTest, AnotherErrorIsNotRetried) {
  int runs = 0;
  Status st = RetryOnAborted(5, [&](bool& engine_aborted) {
    ++runs;
    engine_aborted = false;
    return Internal("boom");
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(runs, 1);
}

TEST(RetryOnAbortedTest, AnAbortedOfTheRulesIsNotRetried) {
  // A stale expected head (CheckHead) is ABORTED too, but the engine did not
  // abort the transaction: another attempt would answer the same.
  int runs = 0;
  Status st = RetryOnAborted(5, [&](bool&) {
    ++runs;
    return Aborted("central_head_seq: expected 1, is 2");
  });
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(st.message(), "central_head_seq: expected 1, is 2");
  EXPECT_EQ(runs, 1);
}

TEST(RetryOnAbortedTest, GivesUpAfterMaxAttemptsWithTheLastAbort) {
  int runs = 0;
  Status st = RetryOnAborted(5, [&](bool& engine_aborted) {
    ++runs;
    engine_aborted = true;
    return Aborted("deadlock " + std::to_string(runs));
  });
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(st.message(), "deadlock 5");
  EXPECT_EQ(runs, 5);
}

TEST(RetryOnAbortedTest, OneAttemptMeansNoRetry) {
  int runs = 0;
  Status st = RetryOnAborted(1, [&](bool& engine_aborted) {
    ++runs;
    engine_aborted = true;
    return Aborted("deadlock");
  });
  EXPECT_EQ(st.code(), StatusCode::kAborted);
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace storeagent::testing
