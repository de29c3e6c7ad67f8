#pragma once
// port::Radio on a Linux monitor-mode interface, through libpcap: frames are captured with
// an in-kernel BPF filter (ESP-NOW action frames only, so the rest of a busy channel never
// wakes the process) and injected with a radiotap header that carries the rate, the
// retry limit and, for group frames and TxOptions::no_ack, the NOACK flag.
//
// TX status: mac80211 hands every monitor interface of the sending radio a copy of each
// injected frame once its transmission ended, with radiotap TX flags (F_TX_FAIL when a
// unicast frame was not ACKed) and the retry count. MonitorRadio matches those copies to the
// frames it sent, in order, and reports kAcked / kNoAck (group and no_ack frames: kSent).
// An adapter that gives no status within kTxStatusTimeout gets kNoAck for a unicast frame
// (unknown is not delivered) and kSent for the others; counters().tx_status_timeouts says
// how often.
//
// ACKs are the adapter's business: it ACKs unicast frames to its own MAC only when the
// interface is an "active" monitor (`airlab iface setup` makes one) and the MAC is the
// station address given to SetAddress; frames to the access-point address are delivered
// but not ACKed.
//
// Threads: everything runs on the EventLoop's thread (the capture socket is one of its
// watched fds; the kernel's capture ring is the queue). When the interface disappears or
// goes down for good, the loop fails with one sentence (EventLoop::error()), frames in
// flight are reported kDropped and later calls return kUnavailable.
//
// Privileges: capturing and injecting need CAP_NET_RAW; changing the channel needs
// CAP_NET_ADMIN. The constructor's errors say so.

#include <pcap/pcap.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/port/radio.h"
#include "core/port/timer.h"
#include "platform/linux/event_loop.h"
#include "platform/linux/nl80211.h"

namespace airlab::linux_port {

struct MonitorRadioCounters {
  uint64_t captured = 0;      // frames the filter let through
  uint64_t delivered = 0;     // handed to Radio::Deliver (its address filter may drop more)
  uint64_t bad_radiotap = 0;  // no or a truncated radiotap header: skipped
  uint64_t too_short = 0;     // less than a minimal 802.11 frame: skipped
  uint64_t own_echoes = 0;    // TX status copies of our frames
  uint64_t other_echoes = 0;  // TX status copies of frames someone else sent on this radio
  uint64_t tx_status_timeouts = 0;
  // pcap's own statistics: frames the kernel dropped because the ring was full, or the
  // interface's driver dropped.
  uint64_t kernel_dropped = 0;
  uint64_t interface_dropped = 0;
};

class MonitorRadio final : public port::Radio {
 public:
  static constexpr port::TimeNs kTxStatusTimeout = port::kSecond;
  // Frames sent whose status has not come back; beyond, Transmit says kResourceExhausted.
  static constexpr size_t kMaxInFlight = 64;

  enum class Capture : uint8_t {
    kEspNow,  // ESP-NOW action frames only (the BPF filter above): a Stack's radio
    kAll,     // every frame: a sniffer's radio
  };

  // Opens `iface` (a monitor interface that is up) for capture and injection and enables
  // the radio. The channel is read from the interface. Throws InterfaceError naming the fix
  // when it does not exist, is not a monitor, is down, or the process lacks CAP_NET_RAW.
  MonitorRadio(EventLoop& loop, const std::string& iface, Capture capture = Capture::kEspNow);
  ~MonitorRadio() override;
  MonitorRadio(const MonitorRadio&) = delete;
  MonitorRadio& operator=(const MonitorRadio&) = delete;

  const std::string& iface() const { return iface_; }
  // The interface's own MAC: the one the adapter ACKs.
  const MacAddress& hardware_address() const { return hardware_address_; }
  MonitorRadioCounters counters() const;

 protected:
  // kUnavailable once the interface is gone or the kernel refused the frame.
  Status DoSetEnabled(bool on) override;
  Status DoTransmit(ByteSpan mpdu, const port::TxOptions& options) override;
  // Sets the channel and cycles the interface so reception follows (mac80211 keeps a
  // monitor's receiver on the channel it came up on otherwise). kUnavailable when the
  // kernel refuses (no CAP_NET_ADMIN, a channel the regulatory domain forbids); the reason
  // is in last_error().
  Status DoSetChannel(uint8_t channel) override;
  // Records the address for the delivery filter. The adapter ACKs only its own MAC: to
  // answer to another, set it first (`airlab iface setup --mac`).
  Status DoSetAddress(port::Interface interface, const MacAddress& address) override;
  Status DoSetPromiscuous(bool on) override;

 public:
  // Why the latest call returned kUnavailable.
  const std::string& last_error() const { return last_error_; }

 private:
  struct InFlight {
    std::vector<std::byte> mpdu;
    uint32_t tag;
    bool wants_ack;
    port::TimeNs sent;
  };
  class TimerCall;

  void Open();
  void Close();
  void OnReadable();
  static void OnPacket(u_char* self, const pcap_pkthdr* header, const u_char* bytes);
  void HandlePacket(ByteSpan packet);
  void HandleEcho(ByteSpan mpdu, uint16_t tx_flags, uint8_t retries);
  void OnStatusTimer();
  void OnLivenessTimer();
  void ArmStatusTimer();
  void Lose(const std::string& message);
  void DropInFlight();

  EventLoop& loop_;
  const std::string iface_;
  const Capture capture_;
  MacAddress hardware_address_;
  pcap_t* pcap_ = nullptr;
  int fd_ = -1;
  std::deque<InFlight> in_flight_;
  std::unique_ptr<port::Timer> status_timer_;
  std::unique_ptr<TimerCall> status_listener_;
  std::unique_ptr<port::Timer> liveness_timer_;
  std::unique_ptr<TimerCall> liveness_listener_;
  MonitorRadioCounters counters_;
  uint64_t dropped_before_ = 0, ifdropped_before_ = 0;  // of handles closed by a channel change
  std::string last_error_;
  bool lost_ = false;
  bool opening_ = false;  // the constructor records the interface's state
};

}  // namespace airlab::linux_port
