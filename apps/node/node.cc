#include "apps/node/node.h"

#include <algorithm>

namespace airlab::apps {

Node::Node(espnow::Link& link, port::ChannelControl& channel, const port::Clock& clock,
           port::Timer& timer, port::Rng& rng, MutableByteSpan queue_storage,
           const NodeConfig& config)
    : link_(link),
      channel_(channel),
      clock_(clock),
      timer_(timer),
      rng_(rng),
      queue_(queue_storage),
      config_(config),
      scan_(channel, rng, config.channels, config.dwell, config.scan_pause) {}

Node::~Node() {
  timer_.Cancel();
  timer_.SetListener(nullptr);
  if (state_ != State::kStopped) link_.SetListener(nullptr);
}

Status Node::Start() {
  if (state_ != State::kStopped) return Status::FailedPrecondition();
  if ((config_.channels & 0x7ffe) == 0 || config_.dwell <= 0 || config_.ack_timeout <= 0 ||
      config_.retry_delay <= 0 || config_.max_failures == 0 || config_.keepalive <= 0 ||
      config_.scan_pause < 0) {
    return Status::InvalidArgument();
  }
  timer_.SetListener(this);
  link_.SetListener(this);
  if (Status s = link_.SetEnabled(true); !s.ok()) {
    link_.SetListener(nullptr);
    return s;
  }
  espnow::PeerInfo broadcast;
  broadcast.mac = MacAddress::Broadcast();
  AIRLAB_TRY(link_.AddPeer(broadcast));
  // A session per boot: sequence numbers start again, the gateway tells them apart.
  do {
    session_ = rng_.NextU32();
  } while (session_ == 0);
  const port::TimeNs now = clock_.Now();
  StartScan(now);
  ArmTimer(now);
  return Status::Ok();
}

Result<uint32_t> Node::Send(ByteSpan value) {
  if (state_ == State::kStopped) return Status::FailedPrecondition();
  if (value.empty() || value.size() > kMaxValueSize) return Status::InvalidArgument();
  Result<uint32_t> sequence = queue_.Push(value);
  if (!sequence.ok()) {
    ++stats_.refused;
    return Status::ResourceExhausted();
  }
  ++stats_.accepted;
  timer_.ArmAt(clock_.Now());
  return sequence;
}

void Node::Poll() {
  if (state_ == State::kStopped) return;
  const port::TimeNs now = clock_.Now();
  Drain(now);
  if (state_ == State::kScanning) StepScan(now);
  if (state_ == State::kLinked) StepSend(now);
  ArmTimer(now);
}

void Node::OnReceive(const espnow::ReceivedInfo&) { timer_.ArmAt(clock_.Now()); }

void Node::Drain(port::TimeNs now) {
  while (link_.rx_available()) {
    Result<espnow::ReceivedInfo> info = link_.Receive(rx_buffer_);
    if (!info.ok()) {
      link_.ClearReceived();
      return;
    }
    Result<Message> message = ParseMessage(ByteSpan(rx_buffer_.data(), info->size));
    if (message.ok()) Handle(info->src, *message, now);
  }
}

void Node::Handle(const MacAddress& src, const Message& message, port::TimeNs now) {
  switch (message.type) {
    case MessageType::kHello:
      if (state_ == State::kScanning && message.session == session_) OnHello(src, now);
      return;
    case MessageType::kAck: OnAck(src, message, now); return;
    case MessageType::kCommand:
    case MessageType::kRaw:
      if (src == gateway_ && state_ == State::kLinked) OnCommand(src, message, now);
      return;
    case MessageType::kDiscover:
    case MessageType::kReading:
    case MessageType::kPing: return;  // a gateway's business
  }
}

void Node::OnHello(const MacAddress& src, port::TimeNs now) {
  if (config_.gateway != MacAddress() && src != config_.gateway) return;
  if (gateway_peer_ && gateway_ != src) {
    link_.DeletePeer(gateway_).IgnoreError();
    gateway_peer_ = false;
  }
  if (!gateway_peer_) {
    espnow::PeerInfo peer;
    peer.mac = src;
    Status s = link_.AddPeer(peer);
    if (!s.ok() && s != Status::AlreadyExists()) return;  // a full table: keep scanning
    gateway_peer_ = true;
  }
  gateway_ = src;
  state_ = State::kLinked;
  failures_ = 0;
  last_contact_ = now;
  retry_at_ = now;
  awaiting_ack_ = false;
  Emit(
      {.kind = NodeEventKind::kLinked, .time = now, .gateway = src, .channel = channel_.channel()});
}

void Node::OnAck(const MacAddress& src, const Message& message, port::TimeNs now) {
  if (src != gateway_ || message.session != session_ || queue_.empty() ||
      message.sequence != queue_.Front().sequence) {
    return;  // a confirmation for something no longer queued
  }
  const bool stored = message.result == AckResult::kStored;
  ++(stored ? stats_.delivered : stats_.rejected);
  Emit({.kind = stored ? NodeEventKind::kDelivered : NodeEventKind::kRejected,
        .time = now,
        .gateway = src,
        .sequence = message.sequence,
        .value = queue_.Front().value});
  queue_.Pop();
  awaiting_ack_ = false;
  failures_ = 0;
  last_contact_ = now;
  retry_at_ = now;
}

void Node::OnCommand(const MacAddress& src, const Message& message, port::TimeNs now) {
  if (!commands_.Take(message)) return;  // delivered before
  ++stats_.commands;
  last_contact_ = now;
  const bool raw = message.type == MessageType::kRaw;
  Emit({.kind = NodeEventKind::kCommand,
        .time = now,
        .gateway = src,
        .id = raw ? 0 : message.command_id,
        .value = message.value});
}

void Node::StartScan(port::TimeNs now) {
  state_ = State::kScanning;
  const uint8_t first = scan_.Start(now);
  stats_.scans = scan_.rounds();
  Emit({.kind = NodeEventKind::kScanning, .time = now, .channel = first});
}

void Node::StepScan(port::TimeNs now) {
  if (scan_.DiscoverDue(now)) {
    scan_.DiscoverSent();
    Message discover;
    discover.type = MessageType::kDiscover;
    discover.session = session_;
    Transmit(MacAddress::Broadcast(), discover).IgnoreError();  // a full queue: next channel
  }
  scan_.Step(now);
  stats_.scans = scan_.rounds();
}

void Node::StepSend(port::TimeNs now) {
  if (awaiting_ack_ && now >= ack_deadline_) {
    awaiting_ack_ = false;
    Failure(now);
    if (state_ != State::kLinked) return;
  }
  if (in_flight_ || awaiting_ack_ || now < retry_at_) return;
  Message message;
  message.session = session_;
  if (!queue_.empty()) {
    const QueuedReading head = queue_.Front();
    message.type = MessageType::kReading;
    message.sequence = head.sequence;
    message.value = head.value;
  } else if (now - last_contact_ >= config_.keepalive) {
    message.type = MessageType::kPing;
  } else {
    return;
  }
  if (!Transmit(gateway_, message).ok()) {
    Failure(now);
    return;
  }
  in_flight_ = true;
  sending_ping_ = message.type == MessageType::kPing;
  sending_sequence_ = message.sequence;
  if (!sending_ping_) ++stats_.attempts;
}

Status Node::Transmit(const MacAddress& to, const Message& message) {
  std::array<std::byte, kMaxMessageSize> buffer;
  AIRLAB_TRY_ASSIGN(ByteSpan payload, WriteMessage(message, buffer));
  AIRLAB_TRY_ASSIGN(uint32_t id, link_.Send(to, payload));
  if (!to.is_multicast()) send_id_ = id;
  return Status::Ok();
}

void Node::OnSendDone(const espnow::SendReport& report) {
  if (!in_flight_ || report.id != send_id_) return;
  in_flight_ = false;
  const port::TimeNs now = clock_.Now();
  if (state_ == State::kLinked) {
    if (report.delivery == espnow::Delivery::kAcked) {
      last_contact_ = now;
      if (sending_ping_) {
        failures_ = 0;
      } else if (!queue_.empty() && queue_.Front().sequence == sending_sequence_) {
        // Still queued: the confirmation has not come yet (it may have, before this).
        awaiting_ack_ = true;
        ack_deadline_ = now + config_.ack_timeout;
      }
    } else {
      Failure(now);
    }
  }
  timer_.ArmAt(now);
}

void Node::Failure(port::TimeNs now) {
  ++stats_.failures;
  ++failures_;
  if (failures_ >= config_.max_failures) {
    Emit({.kind = NodeEventKind::kLost, .time = now, .gateway = gateway_, .count = failures_});
    failures_ = 0;
    awaiting_ack_ = false;
    StartScan(now);
    return;
  }
  retry_at_ = now + config_.retry_delay;
}

void Node::ArmTimer(port::TimeNs now) {
  port::TimeNs deadline = port::kForever;
  if (link_.rx_available()) deadline = now;
  if (state_ == State::kScanning) deadline = std::min(deadline, scan_.NextDeadline());
  if (state_ == State::kLinked) {
    if (awaiting_ack_) deadline = std::min(deadline, ack_deadline_);
    if (!in_flight_ && !awaiting_ack_) {
      deadline = std::min(deadline, queue_.empty() ? last_contact_ + config_.keepalive : retry_at_);
    }
  }
  if (deadline == port::kForever) {
    timer_.Cancel();
  } else {
    timer_.ArmAt(std::max(deadline, now));
  }
}

void Node::Emit(const NodeEvent& event) const {
  if (config_.observer != nullptr) config_.observer->OnNodeEvent(event);
}

}  // namespace airlab::apps
