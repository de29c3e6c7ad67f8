#pragma once
// The board's Wi-Fi as MicroPython's network.WLAN sees it, served to runtime/lib/network.py
// as "wlan.*" calls: the station (STA_IF) and soft-AP (AP_IF) interfaces, their MACs
// (the station's is the board's --mac, the AP's the same plus one in the last byte, as on
// an ESP32), and joining the lab's routers (BoardConfig.routers) in the simple model issue 11
// asks for: the SSID must exist, the password must match, the radio (and with it ESP-NOW)
// moves to the router's channel and the station gets an address. No frames go on the air for
// it (the next issue's work). The board's log (BoardContext::log) says when a join moves
// the radio, and why ESP-NOW peers left on the old channel stop hearing the board.
//
// The radio follows the interfaces: each active interface answers to its MAC on the air,
// and with neither active the radio is off (nothing is heard or acknowledged), as on an
// ESP32 whose Wi-Fi is stopped. Every reset stops both interfaces.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/mac_address.h"
#include "host/board/board_context.h"
#include "host/board/bridge.h"

namespace airlab::host::board {

// ESP-IDF's values that MicroPython's WLAN.status() returns (network.STAT_*).
inline constexpr int kStatIdle = 1000;
inline constexpr int kStatConnecting = 1001;
inline constexpr int kStatGotIp = 1010;
inline constexpr int kStatNoApFound = 201;      // WIFI_REASON_NO_AP_FOUND
inline constexpr int kStatWrongPassword = 202;  // WIFI_REASON_AUTH_FAIL

// The addresses of an interface: ifconfig()'s (ip, mask, gateway, dns).
using IpConfig = std::array<std::string, 4>;

class NetworkService {
 public:
  // `context` must outlive the service. Registers "wlan.*" with `bridge`; stops both
  // interfaces (the radio goes off) until Python starts one.
  NetworkService(const BoardContext& context, Bridge& bridge);
  NetworkService(const NetworkService&) = delete;
  NetworkService& operator=(const NetworkService&) = delete;

  // The station has joined a router and has an address: sockets can reach the host.
  bool station_connected() const { return router_.has_value(); }
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
  // What WLAN(STA_IF).scan() would list now (the station need not be active).
  std::vector<Network> ScanNetworks() const;
  // WLAN(STA_IF).active(True) then connect(ssid, password); the outcome is
  // station_status(). Throws PythonError (OSError) when the air refuses the radio.
  void JoinNetwork(const std::string& ssid, const std::string& password);
  // WLAN(STA_IF).status(): kStatGotIp, kStatNoApFound, kStatWrongPassword or kStatIdle.
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

  void Reset();
  void Register(Bridge& bridge);
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
  Json Scan();
  IpConfig CurrentIpConfig(bool station) const;

  const BoardContext& context_;
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
