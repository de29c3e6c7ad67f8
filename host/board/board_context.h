#pragma once
// What a board's service gets when it is made: the board's configuration (from `airlab
// board`'s options or the lab file) and its place on the air.

#include <cstdint>
#include <filesystem>
#include <functional>
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
  // Where what the board's Python serves on its soft-AP (192.168.4.1) is bound on this
  // machine: "" binds 127.0.0.1 on a free port per socket (the board prints the mapping);
  // an address (e.g. 192.168.4.1 on a veth a test made) binds that address and the port
  // Python asked for.
  std::string hotspot_address = "";
};

struct BoardContext {
  const BoardConfig& config;
  air::HubClient& air;
  air::HubRadio& radio;
  // One line for the board's log (`airlab board` prints it to its standard output, not to
  // the serial port): why the radio moved, where the hotspot is served. May be empty.
  std::function<void(const std::string&)> log = nullptr;
};

// Sends `line` to context.log when there is one.
inline void Log(const BoardContext& context, const std::string& line) {
  if (context.log) context.log(line);
}

}  // namespace airlab::host::board
