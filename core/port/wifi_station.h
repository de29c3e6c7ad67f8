#pragma once
// WifiStation port: a device's Wi-Fi station interface as an application (the Wi-Fi
// manager, the gateway) drives it: scan, join one network, learn its address, hear when the
// link is lost. On an ESP32 it is esp_wifi_scan_start / esp_wifi_connect and their events;
// on the simulated air, wifi::Station (real probe, authentication, association and 4-way
// handshake frames on a Radio); on Linux, later, the system's supplicant.
//
// Contract:
// - Non-blocking: StartScan and Connect return at once; the outcome comes to the listener.
//   One operation at a time: kFailedPrecondition while a scan or a join is under way.
// - StartScan: every channel (1..13), wildcard probes, then OnScanDone with each network
//   heard once (the strongest report of a BSSID), strongest first, at most kMaxScanResults.
//   A station that is connected scans too and stays connected (it comes back to its
//   router's channel between channels).
// - Connect: joins `ssid` (the strongest BSS of that name, or `bssid` when given) with
//   `passphrase` (empty for an open network). kInvalidArgument for a passphrase that is not
//   8..63 characters or 64 hex digits (or not empty for open). The join ends in OnConnected
//   (associated, keys installed, address leased) or OnDisconnected with why it failed,
//   within the platform's bounded join time (the sim: kJoinTimeout). Connecting drops any
//   link the station had.
// - Once connected, the station follows its router (and the radio with it: ESP-NOW moves
//   to the router's channel). Losing the link (deauthentication, beacons no longer heard,
//   the router gone) is one OnDisconnected; the station does not reconnect by itself:
//   reconnecting is the application's policy (the Wi-Fi manager's backoff).
// - Disconnect: leaves the network (a Deauthentication on the air), then OnDisconnected
//   with kLeft. Harmless when not connected.
//
// Calling context: listener calls come from the platform's radio context (sim: the
// scheduler; ESP-IDF: the event loop), never inside StartScan, Connect or Disconnect.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/port/clock.h"

namespace airlab::port {

// An SSID: 0..32 raw bytes, not necessarily text (SSIDs come from the air and may hold any
// byte; show them escaped).
class Ssid {
 public:
  static constexpr size_t kMaxSize = 32;
  constexpr Ssid() = default;
  // False (and the Ssid left empty) when `bytes` is longer than kMaxSize.
  constexpr bool Assign(ByteSpan bytes) {
    if (bytes.size() > kMaxSize) return false;
    size_ = static_cast<uint8_t>(bytes.size());
    for (size_t i = 0; i < bytes.size(); ++i) bytes_[i] = bytes[i];
    return true;
  }
  constexpr ByteSpan bytes() const { return ByteSpan(bytes_.data(), size_); }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  friend constexpr bool operator==(const Ssid& a, const Ssid& b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i) {
      if (a.bytes_[i] != b.bytes_[i]) return false;
    }
    return true;
  }

 private:
  std::array<std::byte, kMaxSize> bytes_{};
  uint8_t size_ = 0;
};

// MicroPython's WLAN.scan() security numbers (reference/wifi-join.md).
enum class WifiAuth : uint8_t { kOpen = 0, kWep = 1, kWpaPsk = 2, kWpa2Psk = 3, kWpaWpa2Psk = 4 };

struct ScanEntry {
  Ssid ssid;  // empty for a hidden network that answered no probe naming it
  MacAddress bssid;
  uint8_t channel = 0;
  int8_t rssi_dbm = 0;
  WifiAuth auth = WifiAuth::kOpen;
  bool hidden = false;
};
inline constexpr size_t kMaxScanResults = 32;

using Ipv4Address = std::array<uint8_t, 4>;
struct Ipv4Config {
  Ipv4Address address{};
  Ipv4Address netmask{};
  Ipv4Address gateway{};
  Ipv4Address dns{};
};

struct Connection {
  Ssid ssid;
  MacAddress bssid;
  uint8_t channel = 0;
  int8_t rssi_dbm = 0;
  Ipv4Config ip;
};

// Why a join failed or a link ended. The numbers of the first five are MicroPython's
// WLAN.status() values on an ESP32, so a board shows them unchanged.
enum class WifiFailure : uint16_t {
  kBeaconTimeout = 200,     // the router stopped being heard
  kNoApFound = 201,         // no BSS of that name answered
  kWrongPassword = 202,     // the 4-way handshake's MIC failed (the AP's deauth reason 15/2/23)
  kAssocFail = 203,         // authentication or association refused
  kHandshakeTimeout = 204,  // message 1 or 3 never came, or no address was leased
  kDeauthenticated = 205,   // the router sent a Deauthentication or Disassociation
  kLeft = 206,              // Disconnect() was called
};

class WifiStationListener {
 public:
  // `results` is valid only during the call.
  virtual void OnScanDone(std::span<const ScanEntry> results) = 0;
  virtual void OnConnected(const Connection& connection) = 0;
  // A join that failed or a link that ended. `reason_code` is the 802.11 reason of a
  // received Deauthentication/Disassociation, 0 otherwise.
  virtual void OnDisconnected(WifiFailure why, uint16_t reason_code) = 0;

 protected:
  ~WifiStationListener() = default;
};

class WifiStation {
 public:
  virtual ~WifiStation() = default;
  void SetListener(WifiStationListener* listener) { listener_ = listener; }

  virtual Status StartScan() = 0;
  // `bssid` null: any BSS named `ssid`.
  virtual Status Connect(const Ssid& ssid, ByteSpan passphrase, const MacAddress* bssid) = 0;
  virtual Status Disconnect() = 0;
  virtual bool connected() const = 0;
  virtual const MacAddress& address() const = 0;

 protected:
  WifiStationListener* listener() const { return listener_; }

 private:
  WifiStationListener* listener_ = nullptr;
};

// A passphrase WPA2-PSK accepts: 8..63 printable ASCII characters, or 64 hex digits (the
// PSK itself); empty means an open network.
constexpr bool IsValidPassphrase(ByteSpan p) {
  if (p.empty()) return true;
  if (p.size() == 64) {
    for (std::byte b : p) {
      const char c = static_cast<char>(b);
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex) return false;
    }
    return true;
  }
  if (p.size() < 8 || p.size() > 63) return false;
  for (std::byte b : p) {
    if (static_cast<uint8_t>(b) < 0x20 || static_cast<uint8_t>(b) > 0x7e) return false;
  }
  return true;
}

}  // namespace airlab::port
