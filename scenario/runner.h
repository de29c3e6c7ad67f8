#pragma once
// Running a scenario: one sim::Simulation node per scenario node, an espnow::Stack on each
// (a promiscuous listener for sniffers), the traffic as timed sends, responders answering,
// and counters of what became of every message, per node, per link and for the air.
//
//   scenario::Scenario s = scenario::LoadScenario("examples/lab.toml");
//   scenario::Runner run(s);
//   run.RunUntil(s.duration);
//   std::cout << scenario::FormatResults(s, run.results());
//
// Same scenario and seed: the same results, bit for bit.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "core/base/mac_address.h"
#include "platform/sim/simulation.h"
#include "scenario/routers.h"
#include "scenario/scenario.h"

namespace airlab::scenario {

// What became of the messages an application sent (to one link, or from one node).
// sent = acked + lost + queued.
struct Counts {
  uint64_t sent = 0;     // send() calls, refused ones included
  uint64_t acked = 0;    // reported delivered (ESP_NOW_SEND_SUCCESS): the peer's MAC
                         // acknowledged it, or for broadcast, it went on the air
  uint64_t lost = 0;     // no ACK after every retry, dropped, or refused by send()
  uint64_t refused = 0;  // of lost: send() refused it (the transmit queue was full)
  uint64_t queued = 0;   // still waiting for their report when the run stopped
  uint64_t retries = 0;  // retransmissions of the reported messages
  // Of the delivered messages, from send() to the delivery report (the ACK's end), sorted.
  std::vector<TimeNs> latencies;
};

// Messages from one node to one destination (a node, another MAC, or broadcast).
struct LinkResult {
  uint32_t from = 0;
  MacAddress to;
  std::optional<uint32_t> to_node;  // when `to` is a node of the scenario
  Counts counts;
  uint64_t received = 0;   // messages the destination's application got (for broadcast,
                           // copies, summed over the listeners)
  uint64_t listeners = 1;  // broadcast: the other ESP-NOW nodes on the sender's channel
  // received / (sent x listeners); 0 when nothing was sent.
  double delivery() const;
};

struct NodeResult {
  Counts counts;          // everything it sent
  uint64_t received = 0;  // messages its application got; a sniffer: frames it decoded
  // Messages its ESP-NOW layer dropped: receive queue full, duplicates, replays, failed
  // decryption, no key, plaintext from an encrypted peer, malformed.
  uint64_t rx_dropped = 0;
  sim::NodeStats radio;
  // acked / sent; 0 when nothing was sent.
  double delivery() const;
};

// One channel's frames.
struct ChannelResult {
  uint64_t frames = 0;           // every frame put on the air
  uint64_t acks = 0;             // of which ACKs
  uint64_t retransmissions = 0;  // of which with the retry bit
  TimeNs busy = 0;               // the time at least one frame was on the air
};

struct AirResult {
  std::map<uint8_t, ChannelResult> channels;  // the channels that carried frames
  uint64_t collisions = 0;  // receptions lost to an overlapping signal (summed over receivers)
  uint64_t rx_errors = 0;   // receptions locked on and lost, collisions included
  uint64_t refused = 0;     // sends refused because a node's transmit queue was full
};

struct Results {
  TimeNs simulated = 0;
  std::vector<NodeResult> nodes;  // in scenario order
  std::vector<LinkResult> links;  // by sender, then destination in scenario order
  AirResult air;
};

class Runner {
 public:
  // Builds the simulation; `scenario` must outlive the Runner. Throws std::invalid_argument
  // for what LoadScenario would have refused (a scenario built in code).
  explicit Runner(const Scenario& scenario);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  sim::Simulation& simulation() { return simulation_; }
  // The scenario's routers, on the simulation after its nodes.
  SimRouters& routers() { return *routers_; }
  // Advances to `time`, as fast as possible or paced by the scenario's speed. No message
  // is sent at or after the scenario's duration.
  void RunUntil(TimeNs time);
  Results results() const;

 private:
  // Named apart from espnow::Link and apps::Node, which they are not: a scenario node's
  // Stack and traffic, and one link's counters.
  class ScenarioNode;
  class Sniffer;
  class Air;
  struct LinkTally;

  LinkTally& LinkFor(uint32_t from, const MacAddress& to);

  const Scenario& scenario_;
  sim::Simulation simulation_;
  std::unique_ptr<Air> air_;
  std::unique_ptr<SimRouters> routers_;
  std::vector<std::unique_ptr<ScenarioNode>> nodes_;  // null for sniffers
  std::vector<std::unique_ptr<Sniffer>> sniffers_;
  std::vector<std::unique_ptr<LinkTally>> links_;
  std::map<std::pair<uint32_t, MacAddress>, LinkTally*> link_index_;
  std::map<MacAddress, uint32_t> node_by_mac_;
};

}  // namespace airlab::scenario
