#pragma once
// SqliteQueue: the gateway's durable queue (port::DurableQueue) in one SQLite file, in WAL mode.
// Each Commit is one IMMEDIATE transaction; with `synchronous = FULL` (the default) SQLite
// syncs the WAL before COMMIT returns, so a committed reading survives a power cut as well
// as a crash of the process; NORMAL survives the process's crash (SIGKILL) and may lose the
// last commits to a power cut, for fewer disk syncs. Record ids are an AUTOINCREMENT key:
// never reused, even after every record was removed.
//
// One gateway per file: the constructor takes an exclusive lock (flock on "<file>.lock"),
// which the kernel releases when the process ends however it ends, so a gateway restarted
// after a SIGKILL opens its store at once and a second gateway on the same file is refused.

#include <cstdint>
#include <filesystem>
#include <span>

#include "core/port/durable_queue.h"

struct sqlite3;
struct sqlite3_stmt;

namespace airlab::linux_port {

struct SqliteStoreOptions {
  // FULL: a commit is on disk when it returns (power cut safe). NORMAL: in the WAL, synced
  // at checkpoints (crash safe).
  bool synchronous_full = true;
};

class SqliteQueue final : public port::DurableQueue {
 public:
  // Opens (creating it and its folder when missing) the store at `path`. Throws
  // std::runtime_error with a sentence naming the path when it cannot be opened, is not an
  // airlab store, or another process holds it.
  explicit SqliteQueue(const std::filesystem::path& path, SqliteStoreOptions options = {});
  ~SqliteQueue() override;
  SqliteQueue(const SqliteQueue&) = delete;
  SqliteQueue& operator=(const SqliteQueue&) = delete;

  Result<uint64_t> Count() override;
  const std::filesystem::path& path() const { return path_; }

 protected:
  Result<uint64_t> DoCommit(const port::QueueChange& change) override;
  Result<size_t> DoRead(uint64_t after, std::span<port::QueuedRecord> out,
                        MutableByteSpan storage) override;
  Result<uint64_t> DoGetMark(uint64_t key) override;
  Result<size_t> DoReadMarks(uint64_t first, uint64_t last, std::span<port::Mark> out) override;

 private:
  void Close();
  sqlite3_stmt* Prepare(const char* sql);
  bool Exec(const char* sql);
  Result<uint64_t> NextId();

  std::filesystem::path path_;
  int lock_fd_ = -1;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
  sqlite3_stmt* set_mark_ = nullptr;
  sqlite3_stmt* read_ = nullptr;
  sqlite3_stmt* count_ = nullptr;
  sqlite3_stmt* next_id_ = nullptr;
  sqlite3_stmt* get_mark_ = nullptr;
  sqlite3_stmt* read_marks_ = nullptr;
};

}  // namespace airlab::linux_port
