#pragma once
// The sniffer's demo scene on the simulated air: five ESP-NOW nodes on channel 1 (two
// broadcasting sensors, a unicast pair with ACKs and retries, one v2 sender of long
// payloads), an access point beaconing on channel 1 and another on channel 6, and a
// sniffing node in the middle. `airlab sniff --sim` and the Wireshark extcap capture it;
// tests and benchmarks can run it on their own simulation.

#include <cstdint>
#include <memory>
#include <vector>

#include "platform/sim/simulation.h"

namespace airlab::host {

class SniffScene {
 public:
  // Adds the scene's nodes to `simulation` (the sniffer first, on `sniffer_channel`) and
  // schedules their traffic; `seed` varies their timing and payloads. The scene must
  // outlive the simulation's run.
  SniffScene(sim::Simulation& simulation, uint8_t sniffer_channel, uint64_t seed);
  ~SniffScene();
  SniffScene(const SniffScene&) = delete;
  SniffScene& operator=(const SniffScene&) = delete;

  // The node standing in the middle, for a promiscuous radio to listen with.
  uint32_t sniffer() const { return sniffer_; }

 private:
  class EspnowNode;
  class BeaconingAccessPoint;

  uint32_t sniffer_ = 0;
  std::vector<std::unique_ptr<EspnowNode>> nodes_;
  std::vector<std::unique_ptr<BeaconingAccessPoint>> access_points_;
};

}  // namespace airlab::host
