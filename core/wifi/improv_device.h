#pragma once
// The device's side of Improv Wi-Fi over serial (improv.h), over a PortalBackend: the Wi-Fi
// manager (or a virtual board) hands its backend and gets Improv with the same scan list,
// join and state the captive portal shows.
//
//   ImprovDevice device(backend, {.firmware = "airlab", ...}, output);
//   ... the serial port's parser hands packets: device.HandlePacket(packet);
//   ... every so often (the join goes on in the background): device.Poll();
//
// Behaviour (improv-wifi.com/serial): Send Wi-Fi settings saves and joins through the
// backend and answers "provisioning", then, when the backend says so, "provisioned" with an
// RPC result carrying the redirect URL (if any), or the error "unable to connect" and
// "ready" again. Request current state answers the state (and the URL result when
// provisioned); device info answers firmware, version, hardware, device name; the scan
// answers one result per named network (SSID, RSSI, "YES"/"NO" for a password), then an
// empty result. Malformed RPCs get "invalid RPC packet", unknown ones "unknown RPC command".
// The error state is sent whenever it changes (back to "no error" on the next good RPC).
//
// Calling context: the application's, as the backend's; no blocking, no allocation.
#include <cstdint>
#include <string_view>

#include "core/base/bytes.h"
#include "core/wifi/improv.h"
#include "core/wifi/portal_backend.h"

namespace airlab::wifi {

struct ImprovDeviceInfo {
  std::string_view firmware = "airlab";
  std::string_view version = "";
  std::string_view hardware = "esp32";
  // Sent when provisioned (e.g. the device's web page); "" sends an empty result.
  std::string_view redirect_url = "";
};

// Where the device's packets go: the serial port, after what the console printed so far.
class ImprovOutput {
 public:
  // `packet` is one whole packet ending in '\n'; valid only during the call.
  virtual void SendImprov(ByteSpan packet) = 0;

 protected:
  ~ImprovOutput() = default;
};

class ImprovDevice {
 public:
  // `backend` and `output` must outlive the device; `info`'s strings too.
  ImprovDevice(PortalBackend& backend, const ImprovDeviceInfo& info, ImprovOutput& output)
      : backend_(backend), info_(info), output_(output) {}
  ImprovDevice(const ImprovDevice&) = delete;
  ImprovDevice& operator=(const ImprovDevice&) = delete;

  // A packet the parser found on the port; packets other than RPC commands are ignored (a
  // device hears only its own kind from a client).
  void HandlePacket(const ImprovPacket& packet);
  // Follows a join under way: sends "provisioned" or the error once the backend knows.
  void Poll();
  // The board restarted: nothing under way, no error.
  void Reset();

  ImprovState state() const;

 private:
  void HandleRpc(const ImprovRpc& rpc);
  void SendWifiSettings(ByteSpan data);
  void SendNetworks();
  void SendDeviceInfo();
  void SendProvisionedResult();
  void SendState(ImprovState state);
  void SetError(ImprovError error);

  PortalBackend& backend_;
  ImprovDeviceInfo info_;
  ImprovOutput& output_;
  bool provisioning_ = false;
  port::Ssid joining_;  // the network of the join under way
  ImprovError error_ = ImprovError::kNone;
};

}  // namespace airlab::wifi
