// `airlab board`: one virtual ESP32 running MicroPython on the shared simulated air, its
// serial port a pseudo-terminal that tools (mpremote, the Jupyter kernel, screen) open as
// they open /dev/ttyUSB0. The board itself is host/board/.

#include <arpa/inet.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/air_join.h"
#include "cli/commands.h"
#include "cli/stop_signal.h"
#include "host/board/board.h"
#include "host/board/improv_service.h"
#include "host/board/modules.h"
#include "host/board/runtime_paths.h"
#include "platform/air/protocol.h"

namespace airlab::cli {
namespace {

namespace board = host::board;

std::atomic<bool> g_stop{false};
void OnSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

struct BoardArgs {
  std::string name;
  std::string mac;
  int channel = 1;
  std::string position = "0,0";
  std::string hub = "127.0.0.1:" + std::to_string(air::kDefaultPort);
  std::string fs;
  std::string link;
  std::vector<std::string> routers;
  std::string cloud;
  std::string hotspot_address;
  std::string node = "node";
  bool quiet = false;
};

board::Router ParseRouter(const std::string& text) {
  // SSID:PASSWORD:CHANNEL; the password may hold ':' (the SSID is up to the first, the
  // channel after the last).
  const size_t first = text.find(':');
  const size_t last = text.rfind(':');
  int channel = 0;
  try {
    if (first != last) channel = std::stoi(text.substr(last + 1));
  } catch (const std::exception&) {
  }
  if (first == 0 || first == last || channel < 1 || channel > 13) {
    throw UserError("--router " + text + " is not SSID:PASSWORD:CHANNEL (channel 1 to 13)");
  }
  return {text.substr(0, first), text.substr(first + 1, last - first - 1),
          static_cast<uint8_t>(channel)};
}

sim::Position ParsePosition(const std::string& text) {
  double x = 0, y = 0;
  char end = 0;
  if (std::sscanf(text.c_str(), "%lf,%lf%c", &x, &y, &end) != 2) {
    throw UserError("--position " + text + " is not X,Y in metres (e.g. 3,4.5)");
  }
  return {x, y, 0};
}

board::BoardConfig MakeConfig(const BoardArgs& a) {
  board::BoardConfig config;
  config.name = a.name;
  Result<MacAddress> mac = MacAddress::Parse(a.mac.c_str(), a.mac.size());
  if (!mac.ok() || mac->is_multicast()) {
    throw UserError("--mac " + a.mac + " is not a unicast MAC address (e.g. 4c:11:ae:89:bd:d4)");
  }
  config.mac = *mac;
  if (a.channel < 1 || a.channel > 13) throw UserError("--channel is 1 to 13");
  config.channel = static_cast<uint8_t>(a.channel);
  const sim::Position at = ParsePosition(a.position);
  config.x = at.x;
  config.y = at.y;
  config.hub = a.hub;
  config.fs = std::filesystem::path(a.fs.empty() ? a.name + "-flash" : a.fs);
  for (const std::string& r : a.routers) config.routers.push_back(ParseRouter(r));
  config.cloud = a.cloud;
  in_addr parsed{};
  if (!a.hotspot_address.empty() && inet_pton(AF_INET, a.hotspot_address.c_str(), &parsed) != 1) {
    throw UserError("--hotspot-address " + a.hotspot_address +
                    " is not an IPv4 address (e.g. 192.168.4.1)");
  }
  config.hotspot_address = a.hotspot_address;
  return config;
}

// Made once the board has joined the air, so a run that fails leaves no folder behind.
void MakeFlashFolder(const std::filesystem::path& fs) {
  std::error_code error;
  std::filesystem::create_directories(fs, error);
  if (!std::filesystem::is_directory(fs)) {
    throw UserError("--fs " + fs.string() +
                    " is not a folder the board can use: " + "give a folder you can write");
  }
}

void RunBoard(const BoardArgs& a) {
  const board::BoardConfig config = MakeConfig(a);
  board::RuntimePaths runtime;
  try {
    runtime = board::FindRuntime(a.node);
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
  AirLink link =
      JoinAir(a.hub, "board", a.name, config.mac, config.channel, {config.x, config.y, 0});
  MakeFlashFolder(config.fs);
  std::unique_ptr<board::Board> b;
  try {
    // The board's log: a line on standard output, at once (tests and users read it live).
    auto log = [name = a.name](const std::string& line) {
      std::printf("board %s: %s\n", name.c_str(), line.c_str());
      std::fflush(stdout);
    };
    b = std::make_unique<board::Board>(board::BoardContext{config, *link.air, *link.radio, log},
                                       runtime, a.link);
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
  board::BoardModules modules(b->context(), *b);  // network, espnow, socket
  board::ImprovService improv(*b);                // Improv Wi-Fi on the serial port
  std::printf("board %s: serial port %s", a.name.c_str(), b->port_path().c_str());
  if (!a.link.empty()) std::printf(" (%s)", a.link.c_str());
  std::printf("\n");
  if (!a.quiet) {
    std::printf("board %s: MicroPython on the air at %s, flash in %s; Ctrl-C stops it\n",
                a.name.c_str(), a.hub.c_str(), config.fs.c_str());
  }
  std::fflush(stdout);
  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  try {
    b->Run(g_stop);
  } catch (const std::runtime_error& e) {
    throw UserError(e.what());
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace

void AddBoardCommand(CLI::App& app) {
  auto args = std::make_shared<BoardArgs>();
  CLI::App* cmd = app.add_subcommand(
      "board",
      "A virtual ESP32 running MicroPython (the official WebAssembly port, under Node.js) on the "
      "shared simulated air of `airlab air`. Its serial port is a pseudo-terminal: the board "
      "prints its path, and tools open it as a board's /dev/ttyUSB0 (the friendly REPL, paste "
      "mode, the raw REPL and raw-paste as MicroPython's tools use them). Its flash is the "
      "folder --fs (default: NAME-flash in the current folder, made if missing); boot.py then "
      "main.py run at every reset. It runs until Ctrl-C.\n\n"
      "--mac is the station MAC; the access point's is one more in the last byte, as on an "
      "ESP32 (the lab's master, whose cells print 4c:11:ae:89:bd:d5, is --mac "
      "4c:11:ae:89:bd:d4).\n\n"
      "What the board's Python binds on its soft-AP (192.168.4.1, or 0.0.0.0) is served on "
      "this machine: on 127.0.0.1 at a free port the board prints (`board NAME: hotspot "
      "192.168.4.1:80 -> 127.0.0.1:PORT (tcp)`), or with --hotspot-address at that address "
      "and the port asked for (a root test gives a veth 192.168.4.1 so a network namespace "
      "\"phone\" reaches the board's portal and DNS responder for real).\n\n"
      "Examples:\n"
      "  airlab board --name master --mac 4c:11:ae:89:bd:d4\n"
      "  airlab board --name slave --mac 4c:11:ae:89:bc:94 --position 3,0 --link slave.tty\n");
  cmd->add_option("--name", args->name, "the board's name (the hub and the output show it)")
      ->required();
  cmd->add_option("--mac", args->mac, "the station interface's MAC address")->required();
  cmd->add_option("--channel", args->channel, "the radio's channel at reset")
      ->capture_default_str();
  cmd->add_option("--position", args->position, "X,Y on the air, in metres")->capture_default_str();
  cmd->add_option("--hub", args->hub, "the air hub (airlab air) to join")->capture_default_str();
  cmd->add_option("--fs", args->fs, "the flash folder (default: NAME-flash)");
  cmd->add_option("--link", args->link, "also make this path a symlink to the serial port");
  cmd->add_option("--router", args->routers,
                  "an access point the board can join: SSID:PASSWORD:CHANNEL (repeatable)");
  cmd->add_option("--cloud", args->cloud,
                  "the base URL api.thingspeak.com resolves to (e.g. http://127.0.0.1:8080)");
  cmd->add_option("--hotspot-address", args->hotspot_address,
                  "serve the soft-AP's sockets at this local address and their own ports "
                  "(default: 127.0.0.1, free ports, printed)");
  cmd->add_option("--node", args->node, "the Node.js program")->capture_default_str();
  cmd->add_flag("--quiet", args->quiet, "print only the serial port line");
  cmd->callback([args] { RunBoard(*args); });
}

}  // namespace airlab::cli
