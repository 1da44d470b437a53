// Durability under kill -9 (docs: architecture.md section 3, invariants 1
// and 2): the real storeagentd is killed with SIGKILL at random instants
// while six tills record sales, then restarted. Every sale the agent
// acknowledged must be in the journal exactly once with the acknowledged
// seq and hash; retries of lost or acknowledged sales must not record
// anything twice; the journal stays gapless, its chain verifies and SQLite's
// integrity check passes.
//
// STOREAGENT_CRASH_CYCLES (default 20, 10 under a sanitizer) sets the
// number of kill/restart cycles, STOREAGENT_CRASH_SEED replays a run (the
// seed is printed).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/crypto.h"
#include "storeagent/v1/pos.grpc.pb.h"
#include "tests/fault/ack_log.h"
#include "tests/fault/journal_checks.h"
#include "tests/fault/till_client.h"
#include "tests/support/agent_process.h"
#include "tests/support/sanitized_counts.h"
#include "tests/support/temp_dir.h"

namespace storeagent::testing {
namespace {

constexpr int kTills = 6;
// 10 under a sanitizer (tests/support/sanitized_counts.h).
constexpr int kDefaultCycles = CountFor(20, 10);
constexpr int kMaxCycles = 10000;
constexpr int kMinRunMs = 50;
constexpr int kMaxRunMs = 400;

long EnvInt(const char* name, long fallback, long lo, long hi) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n >= lo && n <= hi) ? n : fallback;
}

// The end of the agent's log, for failure messages (the work dir is removed
// when the test ends).
std::string LogTail(const AgentProcess& agent) {
  std::ifstream in(agent.log_path());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  constexpr size_t kTail = 4000;
  if (text.size() > kTail) text = "..." + text.substr(text.size() - kTail);
  return "\n--- " + agent.log_path() + " ---\n" + text;
}

void SetDeadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(kRpcDeadlineMs));
}

grpc::Status GetByKey(v1::PosService::Stub& stub, const std::string& terminal,
                      const std::string& txn_id, v1::GetEventResponse* entry) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetEventRequest req;
  *req.mutable_client_key() = TillClient::Key(terminal, txn_id);
  return stub.GetEvent(&ctx, req, entry);
}

uint64_t HeadSeq(v1::PosService::Stub& stub) {
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetJournalStatusResponse status;
  grpc::Status s = stub.GetJournalStatus(&ctx, {}, &status);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return status.head_seq();
}

using Tills = std::vector<std::unique_ptr<TillClient>>;

// After a restart: the head covers every acknowledged seq, and each till's
// newest acknowledgement reads back unchanged.
void ExpectRecovered(const AgentProcess& agent, const Tills& tills) {
  auto stub = agent.NewStub();
  uint64_t max_acked = 0;
  for (const auto& till : tills) {
    const TillClient::Ack* newest = nullptr;
    std::string newest_id;
    for (const auto& [txn_id, ack] : till->acked()) {
      if (newest == nullptr || ack.seq > newest->seq) {
        newest = &ack;
        newest_id = txn_id;
      }
    }
    if (newest == nullptr) continue;
    max_acked = std::max(max_acked, newest->seq);
    v1::GetEventResponse e;
    grpc::Status s = GetByKey(*stub, till->terminal(), newest_id, &e);
    ASSERT_TRUE(s.ok()) << till->terminal() << " " << newest_id << ": "
                        << s.error_message();
    EXPECT_EQ(e.record().seq(), newest->seq);
    EXPECT_EQ(e.hash(), newest->hash);
  }
  EXPECT_GE(HeadSeq(*stub), max_acked);
}

// The tills' fsynced logs are the proof of what was acknowledged: read them
// back and check they agree with what the tills hold in memory.
std::vector<AckRecord> ReadAckLogs(const Tills& tills) {
  std::vector<AckRecord> all;
  for (const auto& till : tills) {
    std::string error;
    std::vector<AckRecord> records =
        AckLog::ReadAll(till->log().path(), &error);
    EXPECT_EQ(error, "");
    EXPECT_EQ(records.size(), till->acked().size()) << till->terminal();
    for (const AckRecord& r : records) {
      auto it = till->acked().find(r.client_txn_id);
      EXPECT_EQ(r.terminal_id, till->terminal());
      if (it == till->acked().end()) {
        ADD_FAILURE() << "log names an unknown ack " << r.client_txn_id;
        continue;
      }
      EXPECT_EQ(r.seq, it->second.seq) << r.client_txn_id;
      EXPECT_EQ(r.hash_hex, crypto::ToHex(it->second.hash)) << r.client_txn_id;
    }
    all.insert(all.end(), records.begin(), records.end());
  }
  return all;
}

// The final account against the restarted agent; returns the head seq.
uint64_t ExpectExactlyOnce(const AgentProcess& agent, const Tills& tills) {
  auto stub = agent.NewStub();
  // Every acknowledged sale, with the acknowledged seq and hash.
  const std::vector<AckRecord> acks = ReadAckLogs(tills);
  for (const AckRecord& ack : acks) {
    v1::GetEventResponse e;
    grpc::Status s = GetByKey(*stub, ack.terminal_id, ack.client_txn_id, &e);
    if (!s.ok()) {
      ADD_FAILURE() << "acknowledged (" << ack.terminal_id << ", "
                    << ack.client_txn_id << ") seq " << ack.seq
                    << " is gone: " << s.error_message();
      continue;
    }
    EXPECT_EQ(e.record().seq(), ack.seq) << ack.client_txn_id;
    EXPECT_EQ(crypto::ToHex(e.hash()), ack.hash_hex) << ack.client_txn_id;
    EXPECT_EQ(e.record().client_key().terminal_id(), ack.terminal_id);
    EXPECT_EQ(e.record().client_key().client_txn_id(), ack.client_txn_id);
  }
  // Every key ever sent is present once or absent; present keys hold
  // distinct seqs that fill 1..head without a gap.
  std::map<uint64_t, std::string> by_seq;
  uint64_t unacked_present = 0;
  for (const auto& till : tills) {
    for (const std::string& txn_id : till->attempted()) {
      v1::GetEventResponse e;
      grpc::Status s = GetByKey(*stub, till->terminal(), txn_id, &e);
      const std::string name = "(" + till->terminal() + ", " + txn_id + ")";
      if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
        EXPECT_EQ(till->acked().count(txn_id), 0u) << name;
        continue;
      }
      if (!s.ok()) {
        ADD_FAILURE() << name << ": " << s.error_message();
        continue;
      }
      if (till->acked().count(txn_id) == 0) ++unacked_present;
      auto [it, fresh] = by_seq.emplace(e.record().seq(), name);
      EXPECT_TRUE(fresh) << name << " and " << it->second << " share seq "
                         << e.record().seq();
    }
  }
  // Every other seq up to the head is one of the agent's own signed
  // checkpoints (one every 1,000 records): nothing else was written.
  const uint64_t head = HeadSeq(*stub);
  uint64_t checkpoints = 0;
  for (uint64_t seq = 1; seq <= head; ++seq) {
    if (by_seq.count(seq) > 0) continue;
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::GetEventRequest req;
    req.set_seq(seq);
    v1::GetEventResponse e;
    grpc::Status s = stub->GetEvent(&ctx, req, &e);
    if (!s.ok()) {
      ADD_FAILURE() << "seq " << seq << ": " << s.error_message();
      continue;
    }
    EXPECT_TRUE(e.record().has_checkpoint())
        << "seq " << seq << " is neither a till's sale nor a checkpoint";
    ++checkpoints;
  }
  EXPECT_EQ(head, by_seq.size() + checkpoints)
      << "journal head vs distinct keys present and checkpoints";
  if (!by_seq.empty()) {
    EXPECT_LE(by_seq.rbegin()->first, head);
  }
  std::cout << "[ crash    ] " << acks.size() << " acknowledged, "
            << unacked_present
            << " unacknowledged but recorded (answer lost, never retried), "
            << "journal head " << head << "\n";
  return head;
}

// One cycle: the tills record sales until the agent is killed -9 after
// `run_ms`; then every till's answers are checked and the operator's tool
// verifies the chain as the kill left it, before any recovery.
void RunCycle(AgentProcess& agent, const Tills& tills, int cycle, int run_ms,
              const std::string& verify_out) {
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(agent.Start()) << "storeagentd did not come up" << LogTail(agent);
  const auto up = std::chrono::steady_clock::now() - started;
  ASSERT_NO_FATAL_FAILURE(ExpectRecovered(agent, tills));

  std::atomic<bool> killing{false};
  std::vector<std::thread> threads;
  for (const auto& till : tills) {
    threads.emplace_back([&till, &agent, &killing, cycle] {
      till->RunCycle(agent, cycle, killing);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));
  killing.store(true);  // before the kill: see TillClient::Send
  agent.Kill9();
  for (std::thread& t : threads) t.join();
  size_t acked = 0;
  for (const auto& till : tills) {
    for (const std::string& e : till->errors()) ADD_FAILURE() << e;
    acked += till->acked().size();
  }
  ASSERT_FALSE(::testing::Test::HasFailure()) << LogTail(agent);
  std::cout << "[ crash    ] cycle " << cycle << ": up in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(up).count()
            << " ms, killed after " << run_ms << " ms, " << acked
            << " acknowledged so far\n";

  std::string output;
  ASSERT_EQ(RunCtlVerify(agent.db_path(), verify_out, &output), 0) << output;
}

TillStats Totals(const Tills& tills) {
  TillStats total;
  for (const auto& till : tills) {
    total.acked += till->stats().acked;
    total.lost += till->stats().lost;
    total.retried_found += till->stats().retried_found;
    total.retried_fresh += till->stats().retried_fresh;
    total.replays_of_acked += till->stats().replays_of_acked;
  }
  std::cout << "[ crash    ] " << total.lost << " calls cut off by kill -9; "
            << "retried: " << total.retried_found << " already recorded, "
            << total.retried_fresh << " recorded by the retry; "
            << total.replays_of_acked << " acknowledged sales re-sent\n";
  return total;
}

TEST(CrashTest, AcknowledgedSalesSurviveKill9AndRetriesAreExactlyOnce) {
  const uint32_t seed = static_cast<uint32_t>(
      EnvInt("STOREAGENT_CRASH_SEED", std::random_device{}(), 0, UINT32_MAX));
  const int cycles = static_cast<int>(
      EnvInt("STOREAGENT_CRASH_CYCLES", kDefaultCycles, 1, kMaxCycles));
  std::cout << "[ crash    ] seed " << seed << " (STOREAGENT_CRASH_SEED), "
            << cycles << " cycles (STOREAGENT_CRASH_CYCLES)\n";
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  SCOPED_TRACE("STOREAGENT_CRASH_SEED=" + std::to_string(seed));

  TempDir work;
  AgentProcess agent(work.path());
  Tills tills;
  for (int i = 0; i < kTills; ++i) {
    tills.push_back(std::make_unique<TillClient>(
        i, work.File("acks-T" + std::to_string(i) + ".log"),
        seed + static_cast<uint32_t>(i) + 1));
    ASSERT_TRUE(tills.back()->log().ok()) << tills.back()->log().path();
  }
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> run_ms(kMinRunMs, kMaxRunMs);
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    ASSERT_NO_FATAL_FAILURE(
        RunCycle(agent, tills, cycle, run_ms(rng), work.File("verify.out")));
  }

  // Final account with the agent up, then offline after a clean stop.
  ASSERT_TRUE(agent.Start()) << LogTail(agent);
  const uint64_t head = ExpectExactlyOnce(agent, tills);
  ASSERT_EQ(agent.Terminate(), 0) << LogTail(agent);
  ExpectJournalIntact(agent.db_path(), head);
  std::string output;
  EXPECT_EQ(RunCtlVerify(agent.db_path(), work.File("verify.out"), &output), 0)
      << output;

  // The kills must actually have cut calls off, or nothing was tested.
  const TillStats total = Totals(tills);
  EXPECT_GE(total.lost, static_cast<uint64_t>(cycles));
  if (cycles > 1) {
    EXPECT_GT(total.replays_of_acked, 0u);
  }
}

}  // namespace
}  // namespace storeagent::testing
