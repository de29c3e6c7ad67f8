#pragma once
// WifiManager: gets a device onto Wi-Fi and keeps it there, as tzapu's WiFiManager and
// esp32-wifi-manager do (reference/provisioning.md), without what users complain about in
// them: several stored networks tried best signal first, every step bounded by a timeout,
// retries spaced by a capped exponential backoff with jitter (a router that reboots never
// gets a reconnect loop), and a fallback hotspot with the captive portal that closes again
// after a timeout so a device whose router was only late goes back to it by itself.
//
// A round: scan, then join each stored network the scan saw, strongest first (ties: the
// most recently joined), each within join_timeout. A round that joins nothing is failed;
// after rounds_before_portal failed rounds in a row the hotspot opens with the portal
// (PortalBackend, implemented here) for portal_timeout, counted from the portal's last use;
// then the hotspot closes and rounds start again. Between rounds the manager waits
// first_backoff, doubling per failed round up to max_backoff, each wait jittered to
// [wait/2, wait] so devices that lost the same router do not retry in step. A lost link
// waits the same way before its first round. A join succeeding resets both counts.
// Credentials the portal (or Improv) gives are saved first, then joined; the hotspot stays
// up hotspot_linger after that join so the phone can see how it went.
//
// Non-blocking: everything runs on the Timer's and the station's callbacks; the public
// calls return at once. The store is read at Start and written on user actions and joins.
//
// Calling context: one context for everything (the application's, which is also where the
// Timer and the station report: the sim's scheduler, an ESP32's event loop task).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/port/clock.h"
#include "core/port/credential_store.h"
#include "core/port/rng.h"
#include "core/port/soft_ap.h"
#include "core/port/timer.h"
#include "core/port/wifi_station.h"
#include "core/wifi/portal_backend.h"

namespace airlab::wifi {

enum class ManagerState : uint8_t {
  kStopped,           // before Start, after Stop
  kScanning,          // a round's scan
  kConnecting,        // a round's join (or one asked for while no hotspot is open)
  kConnected,         // joined; connection() says where
  kWaiting,           // backing off until the next round
  kPortal,            // the hotspot is open and the portal serves; no join under way
  kPortalConnecting,  // the hotspot is open and the station joins what the portal gave
};

enum class ManagerReason : uint8_t {
  kStart,
  kStop,
  kStoreFailed,        // the store could not be read or written (event.status says how)
  kNoStoredNetworks,   // nothing to try: the portal opens at once
  kNoneInRange,        // the scan saw none of the stored networks
  kScanFailed,         // the scan could not start or did not end within scan_timeout
  kTrying,             // joining event.ssid
  kJoined,             // event.ssid joined
  kJoinFailed,         // event.ssid failed: event.failure, event.reason_code
  kJoinTimeout,        // event.ssid did not end within join_timeout
  kLinkLost,           // the link to event.ssid ended: event.failure, event.reason_code
  kBackoff,            // waiting event.wait before the next round
  kBackoffOver,        // the wait ended: a new round
  kRoundsFailed,       // rounds_before_portal rounds failed: the hotspot opens
  kHotspotFailed,      // the SoftAp refused to start (event.status)
  kPortalCredentials,  // the portal (or Improv) gave event.ssid: saved, joining it
  kPortalTimeout,      // nobody used the portal for portal_timeout: hotspot closed
  kPortalExit,         // the portal's user left it: hotspot closed
  kErased,             // stored networks and parameters forgotten
  kHotspotClosed,      // hotspot_linger after a portal join ended
};

const char* ToString(ManagerState state);
const char* ToString(ManagerReason reason);

// One step of the manager, for logs and the portal. Spans and the SSID are copies.
struct ManagerEvent {
  ManagerState from = ManagerState::kStopped;
  ManagerState to = ManagerState::kStopped;
  ManagerReason reason = ManagerReason::kStart;
  port::Ssid ssid;              // the network concerned, when there is one
  port::WifiFailure failure{};  // kJoinFailed, kLinkLost
  uint16_t reason_code = 0;     // the 802.11 reason of a Deauthentication, or 0
  port::TimeNs wait = 0;        // kBackoff: until the next round
  uint32_t failed_rounds = 0;   // in a row, this one included
  Status status;                // kStoreFailed, kHotspotFailed, kJoinFailed (Connect's)
};

class WifiManagerListener {
 public:
  virtual void OnManagerEvent(const ManagerEvent& event) = 0;

 protected:
  ~WifiManagerListener() = default;
};

// An application setting the portal shows (tzapu's WiFiManagerParameter).
struct ParameterSpec {
  std::string_view id;  // [A-Za-z0-9_-]+, at most 24 characters
  std::string_view label;
  size_t max_length = 0;  // at most 64
  std::string_view default_value;
};

struct WifiManagerConfig {
  std::string_view device_name = "airlab";
  // The fallback hotspot: empty SSID means the device name; empty passphrase, open.
  std::string_view hotspot_ssid;
  std::string_view hotspot_passphrase;
  uint8_t hotspot_channel = 1;
  // The hotspot's MAC for /info; zero: the station's with the last byte plus one (as an
  // ESP32 derives its soft-AP's).
  MacAddress ap_mac{};
  port::TimeNs scan_timeout = 15 * port::kSecond;
  port::TimeNs join_timeout = 20 * port::kSecond;
  uint32_t rounds_before_portal = 2;
  port::TimeNs first_backoff = 2 * port::kSecond;
  port::TimeNs max_backoff = 120 * port::kSecond;
  port::TimeNs portal_timeout = 180 * port::kSecond;  // 0: the portal stays open
  port::TimeNs hotspot_linger = 30 * port::kSecond;
  // At most port::Credentials::kMaxParameters; the strings must outlive the manager.
  std::span<const ParameterSpec> parameters;
};

class WifiManager final : public PortalBackend,
                          private port::WifiStationListener,
                          private port::TimerListener {
 public:
  // Takes the station's and the timer's listener slots. Every reference and the config's
  // strings must outlive the manager.
  WifiManager(port::WifiStation& station, port::SoftAp& hotspot, port::CredentialStore& store,
              port::Clock& clock, port::Timer& timer, port::Rng& rng,
              const WifiManagerConfig& config);
  ~WifiManager();
  WifiManager(const WifiManager&) = delete;
  WifiManager& operator=(const WifiManager&) = delete;

  void SetListener(WifiManagerListener* listener) { listener_ = listener; }

  // Reads the store and begins the first round. kFailedPrecondition when started already.
  // A store that cannot be read is reported (kStoreFailed) and the manager goes on as
  // with nothing stored.
  Status Start();
  // Leaves the network, closes the hotspot, stops every timer. Start may follow.
  void Stop();

  // Stores a network (replacing the passphrase of one with the same SSID) without joining
  // it now; the next round tries it. For an application that knows its router (a lab file).
  // kInvalidArgument: empty SSID or bad passphrase; kUnavailable: the store failed.
  Status AddNetwork(const port::Ssid& ssid, ByteSpan passphrase);

  ManagerState state() const { return state_; }
  bool hotspot_open() const { return hotspot_.running(); }
  // The link now, or null when not connected.
  const port::Connection* connection() const {
    return state_ == ManagerState::kConnected ? &connection_ : nullptr;
  }
  const port::Credentials& credentials() const { return record_; }
  // A custom parameter's value (its default when never set); empty for an unknown id.
  std::string_view parameter(std::string_view id) const;

  // PortalBackend.
  std::span<const port::ScanEntry> networks() override;
  void RequestScan() override;
  Status SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) override;
  PortalStatus status() const override { return portal_status_; }
  std::span<const PortalParameter> parameters() const override {
    return {parameter_views_.data(), config_.parameters.size()};
  }
  Status SetParameter(std::string_view id, std::string_view value) override;
  void Erase() override;
  void Exit() override;
  std::string_view device_name() const override { return config_.device_name; }
  MacAddress station_mac() const override { return station_.address(); }
  MacAddress ap_mac() const override;

 private:
  enum class StationOp : uint8_t { kIdle, kScan, kJoin };
  // The deadlines the one Timer serves: a step's (scan or join timeout, end of a wait), the
  // portal's, the lingering hotspot's.
  enum Deadline : uint8_t { kStep, kPortalClose, kHotspotClose, kDeadlineCount };
  static constexpr port::TimeNs kNever = -1;

  // WifiStationListener, TimerListener.
  void OnScanDone(std::span<const port::ScanEntry> results) override;
  void OnConnected(const port::Connection& connection) override;
  void OnDisconnected(port::WifiFailure why, uint16_t reason_code) override;
  void OnTimer() override;

  void BeginRound(ManagerReason reason);
  void RankCandidates();
  void TryNextCandidate();
  void JoinFailed(ManagerReason reason, port::WifiFailure failure, uint16_t reason_code);
  void RoundFailed(ManagerReason reason);
  void WaitBeforeRound();
  void OpenPortal(ManagerReason reason);
  void ClosePortal();
  void StartUserJoin();
  void StepTimedOut();
  bool StartScan();
  void RecordJoin(const port::Ssid& ssid);
  Status StoreNetwork(const port::Ssid& ssid, ByteSpan passphrase);
  Status SaveRecord();
  void LoadRecord();
  void RefreshParameterViews();
  void TouchPortal();
  void SetDeadline(Deadline which, port::TimeNs at);
  void ArmTimer();
  void Report(ManagerState to, ManagerReason reason, ManagerEvent event = {});
  const port::StoredNetwork* Candidate() const;

  port::WifiStation& station_;
  port::SoftAp& hotspot_;
  port::CredentialStore& store_;
  port::Clock& clock_;
  port::Timer& timer_;
  port::Rng& rng_;
  WifiManagerConfig config_;
  port::Ssid hotspot_ssid_;
  WifiManagerListener* listener_ = nullptr;

  ManagerState state_ = ManagerState::kStopped;
  StationOp station_op_ = StationOp::kIdle;
  bool record_loaded_ = false;
  port::Credentials record_;

  std::array<port::ScanEntry, port::kMaxScanResults> scan_{};
  size_t scan_count_ = 0;
  bool scanned_ = false;

  // This round's networks to try (indices into record_.networks), best first.
  std::array<uint8_t, port::Credentials::kMaxNetworks> candidates_{};
  size_t candidate_count_ = 0;
  size_t next_candidate_ = 0;
  // A join the portal asked for: the network's index, waiting for the station to be free.
  bool user_join_pending_ = false;
  bool user_join_ = false;
  size_t user_network_ = 0;

  uint32_t failed_rounds_ = 0;
  uint32_t backoff_exponent_ = 0;
  std::array<port::TimeNs, kDeadlineCount> deadlines_{kNever, kNever, kNever};

  port::Connection connection_;
  PortalStatus portal_status_;
  std::array<PortalParameter, port::Credentials::kMaxParameters> parameter_views_{};
};

}  // namespace airlab::wifi
