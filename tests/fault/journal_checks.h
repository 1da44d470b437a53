// Offline checks of a stopped (or killed) agent's database, shared by the
// fault tests: the hash chain verifies from the anchor to the head with no
// gap, SQLite's own integrity check passes, and the journal holds exactly
// the expected number of events.
#ifndef STOREAGENT_TESTS_FAULT_JOURNAL_CHECKS_H_
#define STOREAGENT_TESTS_FAULT_JOURNAL_CHECKS_H_

#include <cstdint>
#include <string>

namespace storeagent::testing {

// Opens `db_path` read-only and reports every problem as a gtest failure:
// VerifyJournal must find an intact chain of exactly `expected_head`
// entries ending at seq `expected_head`, `PRAGMA integrity_check` must say
// "ok", and the journal table must hold `expected_head` rows. Use inside
// ASSERT_NO_FATAL_FAILURE / after the agent stopped writing.
void ExpectJournalIntact(const std::string& db_path, uint64_t expected_head);

// Runs `storeagentctl journal verify --db db_path` (the operator's tool, from
// AgentProcess::BinDir()) and returns its exit code, or -1 when it could not
// be run or had to be killed after `timeout_ms`. Its output goes to
// `output_path` and, on a non-zero exit, into `*output`.
int RunCtlVerify(const std::string& db_path, const std::string& output_path,
                 std::string* output, int timeout_ms = 60000);

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_FAULT_JOURNAL_CHECKS_H_
