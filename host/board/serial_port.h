#pragma once
// A board's serial port: the pseudo-terminal plus the output it could not take yet. Output
// waits for a slow reader, but output nobody reads for a second is dropped, as a UART's is
// when no host listens, so a board with nobody on its port keeps running.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "platform/linux/pty.h"

namespace airlab::host::board {

class SerialPort {
 public:
  static constexpr auto kDropAfter = std::chrono::seconds(1);

  // Throws std::runtime_error (see linux_port::Pty).
  explicit SerialPort(const std::filesystem::path& link) : pty_(link) {}

  int fd() const { return pty_.fd(); }
  const std::string& path() const { return pty_.path(); }
  // What tools sent since the last call ("" when nothing).
  std::string Read();
  // Queues `bytes` and writes what the port takes now.
  void Write(std::string_view bytes);
  // Writes what waits; call when poll() says the port is writable, or every loop.
  void Flush();
  size_t queued() const { return pending_.size(); }

 private:
  linux_port::Pty pty_;
  std::string pending_;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace airlab::host::board
