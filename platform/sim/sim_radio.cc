#include "platform/sim/sim_radio.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/wire/dot11.h"

namespace airlab::sim {
namespace {

constexpr TimeNs kNever = INT64_MAX;
constexpr uint8_t kAckSubtype = 13;
// The DCF's AIFSN: DIFS = SIFS + 2 slots.
constexpr int kDifsSlots = 2;

wire::FrameControl FrameControlOf(ByteSpan mpdu) { return {load_le16(mpdu, 0)}; }
// Inline rather than MacAddress::FromBytes: every frame on the air comes through here.
MacAddress AddressAt(ByteSpan mpdu, size_t offset) {
  std::array<uint8_t, MacAddress::kSize> octets;
  std::memcpy(octets.data(), mpdu.subspan(offset, MacAddress::kSize).data(), octets.size());
  return MacAddress(octets);
}
MacAddress Addr1(ByteSpan mpdu) { return AddressAt(mpdu, 4); }
// The transmitter address: data and management frames (and most control frames) have one
// when they are at least 16 bytes long.
bool HasAddr2(ByteSpan mpdu) { return mpdu.size() >= 16; }
MacAddress Addr2(ByteSpan mpdu) { return AddressAt(mpdu, 10); }

}  // namespace

SimRadio::SimRadio(Scheduler& scheduler, Medium& medium, uint32_t node, const MacConfig& config,
                   port::SplitMix64 rng)
    : scheduler_(scheduler),
      medium_(medium),
      node_(node),
      config_(config),
      rng_(rng),
      eifs_minus_difs_(config.timing.eifs_minus_difs()),
      queue_(std::max<size_t>(config.queue_capacity, 1)),
      cw_(config.timing.cw_min) {
  Phy& phy = medium_.phy(node_);
  phy.SetListener(this);
  phy.SetEnabled(false);
}

SimRadio::~SimRadio() {
  medium_.phy(node_).SetListener(nullptr);
  scheduler_.Cancel(access_event_);
  scheduler_.Cancel(ack_event_);
  scheduler_.Cancel(send_ack_event_);
}

// ---- Radio port ----

Status SimRadio::DoSetEnabled(bool on) {
  Phy& phy = medium_.phy(node_);
  phy.SetEnabled(on);
  if (!on) {
    Flush();
    return Status::Ok();
  }
  // A fresh start: the medium must be idle for DIFS from now before the first frame.
  access_ = Access::kNotRequested;
  cw_ = config_.timing.cw_min;
  backoff_slots_ = 0;
  backoff_start_ = 0;
  busy_end_ = scheduler_.now();
  nav_end_ = ack_timeout_end_ = last_rx_end_ = 0;
  last_rx_ok_ = true;
  return Status::Ok();
}

Status SimRadio::DoTransmit(ByteSpan mpdu, const port::TxOptions& options) {
  // The PHY is off while Flush reports drops: a listener that queues again from its
  // OnTxDone sees the radio off.
  if (!medium_.phy(node_).enabled()) return Status::FailedPrecondition();
  if (size_ == queue_.size()) return Status::ResourceExhausted();
  if (NeedBackoffUponAccess()) GenerateBackoff();
  Queued& q = queue_[(head_ + size_) % queue_.size()];
  q.mpdu.assign(mpdu.begin(), mpdu.end());
  q.options = options;
  q.attempts = 0;
  ++size_;
  if (access_ == Access::kNotRequested) RequestAccess();
  return Status::Ok();
}

Status SimRadio::DoSetChannel(uint8_t channel) {
  medium_.phy(node_).SetChannel(channel);
  return Status::Ok();
}

void SimRadio::Flush() {
  CancelAccess();
  scheduler_.Cancel(ack_event_);
  scheduler_.Cancel(send_ack_event_);
  waiting_ack_ = false;
  access_ = Access::kNotRequested;
  while (size_ > 0) {
    const port::TxReport report{head().options.tag, port::TxResult::kDropped, head().attempts,
                                scheduler_.now()};
    head_ = (head_ + 1) % queue_.size();
    --size_;
    ++stats_.tx_dropped;
    ReportTxDone(report);
  }
}

// ---- Channel access ----

bool SimRadio::IsBusy() const { return phy_busy_ || nav_end_ > scheduler_.now(); }

TimeNs SimRadio::AccessGrantStart() const {
  if (phy_busy_) return kNever;
  const MacTiming& t = config_.timing;
  TimeNs start = std::max(std::max(busy_end_, nav_end_), ack_timeout_end_) + t.sifs;
  if (!last_rx_ok_) start = std::max(start, last_rx_end_ + t.sifs + eifs_minus_difs_);
  return start;
}

TimeNs SimRadio::BackoffStart() const {
  const TimeNs grant = AccessGrantStart();
  if (grant == kNever) return kNever;
  return std::max(backoff_start_, grant + kDifsSlots * config_.timing.slot);
}

TimeNs SimRadio::BackoffEnd() const {
  const TimeNs start = BackoffStart();
  if (start == kNever) return kNever;
  return start + backoff_slots_ * config_.timing.slot;
}

void SimRadio::UpdateBackoff() {
  const TimeNs start = BackoffStart();
  const TimeNs now = scheduler_.now();
  if (start == kNever || start > now) return;
  const auto idle_slots = static_cast<uint64_t>((now - start) / config_.timing.slot);
  const auto counted = static_cast<uint32_t>(std::min<uint64_t>(idle_slots, backoff_slots_));
  backoff_slots_ -= counted;
  backoff_start_ = start + counted * config_.timing.slot;
}

void SimRadio::GenerateBackoff() {
  backoff_slots_ = rng_.Uniform(cw_ + 1);
  backoff_start_ = scheduler_.now();
}

bool SimRadio::NeedBackoffUponAccess() {
  // 802.11-2016 10.3.4.2: a frame queued while the medium is idle, with no backoff
  // pending, goes once the medium has stayed idle for DIFS; otherwise it backs off.
  UpdateBackoff();
  if (size_ > 0 || access_ == Access::kGranted || backoff_slots_ > 0) return false;
  if (IsBusy()) return true;
  backoff_start_ = scheduler_.now() + config_.timing.sifs + kDifsSlots * config_.timing.slot;
  return false;
}

void SimRadio::RequestAccess() {
  UpdateBackoff();
  access_ = Access::kRequested;
  ScheduleAccess();
}

void SimRadio::ScheduleAccess() {
  if (access_ != Access::kRequested) return;
  const TimeNs end = BackoffEnd();
  if (end == kNever) {
    CancelAccess();
    return;
  }
  // Always through the scheduler, even when due now: a transmission never starts inside
  // another node's callback.
  const TimeNs at = std::max(end, scheduler_.now());
  if (scheduler_.IsPending(access_event_) && access_event_time_ == at) return;
  CancelAccess();
  access_event_time_ = at;
  access_event_ = scheduler_.ScheduleAt(at, [this] { OnAccessTimer(); });
}

void SimRadio::CancelAccess() {
  scheduler_.Cancel(access_event_);
  access_event_time_ = -1;
}

void SimRadio::OnAccessTimer() {
  access_event_time_ = -1;
  UpdateBackoff();
  if (access_ == Access::kRequested && !IsBusy() && BackoffEnd() <= scheduler_.now()) {
    StartExchange();
  } else {
    ScheduleAccess();
  }
}

void SimRadio::OnCcaChange(bool busy) {
  if (busy) {
    UpdateBackoff();  // count the idle slots before the medium turned busy
    phy_busy_ = true;
    CancelAccess();
  } else {
    phy_busy_ = false;
    busy_end_ = scheduler_.now();
    ScheduleAccess();
  }
}

// ---- Frame exchange ----

void SimRadio::StartExchange() {
  access_ = Access::kGranted;
  Queued& q = head();
  const MacTiming& t = config_.timing;
  const bool wants_ack = !q.options.no_ack && HasAddr2(q.mpdu) && !Addr1(q.mpdu).is_multicast();

  uint16_t fc = load_le16(q.mpdu, 0);
  fc = q.attempts > 0 ? (fc | wire::FrameControl::kRetryFlag)
                      : (fc & ~wire::FrameControl::kRetryFlag);
  store_le16(q.mpdu, 0, fc);
  // The duration field covers what follows the frame: SIFS and the ACK (802.11-2016
  // 9.2.5.2), in microseconds rounded up.
  const PpduTiming& ack = ack_timing_.Get(AckRateFor(q.options.rate), false, kAckPsduBytes);
  const TimeNs covered = wants_ack ? t.sifs + ack.total() : 0;
  store_le16(q.mpdu, 2,
             static_cast<uint16_t>((covered + port::kMicrosecond - 1) / port::kMicrosecond));

  ++q.attempts;
  ++stats_.tx_attempts;
  if (q.attempts > 1) ++stats_.tx_retries;
  last_rx_ok_ = true;  // sending ends any EIFS (ns-3 NotifyTxStartNow)
  sending_ = Sending::kFrame;
  const TimeNs airtime = medium_.Transmit(node_, q.mpdu, q.options.rate, q.options.short_preamble);
  if (wants_ack) {
    // aSIFSTime + aSlotTime + aRxPHYStartDelay after the frame (802.11-2016 10.3.2.9).
    waiting_ack_ = true;
    ack_timeout_end_ = scheduler_.now() + airtime + t.sifs + t.slot + ack.payload_start();
    ack_event_ = scheduler_.ScheduleAt(ack_timeout_end_, [this] { OnAckTimeout(); });
  }
}

void SimRadio::OnTxEnd() {
  const Sending sent = sending_;
  sending_ = Sending::kNothing;
  if (sent == Sending::kFrame && access_ == Access::kGranted && !waiting_ack_) {
    ++stats_.tx_sent;
    Complete(port::TxResult::kSent);
  }
}

void SimRadio::OnAckTimeout() {
  // A frame whose PLCP header has arrived (the ACK, perhaps) is still being received:
  // decide at its end. If it is the ACK, AckReceived cancels this first.
  const Phy& phy = medium_.phy(node_);
  if (phy.receiving_payload()) {
    ack_event_ = scheduler_.ScheduleAt(phy.rx_end(), [this] { OnAckTimeout(); });
    return;
  }
  AckFailed();
}

void SimRadio::AckReceived() {
  scheduler_.Cancel(ack_event_);
  waiting_ack_ = false;
  ack_timeout_end_ = scheduler_.now();
  ++stats_.tx_acked;
  cw_ = config_.timing.cw_min;
  Complete(port::TxResult::kAcked);
}

void SimRadio::AckFailed() {
  waiting_ack_ = false;
  const MacTiming& t = config_.timing;
  if (head().attempts <= head().options.max_retries) {
    cw_ = std::min(2 * (cw_ + 1) - 1, t.cw_max);
    Release();
    return;
  }
  cw_ = t.cw_min;
  ++stats_.tx_failed;
  Complete(port::TxResult::kNoAck);
}

void SimRadio::Complete(port::TxResult result) {
  const port::TxReport report{head().options.tag, result, head().attempts, scheduler_.now()};
  head_ = (head_ + 1) % queue_.size();
  --size_;
  Release();
  ReportTxDone(report);
}

void SimRadio::Release() {
  access_ = Access::kNotRequested;
  GenerateBackoff();
  if (size_ > 0) RequestAccess();
}

void SimRadio::OnRxEnd(const AirFrame& frame, const port::RxInfo& info, bool ok) {
  last_rx_end_ = scheduler_.now();
  last_rx_ok_ = ok;
  if (ok) {
    ReceivedOk(frame, info);
  } else {
    Deliver(frame.mpdu, info);  // the port's filter passes it in promiscuous mode only
  }
}

void SimRadio::ReceivedOk(const AirFrame& frame, const port::RxInfo& info) {
  const ByteSpan mpdu = frame.mpdu;
  const wire::FrameControl fc = FrameControlOf(mpdu);
  const MacAddress addr1 = Addr1(mpdu);
  const bool control = fc.type() == wire::FrameType::kControl;
  if (control && fc.subtype() == kAckSubtype && waiting_ack_ && addr1 == Addr2(head().mpdu)) {
    AckReceived();
  } else if (IsOwnAddress(addr1)) {
    if (!control && HasAddr2(mpdu)) {
      // ACK after SIFS, whatever the medium does (802.11-2016 10.3.2.9).
      ack_to_ = Addr2(mpdu);
      ack_rate_ = AckRateFor(frame.rate);
      scheduler_.Cancel(send_ack_event_);
      send_ack_event_ = scheduler_.ScheduleAfter(config_.timing.sifs, [this] { TransmitAck(); });
    }
  } else if (config_.nav) {
    // Bit 15 set means the field is an AID or reserved, not a duration (9.2.4.2).
    const uint16_t duration = load_le16(mpdu, 2);
    if ((duration & 0x8000) == 0) {
      nav_end_ = std::max(nav_end_, scheduler_.now() + duration * port::kMicrosecond);
    }
  }
  Deliver(mpdu, info);
}

void SimRadio::TransmitAck() {
  Phy& phy = medium_.phy(node_);
  if (!phy.enabled() || phy.transmitting()) return;
  std::array<std::byte, 10> ack{};
  store_le16(ack, 0, wire::FrameControl::Make(wire::FrameType::kControl, kAckSubtype).raw);
  // Duration 0: no more fragments follow.
  std::copy(ack_to_.bytes().begin(), ack_to_.bytes().end(), ack.begin() + 4);
  ++stats_.acks_sent;
  sending_ = Sending::kAck;
  medium_.Transmit(node_, ack, ack_rate_, false);
}

}  // namespace airlab::sim
