// The agent's sync protocol as a state machine (agent/sync/session_machine.h),
// with the window and the write queue both ends share: driven by hand, no
// gRPC, no database, no clock.
#include "agent/sync/session_machine.h"

#include <gtest/gtest.h>

#include "core/sync_window.h"
#include "proto/write_queue.h"

namespace storeagent::agent {
namespace {

using Kind = SessionAction::Kind;
constexpr int64_t kSec = 1'000'000;

TEST(SyncWindow, RetiresBatchesUpToTheAckAndRefusesAnAckBeyondWhatWasSent) {
  core::SyncWindow w;
  w.Reset(10, 2);
  EXPECT_TRUE(w.empty());
  w.Sent(15);
  w.Sent(20);
  EXPECT_TRUE(w.full());
  EXPECT_FALSE(w.Ack(21));  // beyond what was sent: nothing changes
  EXPECT_EQ(w.size(), 2u);
  EXPECT_TRUE(w.Ack(17));  // retires the batch ending at 15 only
  EXPECT_EQ(w.size(), 1u);
  EXPECT_EQ(w.acked(), 17u);
  EXPECT_TRUE(w.Ack(12));  // late: lowers nothing
  EXPECT_EQ(w.acked(), 17u);
  EXPECT_TRUE(w.Ack(20));
  EXPECT_TRUE(w.empty());
  w.Reset(5, 0);  // a limit of 0 counts as 1
  EXPECT_EQ(w.limit(), 1u);
}

TEST(WriteQueue, OneWriteInFlightAndAFailedWriteDropsTheRest) {
  rpc::WriteQueue<int> q;
  const int* first = q.Push(1);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(q.Push(2), nullptr);  // one in flight
  EXPECT_EQ(q.Push(3), nullptr);
  EXPECT_EQ(*first, 1);  // the pointer handed to StartWrite stays good
  const int* next = q.Done(true);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(*next, 2);
  q.Close();                      // no more queued; what was queued goes on
  EXPECT_EQ(q.Push(4), nullptr);  // dropped
  EXPECT_EQ(*q.Done(true), 3);
  EXPECT_EQ(q.Done(true), nullptr);
  EXPECT_FALSE(q.writing());

  rpc::WriteQueue<int> broken;
  ASSERT_NE(broken.Push(1), nullptr);
  EXPECT_EQ(broken.Push(2), nullptr);
  EXPECT_EQ(broken.Done(false), nullptr);  // the call is broken
  EXPECT_EQ(broken.size(), 0u);
  EXPECT_TRUE(broken.closed());
  EXPECT_EQ(broken.Push(3), nullptr);
}

v1::JournalEntry Entry(uint64_t seq) {
  v1::JournalEntry e;
  e.mutable_record()->set_seq(seq);
  e.set_hash("h" + std::to_string(seq));
  return e;
}

v1::SyncResponse Welcome(uint64_t held, const std::string& hash,
                         bool reseed = false) {
  v1::SyncResponse m;
  v1::Welcome* w = m.mutable_welcome();
  w->set_store_seq_held(held);
  w->set_store_hash_held(hash);
  w->mutable_limits()->set_window(2);
  w->mutable_limits()->set_max_batch_events(3);
  w->set_reseed(reseed);
  return m;
}

v1::SyncResponse Ack(uint64_t seq) {
  v1::SyncResponse m;
  m.mutable_ack()->set_acked_seq(seq);
  return m;
}

class SessionMachineTest : public ::testing::Test {
 protected:
  SessionMachineTest() : m_(Options()) {}

  static SessionMachineOptions Options() {
    SessionMachineOptions o;
    o.store_id = "s1";
    o.window = 4;
    o.max_batch_events = 500;
    o.stall_timeout_us = 60 * kSec;
    o.digest_interval_us = 300 * kSec;
    o.digest_min_gap_us = 10 * kSec;
    return o;
  }

  // Takes the actions, expecting exactly these kinds in this order.
  std::vector<SessionAction> Expect(std::vector<Kind> kinds) {
    std::vector<SessionAction> got = m_.TakeActions();
    std::vector<Kind> seen;
    for (const SessionAction& a : got) seen.push_back(a.kind);
    EXPECT_EQ(seen, kinds);
    return got;
  }

  // Hello, Welcome at `held`, hash check, resume: running.
  void Resume(uint64_t head, uint64_t held) {
    HelloState h;
    h.head_seq = head;
    m_.Start(h, now_);
    std::vector<SessionAction> hello = Expect({Kind::kSend});
    ASSERT_EQ(hello[0].message.hello().journal_head_seq(), head);
    m_.OnMessage(Welcome(held, "h" + std::to_string(held)), now_);
    if (held > 0) {
      std::vector<SessionAction> read = Expect({Kind::kReadHashAt});
      EXPECT_EQ(read[0].seq, held);
      m_.OnHashRead(std::optional<std::string>("h" + std::to_string(held)));
    }
    std::vector<SessionAction> mark = Expect({Kind::kMarkResumed});
    EXPECT_EQ(mark[0].seq, held);
    m_.OnResumeMarked(Status::Ok());
    ASSERT_TRUE(m_.running());
  }

  SessionMachine m_;
  int64_t now_ = 1000 * kSec;
};

TEST_F(SessionMachineTest, SendsTheOutboxInWindowedBatchesAndRecordsAcks) {
  Resume(/*head=*/10, /*held=*/4);
  // Central's limits: 3 events a batch, a window of 2.
  std::vector<SessionAction> read = Expect({Kind::kReadOutbox});
  EXPECT_EQ(read[0].seq, 4u);
  EXPECT_EQ(read[0].max_events, 3u);
  m_.OnOutboxRead(std::vector<v1::JournalEntry>{Entry(5), Entry(6), Entry(7)});
  std::vector<SessionAction> a = Expect({Kind::kSend, Kind::kReadOutbox});
  EXPECT_EQ(a[0].message.events().entries_size(), 3);
  EXPECT_EQ(a[1].seq, 7u);
  m_.OnOutboxRead(std::vector<v1::JournalEntry>{Entry(8), Entry(9), Entry(10)});
  Expect({Kind::kSend});  // the window (2) is full: no read
  EXPECT_EQ(m_.window().size(), 2u);
  m_.OnMessage(Ack(7), now_);
  std::vector<SessionAction> acked = Expect({Kind::kRecordAck});
  EXPECT_EQ(acked[0].seq, 7u);
  m_.OnMessage(Ack(10), now_);
  Expect({Kind::kRecordAck, Kind::kReadDigest});  // caught up: a digest
  EXPECT_EQ(m_.acked(), 10u);
}

TEST_F(SessionMachineTest, AnAckBeyondWhatWasSentEndsTheStream) {
  Resume(3, 3);
  Expect({Kind::kReadDigest});  // caught up at once
  m_.OnMessage(Ack(4), now_);
  std::vector<SessionAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.code(), StatusCode::kUnavailable);
  EXPECT_NE(end[0].status.message().find("beyond the last sent"),
            std::string::npos);
  EXPECT_FALSE(end[0].fatal);
  m_.OnMessage(Ack(3), now_);  // after the end, nothing
  Expect({});
}

TEST_F(SessionMachineTest, ADifferentHashAtCentralsWatermarkIsAFatalFork) {
  HelloState h;
  h.head_seq = 9;
  m_.Start(h, now_);
  Expect({Kind::kSend});
  m_.OnMessage(Welcome(5, "theirs"), now_);
  Expect({Kind::kReadHashAt});
  m_.OnHashRead(std::optional<std::string>("ours"));
  std::vector<SessionAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(end[0].fatal);
}

TEST_F(SessionMachineTest, BehindCentralWithoutAReseedStopsSyncing) {
  HelloState h;
  h.head_seq = 2;
  m_.Start(h, now_);
  Expect({Kind::kSend});
  m_.OnMessage(Welcome(8, "h8"), now_);
  std::vector<SessionAction> end = Expect({Kind::kEnd});
  EXPECT_EQ(end[0].status.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(end[0].fatal);
}

TEST_F(SessionMachineTest, ReseedsThenResumesAtCentralsWatermark) {
  HelloState h;
  m_.Start(h, now_);
  Expect({Kind::kSend});
  m_.OnMessage(Welcome(4, "h4", /*reseed=*/true), now_);
  Expect({});
  v1::SyncResponse batch;
  *batch.mutable_reseed()->add_entries() = Entry(1);
  m_.OnMessage(batch, now_);
  Expect({Kind::kApplyReseed});
  m_.OnReseedApplied(uint64_t{4});
  std::vector<SessionAction> ack = Expect({Kind::kSend});
  EXPECT_EQ(ack[0].message.reseed_ack().store_seq(), 4u);
  v1::SyncResponse done;
  done.mutable_reseed_done()->set_store_seq(4);
  m_.OnMessage(done, now_);
  Expect({Kind::kReadHashAt});
  m_.OnHashRead(std::optional<std::string>("h4"));
  Expect({Kind::kMarkResumed});
  m_.OnResumeMarked(Status::Ok());
  EXPECT_TRUE(m_.running());
}

TEST_F(SessionMachineTest, StallsOnlyWhileWaitingForCentral) {
  Resume(1, 0);
  Expect({Kind::kReadOutbox});
  m_.OnOutboxRead(std::vector<v1::JournalEntry>{Entry(1)});
  Expect({Kind::kSend});
  // A batch is unacknowledged: the stall deadline is 60 s after the last
  // message.
  EXPECT_EQ(m_.NextDeadline(), now_ + 60 * kSec + 1);
  m_.OnTick(1, now_ + 60 * kSec);
  Expect({});
  m_.OnTick(1, now_ + 61 * kSec);
  std::vector<SessionAction> end = Expect({Kind::kEnd});
  EXPECT_TRUE(m_.stalled());
  EXPECT_FALSE(end[0].fatal);
}

TEST_F(SessionMachineTest, AnEmptyOutboxIsReadAgainAtTheNextTick) {
  Resume(0, 0);
  Expect({Kind::kReadDigest});  // caught up at once
  m_.OnDigestRead(v1::StockDigest());
  Expect({Kind::kSend});
  m_.OnTick(1, now_);  // the journal grew
  Expect({Kind::kReadOutbox});
  // The head is published before the commit is visible to a reader.
  m_.OnOutboxRead(std::vector<v1::JournalEntry>{});
  Expect({});  // no busy re-read within the step
  m_.OnTick(1, now_);
  Expect({Kind::kReadOutbox});  // the next tick reads again
  m_.OnOutboxRead(std::vector<v1::JournalEntry>{Entry(1)});
  Expect({Kind::kSend});
}

TEST_F(SessionMachineTest, CentralBatchesAreAppliedThenAcknowledged) {
  Resume(0, 0);
  m_.TakeActions();
  v1::SyncResponse b;
  b.mutable_central_events()->add_events()->set_central_seq(1);
  m_.OnMessage(b, now_);
  Expect({Kind::kApplyCentral});
  m_.OnCentralApplied(CentralBatchApplied{1, 1});
  std::vector<SessionAction> ack = Expect({Kind::kSend});
  EXPECT_EQ(ack[0].message.central_ack().central_seq(), 1u);
  EXPECT_EQ(m_.counters().central_events_applied, 1u);
  m_.OnMessage(b, now_);
  Expect({Kind::kApplyCentral});
  m_.OnCentralApplied(Status(StatusCode::kFailedPrecondition, "gap"));
  std::vector<SessionAction> end = Expect({Kind::kEnd});
  EXPECT_NE(end[0].status.message().find("applying central events"),
            std::string::npos);
}

TEST_F(SessionMachineTest, AnythingBeforeWelcomeIsAProtocolError) {
  m_.Start(HelloState{}, now_);
  Expect({Kind::kSend});
  m_.OnMessage(Ack(0), now_);
  std::vector<SessionAction> end = Expect({Kind::kEnd});
  EXPECT_NE(end[0].status.message().find("before Welcome"), std::string::npos);
}

}  // namespace
}  // namespace storeagent::agent
