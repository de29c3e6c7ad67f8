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
// Numeric addresses need no lookup: getaddrinfo('0.0.0.0', 80) works before a join, as on
// an ESP32.
//
// The hotspot: a socket Python binds to the soft-AP's address (192.168.4.1) or to 0.0.0.0
// is bound where BoardConfig.hotspot_address says (127.0.0.1 on a free port by default,
// or that address and the port asked for) and the board's log prints the mapping
// ("hotspot 192.168.4.1:80 -> 127.0.0.1:PORT (tcp)"), so a browser or a phone on this
// machine reaches what the board serves. Such a socket answers whoever asked (sendto) with
// or without a join: the phones it serves are on the board's own hotspot.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
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
  Json Bind(const Json& args);

  const BoardContext& context_;
  const NetworkService& network_;
  std::map<int, int> sockets_;  // the Python side's number -> host fd
  std::set<int> hotspot_;       // the numbers of sockets bound on the hotspot
  int next_id_ = 1;
};

}  // namespace airlab::host::board
