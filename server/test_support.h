#pragma once
// Helpers for the server's tests against real things: temporary folders, free loopback ports,
// a mosquitto broker started for the test, raw TCP exchanges and child commands (the
// shared ones from tests/ under the names the server's tests use).

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "tests/child_process.h"
#include "tests/loopback.h"
#include "tests/run_command.h"
#include "tests/temp_dir.h"

namespace airlab::server::testing {

using testing_tools::CommandResult;
using testing_tools::FreeLoopbackPort;
using testing_tools::MosquittoBroker;
using testing_tools::RunCommand;
using testing_tools::Stderr;
using testing_tools::TempDir;

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
                        int count = 1, std::chrono::milliseconds timeout = std::chrono::seconds(3));

// Percent-encodes everything but unreserved characters, for query strings and form bodies.
std::string UrlEncode(std::string_view text);

// The repository's root, for files the tests read (server/web/test/...).
std::filesystem::path SourceDir();

}  // namespace airlab::server::testing
