#include "host/board/serial_port.h"

namespace airlab::host::board {

std::string SerialPort::Read() {
  char buffer[4096];
  std::string bytes;
  // Bounded, so a flood on the port cannot hold the board here.
  for (size_t n; bytes.size() < 65536 && (n = pty_.Read(buffer, sizeof buffer)) > 0;) {
    bytes.append(buffer, n);
  }
  return bytes;
}

void SerialPort::Write(std::string_view bytes) {
  if (pending_.empty()) last_progress_ = std::chrono::steady_clock::now();
  pending_.append(bytes);
  Flush();
}

void SerialPort::Flush() {
  if (pty_.listeners() <= 0) {
    if (had_listener_) pty_.DropUnread();  // what the last tool left unread
    had_listener_ = false;
    pending_.clear();
    return;
  }
  had_listener_ = true;
  if (pending_.empty()) return;
  const size_t n = pty_.Write(pending_.data(), pending_.size());
  const auto now = std::chrono::steady_clock::now();
  if (n > 0) {
    pending_.erase(0, n);
    last_progress_ = now;
  } else if (now - last_progress_ > kDropAfter) {
    pty_.DropUnread();
    last_progress_ = now;
  }
}

}  // namespace airlab::host::board
