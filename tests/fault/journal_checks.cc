#include "tests/fault/journal_checks.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "storage/journal_verify.h"
#include "storage/sqlite_handle.h"
#include "tests/support/agent_process.h"

namespace storeagent::testing {
namespace {

// First column of the first row of `sql`, as text; "<error ...>" otherwise.
std::string QueryText(sqlite3* db, const std::string& sql) {
  Result<storage::Statement> stmt = storage::Statement::Prepare(db, sql);
  if (!stmt.ok()) return "<error " + stmt.status().ToString() + ">";
  Result<bool> row = stmt->Step();
  if (!row.ok()) return "<error " + row.status().ToString() + ">";
  if (!*row) return "<no row>";
  return std::string(stmt->ColumnText(0));
}

}  // namespace

void ExpectJournalIntact(const std::string& db_path, uint64_t expected_head) {
  storage::ConnectionOptions options;
  options.read_only = true;
  Result<storage::Connection> conn =
      storage::Connection::Open(db_path, options);
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();

  Result<storage::VerifyReport> report = storage::VerifyJournal(conn->get());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->problem.ok())
      << "chain broken at seq " << report->first_bad_seq << ": "
      << report->problem.ToString();
  EXPECT_EQ(report->anchor_seq, 0u);
  EXPECT_EQ(report->entries_checked, expected_head);
  EXPECT_EQ(report->good_seq, expected_head);

  EXPECT_EQ(QueryText(conn->get(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(QueryText(conn->get(), "SELECT COUNT(*) FROM journal"),
            std::to_string(expected_head));
  EXPECT_EQ(QueryText(conn->get(), "SELECT COALESCE(MAX(seq), 0) FROM journal"),
            std::to_string(expected_head));
}

int RunCtlVerify(const std::string& db_path, const std::string& output_path,
                 std::string* output, int timeout_ms) {
  const std::string bin = AgentProcess::BinDir() + "/storeagentctl";
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(bin.c_str(), bin.c_str(), "journal", "verify", "--db",
            db_path.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid < 0) return -1;
  int code = -1;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int st = 0;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);  // only the child started above
      ::waitpid(pid, &st, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (code != 0 && output != nullptr) {
    std::ifstream in(output_path);
    std::ostringstream text;
    text << in.rdbuf();
    *output = text.str();
  }
  return code;
}

}  // namespace storeagent::testing
