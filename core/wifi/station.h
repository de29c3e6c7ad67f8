#pragma once
// Station: a Wi-Fi station on a port::Radio, as an ESP32's station interface behaves on
// the air (reference/wifi-join.md):
// - StartScan: on channels 1..13 in turn, a wildcard probe request, then listens for
//   beacons and probe responses for scan_dwell; a connected station comes back to its
//   router's channel for a beacon interval between channels.
// - Connect: the same scan with probes naming the SSID (so hidden networks answer), the
//   strongest BSS of that name (or the BSSID given); open system authentication,
//   association with an RSN element for WPA2-PSK, the 4-way handshake (Supplicant), then
//   DHCP DISCOVER / REQUEST in data frames (CCMP-protected under WPA2); OnConnected with
//   the lease. Every step is bounded: auth and assoc are sent step_attempts times,
//   step_timeout apart; the whole join ends by join_timeout.
// - Connected: follows its router's Channel Switch Announcements (the radio, and a shared
//   radio's other users, move with it), reports beacon_loss beacons missed in a row as
//   kBeaconTimeout and a Deauthentication or Disassociation as kDeauthenticated.
// The station's address is the radio's kStation interface address.
//
// Memory: the object holds everything (scan results, one frame buffer); no heap.
// Calling context: as AccessPoint.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/port/cipher.h"
#include "core/port/clock.h"
#include "core/port/radio.h"
#include "core/port/rng.h"
#include "core/port/sha1.h"
#include "core/port/timer.h"
#include "core/port/wifi_station.h"
#include "core/wifi/handshake.h"
#include "core/wifi/link_frames.h"
#include "core/wifi/radio_share.h"
#include "core/wire/dot11.h"

namespace airlab::wifi {

// The longest a join may take before OnDisconnected(kHandshakeTimeout): long enough for
// every retry of the AP's handshake (AccessPoint: 4 x 1 s) and of DHCP.
inline constexpr port::TimeNs kJoinTimeout = 10 * port::kSecond;

struct StationConfig {
  // The radio's share (RadioShare::station_hold()): held while joined, so ESP-NOW cannot
  // move the radio off the router's channel. nullptr: the station owns its radio.
  ChannelHold* channel_hold = nullptr;
  // Per channel: ESP-IDF's default active scan time, longer than a beacon interval so a
  // hidden network's beacon (it answers no wildcard probe) is heard too.
  port::TimeNs scan_dwell = 120 * port::kMillisecond;
  port::TimeNs step_timeout = 200 * port::kMillisecond;
  uint8_t step_attempts = 3;
  port::TimeNs join_timeout = kJoinTimeout;
  uint8_t beacon_loss = 8;  // beacons missed in a row before kBeaconTimeout
  // DHCP: DISCOVER and REQUEST sent dhcp_attempts times, dhcp_retry apart.
  port::TimeNs dhcp_retry = port::kSecond;
  uint8_t dhcp_attempts = 4;
  uint8_t last_channel = 13;
};

struct StationStats {
  uint64_t scans = 0;
  uint64_t probes = 0;
  uint64_t joins = 0;
  uint64_t failures = 0;
  uint64_t channel_switches = 0;
  uint64_t tx_errors = 0;
};

class Station final : public port::WifiStation,
                      private port::RadioListener,
                      private port::TimerListener {
 public:
  // Takes the radio's and the timer's listeners. Everything given must outlive the station.
  Station(port::Radio& radio, const port::Clock& clock, port::Timer& timer, port::Rng& rng,
          port::Aes128& aes, port::Sha1& sha1, const StationConfig& config = {});
  ~Station() override;
  Station(const Station&) = delete;
  Station& operator=(const Station&) = delete;

  // port::WifiStation
  Status StartScan() override;
  Status Connect(const port::Ssid& ssid, ByteSpan passphrase, const MacAddress* bssid) override;
  Status Disconnect() override;
  bool connected() const override { return state_ == State::kConnected; }
  const MacAddress& address() const override { return radio_.address(port::Interface::kStation); }

  // The link while connected (its channel follows the router).
  const port::Connection& connection() const { return connection_; }
  bool busy() const { return state_ != State::kIdle && state_ != State::kConnected; }
  const StationStats& stats() const { return stats_; }

 private:
  enum class State : uint8_t {
    kIdle,
    kScanning,  // StartScan's
    kJoinScan,  // Connect's probes for the SSID
    kAuthenticating,
    kAssociating,
    kHandshake,
    kDhcp,
    kConnected,
  };
  struct Bss {
    port::ScanEntry entry;
    uint16_t beacon_interval_tu = 100;
  };

  // port::RadioListener
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override;
  void OnTxDone(const port::TxReport&) override {}
  // port::TimerListener
  void OnTimer() override;

  void Rearm();
  bool scanning() const { return state_ == State::kScanning || scan_while_connected_; }
  Status BeginScan(bool join);
  void ScanStep();
  void ScanDone();
  void Record(const Bss& bss);
  void JoinBest();
  void SendAuthentication();
  void SendAssocRequest();
  void OnManagement(const wire::Dot11View& frame, const port::RxInfo& info);
  void OnBssFrame(const wire::Dot11View& frame, const port::RxInfo& info);
  void OnBeaconFromBss(ByteSpan elements);
  void OnData(ByteSpan mpdu);
  void StepTimeout();
  port::WifiFailure JoinFailureFor(uint16_t reason) const;
  void OnEapol(ByteSpan eapol);
  void StartDhcp();
  void SendDhcp();
  void OnDhcp(ByteSpan packet);
  void Associated();
  void Connected();
  void Fail(port::WifiFailure why, uint16_t reason);
  void Leave(uint16_t reason);
  void SendDeauth(uint16_t reason);
  void Send(ByteSpan mpdu);
  void SendData(uint16_t ethertype, ByteSpan payload);
  uint16_t NextSequence() { return seq_++ & 0xfff; }
  port::TimeNs beacon_interval() const;
  ByteSpan passphrase() const { return ByteSpan(passphrase_.data(), passphrase_size_); }

  port::Radio& radio_;
  const port::Clock& clock_;
  port::Timer& timer_;
  port::Rng& rng_;
  port::Aes128& aes_;
  port::Sha1& sha1_;
  const StationConfig config_;

  State state_ = State::kIdle;
  // Scanning: the channel being listened to (0: the router's, between channels).
  uint8_t scan_channel_ = 0;
  bool scan_while_connected_ = false;
  bool scan_home_ = false;
  std::array<Bss, port::kMaxScanResults> found_{};
  size_t found_count_ = 0;
  std::array<port::ScanEntry, port::kMaxScanResults> results_{};

  // The join.
  port::Ssid target_ssid_;
  MacAddress target_bssid_;
  bool target_bssid_given_ = false;
  std::array<std::byte, 64> passphrase_{};
  size_t passphrase_size_ = 0;
  Bss bss_;
  Pmk pmk_{};
  std::array<std::byte, kMaxRsnElementSize> rsn_element_{};
  size_t rsn_element_size_ = 0;
  std::optional<Supplicant> supplicant_;
  LinkKey tk_;  // once the handshake completed
  bool keyed_ = false;
  espnow::ReplayGuard replay_;
  // DHCP: the transaction, and the offer being requested.
  uint32_t xid_ = 0;
  bool requesting_ = false;
  port::Ipv4Address offered_{};
  port::Ipv4Address server_{};
  uint16_t ip_id_ = 0;
  uint8_t attempts_ = 0;
  port::TimeNs step_at_ = -1;
  port::TimeNs join_deadline_ = -1;

  // The link.
  port::Connection connection_;
  port::TimeNs last_beacon_ = 0;
  uint8_t switch_to_ = 0;
  port::TimeNs switch_at_ = -1;

  uint16_t seq_ = 0;
  StationStats stats_;
  // As AccessPoint's.
  std::array<std::byte, port::Radio::kMaxMpduSize> frame_{};
  std::array<std::byte, port::Radio::kMaxMpduSize> plain_{};
  std::array<std::byte, port::Radio::kMaxMpduSize> rx_{};
  std::array<std::byte, 512> payload_{};
  std::array<std::byte, 576> packet_{};
};

}  // namespace airlab::wifi
