#pragma once
// Loopback TCP for the hub and its clients: an owning socket and the few calls both sides
// need. The hub is for processes on one machine, so nothing here listens or connects
// beyond 127.0.0.1. Failures throw std::runtime_error with a sentence naming the fix.

#include <cstdint>
#include <string>
#include <utility>

namespace airlab::air {

// Owns a file descriptor; closes it when destroyed.
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() { Close(); }
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int fd() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  void Close();
  int fd_ = -1;
};

// A non-blocking listening socket on 127.0.0.1:port (0: a free port).
Socket ListenLoopback(uint16_t port);
uint16_t LocalPort(const Socket& socket);
// The next pending connection, non-blocking and with Nagle off; an empty Socket when none.
Socket AcceptFrom(const Socket& listener);

// The port of a hub address: "4610", "127.0.0.1:4610" or "localhost:4610".
uint16_t ParseHubAddress(const std::string& address);
// A blocking connection to 127.0.0.1:port with Nagle off.
Socket ConnectLoopback(uint16_t port);

}  // namespace airlab::air
