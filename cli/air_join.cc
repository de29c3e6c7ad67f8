#include "cli/air_join.h"

#include "cli/commands.h"

namespace airlab::cli {

AirLink JoinAir(const std::string& hub, const std::string& role, const std::string& name,
                const MacAddress& mac, uint8_t channel, sim::Position position) {
  AirLink link;
  try {
    link.air = std::make_unique<air::HubClient>(hub, role + " " + name);
  } catch (const air::HubError& e) {
    throw UserError(e.what());  // names the fix (start `airlab air`)
  }
  air::NodeSpec spec;
  spec.name = name;
  spec.mac = mac;
  spec.channel = channel;
  spec.position = position;
  try {
    link.radio = link.air->AddNode(spec);
  } catch (const air::HubError& e) {
    throw UserError("the air refused the " + role + "'s radio: " + e.what() + " (--mac)");
  }
  return link;
}

host::MonitorLink JoinIface(const std::string& iface, uint8_t channel,
                            std::optional<MacAddress> mac) {
  try {
    return host::OpenMonitor(iface, channel, mac);
  } catch (const linux_port::InterfaceError& e) {
    throw UserError(e.what());
  }
}

}  // namespace airlab::cli
