#include "platform/linux/serial_line.h"

#include <fcntl.h>
#include <libserialport.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace airlab::linux_port {
namespace {

constexpr int kWriteTimeoutMs = 1000;

speed_t TermiosSpeed(int baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default:
      throw std::runtime_error("--baud " + std::to_string(baud) +
                               " is not a rate a serial port takes (115200 is usual)");
  }
}

[[noreturn]] void OpenFailed(const std::string& path, int error) {
  if (error == EACCES) {
    throw std::runtime_error("no permission to open " + path +
                             ": add yourself to the dialout group (sudo usermod -aG dialout "
                             "$USER, then log in again)");
  }
  if (error == EBUSY) {
    throw std::runtime_error(path +
                             " is in use: close the other program on it (screen, "
                             "minicom, mpremote, a Jupyter kernel)");
  }
  throw std::runtime_error("cannot open " + path + ": " + std::strerror(error));
}

int ClampMs(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(timeout.count(), 60000)));
}

}  // namespace

SerialLine::SerialLine(const std::string& path, int baud) : path_(path) {
  std::error_code error;
  const std::filesystem::path real = std::filesystem::canonical(path, error);
  if (error) {
    throw std::runtime_error("no serial port " + path +
                             ": give the port `airlab board` printed, or a USB board's "
                             "(ls /dev/ttyUSB* /dev/ttyACM*)");
  }
  if (real.string().rfind("/dev/pts/", 0) == 0) {
    const speed_t speed = TermiosSpeed(baud);
    fd_ = ::open(real.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) OpenFailed(path, errno);
    termios tio{};
    if (::tcgetattr(fd_, &tio) != 0) {
      ::close(fd_);
      throw std::runtime_error(path + " is not a terminal: give a serial port");
    }
    ::cfmakeraw(&tio);
    ::cfsetispeed(&tio, speed);
    ::cfsetospeed(&tio, speed);
    ::tcsetattr(fd_, TCSANOW, &tio);
    return;
  }
  if (sp_get_port_by_name(real.c_str(), &port_) != SP_OK) {
    port_ = nullptr;
    throw std::runtime_error(path +
                             " is not a serial port (it is not in /sys/class/tty): give "
                             "a board's port, e.g. /dev/ttyUSB0");
  }
  if (sp_open(port_, SP_MODE_READ_WRITE) != SP_OK) {
    const int open_error = sp_last_error_code();
    sp_free_port(port_);
    port_ = nullptr;
    OpenFailed(path, open_error);
  }
  if (sp_set_baudrate(port_, baud) != SP_OK || sp_set_bits(port_, 8) != SP_OK ||
      sp_set_parity(port_, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(port_, 1) != SP_OK ||
      sp_set_flowcontrol(port_, SP_FLOWCONTROL_NONE) != SP_OK) {
    const std::string why = sp_last_error_message();
    sp_close(port_);
    sp_free_port(port_);
    port_ = nullptr;
    throw std::runtime_error("cannot set " + path + " to " + std::to_string(baud) +
                             " baud 8N1: " + why);
  }
}

SerialLine::~SerialLine() {
  if (port_ != nullptr) {
    sp_close(port_);
    sp_free_port(port_);
  }
  if (fd_ >= 0) ::close(fd_);
}

std::string_view SerialLine::backend() const {
  return port_ != nullptr ? "libserialport" : "termios (pseudo-terminal)";
}

void SerialLine::Write(std::string_view bytes) {
  if (port_ != nullptr) {
    const sp_return wrote = sp_blocking_write(port_, bytes.data(), bytes.size(), kWriteTimeoutMs);
    if (static_cast<int>(wrote) != static_cast<int>(bytes.size())) {
      throw std::runtime_error("writing to " + path_ +
                               " failed: the port took nothing for a second");
    }
    return;
  }
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      throw std::runtime_error("writing to " + path_ + " failed: " + std::strerror(errno));
    }
    pollfd fd{fd_, POLLOUT, 0};
    if (::poll(&fd, 1, kWriteTimeoutMs) == 0) {
      throw std::runtime_error("writing to " + path_ +
                               " failed: the port took nothing for a second");
    }
  }
}

std::string SerialLine::Read(std::chrono::milliseconds timeout) {
  char buffer[4096];
  if (port_ != nullptr) {
    const sp_return n = sp_blocking_read_next(port_, buffer, sizeof buffer,
                                              static_cast<unsigned>(ClampMs(timeout)));
    if (n < 0) throw std::runtime_error("reading " + path_ + " failed: " + sp_last_error_message());
    return std::string(buffer, static_cast<size_t>(n));
  }
  pollfd fd{fd_, POLLIN, 0};
  if (::poll(&fd, 1, ClampMs(timeout)) <= 0) return "";
  const ssize_t n = ::read(fd_, buffer, sizeof buffer);
  if (n > 0) return std::string(buffer, static_cast<size_t>(n));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return "";
  throw std::runtime_error("the port " + path_ + " closed (did the board stop?)");
}

}  // namespace airlab::linux_port
