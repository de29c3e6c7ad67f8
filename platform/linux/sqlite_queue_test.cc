// linux_port::SqliteQueue: the port's contract (ids in order and never reused, atomic commits,
// marks), what the sqlite3 program reads from the file (an independent reader), durability
// across a SIGKILL of the process that committed, and the one-gateway-per-store lock.

#include "platform/linux/sqlite_queue.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::linux_port {
namespace {

using testing_tools::TempDir;

ByteSpan Span(std::string_view s) { return AsBytes(s.data(), s.size()); }
std::string Text(ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// What the sqlite3 program prints for `sql` on the store's file.
std::string Sqlite3(const std::filesystem::path& db, const std::string& sql) {
  return testing_tools::RunCommand("sqlite3 -readonly '" + db.string() + "' \"" + sql + "\"").out;
}

std::vector<std::pair<uint64_t, std::string>> ReadAll(SqliteQueue& store, uint64_t after = 0) {
  std::array<port::QueuedRecord, 64> records;
  std::array<std::byte, 4096> storage;
  Result<size_t> n = store.Read(after, records, storage);
  EXPECT_TRUE(n.ok());
  std::vector<std::pair<uint64_t, std::string>> out;
  for (size_t i = 0; i < n.value_or(0); ++i) out.emplace_back(records[i].id, Text(records[i].data));
  return out;
}

TEST(SqliteQueue, Commit_AppendsInOrder_IdsFromOne) {
  TempDir dir;
  SqliteQueue store(dir.File("q.db"));
  const std::vector<ByteSpan> batch = {Span("a"), Span("bb"), Span("")};
  Result<uint64_t> first = store.Commit({batch, 0, {}});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1u);
  EXPECT_EQ(store.Count().value(), 3u);
  EXPECT_EQ(ReadAll(store),
            (std::vector<std::pair<uint64_t, std::string>>{{1, "a"}, {2, "bb"}, {3, ""}}));
  EXPECT_EQ(ReadAll(store, 2), (std::vector<std::pair<uint64_t, std::string>>{{3, ""}}));
  // The independent reader sees the same rows (hex of the blobs).
  EXPECT_EQ(Sqlite3(dir.File("q.db"), "SELECT id, hex(data) FROM airlab_records ORDER BY id"),
            "1|61\n2|6262\n3|\n");
}

TEST(SqliteQueue, RemoveThrough_IdsNeverReused) {
  TempDir dir;
  SqliteQueue store(dir.File("q.db"));
  const std::vector<ByteSpan> two = {Span("x"), Span("y")};
  ASSERT_TRUE(store.Commit({two, 0, {}}).ok());
  Result<uint64_t> next = store.Commit({{}, 2, {}});  // removes both, appends nothing
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 3u);  // the id the next record will get
  EXPECT_EQ(store.Count().value(), 0u);
  const std::vector<ByteSpan> one = {Span("z")};
  EXPECT_EQ(store.Commit({one, 0, {}}).value(), 3u);
  EXPECT_EQ(ReadAll(store), (std::vector<std::pair<uint64_t, std::string>>{{3, "z"}}));
}

TEST(SqliteQueue, Marks_SetReplaceAndRange) {
  TempDir dir;
  SqliteQueue store(dir.File("q.db"));
  EXPECT_EQ(store.GetMark(7).status(), Status::NotFound());
  const std::vector<port::Mark> marks = {{7, 70}, {9, 0xffffffffffffffffull}, {8, 80}, {100, 1}};
  ASSERT_TRUE(store.Commit({{}, 0, marks}).ok());
  const std::vector<port::Mark> replace = {{8, 81}};
  ASSERT_TRUE(store.Commit({{}, 0, replace}).ok());
  EXPECT_EQ(store.GetMark(8).value(), 81u);
  EXPECT_EQ(store.GetMark(9).value(), 0xffffffffffffffffull);  // all 64 bits survive
  std::array<port::Mark, 2> page;
  Result<size_t> n = store.ReadMarks(7, 99, page);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, 2u);  // 7, 8 (the page is full; 9 is next)
  EXPECT_EQ(page[0], (port::Mark{7, 70}));
  EXPECT_EQ(page[1], (port::Mark{8, 81}));
  n = store.ReadMarks(9, 99, page);
  EXPECT_EQ(*n, 1u);
  EXPECT_EQ(store.GetMark(port::DurableQueue::kMaxMarkKey).status(), Status::InvalidArgument());
}

TEST(SqliteQueue, Read_StorageTooSmall_StopsBeforeOrRefuses) {
  TempDir dir;
  SqliteQueue store(dir.File("q.db"));
  const std::string big(100, 'b');
  const std::vector<ByteSpan> batch = {Span("small"), Span(big)};
  ASSERT_TRUE(store.Commit({batch, 0, {}}).ok());
  std::array<port::QueuedRecord, 4> records;
  std::array<std::byte, 50> storage;
  EXPECT_EQ(store.Read(0, records, storage).value(), 1u);  // the second does not fit
  EXPECT_EQ(store.Read(1, records, storage).status(), Status::ResourceExhausted());
}

TEST(SqliteQueue, Commit_RecordTooLarge_NothingChanges) {
  TempDir dir;
  SqliteQueue store(dir.File("q.db"));
  const std::string huge(port::DurableQueue::kMaxRecordSize + 1, 'h');
  const std::vector<ByteSpan> batch = {Span("ok"), Span(huge)};
  const std::vector<port::Mark> marks = {{1, 1}};
  EXPECT_EQ(store.Commit({batch, 0, marks}).status(), Status::InvalidArgument());
  EXPECT_EQ(store.Count().value(), 0u);
  EXPECT_EQ(store.GetMark(1).status(), Status::NotFound());
}

TEST(SqliteQueue, Commit_SurvivesSigkillOfTheProcess) {
  TempDir dir;
  const std::filesystem::path path = dir.File("q.db");
  // A child commits 200 transactions, then waits to be killed; whatever Commit returned
  // kOk for must be in the file when the parent opens it.
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    SqliteQueue store(path);
    for (int i = 0; i < 200; ++i) {
      const std::string value = "r" + std::to_string(i);
      const std::vector<ByteSpan> one = {Span(value)};
      const std::vector<port::Mark> mark = {{1, static_cast<uint64_t>(i)}};
      if (!store.Commit({one, 0, mark}).ok()) ::_exit(2);
    }
    char done = 'd';
    if (::write(pipefd[1], &done, 1) != 1) ::_exit(3);
    ::pause();
    ::_exit(0);
  }
  ::close(pipefd[1]);
  char done = 0;
  ASSERT_EQ(::read(pipefd[0], &done, 1), 1);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  // The lock went with the process: the store opens at once.
  SqliteQueue store(path);
  EXPECT_EQ(store.Count().value(), 200u);
  EXPECT_EQ(store.GetMark(1).value(), 199u);
  EXPECT_EQ(Sqlite3(path, "SELECT count(*), max(id) FROM airlab_records"), "200|200\n");
}

TEST(SqliteQueue, SecondOpenOfTheSameStore_IsRefused) {
  TempDir dir;
  SqliteQueue first(dir.File("q.db"));
  try {
    SqliteQueue second(dir.File("q.db"));
    FAIL() << "a second store on the same file opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("in use by another process"), std::string::npos)
        << e.what();
  }
}

TEST(SqliteQueue, NotAnSqliteFile_IsRefusedWithItsPath) {
  TempDir dir;
  const std::filesystem::path path = dir.File("junk.db");
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("this is not a database, just text long enough to have a header......", f);
    std::fclose(f);
  }
  try {
    SqliteQueue store(path);
    FAIL() << "opened a text file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace airlab::linux_port
