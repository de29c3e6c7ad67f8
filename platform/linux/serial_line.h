#pragma once
// A serial port opened as a provisioning tool opens a board's: raw bytes, 8N1, no flow
// control, at a baud rate. Real ports (/dev/ttyUSB0, /dev/ttyACM0) go through libserialport.
// libserialport 0.1.1 (Debian's) only knows ports listed in /sys/class/tty, so a
// pseudo-terminal (a virtual board's /dev/pts/N, or a symlink to one) is opened with termios
// directly; both behave the same from here on.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

struct sp_port;

namespace airlab::linux_port {

class SerialLine {
 public:
  // Throws std::runtime_error naming the fix (no such port, permission, not a serial port).
  SerialLine(const std::string& path, int baud);
  ~SerialLine();
  SerialLine(const SerialLine&) = delete;
  SerialLine& operator=(const SerialLine&) = delete;

  // Writes all of `bytes` or throws std::runtime_error (the port went away, or took nothing
  // for a second).
  void Write(std::string_view bytes);
  // What arrives within `timeout` (returns as soon as something has): "" when nothing did.
  // Throws std::runtime_error when the port went away.
  std::string Read(std::chrono::milliseconds timeout);
  // "libserialport" or "termios (pseudo-terminal)", for --verbose output.
  std::string_view backend() const;

 private:
  std::string path_;
  sp_port* port_ = nullptr;  // libserialport, or
  int fd_ = -1;              // the pseudo-terminal
};

}  // namespace airlab::linux_port
