#pragma once
// Monitor interfaces for the commands: make one ready (a monitor, "active" so the adapter
// ACKs frames to its MAC, up, on a channel, with a MAC), take one down again, and open a
// MonitorRadio on one for a role, a sniffer or `airlab espnow send|recv`.
//
// Errors throw linux_port::InterfaceError with a sentence naming the fix (sudo/setcap,
// nmcli, `airlab iface list`).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/base/mac_address.h"
#include "platform/linux/event_loop.h"
#include "platform/linux/monitor_radio.h"
#include "platform/linux/nl80211.h"

namespace airlab::host {

struct MonitorSetup {
  std::string iface;
  // Make `iface` as a new interface on this phy ("phy0"), instead of switching an
  // existing interface `iface` to monitor mode.
  std::optional<std::string> phy;
  std::optional<uint8_t> channel;
  std::optional<MacAddress> mac;
};

struct MonitorReady {
  linux_port::InterfaceInfo iface;
  // The phy cannot ACK from a monitor interface: unicast to it will show as not delivered.
  bool passive = false;
};

// Needs CAP_NET_ADMIN.
MonitorReady SetupMonitor(const MonitorSetup& setup);

struct TeardownResult {
  bool deleted = false;  // else switched back to managed and left down
};
// Deletes `iface` when its phy has other interfaces (a monitor `setup --phy` added);
// otherwise switches it back to a managed interface, down. Needs CAP_NET_ADMIN.
TeardownResult TeardownMonitor(const std::string& iface);

// A radio on a monitor interface with the loop it runs on; the radio goes first.
struct MonitorLink {
  std::unique_ptr<linux_port::EventLoop> loop;
  std::unique_ptr<linux_port::MonitorRadio> radio;
};

// Opens `iface` (set up by SetupMonitor). `channel`, when given and not the interface's,
// moves it there; `mac`, when given and not the interface's, becomes its MAC (the adapter
// ACKs only its own): both need CAP_NET_ADMIN, the rest CAP_NET_RAW. The radio answers to
// the interface's MAC as its station address.
MonitorLink OpenMonitor(const std::string& iface, std::optional<uint8_t> channel = std::nullopt,
                        std::optional<MacAddress> mac = std::nullopt);

}  // namespace airlab::host
