#include "server/pending_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "core/base/bytes.h"
#include "core/wire/dot11.h"

namespace airlab::server {
namespace {

constexpr size_t kHeaderBytes = 8;  // payload length, CRC-32
constexpr int kTexts = kFieldCount + 4;

std::runtime_error Failure(const char* what, const std::filesystem::path& path) {
  return std::runtime_error(std::string(what) + " " + path.string() + " (" + std::strerror(errno) +
                            ")");
}

void PutLe32(std::string& out, std::uint32_t v) {
  char b[4];
  store_le32(AsWritableBytes(b, 4), 0, v);
  out.append(b, 4);
}
void PutLe64(std::string& out, std::int64_t v) {
  char b[8];
  store_le64(AsWritableBytes(b, 8), 0, static_cast<std::uint64_t>(v));
  out.append(b, 8);
}

// The entry's optional texts in record order.
template <typename EntryT>
auto Texts(EntryT& e) {
  std::array<decltype(&e.status), kTexts> texts;
  for (int f = 0; f < kFieldCount; ++f) texts[f] = &e.fields[f];
  texts[kFieldCount] = &e.latitude;
  texts[kFieldCount + 1] = &e.longitude;
  texts[kFieldCount + 2] = &e.elevation;
  texts[kFieldCount + 3] = &e.status;
  return texts;
}

}  // namespace

void AppendPendingRecord(std::string& out, std::int64_t channel_id, const FeedEntry& e) {
  const size_t start = out.size();
  out.append(kHeaderBytes, '\0');
  PutLe64(out, channel_id);
  PutLe64(out, e.entry_id);
  PutLe64(out, e.created_at);
  for (const std::optional<std::string>* text : Texts(e)) {
    out.push_back(*text ? 1 : 0);
    if (!*text) continue;
    PutLe32(out, static_cast<std::uint32_t>((*text)->size()));
    out.append(**text);
  }
  const auto payload =
      AsBytes(out.data() + start + kHeaderBytes, out.size() - start - kHeaderBytes);
  const MutableByteSpan header = AsWritableBytes(out.data() + start, kHeaderBytes);
  store_le32(header, 0, static_cast<std::uint32_t>(payload.size()));
  store_le32(header, 4, wire::Crc32(payload));
}

namespace {

// Reads one payload; false when it is not a whole, well-formed record.
bool DecodePayload(ByteSpan p, PendingEntry& out) {
  size_t at = 0;
  const auto take = [&](size_t n) {
    const bool ok = InBounds(p.size(), at, n);
    if (ok) at += n;
    return ok;
  };
  if (!take(24)) return false;
  out.channel_id = static_cast<std::int64_t>(load_le64(p, 0));
  out.entry.entry_id = static_cast<std::int64_t>(load_le64(p, 8));
  out.entry.created_at = static_cast<std::int64_t>(load_le64(p, 16));
  for (std::optional<std::string>* text : Texts(out.entry)) {
    if (!take(1)) return false;
    const std::uint8_t present = load_u8(p, at - 1);
    if (present > 1) return false;
    if (present == 0) continue;
    if (!take(4)) return false;
    const std::uint32_t length = load_le32(p, at - 4);
    if (!take(length)) return false;
    text->emplace(reinterpret_cast<const char*>(p.data()) + at - length, length);
  }
  return at == p.size();
}

}  // namespace

std::optional<PendingLog> PendingLog::Claim(const std::filesystem::path& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw Failure("cannot open", path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    if (errno == EWOULDBLOCK) return std::nullopt;
    throw Failure("cannot lock", path);
  }
  PendingLog log(path, fd);
  struct stat st {};
  if (fstat(fd, &st) != 0) throw Failure("cannot read", path);
  log.size_ = static_cast<std::uint64_t>(st.st_size);
  return log;
}

PendingLog PendingLog::ClaimFree(const std::filesystem::path& database) {
  for (int slot = 0;; ++slot) {
    const std::filesystem::path path = database.string() + ".pending-" + std::to_string(slot);
    if (std::optional<PendingLog> log = Claim(path)) return std::move(*log);
  }
}

std::vector<std::filesystem::path> PendingLog::Slots(const std::filesystem::path& database) {
  std::vector<std::filesystem::path> slots;
  const std::string prefix = database.filename().string() + ".pending-";
  std::error_code ec;
  for (const auto& item : std::filesystem::directory_iterator(database.parent_path(), ec)) {
    if (item.path().filename().string().rfind(prefix, 0) == 0) slots.push_back(item.path());
  }
  return slots;
}

PendingLog::PendingLog(PendingLog&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      buffer_(std::move(other.buffer_)) {}

PendingLog& PendingLog::operator=(PendingLog&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

PendingLog::~PendingLog() {
  if (fd_ >= 0) close(fd_);
}

void PendingLog::Append(std::int64_t channel_id, const std::vector<FeedEntry>& entries) {
  buffer_.clear();
  for (const FeedEntry& e : entries) AppendPendingRecord(buffer_, channel_id, e);
  const ssize_t written = write(fd_, buffer_.data(), buffer_.size());
  if (written == static_cast<ssize_t>(buffer_.size())) {
    size_ += buffer_.size();
    return;
  }
  const int error = written < 0 ? errno : ENOSPC;  // a short write: the disk is full
  // A partial record would end the log early and hide the records appended after it. (Should
  // cutting it off fail too, the next Clear still empties the file.)
  const int cut = ftruncate(fd_, static_cast<off_t>(size_));
  static_cast<void>(cut);
  errno = error;
  throw Failure("cannot write to", path_);
}

std::vector<PendingEntry> PendingLog::ReadAll() const {
  std::string bytes;
  struct stat st {};
  if (fstat(fd_, &st) != 0) throw Failure("cannot read", path_);
  bytes.resize(static_cast<size_t>(st.st_size));
  size_t have = 0;
  while (have < bytes.size()) {
    const ssize_t n =
        pread(fd_, bytes.data() + have, bytes.size() - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Failure("cannot read", path_);
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  bytes.resize(have);
  return ParsePendingRecords(bytes);
}

std::vector<PendingEntry> ParsePendingRecords(std::string_view bytes) {
  const ByteSpan all = AsBytes(bytes.data(), bytes.size());
  std::vector<PendingEntry> records;
  for (size_t at = 0; InBounds(all.size(), at, kHeaderBytes);) {
    const std::uint32_t length = load_le32(all, at);
    if (!InBounds(all.size(), at + kHeaderBytes, length)) break;
    const ByteSpan payload = all.subspan(at + kHeaderBytes, length);
    PendingEntry record;
    if (wire::Crc32(payload) != load_le32(all, at + 4) || !DecodePayload(payload, record)) break;
    records.push_back(std::move(record));
    at += kHeaderBytes + length;
  }
  return records;
}

void PendingLog::Clear() {
  if (size_ == 0) return;
  if (ftruncate(fd_, 0) != 0) throw Failure("cannot empty", path_);
  size_ = 0;
}

}  // namespace airlab::server
