#pragma once
// ChannelControl port: the 2.4 GHz channel a device's radio listens and sends on, as the
// application sees it. On an ESP32 it is esp_wifi_set_channel / esp_wifi_get_channel
// (the Wi-Fi driver owns the radio; ESP-NOW follows its channel); on the simulated air and
// the air hub, the Radio's own SetChannel (apps::RadioChannelControl). An ESP-NOW node
// uses it to scan for its gateway, which sits on its router's channel.
//
// Contract:
// - SetChannel retunes the radio at once: frames queued are sent on the new channel, a
//   reception under way is lost (as Radio::SetChannel). Setting the channel the radio is
//   on already is kOk and changes nothing.
// - kInvalidArgument: a channel outside 1..14 (nothing changes). kUnavailable: the radio
//   refused (an ESP32 whose station is connected cannot leave its router's channel);
//   channel() then still names the channel the radio is on.
// - channel() is the channel the radio is on now: the last one set successfully, or the
//   radio's own before any (never 0 once the radio is up).
//
// Calling context: the application's (the one that owns the radio's settings); neither
// method calls back.

#include <cstdint>

#include "core/base/status.h"

namespace airlab::port {

class ChannelControl {
 public:
  virtual ~ChannelControl() = default;

  Status SetChannel(uint8_t channel) {
    if (channel < 1 || channel > 14) return Status::InvalidArgument();
    return DoSetChannel(channel);
  }
  virtual uint8_t channel() const = 0;

 protected:
  // Called with a channel already checked to be 1..14.
  virtual Status DoSetChannel(uint8_t channel) = 0;
};

}  // namespace airlab::port
