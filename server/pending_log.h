#pragma once
// The entries a ChannelDatabase has answered but maybe not yet committed to SQLite. Each accepted write
// is one write() to this file, and the ChannelDatabase commits to SQLite in batches (store.h says why);
// a process killed in between leaves the log behind, and the next ChannelDatabase to open the database
// puts its entries in (ChannelDatabase::ChannelDatabase). Same durability as SQLite's WAL with synchronous=NORMAL:
// a killed process loses nothing, a power cut may lose the last writes.
//
// Several ChannelDatabases may use one database (another process, or a test's second ChannelDatabase): each owns
// its own log, `<database>.pending-<N>`, held with flock() for as long as it lives, so a log
// whose lock can be taken belongs to nobody alive.
//
// A record: u32 payload length, u32 CRC-32 of the payload, then the payload: channel id,
// entry id and created_at (i64 each), then for each of the entry's 12 optional texts (fields
// 1-8, latitude, longitude, elevation, status) a byte 0 (none) or 1 followed by a u32 length
// and the bytes. Little endian. A record cut short (a write interrupted by the kill) or not
// matching its CRC ends the log.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/channel_database.h"

namespace airlab::server {

struct PendingEntry {
  std::int64_t channel_id = 0;
  FeedEntry entry;
};

// The whole, well-formed records at the start of bytes (a log file's contents), oldest first.
std::vector<PendingEntry> ParsePendingRecords(std::string_view bytes);
// One record, as Append writes it (appended to out).
void AppendPendingRecord(std::string& out, std::int64_t channel_id, const FeedEntry& entry);

class PendingLog {
 public:
  // The log at path when no living ChannelDatabase holds it, locked for this one; nullopt when another
  // holds it. Throws std::runtime_error naming the path when the file cannot be opened.
  static std::optional<PendingLog> Claim(const std::filesystem::path& path);
  // The first free slot `<database>.pending-<N>`.
  static PendingLog ClaimFree(const std::filesystem::path& database);
  // Every existing slot's path, free or held.
  static std::vector<std::filesystem::path> Slots(const std::filesystem::path& database);

  PendingLog(PendingLog&& other) noexcept;
  PendingLog& operator=(PendingLog&& other) noexcept;
  PendingLog(const PendingLog&) = delete;
  PendingLog& operator=(const PendingLog&) = delete;
  ~PendingLog();  // releases the lock; the records stay

  // Appends the entries of one write with a single write(). Throws std::runtime_error (with
  // the OS's reason) when that fails, and then cuts the file back to what it held.
  void Append(std::int64_t channel_id, const std::vector<FeedEntry>& entries);
  // Every whole record, oldest first.
  std::vector<PendingEntry> ReadAll() const;
  // Empties the log once its entries are committed. Throws std::runtime_error on failure.
  void Clear();

  const std::filesystem::path& path() const { return path_; }

 private:
  PendingLog(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}

  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;  // bytes of whole records
  std::string buffer_;      // reused for each Append
};

}  // namespace airlab::server
