#pragma once
// Loopback services for the tests that talk to real peers: a free port, and a mosquitto
// broker started on one for the test and stopped with it.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/child_process.h"
#include "tests/temp_dir.h"

namespace airlab::testing_tools {

// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
inline int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// True when something accepts TCP connections on 127.0.0.1:port now.
inline bool AcceptsLoopbackConnections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// /usr/sbin/mosquitto on 127.0.0.1:port (a free one by default) with a configuration of
// its own; `extra` adds lines (a password file, say). ok() once it accepts connections;
// stopped with SIGTERM when this goes.
class MosquittoBroker {
 public:
  explicit MosquittoBroker(int port = FreeLoopbackPort(),
                           const std::string& extra = "allow_anonymous true\n")
      : port_(port) {
    const std::string config = dir_.File("mosquitto.conf");
    std::ofstream(config) << "listener " << port_ << " 127.0.0.1\n"
                          << extra << "persistence false\nlog_dest stderr\n"
                          << "log_type error\nlog_type warning\nlog_type notice\n";
    try {
      broker_ = std::make_unique<ChildProcess>("/usr/sbin/mosquitto",
                                               std::vector<std::string>{"-c", config},
                                               dir_.File("mosquitto.log"));
    } catch (const std::runtime_error&) {
      return;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(ok_ = AcceptsLoopbackConnections(port_)) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~MosquittoBroker() {
    if (broker_) broker_->Stop(SIGTERM, std::chrono::seconds(10));
  }
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  bool ok() const { return ok_; }
  int port() const { return port_; }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }
  // What the broker printed, for failure messages.
  std::string log() const {
    std::ifstream in(dir_.File("mosquitto.log"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<ChildProcess> broker_;
  bool ok_ = false;
};

}  // namespace airlab::testing_tools
