#include "server/channel_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "server/pending_log.h"
#include "server/text.h"

namespace airlab::server {
namespace {

// Entries are clustered by (channel, time) so a feed is one range scan; the unique index on
// (channel, entry_id) finds the next entry id.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS channels (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  field1 TEXT, field2 TEXT, field3 TEXT, field4 TEXT,
  field5 TEXT, field6 TEXT, field7 TEXT, field8 TEXT,
  public_flag INTEGER NOT NULL DEFAULT 0,
  write_key TEXT NOT NULL UNIQUE,
  rate_limit_ms INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS read_keys (
  api_key TEXT NOT NULL UNIQUE,
  channel_id INTEGER NOT NULL REFERENCES channels(id)
);
CREATE INDEX IF NOT EXISTS read_keys_by_channel ON read_keys(channel_id);
CREATE TABLE IF NOT EXISTS entries (
  channel_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  entry_id INTEGER NOT NULL,
  field1 TEXT, field2 TEXT, field3 TEXT, field4 TEXT,
  field5 TEXT, field6 TEXT, field7 TEXT, field8 TEXT,
  latitude TEXT, longitude TEXT, elevation TEXT, status TEXT,
  PRIMARY KEY (channel_id, created_at, entry_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS entries_by_id ON entries(channel_id, entry_id);
)sql";

constexpr const char* kEntryColumns =
    "entry_id, created_at, field1, field2, field3, field4, field5, field6, field7, field8, "
    "latitude, longitude, elevation, status";

// 16 characters from A-Z and 0-9, drawn without modulo bias from the OS's random source.
std::string GenerateKey() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::string key;
  while (key.size() < 16) {
    unsigned int word = device();
    for (int i = 0; i < 4 && key.size() < 16; ++i, word >>= 8) {
      unsigned int byte = word & 0xff;
      if (byte < 252) key.push_back(kAlphabet[byte % 36]);  // 252 = 7 * 36
    }
  }
  return key;
}

// A prepared statement taken from a connection's cache; reset and unbound when it goes.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::int64_t value) {
    Check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Statement& Bind(int index, std::string_view value) {
    Check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                            SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Bind(int index, const std::optional<std::string>& value) {
    return value ? Bind(index, std::string_view{*value}) : BindNull(index);
  }
  Statement& BindNull(int index) {
    Check(sqlite3_bind_null(stmt_, index));
    return *this;
  }

  // True while there is a row to read.
  bool Step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    Check(rc);
    return false;
  }

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
                : std::string();
  }
  std::optional<std::string> OptText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  // OptText into out, keeping out's buffer.
  void ReadText(int col, std::optional<std::string>& out) const {
    if (IsNull(col)) {
      out.reset();
      return;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    size_t size = text ? static_cast<size_t>(sqlite3_column_bytes(stmt_, col)) : 0;
    if (!text) text = "";
    if (out) {
      out->assign(text, size);
    } else {
      out.emplace(text, size);
    }
  }

 private:
  void Check(int rc) const {
    if (rc != SQLITE_OK) throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace

class ChannelDatabase::Database {
 public:
  Database(const std::filesystem::path& path, bool writer) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("cannot open " + path.string() + " (" + why + ")");
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Database() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string why = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw std::runtime_error("sqlite: " + why);
    }
  }

  // Compiles sql the first time this connection sees it and keeps it for later calls. One
  // Statement per sql text may be in use at a time.
  Statement Prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
      }
      it = cache_.emplace(sql, stmt).first;
    }
    return Statement(db_, it->second);
  }

  // Runs body all or nothing inside the open transaction, which others share.
  template <typename Body>
  void InSavepoint(Body&& body) {
    Prepare("SAVEPOINT part").Step();
    try {
      body();
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK TO part; RELEASE part", nullptr, nullptr, nullptr);
      throw;
    }
    Prepare("RELEASE part").Step();
  }

  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

namespace {

// Fills e from the row, reusing the strings e already holds.
void ReadEntry(const Statement& st, unsigned columns, FeedEntry& e) {
  e.entry_id = st.Int(0);
  e.created_at = st.Int(1);
  for (int f = 0; f < kFieldCount; ++f) {
    if (columns & FieldColumn(f + 1)) st.ReadText(2 + f, e.fields[f]);
  }
  if (columns & kLocationColumns) {
    st.ReadText(10, e.latitude);
    st.ReadText(11, e.longitude);
    st.ReadText(12, e.elevation);
  }
  if (columns & kStatusColumn) st.ReadText(13, e.status);
}

}  // namespace

class ChannelDatabase::ReaderLease {
 public:
  ReaderLease(ChannelDatabase& store, std::unique_ptr<Database> db)
      : store_(store), db_(std::move(db)) {}
  ~ReaderLease() {
    std::lock_guard lock(store_.readers_mutex_);
    store_.idle_readers_.push_back(std::move(db_));
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  Database& operator*() { return *db_; }

 private:
  ChannelDatabase& store_;
  std::unique_ptr<Database> db_;
};

bool Channel::CanRead(std::string_view key) const {
  if (public_flag) return true;
  if (key.empty()) return false;
  return key == write_key || std::find(read_keys.begin(), read_keys.end(), key) != read_keys.end();
}

ChannelDatabase::ChannelDatabase(const std::filesystem::path& path) : path_(path) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    throw std::runtime_error("cannot create the folder " + path.parent_path().string() + " (" +
                             ec.message() + ")");
  }
  writer_ = OpenConnection(true);
  writer_->Exec("PRAGMA journal_mode=WAL");
  // NORMAL in WAL mode: a commit is in the WAL file when it returns, so a killed process
  // keeps it; a power cut may lose the last commits but never corrupts the file.
  writer_->Exec("PRAGMA synchronous=NORMAL");
  writer_->Exec(kSchema);
  checkpointer_db_ = OpenConnection(true);
  // Replaces SQLite's automatic checkpoint, which would run inside the commit and hold writes
  // up for its fsyncs; the committer runs it after the commit instead.
  sqlite3_wal_hook(
      writer_->handle(),
      [](void* self, sqlite3*, const char*, int wal_pages) {
        static_cast<ChannelDatabase*>(self)->wal_pages_ = wal_pages;
        return SQLITE_OK;
      },
      this);
  RecoverOrphanedLogs();
  committer_ = std::thread([this] { CommitterLoop(); });
}

ChannelDatabase::~ChannelDatabase() {
  {
    std::lock_guard lock(write_mutex_);
    stopping_ = true;
  }
  commit_wanted_.notify_one();
  committer_.join();
  try {
    Flush();
  } catch (const std::exception&) {
    // The entries stay in the log: the next ChannelDatabase to open the database puts them in.
  }
}

void ChannelDatabase::RecoverOrphanedLogs() {
  for (const std::filesystem::path& slot : PendingLog::Slots(path_)) {
    std::optional<PendingLog> orphan = PendingLog::Claim(slot);
    if (!orphan) continue;  // a living ChannelDatabase's
    std::vector<PendingEntry> records = orphan->ReadAll();
    if (!records.empty()) {
      std::lock_guard lock(write_mutex_);
      BeginLocked();
      PutInLocked(records);
      CommitLocked();
    }
    orphan->Clear();
  }
}

void ChannelDatabase::PutInLocked(const std::vector<PendingEntry>& records) {
  std::vector<const PendingEntry*> id_taken;
  for (const PendingEntry& record : records) {
    std::optional<TimeMs> taken_at;
    {
      Statement st = writer_->Prepare(
          "SELECT created_at FROM entries WHERE channel_id = ?1 AND entry_id = ?2");
      if (st.Bind(1, record.channel_id).Bind(2, record.entry.entry_id).Step()) {
        taken_at = st.Int(0);
      }
    }
    if (!taken_at) {
      InsertEntryLocked(record.channel_id, record.entry);
    } else if (*taken_at != record.entry.created_at) {
      id_taken.push_back(&record);
    }  // else committed before the log was emptied
  }
  // Another writer took the id meanwhile (two processes writing to one channel, one of
  // them killed): the data stays, under the next free id.
  for (const PendingEntry* record : id_taken) {
    FeedEntry entry = record->entry;
    entry.entry_id = NextEntryIdLocked(record->channel_id);
    InsertEntryLocked(record->channel_id, entry);
  }
}

void ChannelDatabase::BeginLocked() {
  if (transaction_open_) return;
  writer_->Prepare("BEGIN IMMEDIATE").Step();
  transaction_open_ = true;
  opened_at_ = std::chrono::steady_clock::now();
  if (!replay_log_) return;
  try {
    PutInLocked(log_->ReadAll());
  } catch (...) {
    sqlite3_exec(writer_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    transaction_open_ = false;
    throw;
  }
  replay_log_ = false;
}

void ChannelDatabase::CommitLocked() {
  if (!transaction_open_) return;
  try {
    writer_->Prepare("COMMIT").Step();
  } catch (...) {
    sqlite3_exec(writer_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    transaction_open_ = false;
    replay_log_ = log_ != nullptr && uncommitted_;
    throw;
  }
  transaction_open_ = false;
  uncommitted_ = false;
  // Should emptying fail, the log keeps committed entries: recovery finds them already in.
  if (log_) log_->Clear();
}

void ChannelDatabase::Flush() {
  if (!uncommitted_) return;
  std::lock_guard lock(write_mutex_);
  if (!uncommitted_) return;
  BeginLocked();
  CommitLocked();
}

void ChannelDatabase::CommitterLoop() {
  // A failed commit (disk full) is tried again this much later.
  constexpr std::chrono::milliseconds kRetryDelay{100};
  std::unique_lock lock(write_mutex_);
  while (true) {
    commit_wanted_.wait(lock, [this] { return uncommitted_ || stopping_; });
    if (stopping_) return;
    // The writes of the next kCommitDelay share this commit.
    commit_wanted_.wait_until(lock, opened_at_ + kCommitDelay, [this] { return stopping_; });
    if (stopping_) return;
    if (!uncommitted_) continue;  // a read committed them meanwhile
    try {
      BeginLocked();  // only after a failed commit: puts the log's entries in again
      CommitLocked();
    } catch (const std::exception&) {
      commit_wanted_.wait_for(lock, kRetryDelay, [this] { return stopping_; });
      continue;
    }
    if (wal_pages_ >= 1000) {  // SQLite's default checkpoint threshold
      lock.unlock();
      // PASSIVE: copies what no reader still needs and never blocks writers or readers. The
      // WAL restarts from its beginning at the next write once all of it is copied, which
      // batches make likely (they leave the WAL alone between commits).
      sqlite3_wal_checkpoint_v2(checkpointer_db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                nullptr, nullptr);
      lock.lock();
    }
  }
}

std::unique_ptr<ChannelDatabase::Database> ChannelDatabase::OpenConnection(bool writer) {
  auto db = std::make_unique<Database>(path_, writer);
  // Reads map the file instead of a pread per page (feeds of 8000 entries read hundreds).
  db->Exec("PRAGMA mmap_size=268435456");
  if (!writer) db->Exec("PRAGMA query_only=ON");
  return db;
}

ChannelDatabase::ReaderLease ChannelDatabase::Reader() {
  std::unique_ptr<Database> db;
  {
    std::lock_guard lock(readers_mutex_);
    if (!idle_readers_.empty()) {
      db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
    }
  }
  if (!db) db = OpenConnection(false);
  return ReaderLease(*this, std::move(db));
}

bool IsValidApiKey(std::string_view key) {
  return key.size() >= 4 && key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

void ChannelDatabase::CheckChosenKeys(const ChannelSpec& spec) {
  if (spec.id && *spec.id < 1) {
    throw std::invalid_argument("a channel id is a whole number from 1, not " +
                                std::to_string(*spec.id));
  }
  std::vector<std::string> keys = spec.read_keys;
  if (!spec.write_key.empty()) keys.push_back(spec.write_key);
  for (const std::string& key : keys) {
    if (!IsValidApiKey(key)) {
      throw std::invalid_argument("the key \"" + key +
                                  "\" is not an API key; use 4 to 64 letters and digits, e.g. "
                                  "E13BHXREJ6K0V1DQ");
    }
    if (std::count(keys.begin(), keys.end(), key) > 1) {
      throw std::invalid_argument("the key " + key + " is given twice; each key opens one way in");
    }
  }
}

// Inside the writer's transaction, so that two processes cannot both take the same id or key.
void ChannelDatabase::RefuseTaken(Database& db, const ChannelSpec& spec) {
  if (spec.id) {
    Statement st = db.Prepare("SELECT name FROM channels WHERE id = ?1");
    st.Bind(1, *spec.id);
    if (st.Step()) {
      throw ChannelConflict("channel " + std::to_string(*spec.id) + " exists already (\"" +
                            st.Text(0) + "\"); choose another id, or leave it out for the next");
    }
  }
  std::vector<std::string> keys = spec.read_keys;
  if (!spec.write_key.empty()) keys.push_back(spec.write_key);
  for (const std::string& key : keys) {
    Statement st = db.Prepare(
        "SELECT id, 'write' FROM channels WHERE write_key = ?1 "
        "UNION ALL SELECT channel_id, 'read' FROM read_keys WHERE api_key = ?1");
    st.Bind(1, std::string_view{key});
    if (st.Step()) {
      throw ChannelConflict("the key " + key + " is channel " + std::to_string(st.Int(0)) + "'s " +
                            st.Text(1) + " key already; choose another key");
    }
  }
}

Channel ChannelDatabase::CreateChannel(const ChannelSpec& spec) {
  if (spec.name.empty()) throw std::invalid_argument("a channel needs a name");
  if (spec.field_names.size() > kFieldCount) {
    throw std::invalid_argument("a channel has at most 8 fields, not " +
                                std::to_string(spec.field_names.size()));
  }
  std::vector<std::string_view> names = {spec.name};
  names.insert(names.end(), spec.field_names.begin(), spec.field_names.end());
  for (std::string_view name : names) {
    if (!IsValidUtf8(name) || Utf8Length(name) > kMaxNameChars) {
      throw std::invalid_argument("names must be UTF-8 text of at most 255 characters");
    }
  }
  if (!IsValidUtf8(spec.description)) {
    throw std::invalid_argument("the description must be UTF-8 text");
  }
  if (spec.rate_limit_s && (!std::isfinite(*spec.rate_limit_s) || *spec.rate_limit_s < 0)) {
    throw std::invalid_argument("a rate limit is a number of seconds, 0 or more");
  }
  CheckChosenKeys(spec);
  const std::string write_key = spec.write_key.empty() ? GenerateKey() : spec.write_key;
  const std::vector<std::string> read_keys =
      spec.read_keys.empty() ? std::vector<std::string>{GenerateKey()} : spec.read_keys;
  std::int64_t id;
  {
    std::lock_guard lock(write_mutex_);
    Database& db = *writer_;
    BeginLocked();
    try {
      RefuseTaken(db, spec);
    } catch (const ChannelConflict&) {
      CommitLocked();  // with the writes pending, if any: the transaction holds the write lock
      throw;
    }
    db.InSavepoint([&] {
      {
        Statement st = db.Prepare(
            "INSERT INTO channels (name, description, field1, field2, field3, field4, field5, "
            "field6, field7, field8, public_flag, write_key, rate_limit_ms, created_at, id) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
        st.Bind(1, std::string_view{spec.name}).Bind(2, std::string_view{spec.description});
        for (int f = 0; f < kFieldCount; ++f) {
          if (f < static_cast<int>(spec.field_names.size()) && !spec.field_names[f].empty()) {
            st.Bind(3 + f, std::string_view{spec.field_names[f]});
          } else {
            st.BindNull(3 + f);
          }
        }
        st.Bind(11, std::int64_t{spec.public_flag}).Bind(12, std::string_view{write_key});
        if (spec.rate_limit_s) {
          st.Bind(13, static_cast<std::int64_t>(std::llround(*spec.rate_limit_s * 1000)));
        } else {
          st.BindNull(13);
        }
        st.Bind(14, NowMs());
        if (spec.id) {
          st.Bind(15, *spec.id);
        } else {
          st.BindNull(15);  // the next id
        }
        st.Step();
      }
      id = sqlite3_last_insert_rowid(db.handle());
      for (const std::string& key : read_keys) {
        db.Prepare("INSERT INTO read_keys (api_key, channel_id) VALUES (?1, ?2)")
            .Bind(1, std::string_view{key})
            .Bind(2, id)
            .Step();
      }
    });
    CommitLocked();  // with the writes pending, if any
  }
  return *FindChannel(id);
}

std::optional<Channel> ChannelDatabase::LoadChannel(Database& db, std::int64_t id) {
  Channel c;
  {
    Statement st = db.Prepare(
        "SELECT name, description, field1, field2, field3, field4, field5, field6, field7, "
        "field8, public_flag, write_key, rate_limit_ms, created_at FROM channels WHERE id = ?1");
    st.Bind(1, id);
    if (!st.Step()) return std::nullopt;
    c.id = id;
    c.name = st.Text(0);
    c.description = st.Text(1);
    for (int f = 0; f < kFieldCount; ++f) c.field_names[f] = st.OptText(2 + f);
    c.public_flag = st.Int(10) != 0;
    c.write_key = st.Text(11);
    if (!st.IsNull(12)) c.rate_limit_s = static_cast<double>(st.Int(12)) / 1000.0;
    c.created_at = st.Int(13);
  }
  {
    Statement st = db.Prepare("SELECT api_key FROM read_keys WHERE channel_id = ?1 ORDER BY rowid");
    st.Bind(1, id);
    while (st.Step()) c.read_keys.push_back(st.Text(0));
  }
  {
    // Two subqueries: SQLite answers a lone MAX from the index, two MAXes by a scan.
    Statement st = db.Prepare(
        "SELECT (SELECT MAX(entry_id) FROM entries WHERE channel_id = ?1), "
        "(SELECT MAX(created_at) FROM entries WHERE channel_id = ?1)");
    st.Bind(1, id);
    c.updated_at = c.created_at;
    if (st.Step() && !st.IsNull(0)) {
      c.last_entry_id = st.Int(0);
      c.updated_at = st.Int(1);
    }
  }
  return c;
}

std::optional<Channel> ChannelDatabase::FindChannel(std::int64_t id) {
  Flush();
  ReaderLease db = Reader();
  return LoadChannel(*db, id);
}

std::vector<Channel> ChannelDatabase::ListChannels() {
  Flush();
  ReaderLease db = Reader();
  std::vector<std::int64_t> ids;
  {
    Statement st = (*db).Prepare("SELECT id FROM channels ORDER BY id");
    while (st.Step()) ids.push_back(st.Int(0));
  }
  std::vector<Channel> channels;
  for (std::int64_t id : ids) {
    if (auto c = LoadChannel(*db, id)) channels.push_back(std::move(*c));
  }
  return channels;
}

AppendResult ChannelDatabase::Append(std::string_view write_key,
                                     std::optional<std::int64_t> channel_id,
                                     std::vector<NewEntry> entries, TimeMs now,
                                     TimeMs default_interval_ms) {
  std::lock_guard lock(write_mutex_);
  BeginLocked();
  AppendResult result;
  std::optional<TimeMs> previous_write;
  try {
    writer_->InSavepoint([&] {
      result =
          AppendLocked(write_key, channel_id, entries, now, default_interval_ms, previous_write);
      if (result.status != AppendStatus::kOk) return;
      if (!log_) log_ = std::make_unique<PendingLog>(PendingLog::ClaimFree(path_));
      log_->Append(result.channel_id, result.entries);
    });
  } catch (...) {
    // Stored nothing after all: the write does not count for the rate limit.
    if (result.status == AppendStatus::kOk) {
      if (previous_write) {
        last_write_[result.channel_id] = *previous_write;
      } else {
        last_write_.erase(result.channel_id);
      }
    }
    throw;
  }
  if (result.status == AppendStatus::kOk) {
    if (!uncommitted_.exchange(true)) commit_wanted_.notify_one();
  } else if (!uncommitted_) {
    CommitLocked();  // nothing to keep: free the database for other processes' writers
  }
  return result;
}

AppendResult ChannelDatabase::AppendLocked(std::string_view write_key,
                                           std::optional<std::int64_t> channel_id,
                                           std::vector<NewEntry>& entries, TimeMs now,
                                           TimeMs default_interval_ms,
                                           std::optional<TimeMs>& previous_write) {
  AppendResult result;
  TimeMs interval;
  {
    Statement st = writer_->Prepare("SELECT id, rate_limit_ms FROM channels WHERE write_key = ?1");
    st.Bind(1, write_key);
    if (!st.Step()) return result;
    if (channel_id && *channel_id != st.Int(0)) return result;
    result.channel_id = st.Int(0);
    interval = st.IsNull(1) ? default_interval_ms : st.Int(1);
  }
  if (auto last = last_write_.find(result.channel_id); last != last_write_.end()) {
    if (interval > 0 && now < last->second + interval) {
      result.status = AppendStatus::kRateLimited;
      return result;
    }
    previous_write = last->second;
  }

  std::vector<TimeMs> given;
  for (const NewEntry& e : entries) {
    if (e.time_given) given.push_back(e.entry.created_at);
  }
  std::sort(given.begin(), given.end());
  bool conflict = std::adjacent_find(given.begin(), given.end()) != given.end();
  for (size_t i = 0; i < given.size() && !conflict; ++i) {
    Statement st =
        writer_->Prepare("SELECT 1 FROM entries WHERE channel_id = ?1 AND created_at = ?2 LIMIT 1");
    conflict = st.Bind(1, result.channel_id).Bind(2, given[i]).Step();
  }
  if (conflict) {
    result.status = AppendStatus::kConflict;
    return result;
  }

  std::int64_t next_id = NextEntryIdLocked(result.channel_id);
  result.entries.reserve(entries.size());
  for (NewEntry& e : entries) {
    e.entry.entry_id = next_id++;
    InsertEntryLocked(result.channel_id, e.entry);
    result.entries.push_back(std::move(e.entry));
  }
  last_write_[result.channel_id] = now;
  result.status = AppendStatus::kOk;
  return result;
}

std::int64_t ChannelDatabase::NextEntryIdLocked(std::int64_t channel_id) {
  Statement st = writer_->Prepare("SELECT MAX(entry_id) FROM entries WHERE channel_id = ?1");
  st.Bind(1, channel_id);
  return st.Step() && !st.IsNull(0) ? st.Int(0) + 1 : 1;
}

void ChannelDatabase::InsertEntryLocked(std::int64_t channel_id, const FeedEntry& entry) {
  Statement st = writer_->Prepare(
      "INSERT INTO entries (channel_id, created_at, entry_id, field1, field2, field3, field4, "
      "field5, field6, field7, field8, latitude, longitude, elevation, status) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
  st.Bind(1, channel_id).Bind(2, entry.created_at).Bind(3, entry.entry_id);
  for (int f = 0; f < kFieldCount; ++f) st.Bind(4 + f, entry.fields[f]);
  st.Bind(12, entry.latitude).Bind(13, entry.longitude).Bind(14, entry.elevation);
  st.Bind(15, entry.status);
  st.Step();
}

std::vector<FeedEntry> ChannelDatabase::Feed(std::int64_t channel_id, const FeedQuery& query) {
  std::vector<FeedEntry> entries;
  FeedNewestFirst(channel_id, query, [&entries](const FeedEntry& e) { entries.push_back(e); });
  std::reverse(entries.begin(), entries.end());
  return entries;
}

void ChannelDatabase::FeedNewestFirst(std::int64_t channel_id, const FeedQuery& query,
                                      const std::function<void(const FeedEntry&)>& each) {
  if (query.results <= 0) return;
  std::string sql = std::string("SELECT ") + kEntryColumns +
                    " FROM entries WHERE channel_id = ?1 AND created_at >= ?2 AND created_at <= ?3";
  if (query.nonnull_field && *query.nonnull_field >= 1 && *query.nonnull_field <= kFieldCount) {
    sql += " AND field" + std::to_string(*query.nonnull_field) + " IS NOT NULL";
  }
  if (query.only_with_status) sql += " AND status IS NOT NULL";
  sql += " ORDER BY created_at DESC, entry_id DESC LIMIT ?4";

  Flush();
  ReaderLease db = Reader();
  Statement st = (*db).Prepare(sql);
  st.Bind(1, channel_id).Bind(2, query.start).Bind(3, query.end);
  st.Bind(4, std::int64_t{query.results});
  FeedEntry entry;
  while (st.Step()) {
    ReadEntry(st, query.columns, entry);
    each(entry);
  }
}

}  // namespace airlab::server
