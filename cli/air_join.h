#pragma once
// Joining the `airlab air` hub with one radio, as `airlab gateway` and `airlab node` do.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/base/mac_address.h"
#include "host/monitor_iface.h"
#include "platform/air/client.h"

namespace airlab::cli {

// The hub connection and a role's radio on it; the radio goes before the connection.
struct AirLink {
  std::unique_ptr<air::HubClient> air;
  std::unique_ptr<air::HubRadio> radio;
};

// Connects to the hub at `hub` as "ROLE NAME" and adds a radio with `mac` on `channel`, at
// `position` on the air.
// Throws UserError naming the fix: start `airlab air`, or give another --mac.
AirLink JoinAir(const std::string& hub, const std::string& role, const std::string& name,
                const MacAddress& mac, uint8_t channel, sim::Position position = {});

// Opens the monitor interface `iface` for a role (host::OpenMonitor): on `channel`, and with
// `mac` as its MAC when given. Throws UserError naming the fix (sudo, `airlab iface setup`).
host::MonitorLink JoinIface(const std::string& iface, uint8_t channel,
                            std::optional<MacAddress> mac);

}  // namespace airlab::cli
