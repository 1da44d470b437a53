#include "platform/fs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>

namespace storeagent::fs {
namespace {

using ::testing::HasSubstr;

// Each test gets a fresh mkdtemp directory under /tmp, removed afterwards.
class FsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/storeagent_fs_test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << std::strerror(errno);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(dir_, ec);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::set<std::string> Entries() const {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      names.insert(e.path().filename().string());
    }
    return names;
  }

  static mode_t ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  static bool IsRoot() { return ::geteuid() == 0; }

  std::string dir_;
};

TEST_F(FsTest, FileSizeOfMissingFileIsNotFoundAndNamesThePath) {
  Result<uint64_t> r = FileSize(Path("missing"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr(Path("missing")));
  EXPECT_THAT(r.status().message(), HasSubstr("No such file or directory"));
}

TEST_F(FsTest, FileSizeCountsBytes) {
  ASSERT_TRUE(WriteFileDurably(Path("f"), "", 0644).ok());
  Result<uint64_t> empty = FileSize(Path("f"));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(*empty, 0u);
  ASSERT_TRUE(WriteFileDurably(Path("f"), std::string(12345, 'x'), 0644).ok());
  Result<uint64_t> full = FileSize(Path("f"));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*full, 12345u);
}

TEST_F(FsTest, FreeBytesReportsSpace) {
  Result<uint64_t> r = FreeBytes(dir_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(*r, 0u);
  Result<uint64_t> missing = FreeBytes(Path("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(FsTest, EnsureDirectoryCreatesNestedAndSetsLeafMode) {
  const std::string leaf = Path("a/b/c");
  Status st = EnsureDirectory(leaf, 0750);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(std::filesystem::is_directory(leaf));
  EXPECT_EQ(ModeOf(leaf), 0750u);
  EXPECT_TRUE(std::filesystem::is_directory(Path("a/b")));
}

TEST_F(FsTest, EnsureDirectoryIsIdempotentAndChmodsExistingLeaf) {
  const std::string leaf = Path("keys");
  ASSERT_TRUE(EnsureDirectory(leaf, 0755).ok());
  ASSERT_TRUE(WriteFileDurably(leaf + "/k", "x", 0600).ok());
  Status st = EnsureDirectory(leaf, 0700);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ModeOf(leaf), 0700u);
  EXPECT_TRUE(std::filesystem::exists(leaf + "/k"));  // contents untouched
}

TEST_F(FsTest, EnsureDirectoryAcceptsTrailingAndDoubleSlashes) {
  EXPECT_TRUE(EnsureDirectory(Path("x//y/"), 0700).ok());
  EXPECT_TRUE(std::filesystem::is_directory(Path("x/y")));
  EXPECT_EQ(ModeOf(Path("x/y")), 0700u);
}

TEST_F(FsTest, EnsureDirectoryRefusesAFileInTheWay) {
  ASSERT_TRUE(WriteFileDurably(Path("file"), "x", 0644).ok());
  Status leaf = EnsureDirectory(Path("file"), 0700);
  EXPECT_EQ(leaf.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(leaf.message(), HasSubstr("not a directory"));
  Status parent = EnsureDirectory(Path("file/sub"), 0700);
  EXPECT_EQ(parent.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(parent.message(), HasSubstr(Path("file")));
  EXPECT_EQ(EnsureDirectory("", 0700).code(), StatusCode::kInvalidArgument);
}

TEST_F(FsTest, FsyncDirectory) {
  EXPECT_TRUE(FsyncDirectory(dir_).ok());
  Status missing = FsyncDirectory(Path("missing"));
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr(Path("missing")));
  ASSERT_TRUE(WriteFileDurably(Path("file"), "x", 0644).ok());
  EXPECT_FALSE(FsyncDirectory(Path("file")).ok());
}

TEST_F(FsTest, WriteThenReadRoundTripsBinaryData) {
  std::string data;
  for (int i = 0; i < 300'000; ++i) data.push_back(static_cast<char>(i * 7));
  Status st = WriteFileDurably(Path("blob"), data, 0600);
  ASSERT_TRUE(st.ok()) << st.ToString();
  Result<std::string> back = ReadFile(Path("blob"), data.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, data);
}

TEST_F(FsTest, WriteSetsExactModeRegardlessOfUmask) {
  // 0666 would come out 0644 under the usual umask 022 without fchmod.
  ASSERT_TRUE(WriteFileDurably(Path("shared"), "x", 0666).ok());
  EXPECT_EQ(ModeOf(Path("shared")), 0666u);
  ASSERT_TRUE(WriteFileDurably(Path("secret"), "x", 0600).ok());
  EXPECT_EQ(ModeOf(Path("secret")), 0600u);
}

TEST_F(FsTest, WriteReplacesContentsAndLeavesNoTemporaries) {
  ASSERT_TRUE(
      WriteFileDurably(Path("config"), "old contents, longer", 0644).ok());
  ASSERT_TRUE(WriteFileDurably(Path("config"), "new", 0644).ok());
  Result<std::string> r = ReadFile(Path("config"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "new");
  EXPECT_EQ(Entries(), std::set<std::string>{"config"});
}

TEST_F(FsTest, WriteIntoMissingDirectoryIsNotFound) {
  Status st = WriteFileDurably(Path("no/such/file"), "x", 0644);
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_THAT(st.message(), HasSubstr(Path("no/such/file")));
  EXPECT_TRUE(Entries().empty());
}

TEST_F(FsTest, FailedRenameRemovesTemporaryAndKeepsTarget) {
  // A directory cannot be replaced by a file: the rename fails after the
  // temporary was written, so this exercises the clean-up path.
  ASSERT_TRUE(EnsureDirectory(Path("target"), 0755).ok());
  Status st = WriteFileDurably(Path("target"), "x", 0644);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("rename"));
  EXPECT_TRUE(std::filesystem::is_directory(Path("target")));
  EXPECT_EQ(Entries(), std::set<std::string>{"target"});
}

TEST_F(FsTest, WriteRefusesDirectoryLikePath) {
  EXPECT_EQ(WriteFileDurably(Path("d/"), "x", 0644).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteFileDurably("", "x", 0644).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(FsTest, WriteIntoReadOnlyDirectoryFailsAndKeepsOldContents) {
  if (IsRoot()) GTEST_SKIP() << "root ignores directory permissions";
  ASSERT_TRUE(WriteFileDurably(Path("f"), "old", 0644).ok());
  ASSERT_EQ(::chmod(dir_.c_str(), 0500), 0);
  Status st = WriteFileDurably(Path("f"), "new", 0644);
  ASSERT_EQ(::chmod(dir_.c_str(), 0700), 0);
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  Result<std::string> r = ReadFile(Path("f"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "old");
}

TEST_F(FsTest, ReadFileMissingNamesPathAndErrno) {
  Result<std::string> r = ReadFile(Path("absent.toml"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr(Path("absent.toml")));
  EXPECT_THAT(r.status().message(), HasSubstr("No such file or directory"));
}

TEST_F(FsTest, ReadFileLimitIsInclusive) {
  ASSERT_TRUE(WriteFileDurably(Path("f"), std::string(100, 'x'), 0644).ok());
  Result<std::string> at = ReadFile(Path("f"), 100);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ(at->size(), 100u);
  Result<std::string> over = ReadFile(Path("f"), 99);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(over.status().message(), HasSubstr("limit of 99 bytes"));
  EXPECT_THAT(over.status().message(), HasSubstr(Path("f")));
}

TEST_F(FsTest, ReadFileDefaultLimitIsOneMebibyte) {
  ASSERT_TRUE(WriteFileDurably(Path("big"),
                               std::string(kDefaultMaxReadBytes, 'x'), 0644)
                  .ok());
  EXPECT_TRUE(ReadFile(Path("big")).ok());
  ASSERT_TRUE(WriteFileDurably(Path("big"),
                               std::string(kDefaultMaxReadBytes + 1, 'x'), 0644)
                  .ok());
  EXPECT_EQ(ReadFile(Path("big")).status().code(), StatusCode::kOutOfRange);
}

TEST_F(FsTest, ReadFileOfDirectoryIsRefused) {
  Result<std::string> r = ReadFile(dir_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsTest, ReadFileWithoutPermissionIsPermissionDenied) {
  if (IsRoot()) GTEST_SKIP() << "root ignores file permissions";
  ASSERT_TRUE(WriteFileDurably(Path("locked"), "x", 0000).ok());
  EXPECT_EQ(ReadFile(Path("locked")).status().code(),
            StatusCode::kPermissionDenied);
}

TEST(ErrnoStatusTest, MapsErrnoToCodesAndRetryability) {
  Status full = ErrnoStatus(ENOSPC, "write", "/var/lib/x");
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(full.retryable());
  EXPECT_EQ(full.message(), "write /var/lib/x: No space left on device");

  EXPECT_EQ(ErrnoStatus(ENOENT, "open", "p").code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrnoStatus(EACCES, "open", "p").code(),
            StatusCode::kPermissionDenied);
  Status io = ErrnoStatus(EIO, "fsync", "p");
  EXPECT_EQ(io.code(), StatusCode::kDataLoss);
  EXPECT_FALSE(io.retryable());
  EXPECT_TRUE(ErrnoStatus(EINTR, "read", "p").retryable());
  EXPECT_EQ(ErrnoStatus(EXDEV, "rename", "p").code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace storeagent::fs
