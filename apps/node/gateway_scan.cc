#include "apps/node/gateway_scan.h"

#include <algorithm>

namespace airlab::apps {
namespace {

bool Scans(uint16_t channels, uint8_t channel) { return (channels >> channel & 1) != 0; }

}  // namespace

uint8_t GatewayScan::NextChannel(uint16_t channels, uint8_t channel) {
  constexpr uint8_t kChannels = 14;
  for (uint8_t i = 1; i <= kChannels; ++i) {
    const uint8_t c = static_cast<uint8_t>((channel + i - 1) % kChannels + 1);
    if (Scans(channels, c)) return c;
  }
  return 0;
}

uint8_t GatewayScan::Start(port::TimeNs now) {
  ++rounds_;
  const uint8_t current = radio_.channel();
  first_ = Scans(channels_, current) ? current : NextChannel(channels_, current);
  channel_ = 0;
  paused_ = false;
  discover_sent_ = true;
  deadline_ = now;
  return first_;
}

void GatewayScan::Step(port::TimeNs now) {
  if (now < deadline_) return;
  const uint8_t next = channel_ == 0 ? first_ : NextChannel(channels_, channel_);
  if (channel_ != 0 && next == first_ && !paused_) {
    // A whole round without an answer: pause, then start over.
    paused_ = true;
    ++rounds_;
    deadline_ = now + pause_;
    return;
  }
  paused_ = false;
  channel_ = next;
  deadline_ = now + dwell_;
  discover_sent_ = !radio_.SetChannel(next).ok();
  const auto half_dwell_us = static_cast<uint32_t>(dwell_ / 2 / port::kMicrosecond);
  discover_at_ = now + static_cast<port::TimeNs>(rng_.Uniform(half_dwell_us)) * port::kMicrosecond;
}

port::TimeNs GatewayScan::NextDeadline() const {
  return discover_sent_ || channel_ == 0 ? deadline_ : std::min(deadline_, discover_at_);
}

}  // namespace airlab::apps
