#include "host/capture_file_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <exception>
#include <stdexcept>

namespace airlab::host {
namespace {

// Writes go out in chunks of this size: few system calls, little memory.
constexpr size_t kBufferSize = 1 << 16;

}  // namespace

CaptureFileSink::CaptureFileSink(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error(path_ + ": cannot create it: " + std::strerror(errno) +
                             "; check that the directory exists and you may write there");
  }
  struct stat st {};
  flush_each_write_ = ::fstat(fd_, &st) == 0 && S_ISFIFO(st.st_mode);
  buffer_.reserve(kBufferSize);
}

CaptureFileSink::~CaptureFileSink() {
  try {
    Close();
  } catch (const std::exception&) {
    // Close() is the place to see this; a destructor must not throw.
  }
}

void CaptureFileSink::Write(ByteSpan bytes) {
  if (fd_ < 0) throw std::logic_error(path_ + ": written after Close()");
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  if (flush_each_write_ || buffer_.size() >= kBufferSize) Flush();
}

void CaptureFileSink::Flush() {
  size_t done = 0;
  while (done < buffer_.size() && fd_ >= 0) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      buffer_.clear();
      throw std::runtime_error(path_ + ": writing failed: " + std::strerror(errno) +
                               (errno == EPIPE    ? " (the reader of the FIFO has gone)"
                                : errno == ENOSPC ? " (free some disk space)"
                                                  : ""));
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
}

void CaptureFileSink::Close() {
  if (fd_ < 0) return;
  try {
    Flush();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) throw std::runtime_error(path_ + ": closing failed: " + std::strerror(errno));
}

AirCapture::AirCapture(sim::Simulation& simulation, std::string path, sim::PcapngTapOptions options)
    : file_(std::move(path)), tap_(simulation, file_, std::move(options)) {}

void AirCapture::Close() {
  tap_.Close();
  file_.Close();
}

}  // namespace airlab::host
