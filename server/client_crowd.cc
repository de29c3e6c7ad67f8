#include "server/client_crowd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace airlab::server::testing {
namespace {

// A request the slow clients never finish in a test's time: one byte a second, ~50 bytes.
constexpr char kSlowRequest[] = "GET /channels/1/feeds/last.json HTTP/1.1\r\nHost: crowd\r\n\r\n";

int ConnectFrom(in_addr_t source, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  from.sin_addr.s_addr = htonl(source);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

rlim_t RaiseOpenFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

ClientCrowd::ClientCrowd(int port, int idle, int slow, int per_address) {
  auto close_all = [this] {
    for (int fd : idle_) close(fd);
    for (int fd : slow_) close(fd);
  };
  for (int i = 0; i < idle + slow; ++i) {
    const in_addr_t source = INADDR_LOOPBACK + 1 + static_cast<in_addr_t>(i / per_address);
    int fd = ConnectFrom(source, port);
    if (fd < 0) {
      close_all();
      throw std::runtime_error("cannot connect the crowd's client " + std::to_string(i + 1));
    }
    (i < idle ? idle_ : slow_).push_back(fd);
  }
  sender_ = std::thread([this] { Dribble(); });
}

ClientCrowd::~ClientCrowd() {
  stop_ = true;
  sender_.join();
  for (int fd : idle_) close(fd);
  for (int fd : slow_) close(fd);
}

void ClientCrowd::Dribble() {
  for (size_t at = 0; !stop_; ++at) {
    if (at < sizeof kSlowRequest - 1) {
      for (int fd : slow_) {
        if (send(fd, kSlowRequest + at, 1, MSG_NOSIGNAL) == 1) ++slow_bytes_sent_;
      }
    }
    for (int i = 0; i < 20 && !stop_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

std::size_t ClientCrowd::waiting() const {
  std::size_t n = 0;
  for (const std::vector<int>* fds : {&idle_, &slow_}) {
    for (int fd : *fds) {
      // Readable means the server wrote (an answer, a 503) or closed: no longer waiting.
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 0) == 0) ++n;
    }
  }
  return n;
}

}  // namespace airlab::server::testing
