#pragma once
// PortalBackend: what the captive portal's routes (portal.h) ask of the device behind
// them. The Wi-Fi manager (manager.h) implements it; a test or `airlab portal` may give its
// own. The routes turn HTTP requests into calls here and answers into pages and JSON; the
// backend never sees HTTP.
//
// Calling context: the portal's (the application's); no method blocks: a join asked for by
// SaveAndConnect goes on in the background and status() tells how it went.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/port/wifi_station.h"

namespace airlab::wifi {

// A setting of the application's the portal collects with the Wi-Fi credentials (tzapu's
// WiFiManagerParameter): the ThingSpeak channel and write key, for example.
struct PortalParameter {
  std::string_view id;     // the form field's name: [A-Za-z0-9_-]+
  std::string_view label;  // shown beside the field
  std::string_view value;  // the current value (the backend owns the storage)
  size_t max_length = 0;
};

// esp32-wifi-manager's `urc` in /status.json.
enum class PortalLinkState : uint8_t {
  kConnected = 0,
  kFailed = 1,
  kUserDisconnect = 2,
  kLost = 3,
  kIdle = 4,  // nothing tried yet (status.json then answers with no urc)
  kConnecting = 5,
};

struct PortalStatus {
  PortalLinkState state = PortalLinkState::kIdle;
  port::Ssid ssid;              // the network joined or being tried
  port::Ipv4Config ip;          // when kConnected
  port::WifiFailure failure{};  // when kFailed or kLost
};

class PortalBackend {
 public:
  // The last scan's networks, strongest first; a scan is started when none was done yet.
  virtual std::span<const port::ScanEntry> networks() = 0;
  virtual void RequestScan() = 0;
  // Saves the network (with the parameters the form carried, already validated against
  // parameters()) and starts joining it. kInvalidArgument: an empty SSID or a bad
  // passphrase; kResourceExhausted: the store is full.
  virtual Status SaveAndConnect(const port::Ssid& ssid, ByteSpan passphrase) = 0;
  virtual PortalStatus status() const = 0;
  virtual std::span<const PortalParameter> parameters() const = 0;
  // kInvalidArgument for an unknown id or a value over max_length.
  virtual Status SetParameter(std::string_view id, std::string_view value) = 0;
  // Forgets every stored network and parameter.
  virtual void Erase() = 0;
  // The user left the portal (tzapu's /exit): close it and go back to the stored networks.
  virtual void Exit() = 0;
  // Shown on /info: the device's name, station and AP MACs.
  virtual std::string_view device_name() const = 0;
  virtual MacAddress station_mac() const = 0;
  virtual MacAddress ap_mac() const = 0;

 protected:
  ~PortalBackend() = default;
};

}  // namespace airlab::wifi
