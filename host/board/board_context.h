#pragma once
// What a board's services get at construction (issue 11's contract; board-core owns it).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/base/mac_address.h"
#include "platform/air/client.h"

namespace airlab::host::board {

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
  std::string hub;
  std::filesystem::path fs;
  std::vector<Router> routers;
  std::string cloud = "";
};

struct BoardContext {
  const BoardConfig& config;
  air::HubClient& air;
  air::HubRadio& radio;
};

}  // namespace airlab::host::board
