#pragma once
// Radio port: an 802.11 PHY+MAC as hardware gives it. The caller hands over an MPDU
// (header and body, no FCS); the radio adds the FCS, contends for the air (DCF), waits for
// the ACK of a unicast frame and retransmits it, and reports how the transmission ended.
// Received frames come back with their signal figures. The ESP-NOW Stack, the sniffer and
// the sim, Linux and ESP-IDF platforms share this interface.
//
// Calling context: every listener call comes from the platform's radio context (sim: the
// scheduler; ESP-IDF: the Wi-Fi task; Linux: the capture thread) and must return quickly.
// The Radio's methods may be called from inside those callbacks.

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"
#include "core/base/mac_address.h"
#include "core/base/status.h"
#include "core/port/clock.h"

namespace airlab::port {

// PHY rates of 2.4 GHz 802.11b/g. The value is the rate in 500 kb/s units, as radiotap's
// Rate field carries it, so a capture writer stores it unchanged.
enum class Rate : uint8_t {
  // DSSS (clause 15) and HR/DSSS CCK (clause 16)
  k1Mbps = 2,
  k2Mbps = 4,
  k5_5Mbps = 11,
  k11Mbps = 22,
  // ERP-OFDM (clause 18, 20 MHz)
  k6Mbps = 12,
  k9Mbps = 18,
  k12Mbps = 24,
  k18Mbps = 36,
  k24Mbps = 48,
  k36Mbps = 72,
  k48Mbps = 96,
  k54Mbps = 108,
};

constexpr uint32_t RateKbps(Rate rate) { return static_cast<uint32_t>(rate) * 500; }
constexpr bool IsDsss(Rate rate) {
  return rate == Rate::k1Mbps || rate == Rate::k2Mbps || rate == Rate::k5_5Mbps ||
         rate == Rate::k11Mbps;
}
constexpr bool IsValidRate(Rate rate) {
  switch (rate) {
    case Rate::k1Mbps:
    case Rate::k2Mbps:
    case Rate::k5_5Mbps:
    case Rate::k11Mbps:
    case Rate::k6Mbps:
    case Rate::k9Mbps:
    case Rate::k12Mbps:
    case Rate::k18Mbps:
    case Rate::k24Mbps:
    case Rate::k36Mbps:
    case Rate::k48Mbps:
    case Rate::k54Mbps: return true;
  }
  return false;
}

// 802.11's dot11ShortRetryLimit is 7 and counts every transmission of a frame, the first
// included (ns-3's MaxSsrc 7 behaves the same): 7 attempts = 6 retries.
inline constexpr uint8_t kDefaultMaxRetries = 6;

struct TxOptions {
  Rate rate = Rate::k1Mbps;
  // DSSS 2/5.5/11 Mb/s only: the 96 us short PLCP instead of 192 us. 1 Mb/s and OFDM
  // ignore it (802.11-2016 16.2.2.3).
  bool short_preamble = false;
  // Send once and do not wait for an ACK. Group-addressed frames never wait, whatever
  // this says.
  bool no_ack = false;
  // Retransmissions after the first attempt when no ACK comes back; ESP32's driver uses a
  // fixed count, here it is per frame.
  uint8_t max_retries = kDefaultMaxRetries;
  // Echoed in the TxReport so the caller can match reports to frames.
  uint32_t tag = 0;
};

enum class TxResult : uint8_t {
  kAcked,    // a unicast frame was acknowledged
  kNoAck,    // no ACK after every attempt
  kSent,     // sent once, no ACK wanted (group address or no_ack)
  kDropped,  // never finished: the radio was disabled with the frame queued or on the air
};

struct TxReport {
  uint32_t tag = 0;
  TxResult result = TxResult::kSent;
  uint8_t attempts = 0;  // transmissions on the air, retries included
  TimeNs time = 0;       // when the outcome became known (ACK end, timeout, TX end)
};

struct RxInfo {
  int8_t rssi_dbm = 0;
  int8_t noise_dbm = 0;  // the receiver's noise floor, interference excluded
  uint8_t channel = 0;
  Rate rate = Rate::k1Mbps;
  TimeNs timestamp = 0;  // when the first bit of the PLCP preamble arrived
  bool retry = false;    // the frame's retry bit (0x0800 in frame control)
  bool fcs_ok = true;    // false only in promiscuous mode, for frames received in error
};

// The two addresses an ESP32 answers to (its station and soft-AP interfaces). An interface
// with the all-zero address is unused.
enum class Interface : uint8_t { kStation = 0, kAccessPoint = 1 };
inline constexpr size_t kInterfaceCount = 2;

class RadioListener {
 public:
  // A received frame: header and body without FCS. `mpdu` is valid only during the call.
  virtual void OnReceive(ByteSpan mpdu, const RxInfo& info) = 0;
  // One report per accepted Transmit, in the order the frames were queued.
  virtual void OnTxDone(const TxReport& report) = 0;

 protected:
  ~RadioListener() = default;
};

class Radio {
 public:
  // 802.11-2016 Table 9-19: a non-HT MPDU is at most 2346 bytes with its 4-byte FCS.
  static constexpr size_t kMaxMpduSize = 2342;
  // Frame control, duration and addr1: the least a radio can address.
  static constexpr size_t kMinMpduSize = 10;

  virtual ~Radio() = default;

  // The listener gets every report and received frame from now on; nullptr drops them.
  void SetListener(RadioListener* listener) { listener_ = listener; }

  // Turns the radio on or off. Off, it neither sends nor receives, and the frames still
  // queued are reported as kDropped. kUnavailable if the hardware refuses.
  Status SetEnabled(bool on);
  bool enabled() const { return enabled_; }

  // Queues `mpdu` (header and body, no FCS; copied before the call returns). The radio
  // writes the duration field and, on retransmissions, sets the retry bit; it leaves the
  // sequence number as given. Returns kOk when queued (a TxReport follows later),
  // kInvalidArgument for a size outside [kMinMpduSize, kMaxMpduSize] or an unknown rate,
  // kFailedPrecondition when the radio is off, kResourceExhausted when its TX queue is full.
  Status Transmit(ByteSpan mpdu, const TxOptions& options);

  // 2.4 GHz channel 1-14; kInvalidArgument otherwise, kUnavailable if the hardware refuses.
  // Frames queued are sent on the new channel; a reception under way is lost.
  Status SetChannel(uint8_t channel);
  uint8_t channel() const { return channel_; }

  // The MAC acknowledges unicast frames addressed to either interface address and
  // delivers them. kInvalidArgument for a group address (the all-zero address clears).
  Status SetAddress(Interface interface, const MacAddress& address);
  const MacAddress& address(Interface interface) const {
    return addresses_[static_cast<size_t>(interface)];
  }
  // True when `address` is the unicast address of one of the interfaces.
  bool IsOwnAddress(const MacAddress& address) const;

  // Promiscuous: every frame heard is delivered, control frames, frames for other
  // stations and frames received in error (fcs_ok false) included. Otherwise only data and
  // management frames with a good FCS addressed to a group or to an own address.
  Status SetPromiscuous(bool on);
  bool promiscuous() const { return promiscuous_; }

 protected:
  // Called after the public method has checked its arguments and the state; the base
  // class records the new state only when these return kOk.
  virtual Status DoSetEnabled(bool on) = 0;
  virtual Status DoTransmit(ByteSpan mpdu, const TxOptions& options) = 0;
  virtual Status DoSetChannel(uint8_t channel) = 0;
  virtual Status DoSetAddress(Interface interface, const MacAddress& address) = 0;
  virtual Status DoSetPromiscuous(bool on) = 0;

  // Implementations hand every frame they hear to Deliver, which applies the address,
  // frame-kind and FCS filter above, and every finished transmission to ReportTxDone.
  void Deliver(ByteSpan mpdu, const RxInfo& info);
  void ReportTxDone(const TxReport& report);

 private:
  RadioListener* listener_ = nullptr;
  std::array<MacAddress, kInterfaceCount> addresses_{};
  uint8_t channel_ = 1;
  bool enabled_ = false;
  bool promiscuous_ = false;
};

inline Status Radio::SetEnabled(bool on) {
  if (on == enabled_) return Status::Ok();
  Status status = DoSetEnabled(on);
  if (status.ok()) enabled_ = on;
  return status;
}

inline Status Radio::Transmit(ByteSpan mpdu, const TxOptions& options) {
  if (mpdu.size() < kMinMpduSize || mpdu.size() > kMaxMpduSize || !IsValidRate(options.rate)) {
    return Status::InvalidArgument();
  }
  if (!enabled_) return Status::FailedPrecondition();
  return DoTransmit(mpdu, options);
}

inline Status Radio::SetChannel(uint8_t channel) {
  if (channel < 1 || channel > 14) return Status::InvalidArgument();
  Status status = DoSetChannel(channel);
  if (status.ok()) channel_ = channel;
  return status;
}

inline Status Radio::SetAddress(Interface interface, const MacAddress& address) {
  if (static_cast<size_t>(interface) >= kInterfaceCount || address.is_multicast()) {
    return Status::InvalidArgument();
  }
  Status status = DoSetAddress(interface, address);
  if (status.ok()) addresses_[static_cast<size_t>(interface)] = address;
  return status;
}

inline bool Radio::IsOwnAddress(const MacAddress& address) const {
  if (address == MacAddress()) return false;
  for (const MacAddress& own : addresses_) {
    if (own == address) return true;
  }
  return false;
}

inline Status Radio::SetPromiscuous(bool on) {
  Status status = DoSetPromiscuous(on);
  if (status.ok()) promiscuous_ = on;
  return status;
}

inline void Radio::Deliver(ByteSpan mpdu, const RxInfo& info) {
  if (listener_ == nullptr) return;
  if (!promiscuous_) {
    if (!info.fcs_ok || mpdu.size() < kMinMpduSize) return;
    // Frame control type bits 2-3: 1 is a control frame (ACK, RTS...), the MAC's own business.
    if (((load_u8(mpdu, 0) >> 2) & 0x3) == 1) return;
    MacAddress addr1 = MacAddress::FromBytes(mpdu.subspan(4, MacAddress::kSize));
    if (!addr1.is_multicast() && !IsOwnAddress(addr1)) return;
  }
  listener_->OnReceive(mpdu, info);
}

inline void Radio::ReportTxDone(const TxReport& report) {
  if (listener_ != nullptr) listener_->OnTxDone(report);
}

}  // namespace airlab::port
