#pragma once
// The services behind the Python modules that reach the radio and the network: network
// (Wi-Fi), espnow (both APIs) and socket. The board process makes one BoardModules after
// its bridge and radio exist and keeps it for its life; each service registers its calls
// and its reset with the bridge.

#include "host/board/board_context.h"
#include "host/board/bridge.h"
#include "host/board/espnow_service.h"
#include "host/board/network_service.h"
#include "host/board/socket_service.h"

namespace airlab::host::board {

class BoardModules {
 public:
  // `context` must outlive the modules.
  BoardModules(const BoardContext& context, Bridge& bridge)
      : network_(context, bridge),
        espnow_(context, network_.espnow_radio(), bridge),
        sockets_(context, network_, bridge) {}

  NetworkService& network() { return network_; }
  EspnowService& espnow() { return espnow_; }

 private:
  NetworkService network_;  // first: a reset stops the radio before ESP-NOW starts again
  EspnowService espnow_;
  SocketService sockets_;
};

}  // namespace airlab::host::board
