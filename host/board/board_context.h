#pragma once
// What a board's service gets when it is made: the board's configuration (from `airlab
// board`'s options or the lab file) and its place on the air.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/base/mac_address.h"
#include "platform/air/client.h"

namespace airlab::host::board {

// An access point of the lab that the board's station can scan for and join.
struct Router {
  std::string ssid;
  std::string password;
  uint8_t channel = 1;
  bool hidden = false;
};

struct BoardConfig {
  std::string name;
  MacAddress mac;
  uint8_t channel = 1;
  double x = 0, y = 0;
  std::string hub;           // "127.0.0.1:4610"
  std::filesystem::path fs;  // the flash folder
  std::vector<Router> routers;
  std::string cloud = "";  // base URL that api.thingspeak.com resolves to ("" = none)
};

struct BoardContext {
  const BoardConfig& config;
  air::HubClient& air;
  air::HubRadio& radio;
};

}  // namespace airlab::host::board
