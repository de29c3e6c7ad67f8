#pragma once
// The device behind `airlab portal`: airlab's Wi-Fi manager on a simulated ESP32
// (host/wifi_device.h: one radio shared by a Station and the soft-AP that is its fallback
// hotspot) in an in-process simulated air with the lab's routers (wifi::AccessPoint nodes). The portal's routes talk to the real manager: /wifi shows what the
// station's real scan heard, /wifisave saves the credentials and the station really joins
// (authentication, association, the 4-way handshake, DHCP), and the menu shows the outcome.
//
// ServePortal runs it all in one thread: the portal server's poll loop, and between polls
// the simulated air caught up to the wall clock.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/wifi/manager.h"
#include "host/portal_server.h"
#include "platform/sim/propagation.h"

namespace airlab::host {

// A router on the device's air.
struct PortalRouter {
  std::string ssid;
  std::string password;  // empty: an open network
  uint8_t channel = 1;
  sim::Position position;  // the device is at the origin
};

struct PortalDeviceConfig {
  std::vector<PortalRouter> routers;
  std::string device_name = "airlab-portal";
  // The stored networks and parameters; empty: kept in memory for this run only.
  std::filesystem::path credentials;
  uint64_t seed = 1;
};

// The routers `airlab portal` puts on the air without --lab: a WPA2 one, an open one.
std::vector<PortalRouter> DefaultPortalRouters();

class PortalDevice {
 public:
  // Starts the manager; `log` gets each of its events as one line ("portal: no stored
  // networks"). Throws std::invalid_argument for a router spec the air refuses,
  // std::runtime_error when the manager cannot start.
  PortalDevice(const PortalDeviceConfig& config, std::function<void(const std::string&)> log);
  ~PortalDevice();
  PortalDevice(const PortalDevice&) = delete;
  PortalDevice& operator=(const PortalDevice&) = delete;

  wifi::WifiManager& manager();
  // Runs the simulated air until `t` (simulated time, ns since the device started).
  void RunUntil(port::TimeNs t);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

// Serves `portal` with `server` and runs `device`'s air paced to the wall clock until `stop`.
void ServePortal(PortalDevice& device, PortalServer& server, wifi::Portal& portal,
                 const std::atomic<bool>& stop);

// A manager event as one line of text.
std::string DescribeManagerEvent(const wifi::ManagerEvent& event);

}  // namespace airlab::host
