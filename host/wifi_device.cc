#include "host/wifi_device.h"

namespace airlab::host {
namespace {

constexpr char kPortalUrl[] = "http://192.168.4.1/";

}  // namespace

WifiDevice::WifiDevice(port::Radio& radio, const TimerFactory& new_timer, const port::Clock& clock,
                       port::CredentialStore& store, const wifi::WifiManagerConfig& config,
                       uint64_t seed, port::TimeNs scan_dwell)
    : share_(radio),
      station_timer_(new_timer()),
      hotspot_timer_(new_timer()),
      manager_timer_(new_timer()),
      station_rng_(seed * 3 + 1),
      hotspot_rng_(seed * 3 + 2),
      manager_rng_(seed * 3 + 3) {
  wifi::WifiManagerConfig c = config;
  if (c.ap_mac == MacAddress()) {
    std::array<uint8_t, MacAddress::kSize> octets =
        radio.address(port::Interface::kStation).octets();
    octets[5] = static_cast<uint8_t>(octets[5] + 1);
    c.ap_mac = MacAddress(octets);
  }
  share_.port(wifi::RadioShare::User::kAccessPoint)
      .SetAddress(port::Interface::kAccessPoint, c.ap_mac)
      .IgnoreError();  // a sim or hub radio takes any unicast address
  // ESP-NOW's share is on from the start, as an ESP32's radio is once Wi-Fi has started
  // (the Stack itself never turns a radio on).
  espnow_radio().SetEnabled(true).IgnoreError();  // a sim or hub radio always turns on
  station_ = std::make_unique<wifi::Station>(
      share_.port(wifi::RadioShare::User::kStation), clock, *station_timer_, station_rng_, aes_,
      sha1_, wifi::StationConfig{.channel_hold = &share_.station_hold(), .scan_dwell = scan_dwell});
  wifi::AccessPointConfig hotspot;
  hotspot.captive_portal_url = AsBytes(kPortalUrl, sizeof kPortalUrl - 1);
  hotspot_ = std::make_unique<wifi::AccessPoint>(
      share_.port(wifi::RadioShare::User::kAccessPoint), port::Interface::kAccessPoint, clock,
      *hotspot_timer_, hotspot_rng_, aes_, sha1_, hotspot);
  manager_ = std::make_unique<wifi::WifiManager>(*station_, *hotspot_, store, clock,
                                                 *manager_timer_, manager_rng_, c);
}

}  // namespace airlab::host
