#include "platform/sim/simulation.h"

#include <stdexcept>

#include "platform/sim/random.h"

namespace airlab::sim {

Simulation::Simulation(SimulationConfig config)
    : config_(std::move(config)), medium_(scheduler_, config_.seed, config_.medium) {}

uint32_t Simulation::AddNode(const NodeConfig& config) {
  if (config.channel < 1 || config.channel > 14) throw std::invalid_argument("channel not in 1-14");
  if (config.address && config.address->is_multicast()) {
    throw std::invalid_argument("a station address must be unicast");
  }
  const uint32_t node =
      medium_.AddNode(config.position, config.channel, config.tx_power_dbm, config.noise_figure_db);
  radios_.push_back(std::make_unique<SimRadio>(scheduler_, medium_, node, config_.mac,
                                               MakeStream(config_.seed, Stream::kMac, node)));
  SimRadio& radio = *radios_.back();
  const MacAddress address = config.address.value_or(
      MacAddress({0x02, 0x00, static_cast<uint8_t>(node >> 24), static_cast<uint8_t>(node >> 16),
                  static_cast<uint8_t>(node >> 8), static_cast<uint8_t>(node)}));
  // Checked above; the sim's Do... methods never refuse.
  radio.SetChannel(config.channel).IgnoreError();
  radio.SetAddress(port::Interface::kStation, address).IgnoreError();
  if (config.enabled) radio.SetEnabled(true).IgnoreError();
  return node;
}

NodeStats Simulation::stats(uint32_t node) const {
  return {radios_[node]->mac_stats(), medium_.phy(node).stats()};
}

}  // namespace airlab::sim
