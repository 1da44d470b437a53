// The fault VFS's power loss, seen from below SQLite: what a tracked file
// shows its readers, what reaches the disk, and what the crash leaves.
#include "tests/support/fault_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "tests/support/temp_dir.h"

namespace storeagent::testing {
namespace {

std::string DiskBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One file opened through the fault VFS as a main database file.
class VfsFile {
 public:
  explicit VfsFile(const std::string& path) {
    vfs_ = sqlite3_vfs_find(kFaultVfsName);
    mem_.reset(new char[static_cast<size_t>(vfs_->szOsFile)]());
    int out = 0;
    rc_ = vfs_->xOpen(
        vfs_, path.c_str(), file(),
        SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out);
  }
  ~VfsFile() {
    if (file()->pMethods != nullptr) file()->pMethods->xClose(file());
  }
  int open_rc() const { return rc_; }
  int Write(const std::string& bytes, int64_t off) {
    return file()->pMethods->xWrite(file(), bytes.data(),
                                    static_cast<int>(bytes.size()), off);
  }
  int Read(std::string& out, int n, int64_t off) {
    out.assign(static_cast<size_t>(n), '\0');
    return file()->pMethods->xRead(file(), out.data(), n, off);
  }
  int Sync() { return file()->pMethods->xSync(file(), SQLITE_SYNC_NORMAL); }
  int64_t Size() {
    sqlite3_int64 size = -1;
    EXPECT_EQ(file()->pMethods->xFileSize(file(), &size), SQLITE_OK);
    return size;
  }

 private:
  sqlite3_file* file() { return reinterpret_cast<sqlite3_file*>(mem_.get()); }
  sqlite3_vfs* vfs_ = nullptr;
  std::unique_ptr<char[]> mem_;
  int rc_ = SQLITE_ERROR;
};

class FaultVfsCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterFaultVfs();
    ResetFaultVfs();
    knobs_.crash_tracking = true;
  }
  void TearDown() override { ResetFaultVfs(); }

  FaultVfsKnobs& knobs_ = RegisterFaultVfs();
  TempDir dir_;
};

TEST_F(FaultVfsCrash, UnsyncedWritesAreReadBackButReachTheDiskOnlyAtSync) {
  const std::string path = dir_.File("a.db");
  {
    VfsFile f(path);
    ASSERT_EQ(f.open_rc(), SQLITE_OK);
    ASSERT_EQ(f.Write(std::string(600, 'a'), 0), SQLITE_OK);
    ASSERT_EQ(f.Write("bbbb", 100), SQLITE_OK);
    EXPECT_EQ(f.Size(), 600);
    std::string got;
    ASSERT_EQ(f.Read(got, 8, 98), SQLITE_OK);
    EXPECT_EQ(got, "aabbbbaa");
    // Past the end: a short read, zero-filled.
    EXPECT_EQ(f.Read(got, 8, 596), SQLITE_IOERR_SHORT_READ);
    EXPECT_EQ(got, std::string("aaaa") + std::string(4, '\0'));
    EXPECT_EQ(DiskBytes(path), "");
    // Another handle on the same path sees the same unsynced bytes.
    VfsFile other(path);
    ASSERT_EQ(other.Read(got, 4, 100), SQLITE_OK);
    EXPECT_EQ(got, "bbbb");
    ASSERT_EQ(f.Sync(), SQLITE_OK);
    std::string want(600, 'a');
    want.replace(100, 4, "bbbb");
    EXPECT_EQ(DiskBytes(path), want);
  }
}

TEST_F(FaultVfsCrash, TheCrashWritesDropsOrTearsEachUnsyncedWrite) {
  const std::string path = dir_.File("a.db");
  knobs_.crash_seed = 7;
  constexpr int kWrites = 30;
  constexpr int kBytes = 2048;  // 4 sectors each
  {
    VfsFile f(path);
    ASSERT_EQ(f.open_rc(), SQLITE_OK);
    ASSERT_EQ(f.Write(std::string(kWrites * kBytes, '.'), 0), SQLITE_OK);
    ASSERT_EQ(f.Sync(), SQLITE_OK);
    for (int i = 0; i < kWrites; ++i) {
      ASSERT_EQ(f.Write(std::string(kBytes, static_cast<char>('A' + i % 26)),
                        int64_t{i} * kBytes),
                SQLITE_OK);
    }
    CrashNow();
    EXPECT_TRUE(FaultVfsCrashed());
    // The process is dead to its files.
    std::string got;
    EXPECT_NE(f.Write("x", 0), SQLITE_OK);
    EXPECT_NE(f.Sync(), SQLITE_OK);
    EXPECT_NE(f.Read(got, 1, 0), SQLITE_OK);
  }
  EXPECT_EQ(knobs_.crash_kept + knobs_.crash_dropped + knobs_.crash_torn,
            uint64_t{kWrites});
  EXPECT_GT(knobs_.crash_kept.load(), 0u);
  EXPECT_GT(knobs_.crash_dropped.load(), 0u);
  EXPECT_GT(knobs_.crash_torn.load(), 0u);
  // Each write is on disk whole, not at all, or as a prefix of its sectors.
  const std::string disk = DiskBytes(path);
  ASSERT_EQ(disk.size(), size_t{kWrites * kBytes});
  uint64_t whole = 0, none = 0, torn = 0;
  for (int i = 0; i < kWrites; ++i) {
    const std::string chunk =
        disk.substr(static_cast<size_t>(i) * kBytes, kBytes);
    const char mark = static_cast<char>('A' + i % 26);
    size_t prefix = 0;
    while (prefix < chunk.size() && chunk[prefix] == mark) ++prefix;
    EXPECT_EQ(prefix % 512, 0u) << "write " << i;
    EXPECT_EQ(chunk.substr(prefix), std::string(kBytes - prefix, '.'))
        << "write " << i;
    if (prefix == kBytes) {
      ++whole;
    } else if (prefix == 0) {
      ++none;
    } else {
      ++torn;
    }
  }
  EXPECT_EQ(whole, knobs_.crash_kept.load());
  // A torn write may keep no sector: it then looks dropped.
  EXPECT_EQ(none + torn, knobs_.crash_dropped + knobs_.crash_torn);
  EXPECT_LE(torn, knobs_.crash_torn.load());
}

TEST_F(FaultVfsCrash, TheCrashSyncFailsAndNothingOpensAfterIt) {
  const std::string path = dir_.File("a.db");
  knobs_.crash_at_sync = 2;
  VfsFile f(path);
  ASSERT_EQ(f.open_rc(), SQLITE_OK);
  ASSERT_EQ(f.Write("one", 0), SQLITE_OK);
  ASSERT_EQ(f.Sync(), SQLITE_OK);
  ASSERT_EQ(f.Write("two", 0), SQLITE_OK);
  EXPECT_EQ(f.Sync(), SQLITE_IOERR_FSYNC);
  EXPECT_TRUE(FaultVfsCrashed());
  VfsFile late(dir_.File("b.db"));
  EXPECT_EQ(late.open_rc(), SQLITE_CANTOPEN);
}

TEST_F(FaultVfsCrash, ASkippedSyncMakesNothingDurable) {
  const std::string path = dir_.File("a.db");
  knobs_.skip_sync_at = 1;
  VfsFile f(path);
  ASSERT_EQ(f.open_rc(), SQLITE_OK);
  ASSERT_EQ(f.Write("one", 0), SQLITE_OK);
  EXPECT_EQ(f.Sync(), SQLITE_OK);
  EXPECT_EQ(DiskBytes(path), "");
  EXPECT_EQ(f.Sync(), SQLITE_OK);
  EXPECT_EQ(DiskBytes(path), "one");
}

TEST_F(FaultVfsCrash, TheNthSyncAndWriteFailOnce) {
  const std::string path = dir_.File("a.db");
  knobs_.fail_sync_at = 2;
  knobs_.fail_write_at = 3;
  VfsFile f(path);
  ASSERT_EQ(f.open_rc(), SQLITE_OK);
  EXPECT_EQ(f.Write("a", 0), SQLITE_OK);
  EXPECT_EQ(f.Sync(), SQLITE_OK);
  EXPECT_EQ(f.Write("b", 1), SQLITE_OK);
  EXPECT_EQ(f.Sync(), SQLITE_IOERR_FSYNC);
  EXPECT_EQ(DiskBytes(path), "a");  // the failed sync made nothing durable
  EXPECT_EQ(f.Write("c", 2), SQLITE_IOERR_WRITE);
  EXPECT_EQ(f.Write("c", 2), SQLITE_OK);
  EXPECT_EQ(f.Sync(), SQLITE_OK);
  EXPECT_EQ(DiskBytes(path), "abc");
  EXPECT_FALSE(FaultVfsCrashed());
}

}  // namespace
}  // namespace storeagent::testing
