#include "server/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <system_error>
#include <utility>

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

class Store::Database {
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

  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

namespace {

// Fills e from the row, reusing the strings e already holds.
void ReadEntry(const Statement& st, unsigned columns, Entry& e) {
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

class Store::ReaderLease {
 public:
  ReaderLease(Store& store, std::unique_ptr<Database> db) : store_(store), db_(std::move(db)) {}
  ~ReaderLease() {
    std::lock_guard lock(store_.readers_mutex_);
    store_.idle_readers_.push_back(std::move(db_));
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  Database& operator*() { return *db_; }

 private:
  Store& store_;
  std::unique_ptr<Database> db_;
};

bool Channel::CanRead(std::string_view key) const {
  if (public_flag) return true;
  if (key.empty()) return false;
  return key == write_key || std::find(read_keys.begin(), read_keys.end(), key) != read_keys.end();
}

// The writers of one transaction: each waits until it is committed (or failed).
struct Store::Batch {
  // Until then the writers in it wait for more to join, while fewer than expected joined.
  std::chrono::steady_clock::time_point join_deadline;
  bool done = false;
  std::exception_ptr error;  // the commit failed: nothing of the batch is stored
  // The rate-limit times the batch's writes replaced, to put back if it fails.
  std::vector<std::pair<std::int64_t, std::optional<TimeMs>>> replaced_writes;
};

// write_mutex_, counted in writers_waiting_ while it is awaited.
class Store::WriterLock {
 public:
  explicit WriterLock(Store& store) : lock_(store.write_mutex_, std::defer_lock) {
    ++store.writers_waiting_;
    lock_.lock();
    --store.writers_waiting_;
  }
  std::unique_lock<std::mutex>& lock() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

Store::Store(const std::filesystem::path& path) : path_(path) {
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
  // Replaces SQLite's automatic checkpoint, which would run inside a writer's commit.
  sqlite3_wal_hook(
      writer_->handle(),
      [](void* self, sqlite3*, const char*, int wal_pages) {
        auto& store = *static_cast<Store*>(self);
        if (wal_pages >= 1000) {  // SQLite's default checkpoint threshold
          std::lock_guard lock(store.checkpoint_mutex_);
          store.checkpoint_due_ = true;
          store.checkpoint_wanted_.notify_one();
        }
        return SQLITE_OK;
      },
      this);
  checkpointer_ = std::thread([this] { CheckpointerLoop(); });
}

Store::~Store() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wanted_.notify_one();
  checkpointer_.join();
}

void Store::CheckpointerLoop() {
  std::unique_lock lock(checkpoint_mutex_);
  while (true) {
    checkpoint_wanted_.wait(lock, [this] { return checkpoint_due_ || stopping_; });
    if (stopping_) return;
    checkpoint_due_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs and never blocks writers or readers.
    sqlite3_wal_checkpoint_v2(checkpointer_db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                              nullptr, nullptr);
    lock.lock();
  }
}

void Store::BeginLocked() {
  if (batch_) return;
  writer_->Prepare("BEGIN IMMEDIATE").Step();
  batch_ = std::make_shared<Batch>();
  batch_->join_deadline = std::chrono::steady_clock::now() + kJoinWait;
}

void Store::CommitLocked() {
  if (!batch_) return;
  try {
    writer_->Prepare("COMMIT").Step();
  } catch (...) {
    RollbackLocked(std::current_exception());
    return;
  }
  std::exchange(batch_, nullptr)->done = true;
  batch_done_.notify_all();
}

void Store::RollbackLocked(std::exception_ptr error) {
  if (!batch_) return;
  sqlite3_exec(writer_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  std::shared_ptr<Batch> batch = std::exchange(batch_, nullptr);
  for (auto it = batch->replaced_writes.rbegin(); it != batch->replaced_writes.rend(); ++it) {
    if (it->second) {
      last_write_[it->first] = *it->second;
    } else {
      last_write_.erase(it->first);
    }
  }
  batch->error = error;
  batch->done = true;
  batch_done_.notify_all();
}

std::unique_ptr<Store::Database> Store::OpenConnection(bool writer) {
  auto db = std::make_unique<Database>(path_, writer);
  // Reads map the file instead of a pread per page (feeds of 8000 entries read hundreds).
  db->Exec("PRAGMA mmap_size=268435456");
  if (!writer) db->Exec("PRAGMA query_only=ON");
  return db;
}

Store::ReaderLease Store::Reader() {
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

Channel Store::CreateChannel(const ChannelSpec& spec) {
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
  std::int64_t id;
  {
    WriterLock lock(*this);
    CommitLocked();  // appends waiting for their commit go first, on their own
    Database& db = *writer_;
    BeginLocked();
    std::shared_ptr<Batch> batch = batch_;
    try {
      {
        Statement st = db.Prepare(
            "INSERT INTO channels (name, description, field1, field2, field3, field4, field5, "
            "field6, field7, field8, public_flag, write_key, rate_limit_ms, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
        st.Bind(1, std::string_view{spec.name}).Bind(2, std::string_view{spec.description});
        for (int f = 0; f < kFieldCount; ++f) {
          if (f < static_cast<int>(spec.field_names.size()) && !spec.field_names[f].empty()) {
            st.Bind(3 + f, std::string_view{spec.field_names[f]});
          } else {
            st.BindNull(3 + f);
          }
        }
        st.Bind(11, std::int64_t{spec.public_flag}).Bind(12, std::string_view{GenerateKey()});
        if (spec.rate_limit_s) {
          st.Bind(13, static_cast<std::int64_t>(std::llround(*spec.rate_limit_s * 1000)));
        } else {
          st.BindNull(13);
        }
        st.Bind(14, NowMs());
        st.Step();
      }
      id = sqlite3_last_insert_rowid(db.handle());
      db.Prepare("INSERT INTO read_keys (api_key, channel_id) VALUES (?1, ?2)")
          .Bind(1, std::string_view{GenerateKey()})
          .Bind(2, id)
          .Step();
    } catch (...) {
      RollbackLocked(std::current_exception());
      throw;
    }
    CommitLocked();
    if (batch->error) std::rethrow_exception(batch->error);
  }
  return *FindChannel(id);
}

std::optional<Channel> Store::LoadChannel(Database& db, std::int64_t id) {
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

std::optional<Channel> Store::FindChannel(std::int64_t id) {
  ReaderLease db = Reader();
  return LoadChannel(*db, id);
}

std::vector<Channel> Store::ListChannels() {
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

AppendResult Store::Append(std::string_view write_key, std::optional<std::int64_t> channel_id,
                           std::vector<NewEntry> entries, TimeMs now,
                           TimeMs default_interval_ms) {
  ++appends_in_flight_;
  struct Leave {
    std::atomic<int>& count;
    ~Leave() { --count; }
  } leave{appends_in_flight_};
  WriterLock writer(*this);
  // As many writers as are in Append now are likely to write again together.
  expected_writers_ =
      std::min(std::max(appends_in_flight_.load(), expected_writers_), kMaxBatchWait);
  Database& db = *writer_;
  AppendResult result;
  std::shared_ptr<Batch> batch;
  std::exception_ptr error;
  try {
    BeginLocked();
    // A savepoint keeps this call all-or-nothing inside a transaction other calls share.
    db.Prepare("SAVEPOINT append").Step();
    std::optional<TimeMs> previous_write;
    try {
      result = AppendInTransaction(db, write_key, channel_id, entries, now, default_interval_ms,
                                   previous_write);
      db.Prepare("RELEASE append").Step();
    } catch (...) {
      sqlite3_exec(db.handle(), "ROLLBACK TO append; RELEASE append", nullptr, nullptr, nullptr);
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
      batch = batch_;
      batch->replaced_writes.emplace_back(result.channel_id, previous_write);
    }
  } catch (...) {
    error = std::current_exception();
  }
  // Group commit. A writer waiting for the connection will add to this transaction and commit
  // it (or leave it to the next one). The last writer in commits for everyone once as many
  // writers as recently wrote together have joined; until then they wait, at most kJoinWait,
  // for the others (clients that each wait for their answer send their next updates at about
  // the same time). Without that wait two such clients fall into step, each one's update
  // arriving during the other's commit, and every commit holds a single update.
  if (batch_ && writers_waiting_.load() == 0) {
    const int joined = static_cast<int>(batch_->replaced_writes.size());
    if (joined == 0 || joined >= expected_writers_) CommitLocked();
  }
  if (error) std::rethrow_exception(error);
  if (batch) {
    std::unique_lock<std::mutex>& lock = writer.lock();
    if (!batch_done_.wait_until(lock, batch->join_deadline, [&batch] { return batch->done; }) &&
        batch_ == batch) {
      // Fewer came than expected: expect as many as came from now on.
      expected_writers_ =
          std::clamp(static_cast<int>(batch->replaced_writes.size()), 1, kMaxBatchWait);
      CommitLocked();
    }
    batch_done_.wait(lock, [&batch] { return batch->done; });
    if (batch->error) std::rethrow_exception(batch->error);
  }
  return result;
}

AppendResult Store::AppendInTransaction(Database& db, std::string_view write_key,
                                        std::optional<std::int64_t> channel_id,
                                        std::vector<NewEntry>& entries, TimeMs now,
                                        TimeMs default_interval_ms,
                                        std::optional<TimeMs>& previous_write) {
  AppendResult result;
  TimeMs interval;
  {
    Statement st = db.Prepare("SELECT id, rate_limit_ms FROM channels WHERE write_key = ?1");
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
        db.Prepare("SELECT 1 FROM entries WHERE channel_id = ?1 AND created_at = ?2 LIMIT 1");
    conflict = st.Bind(1, result.channel_id).Bind(2, given[i]).Step();
  }
  if (conflict) {
    result.status = AppendStatus::kConflict;
    return result;
  }

  std::int64_t next_id;
  {
    Statement st = db.Prepare("SELECT MAX(entry_id) FROM entries WHERE channel_id = ?1");
    st.Bind(1, result.channel_id);
    next_id = st.Step() && !st.IsNull(0) ? st.Int(0) + 1 : 1;
  }
  result.entries.reserve(entries.size());
  for (NewEntry& e : entries) {
    Entry& entry = e.entry;
    entry.entry_id = next_id++;
    Statement st = db.Prepare(
        "INSERT INTO entries (channel_id, created_at, entry_id, field1, field2, field3, field4, "
        "field5, field6, field7, field8, latitude, longitude, elevation, status) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    st.Bind(1, result.channel_id).Bind(2, entry.created_at).Bind(3, entry.entry_id);
    for (int f = 0; f < kFieldCount; ++f) st.Bind(4 + f, entry.fields[f]);
    st.Bind(12, entry.latitude).Bind(13, entry.longitude).Bind(14, entry.elevation);
    st.Bind(15, entry.status);
    st.Step();
    result.entries.push_back(std::move(entry));
  }
  last_write_[result.channel_id] = now;
  result.status = AppendStatus::kOk;
  return result;
}

std::vector<Entry> Store::Feed(std::int64_t channel_id, const FeedQuery& query) {
  std::vector<Entry> entries;
  FeedNewestFirst(channel_id, query, [&entries](const Entry& e) { entries.push_back(e); });
  std::reverse(entries.begin(), entries.end());
  return entries;
}

void Store::FeedNewestFirst(std::int64_t channel_id, const FeedQuery& query,
                            const std::function<void(const Entry&)>& each) {
  if (query.results <= 0) return;
  std::string sql = std::string("SELECT ") + kEntryColumns +
                    " FROM entries WHERE channel_id = ?1 AND created_at >= ?2 AND created_at <= ?3";
  if (query.nonnull_field && *query.nonnull_field >= 1 && *query.nonnull_field <= kFieldCount) {
    sql += " AND field" + std::to_string(*query.nonnull_field) + " IS NOT NULL";
  }
  if (query.only_with_status) sql += " AND status IS NOT NULL";
  sql += " ORDER BY created_at DESC, entry_id DESC LIMIT ?4";

  ReaderLease db = Reader();
  Statement st = (*db).Prepare(sql);
  st.Bind(1, channel_id).Bind(2, query.start).Bind(3, query.end);
  st.Bind(4, std::int64_t{query.results});
  Entry entry;
  while (st.Step()) {
    ReadEntry(st, query.columns, entry);
    each(entry);
  }
}

}  // namespace airlab::server
