#include "platform/linux/file_credential_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <string>

#include "core/wifi/credential_record.h"

namespace airlab::linux_port {
namespace {

// Writes all of `bytes` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, ByteSpan bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return true;
}

// A rename is durable once the folder holding it is synced.
bool SyncFolder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

Status FileCredentialStore::DoLoad(port::Credentials& out) {
  keep_corrupt_ = false;
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::Ok() : Status::Unavailable();
  // One byte more than a record can be, to tell a too-long file from a full one.
  std::array<std::byte, wifi::kCredentialRecordMaxSize + 1> buffer{};
  size_t size = 0;
  bool read_ok = true;
  while (size < buffer.size()) {
    const ssize_t n = ::read(fd, buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) read_ok = false;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (!read_ok) return Status::Unavailable();
  const Status decoded = wifi::DecodeCredentials(ByteSpan(buffer.data(), size), out);
  if (!decoded.ok()) keep_corrupt_ = true;
  return decoded.ok() ? decoded : Status::DataLoss();
}

Status FileCredentialStore::DoSave(const port::Credentials& record) {
  std::array<std::byte, wifi::kCredentialRecordMaxSize> buffer{};
  const StatusWithSize encoded = wifi::EncodeCredentials(record, buffer);
  if (!encoded.ok()) return encoded.status();
  const std::string temp = path_.string() + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable();
  const bool written = WriteAll(fd, ByteSpan(buffer.data(), encoded.size())) && ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    ::unlink(temp.c_str());
    return Status::Unavailable();
  }
  if (keep_corrupt_) {
    const std::string aside = path_.string() + ".corrupt";
    if (::rename(path_.c_str(), aside.c_str()) != 0 && errno != ENOENT) {
      ::unlink(temp.c_str());
      return Status::Unavailable();
    }
    keep_corrupt_ = false;
  }
  if (::rename(temp.c_str(), path_.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Status::Unavailable();
  }
  return SyncFolder(path_.parent_path()) ? Status::Ok() : Status::Unavailable();
}

Status FileCredentialStore::DoErase() {
  keep_corrupt_ = false;
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return Status::Unavailable();
  return SyncFolder(path_.parent_path()) ? Status::Ok() : Status::Unavailable();
}

}  // namespace airlab::linux_port
