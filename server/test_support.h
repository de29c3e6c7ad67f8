#pragma once
// Helpers for the server's tests against real things: temporary folders, free loopback ports,
// a mosquitto broker started for the test, raw TCP exchanges and child commands.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tests/child_process.h"
#include "tests/loopback.h"

namespace airlab::server::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

using testing_tools::FreeLoopbackPort;
using testing_tools::MosquittoBroker;

// True once something accepts TCP connections on 127.0.0.1:port, waiting up to timeout.
bool WaitForListener(int port, std::chrono::milliseconds timeout);

// Polls pred every 10 ms until it holds or timeout passes; returns its last value.
bool WaitFor(const std::function<bool()>& pred,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A client TCP connection to 127.0.0.1:port for hand-made requests.
class RawConnection {
 public:
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool Send(const std::string& bytes);
  // Reads until `until` appears `count` times in what this call read, the peer closes, or
  // timeout passes; returns what it read.
  std::string ReadUntil(const std::string& until, int count = 1,
                        std::chrono::milliseconds timeout = std::chrono::seconds(3));

 private:
  int fd_ = -1;
};

// Sends bytes on a fresh connection to 127.0.0.1:port, then reads what comes back until the
// peer closes, until `until` appears `count` times, or for at most timeout.
std::string RawExchange(int port, const std::string& bytes, const std::string& until = "",
                        int count = 1,
                        std::chrono::milliseconds timeout = std::chrono::seconds(3));

// Percent-encodes everything but unreserved characters, for query strings and form bodies.
std::string UrlEncode(std::string_view text);

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
CommandResult RunCommand(const std::string& command);

// The repository's root, for files the tests read (server/web/test/...).
std::filesystem::path SourceDir();

}  // namespace airlab::server::testing
