#pragma once
// The server's storage: channels, their API keys and their entries in one SQLite database
// (WAL mode, so reads run beside the single writer; every statement prepared once and bound).
// Thread-safe: writes go through one connection under a mutex, reads take a connection from a
// small pool. Several processes may open the same file (`airlab channel create` beside a
// running `airlab serve`): writes are IMMEDIATE transactions and keys are looked up in the
// database, not cached.
//
// Writes are answered from a log, committed in batches. A SQLite commit costs about ten
// system calls (WAL frames, file locks), ~40 us on this project's VMs, which held the server
// below 25k updates/s however its threads shared commits: two clients that each wait for their
// answer never give a commit more than two updates. So an accepted write goes into the open
// transaction and into this ChannelDatabase's pending log with one write() (pending_log.h),
// and is answered; a committer thread commits the transaction kCommitDelay after it opened
// and then empties the log. A killed process loses nothing (the next ChannelDatabase puts its
// log's entries in), reads through this ChannelDatabase commit what is pending first, so they
// see every answered write; other connections see it within kCommitDelay, or at once after
// Flush().
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/cloud/entry.h"
#include "server/timestamp.h"

namespace airlab::server {

class PendingLog;
struct PendingEntry;

// Eight fields per channel, as everywhere in ThingSpeak: the one constant the cloud client uses.
using cloud::kFieldCount;
inline constexpr size_t kMaxNameChars = 255;  // channel and field names

struct ChannelSpec {
  std::string name;
  std::string description;
  // Names of field1, field2, ...; an empty name leaves that field off. At most kFieldCount.
  std::vector<std::string> field_names;
  bool public_flag = false;
  // Minimum time between accepted writes; nullopt follows the server's default.
  std::optional<double> rate_limit_s;
  // Chosen instead of made up, so that a channel of the real ThingSpeak (a lab's channel 179
  // and its write key) exists locally with the values its code holds. nullopt/empty: the next
  // free id, a fresh write key, one fresh read key.
  std::optional<std::int64_t> id;
  std::string write_key;
  std::vector<std::string> read_keys;
};

// CreateChannel's refusal of a chosen id or key that another channel has already; what() names
// the channel that holds it.
class ChannelConflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for a key CreateChannel takes: 4 to 64 letters and digits (ThingSpeak's are 16
// uppercase letters and digits).
bool IsValidApiKey(std::string_view key);

struct Channel {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::array<std::optional<std::string>, kFieldCount> field_names;
  bool public_flag = false;
  std::string write_key;
  std::vector<std::string> read_keys;
  std::optional<double> rate_limit_s;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;           // the newest entry's time; created_at without entries
  std::int64_t last_entry_id = 0;  // 0: no entry yet

  // True when key (the write key or a read key) opens this channel for reading.
  bool CanRead(std::string_view key) const;
};

// One entry of a channel's feed as stored, with its id and time (cloud::Entry is the values of
// one update as a board sends them).
struct FeedEntry {
  std::int64_t entry_id = 0;
  TimeMs created_at = 0;
  std::array<std::optional<std::string>, kFieldCount> fields;
  std::optional<std::string> latitude;
  std::optional<std::string> longitude;
  std::optional<std::string> elevation;
  std::optional<std::string> status;
};

// One entry to add. time_given marks a created_at the client chose: ThingSpeak refuses those
// when the channel already has an entry at that time.
struct NewEntry {
  FeedEntry entry;
  bool time_given = false;
};

enum class AppendStatus {
  kOk,
  kBadKey,       // no channel has this write key, or it is not the channel the request named
  kRateLimited,  // the channel's last accepted write is too recent
  kConflict,     // a given created_at is already taken in the channel (or twice in the batch)
};

struct AppendResult {
  AppendStatus status = AppendStatus::kBadKey;
  std::int64_t channel_id = 0;
  std::vector<FeedEntry> entries;  // as stored, with entry ids, when kOk
};

// Which columns a read fills in (entry_id and created_at always): leaving out what an answer
// does not show keeps feeds of 8000 entries cheap.
inline constexpr unsigned kLocationColumns = 1u << kFieldCount;
inline constexpr unsigned kStatusColumn = 1u << (kFieldCount + 1);
inline constexpr unsigned kAllColumns = (1u << (kFieldCount + 2)) - 1;
inline constexpr unsigned FieldColumn(int field) { return 1u << (field - 1); }  // field 1..8

struct FeedQuery {
  int results = 100;                                  // the newest this many, answered oldest first
  TimeMs start = std::numeric_limits<TimeMs>::min();  // inclusive bounds on created_at
  TimeMs end = std::numeric_limits<TimeMs>::max();
  std::optional<int> nonnull_field;  // 1..8: only entries where that field has a value
  bool only_with_status = false;
  unsigned columns = kAllColumns;
};

class ChannelDatabase {
 public:
  // Opens (creating when missing) the database file at path, and its folder.
  // Throws std::runtime_error with a sentence naming the path when that fails.
  explicit ChannelDatabase(const std::filesystem::path& path);
  ~ChannelDatabase();
  ChannelDatabase(const ChannelDatabase&) = delete;
  ChannelDatabase& operator=(const ChannelDatabase&) = delete;

  // Makes a channel with fresh keys: a write key and one read key, 16 uppercase letters and
  // digits each like ThingSpeak's, unless spec chooses its id and keys. Throws
  // std::invalid_argument (a sentence naming the fix) for an empty name, more than
  // kFieldCount fields, names over kMaxNameChars characters or not UTF-8, a negative rate
  // limit, an id below 1, a key that is not IsValidApiKey or given twice; ChannelConflict when
  // the chosen id is taken or a chosen key is any channel's write or read key already.
  Channel CreateChannel(const ChannelSpec& spec);
  std::optional<Channel> FindChannel(std::int64_t id);
  std::vector<Channel> ListChannels();

  // Adds entries to the channel whose write key is write_key (and whose id is channel_id, when
  // given): all or none. FeedEntry ids continue the channel's count from 1. default_interval_ms
  // applies to channels without their own rate limit; 0 means none.
  //
  // Returns once the entries are durable: in the open transaction and the pending log. A
  // killed process keeps them, a power cut may lose the last ones (as WAL with
  // synchronous=NORMAL). Throws std::runtime_error when SQLite or the log fails (disk full,
  // file gone); then nothing of this call is stored.
  AppendResult Append(std::string_view write_key, std::optional<std::int64_t> channel_id,
                      std::vector<NewEntry> entries, TimeMs now, TimeMs default_interval_ms);

  // The channel's entries matching query, oldest first.
  std::vector<FeedEntry> Feed(std::int64_t channel_id, const FeedQuery& query);
  // The same newest first, one at a time: each gets the same FeedEntry object refilled for every
  // row (no copies, no allocation per row: feeds of 8000 entries are written straight into
  // their answer this way, see FeedWriter).
  void FeedNewestFirst(std::int64_t channel_id, const FeedQuery& query,
                       const std::function<void(const FeedEntry&)>& each);

  // Commits what was answered and is not committed yet, so that other connections see it.
  // Throws std::runtime_error when the commit fails (the entries stay in the log).
  void Flush();

  const std::filesystem::path& path() const { return path_; }

  // How long answered writes wait for others to share their commit.
  static constexpr std::chrono::milliseconds kCommitDelay{1};

 private:
  class Database;
  class ReaderLease;
  // Append's work inside the writer's open transaction.
  AppendResult AppendLocked(std::string_view write_key, std::optional<std::int64_t> channel_id,
                            std::vector<NewEntry>& entries, TimeMs now, TimeMs default_interval_ms,
                            std::optional<TimeMs>& previous_write);
  // Opens the writer's transaction unless one is open; after a failed commit, first puts the
  // log's entries in again.
  void BeginLocked();
  // Commits the open transaction, if any, and empties the log. On failure rolls it back and
  // throws; the entries stay in the log for the next BeginLocked.
  void CommitLocked();
  void CommitterLoop();
  void RecoverOrphanedLogs();
  // Inserts the logged entries not in the database yet.
  void PutInLocked(const std::vector<PendingEntry>& records);
  std::int64_t NextEntryIdLocked(std::int64_t channel_id);
  // Adds one entry with the id it carries.
  void InsertEntryLocked(std::int64_t channel_id, const FeedEntry& entry);
  std::unique_ptr<Database> OpenConnection(bool writer);
  ReaderLease Reader();
  std::optional<Channel> LoadChannel(Database& db, std::int64_t id);
  // CreateChannel's checks of a chosen id and keys: their form, then whether another channel
  // has them.
  static void CheckChosenKeys(const ChannelSpec& spec);
  static void RefuseTaken(Database& db, const ChannelSpec& spec);

  std::filesystem::path path_;

  // The writer connection and everything below up to the committer, under write_mutex_.
  std::mutex write_mutex_;
  std::unique_ptr<Database> writer_;
  std::unique_ptr<PendingLog> log_;  // claimed at the first write
  bool transaction_open_ = false;
  bool replay_log_ = false;  // the last commit failed: the log's entries are not in the database
  std::chrono::steady_clock::time_point opened_at_;
  // Answered writes not committed yet; read without the mutex by Flush.
  std::atomic<bool> uncommitted_{false};
  // Wall-clock time of each channel's last accepted write, for the rate limit.
  std::unordered_map<std::int64_t, TimeMs> last_write_;
  int wal_pages_ = 0;  // the WAL's size after the last commit
  std::condition_variable commit_wanted_;
  bool stopping_ = false;

  // The committer also checkpoints the WAL into the database file, outside write_mutex_ and on
  // its own connection, so that writes go on meanwhile.
  std::unique_ptr<Database> checkpointer_db_;
  std::thread committer_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Database>> idle_readers_;
};

}  // namespace airlab::server
