#pragma once
// The board's Wi-Fi as MicroPython's network.WLAN sees it, served to runtime/lib/network.py
// as "wlan.*" calls: the station (STA_IF) and soft-AP (AP_IF) interfaces, their MACs
// (the station's is the board's --mac, the AP's the same plus one in the last byte, as on
// an ESP32), on one radio shared with ESP-NOW (wifi::RadioShare over the board's HubRadio).
//
// On the air, for real: the soft-AP is a wifi::AccessPoint (beacons, probe answers, open
// or WPA2-PSK joins, DHCP leasing 192.168.4.2 onwards) while AP_IF is active; scan() is a
// wifi::Station's scan (probe requests on channels 1..13, RSSI from positions); connect()
// to a network heard on the air is the station's real join (authentication, association,
// 4-way handshake, DHCP), which Python polls with status()/isconnected() as on an ESP32,
// and ifconfig() is the lease. Joined, the radio (and ESP-NOW, and the soft-AP) follows
// the router's channel and refuses other channels.
//
// The lab's --router networks (BoardConfig.routers) are still the simple model of issue
// 11 until the hub hosts routers: listed by scan() at -45 dBm, joined at once when the
// password matches (the radio moves to their channel, 192.168.N.x), no frames on the air.
//
// The radio follows the interfaces: each active interface answers to its MAC on the air,
// and with neither active the radio is off (nothing is heard or acknowledged), as on an
// ESP32 whose Wi-Fi is stopped. Every reset stops both interfaces. The board's log
// (BoardContext::log) says when a join moves the radio, and why ESP-NOW peers left on the
// old channel stop hearing the board.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/mac_address.h"
#include "core/port/rng.h"
#include "core/port/timer.h"
#include "core/port/wifi_station.h"
#include "core/wifi/access_point.h"
#include "core/wifi/radio_share.h"
#include "core/wifi/station.h"
#include "host/board/board_context.h"
#include "host/board/bridge.h"
#include "platform/mbedtls/mbedtls_aes128.h"
#include "platform/mbedtls/mbedtls_sha1.h"

namespace airlab::host::board {

// ESP-IDF's values that MicroPython's WLAN.status() returns (network.STAT_*).
inline constexpr int kStatIdle = 1000;
inline constexpr int kStatConnecting = 1001;
inline constexpr int kStatGotIp = 1010;
inline constexpr int kStatNoApFound = 201;      // WIFI_REASON_NO_AP_FOUND
inline constexpr int kStatWrongPassword = 202;  // WIFI_REASON_AUTH_FAIL

// The addresses of an interface: ifconfig()'s (ip, mask, gateway, dns).
using IpConfig = std::array<std::string, 4>;

class NetworkService final : private port::WifiStationListener {
 public:
  // `context` must outlive the service. Registers "wlan.*" with `bridge`; stops both
  // interfaces (the radio goes off) until Python starts one.
  NetworkService(const BoardContext& context, Bridge& bridge);
  ~NetworkService();
  NetworkService(const NetworkService&) = delete;
  NetworkService& operator=(const NetworkService&) = delete;

  // ESP-NOW's share of the radio (the board's EspnowService runs its Stack on it).
  port::Radio& espnow_radio() { return share_.port(wifi::RadioShare::User::kEspNow); }

  // The station has joined a router and has an address: sockets can reach the host.
  bool station_connected() const { return router_.has_value() || air_station_->connected(); }
  // The soft-AP is up: what the board serves on 192.168.4.1 is the hotspot.
  bool access_point_active() const { return access_point_.active; }
  static MacAddress AccessPointMac(const MacAddress& station);

  // The WLAN operations in C++, for what drives the board's Wi-Fi from outside Python (the
  // Improv serial hook). They change the same state Python sees.
  struct Network {
    std::string ssid;  // raw bytes; empty for a hidden network
    MacAddress bssid;
    uint8_t channel = 0;
    int rssi_dbm = 0;
    int authmode = 0;  // network.AUTH_*: 0 open, 3 WPA2-PSK
    bool hidden = false;
  };
  // What the last scan heard on the air, then the lab's modelled routers (the station need
  // not be active; nothing is sent: StartScan, Python's scan() or a join refresh the air's
  // part).
  std::vector<Network> ScanNetworks() const;
  // Starts a scan on the air without waiting (the board's loop runs it, about 1.6 s);
  // ScanNetworks() has its results once scanning() is false. Throws PythonError (OSError)
  // when the station is busy joining or the air refuses the radio.
  void StartScan();
  bool scanning() const { return scanning_; }
  // WLAN(STA_IF).active(True) then connect(ssid, password); the outcome is
  // station_status(): at once for a modelled router, kStatConnecting then the outcome for
  // a network on the air (the join runs as the board's loop runs). Throws PythonError
  // (OSError) when the air refuses the radio or the password cannot be WPA2's.
  void JoinNetwork(const std::string& ssid, const std::string& password);
  // WLAN(STA_IF).status(): kStatGotIp, kStatConnecting, kStatIdle, or why the last join
  // failed or the link ended (200..204, ESP-IDF's reasons as MicroPython shows them).
  int station_status() const;
  // WLAN(STA_IF).ifconfig(): all 0.0.0.0 when not joined.
  IpConfig station_ip_config() const { return CurrentIpConfig(true); }
  // WLAN(AP_IF).ifconfig(): 192.168.4.1 unless Python set another.
  IpConfig access_point_ip_config() const { return CurrentIpConfig(false); }

 private:
  struct Interface {
    bool active = false;
    MacAddress mac;
    std::optional<IpConfig> ifconfig;  // set by ifconfig((...)); otherwise derived
  };

  // port::WifiStationListener (the air's station)
  void OnScanDone(std::span<const port::ScanEntry> results) override;
  void OnConnected(const port::Connection& connection) override;
  void OnDisconnected(port::WifiFailure why, uint16_t reason_code) override;

  void Reset();
  void Register(Bridge& bridge);
  // Starts (or restarts with the current settings) or stops the air's soft-AP.
  void ApplyAccessPoint();
  void LogJoin(const std::string& ssid, int from_channel, int to_channel);
  Interface& At(const Json& args);
  // Puts the radio in the state the interfaces ask for; OSError naming the fix if the air
  // refuses (another board uses the MAC).
  void ApplyRadio();
  void SetChannel(int channel);
  Json Active(const Json& args);
  Json ConfigGet(const Json& args);
  Json ConfigSet(const Json& args);
  Json Connect(const Json& args);
  void Join(const std::optional<std::string>& bssid, const std::string& key);
  Json WifiStatus(const Json& args);
  Json Scan(Waits& waits);
  IpConfig CurrentIpConfig(bool station) const;

  const BoardContext& context_;
  wifi::RadioShare share_;
  port::SplitMix64 rng_;
  mbedtls::MbedtlsAes128 aes_;
  mbedtls::MbedtlsSha1 sha1_;
  std::unique_ptr<port::Timer> station_timer_, ap_timer_;
  // Made again at each reset, as the Wi-Fi driver starts again.
  std::unique_ptr<wifi::Station> air_station_;
  std::unique_ptr<wifi::AccessPoint> air_ap_;
  std::vector<port::ScanEntry> heard_;  // the air's part of the last scan
  bool scan_done_ = false;
  bool scanning_ = false;
  uint8_t scan_home_ = 1;      // the radio's channel when the scan began
  int join_from_channel_ = 0;  // the radio's channel when the air join began
  Interface station_, access_point_;
  std::optional<size_t> router_;  // index into config.routers while joined
  int disconnect_reason_ = 0;     // ESP-IDF's last reason, 0 for none
  bool connect_requested_ = false;
  std::string station_ssid_;
  std::string ap_essid_, ap_password_;
  int ap_authmode_ = 0;
  int ap_channel_ = 1;
  bool ap_hidden_ = false;
  int ap_max_clients_ = 10;
  int power_management_ = 1;  // WIFI_PS_MIN_MODEM, ESP-IDF's default
  int reconnects_ = -1;
  int protocol_ = 7;  // 802.11 b/g/n
  double txpower_dbm_ = 20.0;
  std::string hostname_ = "mpy-esp32";
};

}  // namespace airlab::host::board
