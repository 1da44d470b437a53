// Filesystem helpers on POSIX: file size, free space, directory creation and
// fsync, bounded whole-file reads and durable (crash-atomic) whole-file
// writes.
//
// Errors name the path and the errno text ("open /var/lib/x: Permission
// denied") and map errno to a StatusCode so retryable() means something:
// ENOENT/ENOTDIR -> NOT_FOUND, EACCES/EPERM/EROFS -> PERMISSION_DENIED,
// ENOSPC/EDQUOT/EMFILE/ENFILE/ENOMEM -> RESOURCE_EXHAUSTED (retryable),
// EINTR/EAGAIN/EBUSY -> UNAVAILABLE (retryable), EIO -> DATA_LOSS,
// EEXIST -> ALREADY_EXISTS, ENAMETOOLONG/ELOOP/EISDIR/EINVAL ->
// INVALID_ARGUMENT, anything else INTERNAL.
//
// Every function is thread-safe: each call works only on its own file
// descriptors and keeps no state. None throws.
#ifndef STOREAGENT_PLATFORM_FS_H_
#define STOREAGENT_PLATFORM_FS_H_

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/status.h"

namespace storeagent::fs {

// Default cap for ReadFile: config files, keys and certificates are far
// smaller.
inline constexpr size_t kDefaultMaxReadBytes = 1 << 20;

// A Status for a failed system call: "<op> <path>: <strerror(err)>", with the
// code from the errno mapping above. REQUIRES: err != 0.
Status ErrnoStatus(int err, std::string_view op, std::string_view path);

// Size in bytes of the file at `path` (symlinks followed). NOT_FOUND if it
// does not exist.
Result<uint64_t> FileSize(const std::string& path);

// Bytes available to an unprivileged user on the filesystem holding `dir`
// (statvfs f_bavail * f_frsize). NOT_FOUND if `dir` does not exist.
Result<uint64_t> FreeBytes(const std::string& dir);

// mkdir -p: creates `path` and any missing parents. Directories it creates
// get `mode` (less the umask) and their parent is fsynced so the new entry
// survives a crash; the leaf is then chmod'ed to exactly `mode`, whether it
// was created or already existed. FAILED_PRECONDITION if `path` or a parent
// exists but is not a directory. REQUIRES: !path.empty().
Status EnsureDirectory(const std::string& path, mode_t mode);

// fsync(2) on a directory, making creates, renames and unlinks in it durable.
Status FsyncDirectory(const std::string& dir);

// fsync(2) on a regular file: its contents reach the disk.
Status FsyncFile(const std::string& path);

// The whole file at `path`. OUT_OF_RANGE if it holds more than `max_bytes`
// (a file of exactly max_bytes is read); INVALID_ARGUMENT for a directory.
// Memory used is bounded by max_bytes plus one read buffer.
Result<std::string> ReadFile(const std::string& path,
                             size_t max_bytes = kDefaultMaxReadBytes);

// Replaces the file at `path` with `data` so that after a crash the file
// holds either the old or the new contents, never a mix: writes a unique
// temporary "<path>.tmp.XXXXXX" in the same directory, fchmods it to exactly
// `mode`, fsyncs it, renames it over `path` and fsyncs the directory. On
// failure the temporary is removed and `path` is untouched. Concurrent calls
// for the same path are safe; the last rename wins. The directory must
// exist (NOT_FOUND otherwise). REQUIRES: path names a file, not "dir/".
Status WriteFileDurably(const std::string& path, std::string_view data,
                        mode_t mode);

// Copies the file `from` to `path` the same crash-atomic way as
// WriteFileDurably (temporary, fsync, rename, fsync of the directory),
// streaming, so a file of any size is copied in bounded memory. The copy
// gets `mode` and, when `owner_like` names an existing file and we may,
// that file's owner and group.
Status CopyFileDurably(const std::string& from, const std::string& path,
                       mode_t mode, const std::string& owner_like = "");

}  // namespace storeagent::fs

#endif  // STOREAGENT_PLATFORM_FS_H_
