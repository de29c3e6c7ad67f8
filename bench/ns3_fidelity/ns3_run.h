#pragma once
// The ns-3 half of the fidelity benchmark: a scenario run in ns-3 3.37 (Debian's libns3),
// kept in its own file so that ns-3's headers meet no other code.

#include <cstdint>

#include "scenario/scenario.h"

namespace airlab::bench {

struct Ns3Outcome {
  uint64_t sent = 0;      // packets the senders' applications sent
  uint64_t received = 0;  // packets the destinations' applications received
};

// Runs `scenario` in ns-3 with its defaults for the air (YansWifiChannel, log-distance
// loss, 802.11b at a constant 1 Mb/s DSSS, NistErrorRateModel, ad hoc MAC), the nodes at
// the same positions and powers, and each traffic as a UdpClient to a UdpServer at the
// destination. ARP caches are filled beforehand (NeighborCacheHelper), as ESP-NOW has no
// address resolution. ns-3's frames carry LLC/SNAP, IPv4 and UDP headers (36 bytes) where
// ESP-NOW's carry its 15-byte vendor element: each UDP payload is 21 bytes shorter than
// the ESP-NOW payload, so that both frames have the same length and airtime (a 250-byte
// ESP-NOW payload: 293 bytes on the air in both).
// Supports what the benchmark needs and throws std::invalid_argument for the rest: one
// channel, periodic unicast traffic to nodes of the scenario with an explicit start, no
// shadowing, no encryption.
Ns3Outcome RunInNs3(const scenario::Scenario& scenario);

}  // namespace airlab::bench
