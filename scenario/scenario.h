#pragma once
// A scenario: the nodes of an experiment on the simulated air, where they stand, what
// they send to whom, and for how long - what a TOML scenario file describes (the schema
// is in examples/README.md). LoadScenario reads and checks a file; scenario/runner.h runs
// one. Scenarios may also be built in code (the ns-3 fidelity benchmark does).

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/mac_address.h"
#include "core/espnow/codec.h"
#include "core/espnow/link.h"
#include "core/port/clock.h"
#include "platform/sim/propagation.h"
#include "platform/sim/traffic.h"
#include "scenario/file_error.h"
#include "scenario/routers.h"

namespace airlab::scenario {

using port::TimeNs;

// What a scenario file, or a value in one, got wrong (scenario/file_error.h).
using ScenarioError = FileError;

enum class Role : uint8_t {
  kNode,  // an ESP-NOW node: sends its traffic, receives
  // An ESP-NOW node that also answers every unicast message it receives. Files call it
  // role = "gateway" (kept for the files' sake); in C++ it is a responder, because it is
  // not apps::Gateway, the lab's Master.
  kResponder,
  kSniffer,  // a radio in promiscuous mode: sends nothing, acknowledges nothing, counts
             // what it hears
};
const char* RoleName(Role role);

// kPeriodic: every `interval`; kPoisson: exponential gaps with `interval` as their mean.
using Arrivals = sim::Arrivals;

// An ESP-NOW peer of a node (its esp_now_add_peer).
struct PeerSpec {
  MacAddress mac;
  bool encrypt = false;
  espnow::Key lmk{};
  espnow::Version version = espnow::Version::kV1;
  uint8_t channel = 0;  // 0: the node's channel

  friend bool operator==(const PeerSpec&, const PeerSpec&) = default;
};

// Messages a node sends to one peer, or to every node in range (broadcast).
struct TrafficSpec {
  MacAddress to;  // a peer of the node, or MacAddress::Broadcast()
  // The payload: this text with "{seq}" replaced by the message's number (from 0) and
  // "{node}" by the sender's name; when empty, payload_size bytes.
  std::string payload;
  size_t payload_size = 0;
  Arrivals arrivals = Arrivals::kPeriodic;
  TimeNs interval = port::kSecond;  // the period, or the mean gap
  uint64_t count = 0;               // messages in all; 0: until the end of the run
  // The first message; by default at a random phase in [0, interval), so that periodic
  // senders do not all start at once.
  std::optional<TimeNs> start;
};

struct NodeSpec {
  std::string name;
  MacAddress mac;  // its station address: ESP-NOW sends from it and answers to it
  sim::Position position;
  uint8_t channel = 1;
  double tx_power_dbm = 16.0206;  // the sim's (and ns-3's) default
  double noise_figure_db = 7.0;
  Role role = Role::kNode;
  espnow::Key pmk{};
  // A responder's answer: text with "{msg}" replaced by the message it answers (as text)
  // and "{seq}" by the answer's number.
  std::string reply = "ok";
  std::vector<PeerSpec> peers;  // at most ESP-NOW's 20, of which 6 encrypted
  std::vector<TrafficSpec> traffic;
};

// The air model's parameters that a scenario may change (air-model.md; ns-3's defaults).
struct AirSpec {
  double path_loss_exponent = 3.0;
  double reference_loss_db = 46.6777;
  double reference_distance_m = 1.0;
  double shadowing_sigma_db = 0.0;
};

struct Scenario {
  std::string source;  // where it came from (a file name), for messages
  std::string description;
  uint64_t seed = 1;
  TimeNs duration = 10 * port::kSecond;
  // 0: as fast as the machine goes; otherwise simulated time runs `speed` times the
  // wall clock (1: real time).
  double speed = 0.0;
  AirSpec air;
  std::vector<NodeSpec> nodes;
  // Access points on the air (their nodes come after `nodes`), and what happens to them.
  std::vector<RouterSpec> routers;
  std::vector<RouterEvent> events;

  // The node with this name or station address, if any.
  std::optional<uint32_t> FindNode(std::string_view name) const;
  std::optional<uint32_t> FindNode(const MacAddress& mac) const;
};

// ESP-IDF's peer limits (ESP_NOW_MAX_TOTAL_PEER_NUM, ESP_NOW_MAX_ENCRYPT_PEER_NUM), which
// the Stack enforces too.
inline constexpr size_t kMaxPeers = 20;
inline constexpr size_t kMaxEncryptedPeers = 6;

// Reads and checks a scenario file. Throws ScenarioError (file, line, column and fix)
// for a file that cannot be read, bad TOML, an unknown key, a value of the wrong kind or
// range, a name or MAC used twice, traffic to an unknown node, too many peers, a payload
// too long for its peer's ESP-NOW version.
Scenario LoadScenario(const std::string& path);
// The same for TOML text; `source` names it in messages.
Scenario ParseScenario(std::string_view text, const std::string& source);

// "250ms", "1.5s", "2min", "100us" or a bare number of seconds, as scenario files and the
// command line write durations. std::nullopt when `text` is none of those.
std::optional<TimeNs> ParseDuration(std::string_view text);

// The MAC the sim gives a node without one: 02:00 followed by its 32-bit number.
MacAddress DefaultMac(uint32_t node);

}  // namespace airlab::scenario
