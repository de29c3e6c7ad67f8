#pragma once
// Clients that hold connections to a server without asking anything of it: idle ones that
// connect and never send, and slow ones that send a request one byte a second (a slow link,
// or a hostile client). The server's tests and benchmark measure a normal client beside them.

#include <sys/resource.h>

#include <atomic>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

namespace airlab::server::testing {

// Raises this process's soft limit on open files to its hard limit (a crowd of 550
// connections needs more than the usual 1024 once the server's own sockets count); returns the
// soft limit now.
rlim_t RaiseOpenFileLimit();

class ClientCrowd {
 public:
  // Connects `idle` and `slow` clients to 127.0.0.1:port, from source addresses 127.0.0.2,
  // 127.0.0.3, ... with at most per_address connections on each, so that no address passes
  // the server's per-address limit. Throws std::runtime_error when a connection fails.
  ClientCrowd(int port, int idle, int slow, int per_address);
  ~ClientCrowd();  // stops sending and closes every connection
  ClientCrowd(const ClientCrowd&) = delete;
  ClientCrowd& operator=(const ClientCrowd&) = delete;

  // Connections the server has neither closed nor answered: all of them while it waits.
  std::size_t waiting() const;
  std::size_t size() const { return idle_.size() + slow_.size(); }
  // Bytes the slow clients have sent so far, all together.
  std::size_t slow_bytes_sent() const { return slow_bytes_sent_; }

 private:
  void Dribble();

  std::vector<int> idle_;
  std::vector<int> slow_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> slow_bytes_sent_{0};
  std::thread sender_;
};

}  // namespace airlab::server::testing
