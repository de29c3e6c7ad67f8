#include "apps/gateway/command_forwarder.h"

#include <algorithm>
#include <cstring>

#include "apps/gateway/record_codec.h"
#include "core/cloud/answers.h"
#include "core/port/waiter.h"  // kForever

namespace airlab::apps {

CommandForwarder::CommandForwarder(port::Uplink& uplink, const port::Clock& wall_clock,
                                   MutableByteSpan request, MutableByteSpan answer,
                                   NodeTable& nodes, NodeSender& sender,
                                   const GatewayConfig& config, GatewayStats& stats,
                                   const EventSink& events)
    : client_(uplink, wall_clock, *this, request, answer),
      nodes_(nodes),
      sender_(sender),
      config_(config),
      stats_(stats),
      events_(events) {}

void CommandForwarder::OnDone(const cloud::Completion& done) {
  // The uplink's context: only the inbox is touched.
  Inbox& in = inbox_;
  in.code = done.code;
  in.entry_id = 0;
  in.has_value = false;
  in.value_size = 0;
  if (done.code == cloud::ErrorCode::kOk && !done.entry.empty()) {
    in.entry_id = done.entry.entry_id();
    cloud::JsonString value = done.entry.field(config_.command_field);
    if (value.present()) {
      StatusWithSize n = value.CopyTo(AsWritableBytes(in.value.data(), in.value.size()));
      in.has_value = n.ok() && n.size() > 0;
      in.value_size = n.size();
    }
  }
  in.ready.store(true, std::memory_order_release);
}

void CommandForwarder::TakeAnswer(port::TimeNs now) {
  if (!inbox_.ready.load(std::memory_order_acquire)) return;
  read_in_flight_ = false;
  const Inbox& in = inbox_;
  if (in.code == cloud::ErrorCode::kOk && in.has_value && in.entry_id > 0 &&
      static_cast<uint64_t>(in.entry_id) > command_id_) {
    command_id_ = static_cast<uint64_t>(in.entry_id);
    value_size_ = Utf8Prefix(AsBytes(in.value.data(), in.value_size), kMaxValueSize);
    std::memcpy(value_.data(), in.value.data(), value_size_);
    ++stats_.commands;
    for (GatewayNode& node : nodes_.slots()) {
      node.command.retry_at = now;
      node.command.backoff = 0;
    }
    events_.Emit({.kind = GatewayEventKind::kCommand,
                  .time = now,
                  .id = command_id_,
                  .value = ByteSpan(value_.data(), value_size_)});
  }
  inbox_.ready.store(false, std::memory_order_relaxed);
}

void CommandForwarder::Poll(port::TimeNs now) {
  if (config_.command_channel_id == 0 || read_in_flight_ || now < next_poll_) return;
  next_poll_ = now + config_.command_poll_interval;
  read_in_flight_ =
      client_.ReadLast(config_.command_channel_id, config_.command_field, config_.command_read_key)
          .ok();
}

bool CommandForwarder::Needs(const GatewayNode& node) const {
  return node.used && node.peer && command_id_ != 0 && node.command.delivered < command_id_ &&
         !node.command.in_flight;
}

void CommandForwarder::RetryLater(GatewayNode& node, port::TimeNs now) const {
  GatewayNode::Commands& c = node.command;
  c.backoff = c.backoff == 0 ? config_.command_retry_min
                             : std::min(c.backoff * 2, config_.command_retry_max);
  c.retry_at = now + c.backoff;
}

void CommandForwarder::Forward(port::TimeNs now) {
  if (sender_.blocked()) return;
  const ByteSpan value(value_.data(), value_size_);
  for (GatewayNode& node : nodes_.slots()) {
    if (!Needs(node) || now < node.command.retry_at) continue;
    Message command;
    command.type = MessageType::kCommand;
    command.command_id = command_id_;
    command.value = value;
    // A lab board gets the bare value, as the lab's master sends it.
    const SendResult r = node.raw ? sender_.Send(node.mac, value) : sender_.Send(node.mac, command);
    if (r == SendResult::kBlocked) return;
    ++node.command.attempts;
    ++stats_.forward_attempts;
    if (r == SendResult::kSent) {
      node.command.in_flight = true;
      node.command.send_id = sender_.last_id();
      node.command.sending = command_id_;
    } else {
      RetryLater(node, now);
    }
  }
}

void CommandForwarder::OnSendDone(const espnow::SendReport& report, port::TimeNs now) {
  for (GatewayNode& node : nodes_.slots()) {
    GatewayNode::Commands& c = node.command;
    if (!node.used || !c.in_flight || c.send_id != report.id) continue;
    c.in_flight = false;
    GatewayEvent e{.time = now, .node = node.mac, .id = c.sending, .count = c.attempts};
    if (report.delivery == espnow::Delivery::kAcked) {
      c.delivered = c.sending;
      c.attempts = 0;
      c.backoff = 0;
      ++stats_.forwarded;
      nodes_.Persist(node);
      e.kind = GatewayEventKind::kForwarded;
    } else {
      RetryLater(node, now);
      e.kind = GatewayEventKind::kForwardFailed;
    }
    events_.Emit(e);
    return;
  }
}

port::TimeNs CommandForwarder::NextDeadline(port::TimeNs now) const {
  port::TimeNs deadline = port::kForever;
  if (read_in_flight_) deadline = now + config_.uplink_check_interval;  // look for the answer
  if (config_.command_channel_id != 0 && !read_in_flight_)
    deadline = std::min(deadline, next_poll_);
  if (!sender_.blocked()) {
    for (const GatewayNode& node : nodes_.slots()) {
      if (Needs(node)) deadline = std::min(deadline, node.command.retry_at);
    }
  }
  return deadline;
}

}  // namespace airlab::apps
