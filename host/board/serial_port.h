#pragma once
// A board's serial port: the pseudo-terminal plus the output it could not take yet. While no
// tool has the port open, output is dropped, as a UART's is when no host listens, so a board
// nobody watches keeps running. While one has, output waits for it (the board holds back its
// code); a tool that reads nothing for kDropAfter loses what waits, so it cannot stop the
// board either.

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "platform/linux/pty.h"

namespace airlab::host::board {

class SerialPort {
 public:
  static constexpr auto kDropAfter = std::chrono::seconds(5);

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
  bool had_listener_ = false;
  std::chrono::steady_clock::time_point last_progress_;
};

}  // namespace airlab::host::board
