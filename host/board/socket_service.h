#pragma once
// The board's sockets, served to runtime/lib/socket.py as "socket.*" calls: real TCP and
// UDP sockets of the board process on the host, so a board's code reaches servers on this
// machine (and beyond). DNS: the lab's cloud names (api.thingspeak.com, thingspeak.com)
// resolve to BoardConfig.cloud's host and port when a cloud is configured; other names go
// to the host's resolver.
//
// As on an ESP32, nothing works before the station has joined a router
// (NetworkService::station_connected): getaddrinfo raises OSError(-202) (lwIP's failed
// lookup) and connect/sendto OSError(113) (EHOSTUNREACH). Blocking calls wait through the
// bridge's Waits (the air runs, Ctrl-C ends them) up to the socket's timeout: OSError(110)
// (ETIMEDOUT) then, OSError(11) (EAGAIN) for a non-blocking socket. Host errors come back
// as their errno, which MicroPython numbers the same way. A reset closes every socket.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "host/board/board_context.h"
#include "host/board/bridge.h"
#include "host/board/network_service.h"

namespace airlab::host::board {

class SocketService {
 public:
  // lwIP's error for a name that does not resolve, as MicroPython's getaddrinfo raises it.
  static constexpr int kLookupFailed = -202;

  // `context` and `network` must outlive the service. Registers "socket.*".
  SocketService(const BoardContext& context, const NetworkService& network, Bridge& bridge);
  ~SocketService();
  SocketService(const SocketService&) = delete;
  SocketService& operator=(const SocketService&) = delete;

  // The host and port BoardConfig.cloud names, if it is an http(s) URL.
  struct Endpoint {
    std::string host;
    uint16_t port = 0;
  };
  static std::optional<Endpoint> ParseCloud(const std::string& url);

 private:
  void CloseAll();
  void Register(Bridge& bridge);
  int Fd(const Json& args) const;
  // Waits until `fd` is ready for `events` (poll(2) flags) or the timeout in args[index]
  // (null: forever, 0: not at all). False when interrupted by Ctrl-C.
  bool WaitReady(int fd, short events, const Json& args, size_t index, Waits& waits);
  void RequireRoute() const;
  Json GetAddrInfo(const Json& args);
  Json Connect(const Json& args, Waits& waits);

  const BoardContext& context_;
  const NetworkService& network_;
  std::map<int, int> sockets_;  // the Python side's number -> host fd
  int next_id_ = 1;
};

}  // namespace airlab::host::board
