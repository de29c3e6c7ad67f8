#pragma once
// AccessPoint: a Wi-Fi access point on a port::Radio, as a router or an ESP32's soft-AP
// puts it on the air (reference/wifi-join.md, "The exchange on the air"):
// - beacons every beacon interval (the SSID left empty when hidden; an RSN element for
//   WPA2-PSK), and answers probe requests (a hidden AP only those naming it);
// - open system authentication, association (an AID per station, at most max_stations);
// - for WPA2-PSK the 4-way handshake (Authenticator): message 1 sent again when message 2
//   does not come or its MIC fails, then Deauthentication with reason 15;
// - the pairwise key and the GTK installed, it leases addresses with DHCP over the data
//   frames (CCMP-protected under WPA2);
// - events a scenario schedules: Deauthenticate, Reboot (silent, forgets every station),
//   SwitchChannel (announced in beacons, then moved).
// Its BSSID is the radio's address of the interface it is given (kAccessPoint on an
// ESP32; a router's node's address).
//
// Memory: the object holds everything (stations, leases, one frame buffer); no heap.
// Calling context: the radio's and the timer's (their listener calls), and the
// application's for the public methods; never from two threads at once.

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
#include "core/port/soft_ap.h"
#include "core/port/timer.h"
#include "core/port/wifi_station.h"
#include "core/wifi/handshake.h"
#include "core/wifi/link_frames.h"
#include "core/wire/mgmt.h"

namespace airlab::wifi {

inline constexpr port::Ipv4Address kRouterAddress = {192, 168, 1, 1};
inline constexpr port::Ipv4Address kNetmask24 = {255, 255, 255, 0};
inline constexpr size_t kMaxPortalUrl = 64;

struct AccessPointConfig {
  port::Ssid ssid;
  // 8..63 characters or 64 hex digits (port::IsValidPassphrase); empty: an open network.
  // Copied by Start.
  ByteSpan passphrase;
  uint8_t channel = 1;
  bool hidden = false;
  uint16_t beacon_interval_tu = 100;  // 102.4 ms, every AP's default
  // The AP's own address, the gateway and DNS server it hands out (itself), and the pool
  // it leases from: the same /24, from first_lease up.
  port::Ipv4Address address = port::kSoftApAddress;
  port::Ipv4Address netmask = kNetmask24;
  uint8_t first_lease = 2;
  uint32_t lease_seconds = 7200;
  // DHCP option 114 (RFC 8910), the captive portal's URL (a hotspot's "http://192.168.4.1/");
  // copied by Start, at most kMaxPortalUrl bytes; empty: not sent.
  ByteSpan captive_portal_url;
  // ESP-IDF's soft-AP default (wifi_ap_config_t.max_connection); at most kMaxStations.
  uint8_t max_stations = 4;
};

struct AccessPointStats {
  uint64_t beacons = 0;
  uint64_t probe_responses = 0;
  uint64_t associations = 0;  // association responses with status 0
  uint64_t joins = 0;         // stations that got keys (WPA2) or associated (open)
  uint64_t handshake_failures = 0;
  uint64_t deauthentications = 0;  // sent
  uint64_t leases = 0;             // DHCP ACKs sent
  uint64_t tx_errors = 0;          // frames the radio refused
};

// What a host shows of a station: its MAC, association ID, leased address (all zero until
// leased) and whether it has its keys (always, once associated, on an open network).
struct AccessPointStation {
  MacAddress mac;
  uint16_t aid = 0;
  port::Ipv4Address ip{};
  bool authorized = false;
};

class AccessPointListener {
 public:
  virtual void OnStationJoined(const AccessPointStation& station) = 0;
  virtual void OnStationLeased(const AccessPointStation& station) = 0;
  // `reason`: the 802.11 reason code of the Deauthentication sent or received.
  virtual void OnStationLeft(const MacAddress& station, uint16_t reason) = 0;
  // A handshake given up (a wrong passphrase, as an AP can tell).
  virtual void OnJoinFailed(const MacAddress& station, port::WifiFailure why) = 0;

 protected:
  ~AccessPointListener() = default;
};

class AccessPoint final : public port::SoftAp,
                          private port::RadioListener,
                          private port::TimerListener {
 public:
  static constexpr size_t kMaxStations = 10;
  // The 4-way handshake: message 1 (or 3) sent this many times, this long apart, before
  // the station is deauthenticated (hostapd's dot11RSNAConfigPairwiseUpdateCount is 4).
  static constexpr uint8_t kHandshakeAttempts = 4;
  static constexpr port::TimeNs kHandshakeRetry = port::kSecond;
  // Beacons carrying the Channel Switch Announcement before SwitchChannel moves.
  static constexpr uint8_t kChannelSwitchBeacons = 3;

  // Takes the radio's and the timer's listeners. Everything given must outlive the AP.
  // `defaults` gives what SoftAp::Start does not say (addresses, hidden, interval...).
  AccessPoint(port::Radio& radio, port::Interface interface, const port::Clock& clock,
              port::Timer& timer, port::Rng& rng, port::Aes128& aes, port::Sha1& sha1,
              const AccessPointConfig& defaults = {});
  ~AccessPoint() override;
  AccessPoint(const AccessPoint&) = delete;
  AccessPoint& operator=(const AccessPoint&) = delete;

  void SetListener(AccessPointListener* listener) { listener_ = listener; }

  // Starts (or restarts with new settings: stations are deauthenticated) beaconing on
  // config.channel, or on the radio's channel when the radio refuses to move (a shared
  // radio whose station is joined). Enables the radio. kInvalidArgument: an empty SSID, a
  // bad passphrase or channel, a portal URL over kMaxPortalUrl, max_stations 0 or over kMaxStations, a zero interval;
  // the radio's errors.
  Status Start(const AccessPointConfig& config);

  // port::SoftAp: Start with the defaults' other fields.
  Status Start(const port::Ssid& ssid, ByteSpan passphrase, uint8_t channel) override;
  Status Stop() override;
  bool running() const override { return running_; }
  size_t station_count() const override;
  port::Ipv4Address address() const override { return config_.address; }

  // Scheduled events. Deauthenticate: `station` (nullptr: every station) gets a
  // Deauthentication with `reason` and is forgotten; kNotFound for an unknown station.
  Status Deauthenticate(const MacAddress* station, uint16_t reason);
  // Goes silent for `down_for` (no beacons, no answers, no Deauthentication) and comes
  // back having forgotten every station and lease, as a router that reboots.
  void Reboot(port::TimeNs down_for);
  // Announces the move in kChannelSwitchBeacons beacons, then moves (joined stations
  // follow); at once when not running. kInvalidArgument outside 1..14.
  Status SwitchChannel(uint8_t channel);

  const AccessPointConfig& config() const { return config_; }
  uint8_t channel() const { return radio_.channel(); }
  MacAddress bssid() const { return radio_.address(interface_); }
  bool down() const { return down_until_ >= 0; }
  const AccessPointStats& stats() const { return stats_; }
  // The stations associated now, in slot order; `out` must hold kMaxStations.
  size_t Stations(std::span<AccessPointStation, kMaxStations> out) const;

 private:
  enum class PeerState : uint8_t { kFree, kAuthenticated, kAssociated, kAuthorized };
  struct Peer {
    MacAddress mac;
    PeerState state = PeerState::kFree;
    uint16_t aid = 0;
    port::TimeNs deadline = -1;  // the handshake's next retransmission, -1: none
    bool mic_failed = false;     // a message 2 whose MIC failed: a wrong passphrase
    LinkKey tk;                  // once kAuthorized on a WPA2 network
    espnow::ReplayGuard replay;
  };
  struct Lease {
    MacAddress mac;
    uint8_t host = 0;  // 0: free
  };

  // port::RadioListener
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override;
  void OnTxDone(const port::TxReport&) override {}
  // port::TimerListener
  void OnTimer() override;

  void Rearm();
  void SendBeacon();
  wire::BssFields Bss(ByteSpan ssid) const;
  void OnProbeRequest(const MacAddress& from, ByteSpan elements);
  void OnAuthentication(const MacAddress& from, const wire::Dot11View& frame);
  void OnAssocRequest(const MacAddress& from, const wire::AssocRequestView& request);
  void OnDeauth(const MacAddress& from, uint16_t reason);
  void OnData(Peer& peer, ByteSpan mpdu);
  void StartHandshake(Peer& peer);
  void OnEapol(Peer& peer, ByteSpan eapol);
  void OnHandshakeTimeout(Peer& peer);
  void OnDhcp(Peer& peer, ByteSpan packet);
  const Lease* LeaseFor(const MacAddress& mac, bool allocate);
  void Joined(Peer& peer);
  void Forget(Peer& peer);
  void SendDeauth(const MacAddress& to, uint16_t reason);
  void SendData(Peer& peer, uint16_t ethertype, ByteSpan payload);
  void Send(ByteSpan mpdu);
  uint16_t NextSequence() { return seq_++ & 0xfff; }
  Peer* FindPeer(const MacAddress& mac);
  Peer* NewPeer(const MacAddress& mac);
  size_t IndexOf(const Peer& peer) const { return static_cast<size_t>(&peer - peers_.data()); }
  AccessPointStation Describe(const Peer& peer) const;
  bool secured() const { return passphrase_size_ > 0; }
  ByteSpan passphrase() const { return ByteSpan(passphrase_.data(), passphrase_size_); }
  ByteSpan rsn_element() const { return ByteSpan(rsn_element_.data(), rsn_element_size_); }

  port::Radio& radio_;
  const port::Interface interface_;
  const port::Clock& clock_;
  port::Timer& timer_;
  port::Rng& rng_;
  port::Aes128& aes_;
  port::Sha1& sha1_;
  AccessPointConfig config_;
  AccessPointListener* listener_ = nullptr;
  std::array<std::byte, 64> passphrase_{};
  size_t passphrase_size_ = 0;
  std::array<std::byte, kMaxPortalUrl> portal_url_{};
  size_t portal_url_size_ = 0;
  Pmk pmk_{};
  GtkKde gtk_;
  std::array<std::byte, kMaxRsnElementSize> rsn_element_{};
  size_t rsn_element_size_ = 0;

  std::array<Peer, kMaxStations> peers_{};
  std::array<std::optional<Authenticator>, kMaxStations> handshakes_;
  std::array<Lease, 32> leases_{};
  bool running_ = false;
  port::TimeNs next_beacon_ = 0;
  port::TimeNs down_until_ = -1;
  uint8_t switch_to_ = 0;  // a channel announced, 0: none
  uint8_t switch_count_ = 0;
  uint16_t seq_ = 0;
  uint16_t ip_id_ = 0;
  AccessPointStats stats_;
  // Frames being sent (frame_, its plaintext in plain_), one being received (rx_), and the
  // EAPOL / DHCP / IPv4 payloads of what is sent.
  std::array<std::byte, port::Radio::kMaxMpduSize> frame_{};
  std::array<std::byte, port::Radio::kMaxMpduSize> plain_{};
  std::array<std::byte, port::Radio::kMaxMpduSize> rx_{};
  std::array<std::byte, 512> payload_{};
  std::array<std::byte, 576> packet_{};
};

}  // namespace airlab::wifi
