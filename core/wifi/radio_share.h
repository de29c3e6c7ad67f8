#pragma once
// RadioShare: one radio for ESP-NOW, the Wi-Fi station and the soft-AP, as an ESP32 has
// (reference/wifi-join.md, "ESP32 facts"). Each user gets a port::Radio of its own
// (port(User)) and uses it as if it owned the radio:
// - Transmit: the frame goes to the shared radio with a tag of the share's; the report
//   comes back to the user that sent it with the user's own tag.
// - Receive: every frame the shared radio delivers goes to each enabled user, filtered by
//   that user's own promiscuous setting (port::Radio::Deliver).
// - Channel: one for all. A user's SetChannel moves the radio and every user with it,
//   except while the station holds the channel (it is joined to a router): then a
//   SetChannel to another channel is kUnavailable for ESP-NOW and the soft-AP, as
//   esp_wifi_set_channel refuses on an ESP32 whose station is connected
//   (port/channel_control.h). The station itself still moves it (it follows its router).
// - Addresses: the two interface addresses are the radio's; setting one through any user
//   sets it for all.
// - Enabled: the shared radio is on while any user is. A user that turns off gets its
//   frames still queued reported as kDropped at once; the radio's later reports of them
//   are swallowed.
// - Promiscuous: the shared radio is promiscuous while any user asks for it.
//
// Memory: kMaxInFlight tags in a member array; no heap.
// Calling context: the radio's (reports and frames come from its listener calls).

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/port/radio.h"

namespace airlab::wifi {

// Lets the station say it holds the radio's channel (joined) or lets it go (see above).
class ChannelHold {
 public:
  virtual void Hold(bool held) = 0;

 protected:
  ~ChannelHold() = default;
};

class RadioShare final : private port::RadioListener, private ChannelHold {
 public:
  enum class User : uint8_t { kEspNow = 0, kStation = 1, kAccessPoint = 2 };
  static constexpr size_t kUserCount = 3;
  // Frames handed to the shared radio whose reports have not come back yet, all users
  // together; a Transmit past it is kResourceExhausted (the radio's own queue is smaller).
  static constexpr size_t kMaxInFlight = 64;

  // Takes the radio's listener; `radio` must outlive the share. Every user starts off,
  // with the radio's channel and addresses.
  explicit RadioShare(port::Radio& radio);
  ~RadioShare();
  RadioShare(const RadioShare&) = delete;
  RadioShare& operator=(const RadioShare&) = delete;

  port::Radio& port(User user) { return users_[static_cast<size_t>(user)]; }
  // For the Station (StationConfig::channel_hold).
  ChannelHold& station_hold() { return *this; }
  bool channel_held() const { return held_; }
  port::Radio& radio() { return radio_; }

 private:
  class UserRadio final : public port::Radio {
   public:
    void Init(RadioShare* share, User user) {
      share_ = share;
      user_ = user;
    }
    void Receive(ByteSpan mpdu, const port::RxInfo& info) { Deliver(mpdu, info); }
    void Report(const port::TxReport& report) { ReportTxDone(report); }

   protected:
    Status DoSetEnabled(bool on) override { return share_->SetEnabledFrom(user_, on); }
    Status DoTransmit(ByteSpan mpdu, const port::TxOptions& options) override {
      return share_->TransmitFrom(user_, mpdu, options);
    }
    Status DoSetChannel(uint8_t channel) override { return share_->SetChannelFrom(user_, channel); }
    Status DoSetAddress(port::Interface interface, const MacAddress& address) override {
      return share_->SetAddressFrom(user_, interface, address);
    }
    Status DoSetPromiscuous(bool on) override { return share_->SetPromiscuousFrom(user_, on); }

   private:
    RadioShare* share_ = nullptr;
    User user_ = User::kEspNow;
  };

  struct InFlight {
    uint32_t share_tag = 0;
    uint32_t user_tag = 0;
    User user = User::kEspNow;
    bool used = false;
    bool dropped = false;  // reported kDropped to its user already
  };

  Status SetEnabledFrom(User user, bool on);
  Status TransmitFrom(User user, ByteSpan mpdu, const port::TxOptions& options);
  Status SetChannelFrom(User user, uint8_t channel);
  Status SetAddressFrom(User user, port::Interface interface, const MacAddress& address);
  Status SetPromiscuousFrom(User user, bool on);
  // Brings every user's recorded channel and addresses in line with the radio's (their
  // Do-methods see syncing_ and change nothing).
  void SyncUsers();
  bool AnyUser(bool (port::Radio::*state)() const, User except) const;

  // port::RadioListener
  void OnReceive(ByteSpan mpdu, const port::RxInfo& info) override;
  void OnTxDone(const port::TxReport& report) override;
  // ChannelHold
  void Hold(bool held) override { held_ = held; }

  port::Radio& radio_;
  std::array<UserRadio, kUserCount> users_;
  std::array<InFlight, kMaxInFlight> in_flight_{};
  uint32_t next_tag_ = 1;
  bool held_ = false;
  bool syncing_ = false;
};

}  // namespace airlab::wifi
