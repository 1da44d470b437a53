#include "tests/fault/ack_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace storeagent::testing {

AckLog::AckLog(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

AckLog::~AckLog() {
  if (fd_ >= 0) ::close(fd_);
}

bool AckLog::Append(const AckRecord& record) {
  if (fd_ < 0) return false;
  const std::string line = record.terminal_id + " " + record.client_txn_id +
                           " " + std::to_string(record.seq) + " " +
                           record.hash_hex + "\n";
  // One write() per line: with O_APPEND the line lands whole at the end.
  size_t done = 0;
  for (int attempt = 0; done < line.size() && attempt < 100; ++attempt) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  if (done != line.size()) return false;
  return ::fdatasync(fd_) == 0;
}

std::vector<AckRecord> AckLog::ReadAll(const std::string& path,
                                       std::string* error) {
  std::vector<AckRecord> out;
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot open";
    return out;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::istringstream fields(line);
    AckRecord r;
    std::string extra;
    if (!(fields >> r.terminal_id >> r.client_txn_id >> r.seq >> r.hash_hex) ||
        (fields >> extra) || r.seq == 0 || r.hash_hex.size() != 64) {
      *error = path + ":" + std::to_string(n) + ": bad line '" + line + "'";
      return out;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace storeagent::testing
