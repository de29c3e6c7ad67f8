#include "apps/gateway/gateway.h"

#include <algorithm>

#include "apps/gateway/record_codec.h"
#include "apps/gateway/status_tag.h"
#include "core/cloud/entry.h"
#include "core/port/waiter.h"  // kForever

namespace airlab::apps {
namespace {

constexpr port::TimeNs kBlockedRetry = 5 * port::kMillisecond;

bool ValidConfig(const GatewayConfig& c) {
  const auto valid_field = [](int field) { return field >= 1 && field <= cloud::kFieldCount; };
  return c.channel_id != 0 && !c.write_key.empty() && c.max_updates != 0 &&
         StatusTag::ValidName(c.name) &&
         (c.command_channel_id == 0 || valid_field(c.command_field)) && c.reconcile_results != 0 &&
         c.retry_min > 0 && c.retry_max >= c.retry_min && c.command_retry_min > 0 &&
         c.command_retry_max >= c.command_retry_min && c.uplink_check_interval > 0 &&
         std::all_of(c.fields.begin(), c.fields.end(),
                     [&](const FieldMapping& f) { return valid_field(f.field); });
}

bool ValidMemory(const GatewayMemory& m) {
  return !m.nodes.empty() && !m.records.empty() && m.entries.size() >= m.records.size() &&
         m.record_bytes.size() >= kMaxRecordSize && !m.ingest_records.empty() &&
         m.ingest_bytes.size() >= kMaxRecordSize && m.ingest_marks.size() >= m.nodes.size();
}

}  // namespace

Gateway::Gateway(espnow::Link& link, port::DurableQueue& store, port::Uplink& uplink,
                 const port::Clock& clock, const port::Clock& wall_clock, port::Timer& timer,
                 port::Rng& rng, const GatewayMemory& memory, const GatewayConfig& config)
    : link_(link),
      clock_(clock),
      wall_clock_(wall_clock),
      timer_(timer),
      memory_(memory),
      config_(config),
      events_(config_.observer, clock),
      nodes_(memory_.nodes, link, store, config_, stats_, events_),
      sender_(link),
      intake_(nodes_, store, memory_, config_.accept_raw, stats_, events_),
      writer_(uplink, wall_clock, store, rng, nodes_, memory_, config_, stats_, events_),
      commands_(uplink, wall_clock, memory_.read_request, memory_.read_answer, nodes_, sender_,
                config_, stats_, events_) {}

Gateway::~Gateway() {
  timer_.Cancel();
  timer_.SetListener(nullptr);
  if (started_) link_.SetListener(nullptr);
}

Status Gateway::Start(uint8_t home_channel) {
  if (started_) return Status::FailedPrecondition();
  if (!ValidConfig(config_) || !ValidMemory(memory_)) return Status::InvalidArgument();
  AIRLAB_TRY(writer_.Start());
  AIRLAB_TRY(nodes_.Load(memory_.ingest_marks));
  timer_.SetListener(this);
  link_.SetListener(this);
  if (Status s = link_.SetEnabled(true); !s.ok()) {
    link_.SetListener(nullptr);
    return s;
  }
  nodes_.RegisterPeers();
  home_channel_ = home_channel;
  started_ = true;
  commands_.Start(clock_.Now());
  Poll();
  return Status::Ok();
}

void Gateway::Poll() {
  if (!started_) return;
  const port::TimeNs now = clock_.Now();
  writer_.TakeAnswer(now);
  commands_.TakeAnswer(now);
  Receive(now);
  sender_.Unblock();
  intake_.SendReplies(sender_, home_channel_);
  writer_.Step(now);
  commands_.Poll(now);
  commands_.Forward(now);
  ArmTimer(now);
}

void Gateway::OnHomeChannel(uint8_t channel) {
  home_channel_ = channel;
  events_.Emit({.kind = GatewayEventKind::kHomeChannel, .channel = channel});
}

bool Gateway::uplink_in_flight() const { return writer_.in_flight() || commands_.read_in_flight(); }

void Gateway::OnReceive(const espnow::ReceivedInfo&) {
  if (started_) timer_.ArmAt(clock_.Now());
}

void Gateway::Receive(port::TimeNs now) {
  const int64_t wall_ms = wall_clock_.Now() / port::kMillisecond;
  while (link_.rx_available()) {
    // One transaction per batch of messages: the Link's queue holds a few hundred at most.
    while (link_.rx_available() && intake_.HasRoom()) {
      Result<espnow::ReceivedInfo> info = link_.Receive(rx_buffer_);
      if (!info.ok()) {
        link_.ClearReceived();  // cannot happen with a buffer of the largest payload
        break;
      }
      Result<Message> message = ParseMessage(ByteSpan(rx_buffer_.data(), info->size));
      if (message.ok()) intake_.Take(*info, *message, wall_ms, now);
    }
    intake_.Commit(now);
  }
}

void Gateway::OnSendDone(const espnow::SendReport& report) {
  if (!started_) return;
  const port::TimeNs now = clock_.Now();
  commands_.OnSendDone(report, now);
  timer_.ArmAt(now);
}

void Gateway::ArmTimer(port::TimeNs now) {
  port::TimeNs deadline = std::min(writer_.NextDeadline(now), commands_.NextDeadline(now));
  if (link_.rx_available()) deadline = now;
  if (sender_.blocked()) deadline = std::min(deadline, now + kBlockedRetry);
  if (deadline == port::kForever) {
    timer_.Cancel();
  } else {
    timer_.ArmAt(std::max(deadline, now));
  }
}

}  // namespace airlab::apps
