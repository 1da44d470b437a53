#include "platform/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace storeagent::fs {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

// strerror_r comes in a GNU flavour (returns char*) and an XSI one (returns
// int); these overloads accept either.
[[maybe_unused]] const char* StrerrorText(const char* s, const char*) {
  return s;
}
[[maybe_unused]] const char* StrerrorText(int rc, const char* buf) {
  return rc == 0 ? buf : "unknown error";
}

std::string ErrnoText(int err) {
  char buf[256] = {};
  return StrerrorText(strerror_r(err, buf, sizeof(buf)), buf);
}

StatusCode CodeForErrno(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return StatusCode::kNotFound;
    case EACCES:
    case EPERM:
    case EROFS:
      return StatusCode::kPermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
      return StatusCode::kResourceExhausted;
    case EINTR:
    case EAGAIN:
    case EBUSY:
      return StatusCode::kUnavailable;
    case EIO:
      return StatusCode::kDataLoss;
    case EEXIST:
      return StatusCode::kAlreadyExists;
    case ENAMETOOLONG:
    case ELOOP:
    case EISDIR:
    case EINVAL:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kInternal;
  }
}

// Closes the descriptor when it goes out of scope (errors from an explicit
// Close() are reported; errors here are not, as the data path already failed).
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // close(2), reporting its error; EINTR counts as closed (Linux semantics).
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 || errno == EINTR ? 0 : errno;
  }

 private:
  int fd_;
};

std::string ParentDir(const std::string& path) {
  size_t end = path.size();
  while (end > 1 && path[end - 1] == '/') --end;
  const size_t slash = path.rfind('/', end - 1);
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Creates one directory level if missing; fsyncs its parent when it does.
Status EnsureOneLevel(const std::string& dir, mode_t mode) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return FailedPrecondition("mkdir " + dir +
                              ": exists and is not a directory");
  }
  if (errno != ENOENT) return ErrnoStatus(errno, "stat", dir);
  if (::mkdir(dir.c_str(), mode) != 0) {
    const int err = errno;
    // Lost a race with another creator: fine if it made a directory.
    if (err == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      return Status::Ok();
    }
    return ErrnoStatus(err, "mkdir", dir);
  }
  return FsyncDirectory(ParentDir(dir));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Status ErrnoStatus(int err, std::string_view op, std::string_view path) {
  return Status(CodeForErrno(err), std::string(op) + " " + std::string(path) +
                                       ": " + ErrnoText(err));
}

Result<uint64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
  return static_cast<uint64_t>(st.st_size);
}

Result<uint64_t> FreeBytes(const std::string& dir) {
  struct statvfs vfs;
  if (::statvfs(dir.c_str(), &vfs) != 0) {
    return ErrnoStatus(errno, "statvfs", dir);
  }
  return static_cast<uint64_t>(vfs.f_bavail) *
         static_cast<uint64_t>(vfs.f_frsize);
}

Status EnsureDirectory(const std::string& path, mode_t mode) {
  if (path.empty()) return InvalidArgument("mkdir: empty path");
  for (size_t i = 1; i < path.size(); ++i) {
    if (path[i] == '/' && path[i - 1] != '/') {
      STOREAGENT_RETURN_IF_ERROR(EnsureOneLevel(path.substr(0, i), mode));
    }
  }
  STOREAGENT_RETURN_IF_ERROR(EnsureOneLevel(path, mode));
  if (::chmod(path.c_str(), mode) != 0) {
    return ErrnoStatus(errno, "chmod", path);
  }
  return Status::Ok();
}

Status FsyncFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open", path);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync", path);
  if (const int err = fd.Close(); err != 0) {
    return ErrnoStatus(err, "close", path);
  }
  return Status::Ok();
}

Status FsyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open directory", dir);
  if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync directory", dir);
  if (const int err = fd.Close(); err != 0) {
    return ErrnoStatus(err, "close directory", dir);
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "fstat", path);
  if (S_ISDIR(st.st_mode)) {
    return InvalidArgument("read " + path + ": is a directory");
  }
  const auto too_big = [&] {
    return Status(StatusCode::kOutOfRange,
                  "read " + path + ": file is larger than the limit of " +
                      std::to_string(max_bytes) + " bytes");
  };
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_big();
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  std::string buf(kReadChunk, '\0');
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read", path);
    }
    if (n == 0) break;
    // The file may have grown since fstat.
    if (static_cast<size_t>(n) > max_bytes - out.size()) return too_big();
    out.append(buf.data(), static_cast<size_t>(n));
  }
  return out;
}

Status WriteFileDurably(const std::string& path, std::string_view data,
                        mode_t mode) {
  if (path.empty() || path.back() == '/') {
    return InvalidArgument("write '" + path + "': not a file path");
  }
  std::string tmp = path + ".tmp.XXXXXX";
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "create temporary for", path);

  Status st = [&]() -> Status {
    if (::fchmod(fd.get(), mode) != 0) return ErrnoStatus(errno, "fchmod", tmp);
    STOREAGENT_RETURN_IF_ERROR(WriteAll(fd.get(), data, tmp));
    if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync", tmp);
    if (const int err = fd.Close(); err != 0) {
      return ErrnoStatus(err, "close", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return ErrnoStatus(errno, "rename " + tmp + " to", path);
    }
    return Status::Ok();
  }();
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncDirectory(ParentDir(path));
}

Status CopyFileDurably(const std::string& from, const std::string& path,
                       mode_t mode, const std::string& owner_like) {
  if (path.empty() || path.back() == '/') {
    return InvalidArgument("copy to '" + path + "': not a file path");
  }
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return ErrnoStatus(errno, "open", from);
  std::string tmp = path + ".tmp.XXXXXX";
  Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "create temporary for", path);
  Status st = [&]() -> Status {
    if (::fchmod(fd.get(), mode) != 0) return ErrnoStatus(errno, "fchmod", tmp);
    struct stat owner;
    if (!owner_like.empty() && ::stat(owner_like.c_str(), &owner) == 0 &&
        (owner.st_uid != ::geteuid() || owner.st_gid != ::getegid())) {
      if (::fchown(fd.get(), owner.st_uid, owner.st_gid) != 0) {
        return ErrnoStatus(errno, "fchown (like " + owner_like + ")", tmp);
      }
    }
    std::string buf(1 << 16, '\0');
    for (;;) {
      const ssize_t n = ::read(in.get(), buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "read", from);
      }
      if (n == 0) break;
      STOREAGENT_RETURN_IF_ERROR(WriteAll(
          fd.get(), std::string_view(buf.data(), static_cast<size_t>(n)), tmp));
    }
    if (::fsync(fd.get()) != 0) return ErrnoStatus(errno, "fsync", tmp);
    if (const int err = fd.Close(); err != 0) {
      return ErrnoStatus(err, "close", tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return ErrnoStatus(errno, "rename " + tmp + " to", path);
    }
    return Status::Ok();
  }();
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return FsyncDirectory(ParentDir(path));
}

}  // namespace storeagent::fs
