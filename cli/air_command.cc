// `airlab air`: the hub that lets several processes share one simulated air, like several
// boards in one room. It prints its address, then a status line, until Ctrl-C. With a
// scenario, the scenario's nodes run in the hub, on the same air as the clients' nodes.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stop_signal.h"
#include "host/air_capture.h"
#include "host/room/router_hub.h"
#include "platform/air/hub.h"
#include "platform/air/protocol.h"
#include "scenario/report.h"
#include "scenario/routers.h"
#include "scenario/runner.h"
#include "scenario/scenario.h"

namespace airlab::cli {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int signal) {
  g_stop = true;
  NoteStopSignal(signal);
}

struct AirArgs {
  int port = air::kDefaultPort;
  double speed = 1;
  uint64_t seed = 1;
  std::string pcap;
  std::string scenario;
  std::vector<std::string> routers;
  int refresh_ms = 1000;
};

std::vector<scenario::RouterSpec> ParseRouters(const AirArgs& a) {
  std::vector<scenario::RouterSpec> routers;
  for (const std::string& text : a.routers) {
    std::optional<scenario::RouterSpec> spec = scenario::ParseRouterText(text);
    if (!spec) {
      throw UserError("--router " + text +
                      " is not SSID:PASSWORD:CHANNEL (an SSID of 1 to 32 bytes, a password of 8 "
                      "to 63 characters or none for an open network, a channel 1 to 13)");
    }
    routers.push_back(*spec);
  }
  return routers;
}

void Validate(const AirArgs& a) {
  if (a.port < 0 || a.port > 65535) {
    throw UserError("--port " + std::to_string(a.port) +
                    " is not a TCP port; use 1 to 65535, or 0 for a free one");
  }
  if (!(a.speed > 0))
    throw UserError("--speed is simulated time over wall time and must be above 0 (1: real time)");
  if (a.refresh_ms < 50) throw UserError("--refresh is in milliseconds and must be at least 50");
}

// The hub, with a scenario's nodes and routers and the --router ones when given. Built in
// place: the runner refers to the scenario and the hub to the runner's simulation; members
// go in reverse order.
struct SharedAir {
  explicit SharedAir(const AirArgs& a) {
    air::HubOptions options;
    options.port = static_cast<uint16_t>(a.port);
    options.speed = a.speed;
    options.simulation.seed = a.seed;
    const std::vector<scenario::RouterSpec> routers = ParseRouters(a);
    // A scenario brings its own air (seed, propagation) with its nodes on it; they send for
    // its duration and stay on the air after.
    sim::Simulation* air = nullptr;
    std::vector<std::string> names;
    if (!a.scenario.empty()) {
      scene = scenario::LoadScenario(a.scenario);
      runner = std::make_unique<scenario::Runner>(*scene);
      for (const scenario::NodeSpec& node : scene->nodes) names.push_back(node.name);
      for (size_t i = 0; i < runner->routers().size(); ++i) {
        names.push_back(runner->routers().name(i));
      }
      air = &runner->simulation();
    }
    try {
      hub = std::make_unique<host::room::RouterHub>(options, routers, air, names);
    } catch (const std::invalid_argument& e) {
      throw UserError(std::string("--router: ") + e.what());
    }
  }
  SharedAir(const SharedAir&) = delete;
  SharedAir& operator=(const SharedAir&) = delete;

  size_t router_count() const {
    return (runner ? runner->routers().size() : 0) +
           (hub->routers() != nullptr ? hub->routers()->size() : 0);
  }

  std::optional<scenario::Scenario> scene;
  std::unique_ptr<scenario::Runner> runner;
  std::unique_ptr<host::room::RouterHub> hub;
};

std::unique_ptr<host::AirCapture> OpenCapture(const AirArgs& a, air::Hub& hub) {
  if (a.pcap.empty()) return nullptr;
  // Simulated time 0 is now, give or take the microseconds until Run starts.
  const auto epoch = std::chrono::system_clock::now().time_since_epoch();
  host::AirCaptureOptions capture;
  capture.tap.epoch_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(epoch).count();
  capture.interface_name = "air";
  // Every command's output convention (linux_port::OutputFile): whole at Ctrl-C, - for stdout.
  try {
    return std::make_unique<host::AirCapture>(hub.simulation(), a.pcap, capture,
                                              std::vector<std::string>{a.scenario});
  } catch (const std::runtime_error& e) {
    throw UserError(std::string("--pcap ") + e.what());
  }
}

void PrintStart(FILE* text_out, const AirArgs& a, const SharedAir& shared) {
  const std::optional<scenario::Scenario>& scene = shared.scene;
  std::string what = "seed " + std::to_string(scene ? scene->seed : a.seed);
  if (scene) what += ", " + std::to_string(scene->nodes.size()) + " nodes from " + a.scenario;
  const size_t routers = shared.router_count();
  if (routers > 0) what += ", " + std::to_string(routers) + " router" + (routers == 1 ? "" : "s");
  if (!a.pcap.empty()) what += ", writing " + a.pcap;
  std::fprintf(text_out,
               "airlab air: the air is on 127.0.0.1:%u (speed %gx, %s); clients join with --hub "
               "127.0.0.1:%u\n",
               shared.hub->hub().port(), a.speed, what.c_str(), shared.hub->hub().port());
  std::fflush(text_out);
}

// Runs the hub until Ctrl-C, a status line every `refresh_ms` (redrawn in place on a tty).
void RunHub(air::Hub& hub, FILE* text_out, bool tty, int refresh_ms) {
  uint64_t last_frames = 0;
  auto last_wall = std::chrono::steady_clock::now();
  auto status = [&] {
    const air::HubStatus st = hub.status();
    const auto wall = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(wall - last_wall).count();
    const double rate = seconds > 0 ? static_cast<double>(st.frames - last_frames) / seconds : 0;
    last_frames = st.frames;
    last_wall = wall;
    std::fprintf(text_out,
                 "%sclients %zu  nodes %zu  sniffers %zu  frames/s %.1f  frames %llu  air %.1f s%s",
                 tty ? "\r" : "", st.clients, st.nodes, st.sniffers, rate,
                 static_cast<unsigned long long>(st.frames), static_cast<double>(st.now) / 1e9,
                 tty ? "\033[K" : "\n");
    std::fflush(text_out);
  };

  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  hub.Run(g_stop, status, std::chrono::milliseconds(refresh_ms));
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

void RunAir(const AirArgs& a) {
  Validate(a);
  SharedAir shared(a);
  air::Hub& hub = shared.hub->hub();
  std::unique_ptr<host::AirCapture> tap = OpenCapture(a, hub);
  // With --pcap -, the capture owns standard output and the status lines go to stderr.
  FILE* text_out = a.pcap == "-" ? stderr : stdout;
  PrintStart(text_out, a, shared);

  const bool tty = ::isatty(fileno(text_out)) != 0;
  RunHub(hub, text_out, tty, a.refresh_ms);

  const air::HubStatus st = hub.status();
  std::string wrote;
  if (tap) {
    tap->Close();
    wrote = "; wrote " + std::to_string(tap->frames_written()) + " frames to " + a.pcap;
  }
  std::fprintf(text_out, "%sairlab air: stopped after %.3f s of air and %llu frames%s\n",
               tty ? "\n" : "", static_cast<double>(st.now) / 1e9,
               static_cast<unsigned long long>(st.frames), wrote.c_str());
  if (shared.runner) {
    std::fprintf(text_out, "%s",
                 scenario::FormatResults(*shared.scene, shared.runner->results()).c_str());
  }
}

}  // namespace

void AddAirCommand(CLI::App& app) {
  auto args = std::make_shared<AirArgs>();
  CLI::App* cmd = app.add_subcommand(
      "air",
      "Share one simulated air between processes: the hub owns the medium and every node's "
      "radio, paced to the wall clock; `airlab gateway`, `airlab node` and `airlab sniff --hub` "
      "join it over loopback TCP.\n\n"
      "Example:\n"
      "  airlab air --port 4610 --pcap air.pcapng   (until Ctrl-C)\n"
      "  airlab air --scenario examples/lab.toml    (the lab's master and slave in the room too)\n"
      "  airlab air --router lab:lab-secret:6 --router cafe::11   (a WPA2 and an open router "
      "beaconing)\n"
      "  airlab node --hub 127.0.0.1:4610 --mac 02:00:00:00:00:02 --name node2   (in another "
      "terminal;\n"
      "      a MAC of its own: the scenario's boards have the lab's)\n");
  cmd->add_option("--port", args->port, "TCP port on 127.0.0.1; 0 picks a free one")
      ->capture_default_str();
  cmd->add_option("--speed", args->speed,
                  "simulated time over wall time (2: twice as fast as real time)")
      ->capture_default_str();
  CLI::Option* seed = cmd->add_option("--seed", args->seed, "seed of the air's random streams")
                          ->capture_default_str()
                          ->check(NonNegative());
  cmd->add_option("--scenario", args->scenario,
                  "run this scenario's nodes (TOML, see examples/) in the hub, on the shared air; "
                  "its seed is the air's")
      ->excludes(seed);
  cmd->add_option("--router", args->routers,
                  "an access point on the air (beacons, joins, DHCP): SSID:PASSWORD:CHANNEL, an "
                  "empty PASSWORD for an open network (repeatable)");
  cmd->add_option("--pcap", args->pcap,
                  "write every frame on the air to this capture file (radiotap): pcap if its name "
                  "ends in .pcap, "
                  "else pcapng; - for standard output");
  cmd->add_option("--refresh", args->refresh_ms, "status line refresh, in milliseconds")
      ->capture_default_str()
      ->check(NonNegative());
  cmd->callback([args] { RunAir(*args); });
}

}  // namespace airlab::cli
