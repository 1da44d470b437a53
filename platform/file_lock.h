// FileLock: an exclusive advisory lock (flock) on a file, held for the
// object's lifetime. The daemon takes one on its data directory so that a
// second instance started on the same configuration is refused instead of
// writing the same database and taking over the POS socket.
#ifndef STOREAGENT_PLATFORM_FILE_LOCK_H_
#define STOREAGENT_PLATFORM_FILE_LOCK_H_

#include <string>

#include "platform/status.h"

namespace storeagent {

class FileLock {
 public:
  FileLock() = default;
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  // Creates `path` if needed, locks it without waiting and writes our PID
  // into it. FAILED_PRECONDITION naming the holder's PID when another
  // process holds it.
  static Result<FileLock> Acquire(const std::string& path);

 private:
  int fd_ = -1;
};

}  // namespace storeagent

#endif  // STOREAGENT_PLATFORM_FILE_LOCK_H_
