// AckLog: what a POS terminal durably remembers about the answers it got.
//
// The crash test's client threads play tills: every OK from the agent is
// appended here (O_APPEND, write, fdatasync) BEFORE the till counts the sale
// as acknowledged, so the log is the till's own durable proof of what the
// agent promised. One log per till; a log is written by one thread only.
#ifndef STOREAGENT_TESTS_FAULT_ACK_LOG_H_
#define STOREAGENT_TESTS_FAULT_ACK_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace storeagent::testing {

// One acknowledged call: the client key and the agent's answer.
struct AckRecord {
  std::string terminal_id;
  std::string client_txn_id;
  uint64_t seq = 0;
  std::string hash_hex;
};

class AckLog {
 public:
  // Opens (creating) `path` for appending. Check ok() afterwards.
  explicit AckLog(const std::string& path);
  ~AckLog();
  AckLog(const AckLog&) = delete;
  AckLog& operator=(const AckLog&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // Appends one line and fdatasyncs it. False when the write or the sync
  // failed (the record must then not be counted as acknowledged).
  bool Append(const AckRecord& record);

  // Every record of the log at `path`, in order. A line that does not parse
  // is an error: `error` is set and the records before it are returned.
  static std::vector<AckRecord> ReadAll(const std::string& path,
                                        std::string* error);

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace storeagent::testing

#endif  // STOREAGENT_TESTS_FAULT_ACK_LOG_H_
