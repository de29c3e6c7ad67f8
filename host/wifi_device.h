#pragma once
// WifiDevice: an ESP32's Wi-Fi as a host composes it for a role (the gateway): one radio
// shared (wifi::RadioShare) by ESP-NOW, the station and the soft-AP, with the Wi-Fi
// manager (wifi::WifiManager) joining the stored networks through the station and opening
// its fallback hotspot on the soft-AP. The role's ESP-NOW Stack takes espnow_radio(): the
// radio goes where the joined station is, and moves when its router moves.
//
// Works over any port::Radio (a sim node, a hub node) with that radio's timers.
// Calling context: the radio's (the sim's scheduler thread, the hub client's thread).

#include <functional>
#include <memory>

#include "core/port/clock.h"
#include "core/port/credential_store.h"
#include "core/port/radio.h"
#include "core/port/rng.h"
#include "core/port/timer.h"
#include "core/wifi/access_point.h"
#include "core/wifi/manager.h"
#include "core/wifi/radio_share.h"
#include "core/wifi/station.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab::host {

using TimerFactory = std::function<std::unique_ptr<port::Timer>()>;

class WifiDevice {
 public:
  // The radio, clock and store must outlive the device, and `config`'s strings too. The
  // soft-AP's BSSID is config.ap_mac, or the station's address plus one (as an ESP32's).
  // `scan_dwell`: the station's time per channel when it scans.
  WifiDevice(port::Radio& radio, const TimerFactory& new_timer, const port::Clock& clock,
             port::CredentialStore& store, const wifi::WifiManagerConfig& config, uint64_t seed,
             port::TimeNs scan_dwell = wifi::StationConfig{}.scan_dwell);
  WifiDevice(const WifiDevice&) = delete;
  WifiDevice& operator=(const WifiDevice&) = delete;

  port::Radio& espnow_radio() { return share_.port(wifi::RadioShare::User::kEspNow); }
  wifi::WifiManager& manager() { return *manager_; }
  wifi::Station& station() { return *station_; }
  wifi::AccessPoint& hotspot() { return *hotspot_; }
  // The joined station's channel, 0 when not joined.
  uint8_t joined_channel() const {
    return station_->connected() ? station_->connection().channel : 0;
  }

 private:
  wifi::RadioShare share_;
  std::unique_ptr<port::Timer> station_timer_, hotspot_timer_, manager_timer_;
  port::SplitMix64 station_rng_, hotspot_rng_, manager_rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  std::unique_ptr<wifi::Station> station_;
  std::unique_ptr<wifi::AccessPoint> hotspot_;
  std::unique_ptr<wifi::WifiManager> manager_;
};

}  // namespace airlab::host
