#pragma once
// SoftAp port: a device's own access point (an ESP32's soft-AP, MicroPython's
// network.WLAN(AP_IF)), which the Wi-Fi manager opens as its fallback hotspot with the
// captive portal. On the simulated air, wifi::AccessPoint on the device's radio (real
// beacons, probe answers, joins); on an ESP32, esp_wifi_set_mode(WIFI_MODE_APSTA).
//
// Contract:
// - Start beacons `ssid` (open when `passphrase` is empty, WPA2-PSK otherwise) on `channel`,
//   or on the station's channel when the station is connected (an ESP32 has one radio).
//   kInvalidArgument for a bad passphrase (port::IsValidPassphrase) or channel; starting
//   again replaces the settings. The AP's own address is address() (192.168.4.1 unless the
//   platform says otherwise) and it leases 192.168.4.2 onwards to stations that join.
// - Stop deauthenticates every station and stops beaconing. Harmless when stopped.
//
// Calling context: the application's; no callbacks.
#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/port/wifi_station.h"

namespace airlab::port {

inline constexpr Ipv4Address kSoftApAddress = {192, 168, 4, 1};

class SoftAp {
 public:
  virtual ~SoftAp() = default;
  virtual Status Start(const Ssid& ssid, ByteSpan passphrase, uint8_t channel) = 0;
  virtual Status Stop() = 0;
  virtual bool running() const = 0;
  // Stations associated now.
  virtual size_t station_count() const = 0;
  virtual Ipv4Address address() const { return kSoftApAddress; }
};

}  // namespace airlab::port
