#include "apps/node/node.h"

#include <algorithm>
#include <cstring>

namespace airlab::apps {
namespace {

constexpr uint8_t kMaxChannel = 14;

bool Scans(uint16_t channels, uint8_t channel) { return (channels >> channel & 1) != 0; }

// The next channel of the mask after `channel`, wrapping around; 0 if the mask is empty.
uint8_t NextChannel(uint16_t channels, uint8_t channel) {
  for (uint8_t i = 1; i <= kMaxChannel; ++i) {
    const uint8_t c = static_cast<uint8_t>((channel + i - 1) % kMaxChannel + 1);
    if (Scans(channels, c)) return c;
  }
  return 0;
}

}  // namespace

Node::Node(espnow::Link& link, ChannelControl& channel, const port::Clock& clock,
           port::Timer& timer, port::Rng& rng, MutableByteSpan queue_storage,
           const NodeConfig& config)
    : link_(link),
      channel_(channel),
      clock_(clock),
      timer_(timer),
      rng_(rng),
      queue_(queue_storage),
      config_(config) {}

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
  Result<MutableByteSpan> room = queue_.Reserve(4 + value.size());
  if (!room.ok()) {
    ++stats_.refused;
    return Status::ResourceExhausted();
  }
  const uint32_t sequence = next_sequence_++;
  store_le32(*room, 0, sequence);
  std::memcpy(room->data() + 4, value.data(), value.size());
  queue_.Commit(4 + value.size());
  ++stats_.accepted;
  timer_.ArmAt(clock_.Now());
  return sequence;
}

uint32_t Node::HeadSequence() const { return load_le32(queue_.Front(), 0); }

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
    case MessageType::kHello: {
      if (state_ != State::kScanning || message.session != session_) return;
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
      NodeEvent e;
      e.kind = NodeEventKind::kLinked;
      e.time = now;
      e.gateway = src;
      e.channel = channel_.channel();
      Emit(e);
      return;
    }
    case MessageType::kAck: {
      if (src != gateway_ || message.session != session_ || queue_.empty() ||
          message.sequence != HeadSequence()) {
        return;  // a confirmation for something no longer queued
      }
      const ByteSpan head = queue_.Front();
      NodeEvent e;
      e.time = now;
      e.gateway = src;
      e.sequence = message.sequence;
      e.value = head.subspan(4);
      if (message.result == AckResult::kStored) {
        e.kind = NodeEventKind::kDelivered;
        ++stats_.delivered;
      } else {
        e.kind = NodeEventKind::kRejected;
        ++stats_.rejected;
      }
      Emit(e);
      queue_.Pop();
      awaiting_ack_ = false;
      failures_ = 0;
      last_contact_ = now;
      retry_at_ = now;
      return;
    }
    case MessageType::kCommand:
    case MessageType::kRaw: {
      if (src != gateway_ || state_ != State::kLinked) return;
      const bool raw = message.type == MessageType::kRaw;
      if (!raw && message.command_id <= last_command_) return;  // delivered before
      if (!raw) last_command_ = message.command_id;
      ++stats_.commands;
      last_contact_ = now;
      NodeEvent e;
      e.kind = NodeEventKind::kCommand;
      e.time = now;
      e.gateway = src;
      e.id = raw ? 0 : message.command_id;
      e.value = message.value;
      Emit(e);
      return;
    }
    case MessageType::kDiscover:
    case MessageType::kReading:
    case MessageType::kPing:
      return;  // a gateway's business
  }
}

void Node::StartScan(port::TimeNs now) {
  state_ = State::kScanning;
  ++stats_.scans;
  // The channel the gateway was last seen on first: a restart of the gateway's radio, or
  // a lost burst, finds it there at once.
  const uint8_t current = channel_.channel();
  scan_first_ = Scans(config_.channels, current) ? current : NextChannel(config_.channels, current);
  scan_channel_ = 0;
  paused_ = false;
  scan_deadline_ = now;
  NodeEvent e;
  e.kind = NodeEventKind::kScanning;
  e.time = now;
  e.channel = scan_first_;
  Emit(e);
}

void Node::StepScan(port::TimeNs now) {
  if (!discover_sent_ && scan_channel_ != 0 && now >= discover_at_) {
    discover_sent_ = true;
    Message discover;
    discover.type = MessageType::kDiscover;
    discover.session = session_;
    Transmit(MacAddress::Broadcast(), discover).IgnoreError();  // a full queue: next channel
  }
  if (now < scan_deadline_) return;
  const uint8_t next =
      scan_channel_ == 0 ? scan_first_ : NextChannel(config_.channels, scan_channel_);
  if (scan_channel_ != 0 && next == scan_first_ && !paused_) {
    // A whole round without an answer: pause, then start over.
    paused_ = true;
    ++stats_.scans;
    scan_deadline_ = now + config_.scan_pause;
    return;
  }
  paused_ = false;
  scan_channel_ = next;
  scan_deadline_ = now + config_.dwell;
  discover_sent_ = !channel_.SetChannel(next).ok();
  // Broadcasts are sent once, never retried: nodes that boot together and scan in step
  // would collide on every channel, so each waits a random part of the first half of its
  // dwell.
  discover_at_ = now + static_cast<port::TimeNs>(
                           rng_.Uniform(static_cast<uint32_t>(config_.dwell / 2 / port::kMicrosecond))) *
                           port::kMicrosecond;
}

void Node::StepSend(port::TimeNs now) {
  if (awaiting_ack_ && now >= ack_deadline_) {
    awaiting_ack_ = false;
    Failure(now);
    if (state_ != State::kLinked) return;
  }
  if (in_flight_ || awaiting_ack_ || now < retry_at_) return;
  if (!queue_.empty()) {
    const ByteSpan head = queue_.Front();
    Message reading;
    reading.type = MessageType::kReading;
    reading.session = session_;
    reading.sequence = load_le32(head, 0);
    reading.value = head.subspan(4);
    if (Transmit(gateway_, reading).ok()) {
      in_flight_ = true;
      sending_ping_ = false;
      sending_sequence_ = reading.sequence;
      ++stats_.attempts;
    } else {
      Failure(now);
    }
  } else if (now - last_contact_ >= config_.keepalive) {
    Message ping;
    ping.type = MessageType::kPing;
    ping.session = session_;
    if (Transmit(gateway_, ping).ok()) {
      in_flight_ = true;
      sending_ping_ = true;
    } else {
      Failure(now);
    }
  }
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
      } else if (!queue_.empty() && HeadSequence() == sending_sequence_) {
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
    NodeEvent e;
    e.kind = NodeEventKind::kLost;
    e.time = now;
    e.gateway = gateway_;
    e.count = failures_;
    Emit(e);
    failures_ = 0;
    awaiting_ack_ = false;
    StartScan(now);
    return;
  }
  retry_at_ = now + config_.retry_delay;
}

void Node::ArmTimer(port::TimeNs now) {
  port::TimeNs deadline = port::kForever;
  auto at = [&](port::TimeNs t) { deadline = std::min(deadline, std::max(t, now)); };
  if (link_.rx_available()) at(now);
  if (state_ == State::kScanning) {
    at(scan_deadline_);
    if (!discover_sent_ && scan_channel_ != 0) at(discover_at_);
  }
  if (state_ == State::kLinked) {
    if (awaiting_ack_) at(ack_deadline_);
    if (!in_flight_ && !awaiting_ack_) {
      at(queue_.empty() ? last_contact_ + config_.keepalive : retry_at_);
    }
  }
  if (deadline == port::kForever) {
    timer_.Cancel();
  } else {
    timer_.ArmAt(deadline);
  }
}

void Node::Emit(NodeEvent event) {
  if (config_.observer != nullptr) config_.observer->OnNodeEvent(event);
}

}  // namespace airlab::apps
