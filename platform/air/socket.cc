#include "platform/air/socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace airlab::air {
namespace {

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Events are small and each one matters as soon as it is written.
void NoDelay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

void Socket::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Socket ListenLoopback(uint16_t port) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s) throw std::runtime_error(std::string("cannot open a socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in addr = Loopback(port);
  if (::bind(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error(
        "cannot listen on 127.0.0.1:" + std::to_string(port) + " (" + std::strerror(errno) +
        "): is another airlab air running there? choose another --port, or 0 for a free one");
  }
  if (::listen(s.fd(), 64) != 0) {
    throw std::runtime_error(std::string("cannot listen: ") + std::strerror(errno));
  }
  return s;
}

uint16_t LocalPort(const Socket& socket) {
  sockaddr_in addr{};
  socklen_t size = sizeof addr;
  if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
    throw std::runtime_error(std::string("getsockname failed: ") + std::strerror(errno));
  }
  return ntohs(addr.sin_port);
}

Socket AcceptFrom(const Socket& listener) {
  while (true) {
    const int fd = ::accept4(listener.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      NoDelay(fd);
      return Socket(fd);
    }
    // ECONNABORTED and the like concern one connection: none is pending for us then.
    if (errno != EINTR) return Socket();
  }
}

uint16_t ParseHubAddress(const std::string& address) {
  std::string port = address;
  if (const size_t colon = address.rfind(':'); colon != std::string::npos) {
    const std::string host = address.substr(0, colon);
    if (host != "127.0.0.1" && host != "localhost") {
      throw std::runtime_error(
          "the hub address " + address +
          " is not on this machine: the air hub listens on loopback only; give 127.0.0.1:PORT");
    }
    port = address.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    throw std::runtime_error("the hub address " + address +
                             " has no port; give PORT or 127.0.0.1:PORT, as airlab air prints it");
  }
  return static_cast<uint16_t>(value);
}

Socket ConnectLoopback(uint16_t port) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw std::runtime_error(std::string("cannot open a socket: ") + std::strerror(errno));
  const sockaddr_in addr = Loopback(port);
  int rc;
  do {
    rc = ::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    throw std::runtime_error("cannot reach the air hub at 127.0.0.1:" + std::to_string(port) +
                             " (" + std::strerror(errno) + "): start it with `airlab air --port " +
                             std::to_string(port) + "`");
  }
  NoDelay(s.fd());
  return s;
}

}  // namespace airlab::air
