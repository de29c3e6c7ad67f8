#pragma once
// SimRadio: one node's 802.11 MAC on the simulated medium, behind the port::Radio
// interface. The DCF follows IEEE 802.11-2016 10.3 the way ns-3 3.37 implements it
// (ChannelAccessManager and Txop for a non-QoS station), so the two agree:
// - Access: the medium must stay idle for DIFS (SIFS + 2 slots), or EIFS (SIFS + ACK at the
//   lowest rate + DIFS) after a frame received in error, after the end of the last busy
//   period, NAV or ACK timeout; then the backoff counts down one slot per idle slot and
//   freezes while the medium is busy. A frame queued while idle with no backoff pending
//   goes after DIFS; otherwise it draws a backoff in [0, CW].
// - After every exchange the station draws a new backoff (post-backoff). CW starts at
//   CWmin, doubles plus one after each missed ACK up to CWmax, and returns to CWmin after
//   an ACK or when the frame is given up.
// - A unicast frame waits for its ACK until SIFS + slot + the ACK's PLCP time after its
//   end (longer if a reception is under way then); with no ACK it is sent again with the
//   retry bit, up to max_retries times. Group frames and no_ack frames are sent once.
// - Unicast data and management frames to one of the node's addresses are ACKed after
//   SIFS at the control rate, whatever the medium does. Overheard frames set the NAV from
//   their duration field (MacConfig::nav).

#include <cstdint>
#include <vector>

#include "core/port/radio.h"
#include "core/port/rng.h"
#include "platform/sim/airtime.h"
#include "platform/sim/medium.h"
#include "platform/sim/phy.h"
#include "platform/sim/scheduler.h"

namespace airlab::sim {

struct MacConfig {
  MacTiming timing = MacTiming::Dsss();
  bool nav = true;
  size_t queue_capacity = 32;
};

struct MacStats {
  uint64_t tx_attempts = 0;  // data/management frames put on the air, retries included
  uint64_t tx_retries = 0;   // of which retransmissions
  uint64_t tx_acked = 0;     // frames acknowledged
  uint64_t tx_failed = 0;    // frames given up after max_retries retries
  uint64_t tx_sent = 0;      // frames sent once without waiting for an ACK
  uint64_t tx_dropped = 0;   // frames dropped when the radio was disabled
  uint64_t acks_sent = 0;
};

class SimRadio final : public port::Radio, private PhyListener {
 public:
  // The radio starts disabled; Simulation::AddNode enables it.
  SimRadio(Scheduler& scheduler, Medium& medium, uint32_t node, const MacConfig& config,
           port::SplitMix64 rng);
  ~SimRadio() override;
  SimRadio(const SimRadio&) = delete;
  SimRadio& operator=(const SimRadio&) = delete;

  uint32_t node() const { return node_; }
  const MacStats& mac_stats() const { return stats_; }
  size_t queued() const { return size_; }

 protected:
  Status DoSetEnabled(bool on) override;
  Status DoTransmit(ByteSpan mpdu, const port::TxOptions& options) override;
  Status DoSetChannel(uint8_t channel) override;
  Status DoSetAddress(port::Interface, const MacAddress&) override { return Status::Ok(); }
  Status DoSetPromiscuous(bool) override { return Status::Ok(); }

 private:
  struct Queued {
    std::vector<std::byte> mpdu;
    port::TxOptions options;
    uint8_t attempts = 0;
  };
  enum class Access : uint8_t { kNotRequested, kRequested, kGranted };
  enum class Sending : uint8_t { kNothing, kFrame, kAck };

  // PhyListener
  void OnCcaChange(bool busy) override;
  void OnRxEnd(const AirFrame& frame, const port::RxInfo& info, bool ok) override;
  void OnTxEnd() override;

  // Channel access (ns-3 ChannelAccessManager).
  bool IsBusy() const;
  TimeNs AccessGrantStart() const;
  TimeNs BackoffStart() const;
  TimeNs BackoffEnd() const;
  void UpdateBackoff();
  void GenerateBackoff();
  bool NeedBackoffUponAccess();
  void RequestAccess();
  void ScheduleAccess();
  void CancelAccess();
  void OnAccessTimer();

  // Frame exchange (ns-3 FrameExchangeManager).
  Queued& head() { return queue_[head_]; }
  void StartExchange();
  void OnAckTimeout();
  void AckReceived();
  void AckFailed();
  void Complete(port::TxResult result);
  void Release();
  void ReceivedOk(const AirFrame& frame, const port::RxInfo& info);
  void TransmitAck();
  void Flush();

  Scheduler& scheduler_;
  Medium& medium_;
  const uint32_t node_;
  const MacConfig config_;
  port::SplitMix64 rng_;
  const TimeNs eifs_minus_difs_;  // config_.timing's, worked out once

  std::vector<Queued> queue_;  // a ring of config_.queue_capacity
  size_t head_ = 0, size_ = 0;

  Access access_ = Access::kNotRequested;
  uint32_t cw_;
  uint32_t backoff_slots_ = 0;
  TimeNs backoff_start_ = 0;
  bool phy_busy_ = false;
  TimeNs busy_end_ = 0;
  TimeNs nav_end_ = 0;
  TimeNs ack_timeout_end_ = 0;
  TimeNs last_rx_end_ = 0;
  bool last_rx_ok_ = true;
  Scheduler::EventId access_event_;
  TimeNs access_event_time_ = -1;

  PpduTimingMemo ack_timing_;  // of the ACKs to the frames sent
  Sending sending_ = Sending::kNothing;
  bool waiting_ack_ = false;
  Scheduler::EventId ack_event_;
  MacAddress ack_to_;
  port::Rate ack_rate_ = port::Rate::k1Mbps;
  Scheduler::EventId send_ack_event_;

  MacStats stats_;
};

}  // namespace airlab::sim
