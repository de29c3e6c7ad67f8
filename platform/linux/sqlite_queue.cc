#include "platform/linux/sqlite_queue.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace airlab::linux_port {
namespace {

// Leaves a statement ready for its next use whatever way the call leaves.
class Reset {
 public:
  explicit Reset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// Keys and values are unsigned 64-bit; SQLite's integers are signed: the bits go as they are.
int64_t AsSigned(uint64_t v) {
  int64_t s;
  std::memcpy(&s, &v, sizeof s);
  return s;
}
uint64_t AsUnsigned(int64_t s) {
  uint64_t v;
  std::memcpy(&v, &s, sizeof v);
  return v;
}

}  // namespace

SqliteQueue::SqliteQueue(const std::filesystem::path& path, SqliteStoreOptions options)
    : path_(path) {
  const std::string where = "the gateway's store " + path.string();
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const std::string lock_path = path.string() + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    throw std::runtime_error("cannot open " + lock_path + " (" + std::strerror(errno) +
                             "); give --store a path in a writable folder");
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    throw std::runtime_error(where +
                             " is in use by another process (a running gateway); stop it, "
                             "or give this gateway a store of its own");
  }
  auto fail = [&](const std::string& what) {
    std::string detail = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    Close();
    throw std::runtime_error("cannot use " + where + ": " + what + " (" + detail + ")");
  };
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    fail("cannot open or create it");
  }
  if (!Exec("PRAGMA journal_mode=WAL") ||
      !Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL") ||
      !Exec("CREATE TABLE IF NOT EXISTS airlab_records("
            "id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB NOT NULL)") ||
      !Exec("CREATE TABLE IF NOT EXISTS airlab_marks("
            "key INTEGER PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID")) {
    fail("it is not an SQLite database, or the disk refuses writes");
  }
  begin_ = Prepare("BEGIN IMMEDIATE");
  commit_ = Prepare("COMMIT");
  rollback_ = Prepare("ROLLBACK");
  insert_ = Prepare("INSERT INTO airlab_records(data) VALUES(?)");
  remove_ = Prepare("DELETE FROM airlab_records WHERE id <= ?");
  set_mark_ = Prepare(
      "INSERT INTO airlab_marks(key, value) VALUES(?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  read_ = Prepare("SELECT id, data FROM airlab_records WHERE id > ? ORDER BY id LIMIT ?");
  count_ = Prepare("SELECT count(*) FROM airlab_records");
  next_id_ = Prepare("SELECT seq FROM sqlite_sequence WHERE name = 'airlab_records'");
  get_mark_ = Prepare("SELECT value FROM airlab_marks WHERE key = ?");
  read_marks_ =
      Prepare("SELECT key, value FROM airlab_marks WHERE key BETWEEN ? AND ? ORDER BY key LIMIT ?");
  for (sqlite3_stmt* s : {begin_, commit_, rollback_, insert_, remove_, set_mark_, read_, count_,
                          next_id_, get_mark_, read_marks_}) {
    if (s == nullptr) fail("its tables are not an airlab store's");
  }
}

SqliteQueue::~SqliteQueue() { Close(); }

void SqliteQueue::Close() {
  for (sqlite3_stmt** s : {&begin_, &commit_, &rollback_, &insert_, &remove_, &set_mark_, &read_,
                           &count_, &next_id_, &get_mark_, &read_marks_}) {
    sqlite3_finalize(*s);
    *s = nullptr;
  }
  if (db_ != nullptr) sqlite3_close(db_);
  db_ = nullptr;
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  lock_fd_ = -1;
}

sqlite3_stmt* SqliteQueue::Prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
    return nullptr;
  }
  return stmt;
}

bool SqliteQueue::Exec(const char* sql) {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

Result<uint64_t> SqliteQueue::NextId() {
  Reset reset(next_id_);
  const int rc = sqlite3_step(next_id_);
  if (rc == SQLITE_ROW) return static_cast<uint64_t>(sqlite3_column_int64(next_id_, 0)) + 1;
  if (rc == SQLITE_DONE) return uint64_t{1};
  return Status::Unavailable();
}

Result<uint64_t> SqliteQueue::DoCommit(const port::QueueChange& change) {
  {
    Reset reset(begin_);
    if (sqlite3_step(begin_) != SQLITE_DONE) return Status::Unavailable();
  }
  auto abort = [&]() -> Status {
    Reset reset(rollback_);
    sqlite3_step(rollback_);
    return Status::Unavailable();
  };
  uint64_t first = 0;
  for (ByteSpan record : change.append) {
    Reset reset(insert_);
    // A zero-length blob would bind as NULL with a null pointer; "" is never null.
    const void* data = record.empty() ? static_cast<const void*>("") : record.data();
    if (sqlite3_bind_blob(insert_, 1, data, static_cast<int>(record.size()), SQLITE_STATIC) !=
            SQLITE_OK ||
        sqlite3_step(insert_) != SQLITE_DONE) {
      return abort();
    }
    if (first == 0) first = static_cast<uint64_t>(sqlite3_last_insert_rowid(db_));
  }
  if (change.remove_through != 0) {
    Reset reset(remove_);
    if (sqlite3_bind_int64(remove_, 1, AsSigned(change.remove_through)) != SQLITE_OK ||
        sqlite3_step(remove_) != SQLITE_DONE) {
      return abort();
    }
  }
  for (const port::Mark& mark : change.marks) {
    Reset reset(set_mark_);
    if (sqlite3_bind_int64(set_mark_, 1, AsSigned(mark.key)) != SQLITE_OK ||
        sqlite3_bind_int64(set_mark_, 2, AsSigned(mark.value)) != SQLITE_OK ||
        sqlite3_step(set_mark_) != SQLITE_DONE) {
      return abort();
    }
  }
  if (first == 0) {
    Result<uint64_t> next = NextId();
    if (!next.ok()) return abort();
    first = *next;
  }
  Reset reset(commit_);
  if (sqlite3_step(commit_) != SQLITE_DONE) return abort();
  return first;
}

Result<size_t> SqliteQueue::DoRead(uint64_t after, std::span<port::QueuedRecord> out,
                                   MutableByteSpan storage) {
  Reset reset(read_);
  if (sqlite3_bind_int64(read_, 1, AsSigned(after)) != SQLITE_OK ||
      sqlite3_bind_int64(read_, 2, static_cast<int64_t>(out.size())) != SQLITE_OK) {
    return Status::Unavailable();
  }
  size_t n = 0, used = 0;
  while (n < out.size()) {
    const int rc = sqlite3_step(read_);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Status::Unavailable();
    const void* blob = sqlite3_column_blob(read_, 1);
    const size_t size = static_cast<size_t>(sqlite3_column_bytes(read_, 1));
    if (size > storage.size() - used) {
      if (n == 0) return Status::ResourceExhausted();
      break;
    }
    if (size > 0) std::memcpy(storage.data() + used, blob, size);
    out[n].id = static_cast<uint64_t>(sqlite3_column_int64(read_, 0));
    out[n].data = ByteSpan(storage.data() + used, size);
    used += size;
    ++n;
  }
  return n;
}

Result<uint64_t> SqliteQueue::Count() {
  Reset reset(count_);
  if (sqlite3_step(count_) != SQLITE_ROW) return Status::Unavailable();
  return static_cast<uint64_t>(sqlite3_column_int64(count_, 0));
}

Result<uint64_t> SqliteQueue::DoGetMark(uint64_t key) {
  Reset reset(get_mark_);
  if (sqlite3_bind_int64(get_mark_, 1, AsSigned(key)) != SQLITE_OK) return Status::Unavailable();
  const int rc = sqlite3_step(get_mark_);
  if (rc == SQLITE_ROW) return AsUnsigned(sqlite3_column_int64(get_mark_, 0));
  if (rc == SQLITE_DONE) return Status::NotFound();
  return Status::Unavailable();
}

Result<size_t> SqliteQueue::DoReadMarks(uint64_t first, uint64_t last, std::span<port::Mark> out) {
  Reset reset(read_marks_);
  if (sqlite3_bind_int64(read_marks_, 1, AsSigned(first)) != SQLITE_OK ||
      sqlite3_bind_int64(read_marks_, 2, AsSigned(last)) != SQLITE_OK ||
      sqlite3_bind_int64(read_marks_, 3, static_cast<int64_t>(out.size())) != SQLITE_OK) {
    return Status::Unavailable();
  }
  size_t n = 0;
  while (n < out.size()) {
    const int rc = sqlite3_step(read_marks_);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return Status::Unavailable();
    out[n++] = {AsUnsigned(sqlite3_column_int64(read_marks_, 0)),
                AsUnsigned(sqlite3_column_int64(read_marks_, 1))};
  }
  return n;
}

}  // namespace airlab::linux_port
