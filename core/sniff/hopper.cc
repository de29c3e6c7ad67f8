#include "core/sniff/hopper.h"

namespace airlab::sniff {

ChannelHopper::ChannelHopper(port::Radio& radio, port::Timer& timer, const port::Clock& clock,
                             Tables* tables)
    : radio_(radio), timer_(timer), clock_(clock), tables_(tables) {
  timer_.SetListener(this);
}

Status ChannelHopper::Start(const HopperConfig& config) {
  if (config.channels.empty() || config.channels.size() > kMaxChannels || config.dwell_ns <= 0) {
    return Status::InvalidArgument();
  }
  for (uint8_t ch : config.channels) {
    if (ch < 1 || ch > 14) return Status::InvalidArgument();
  }
  Stop();
  AIRLAB_TRY(radio_.SetChannel(config.channels[0]));
  count_ = config.channels.size();
  for (size_t i = 0; i < count_; ++i) channels_[i] = config.channels[i];
  index_ = 0;
  dwell_ns_ = config.dwell_ns;
  dwell_start_ = clock_.Now();
  tuned_ = true;
  running_ = true;
  timer_.ArmAt(dwell_start_ + dwell_ns_);
  return Status::Ok();
}

void ChannelHopper::Stop() {
  if (!running_) return;
  timer_.Cancel();
  EndDwell(clock_.Now());
  running_ = false;
}

void ChannelHopper::EndDwell(port::TimeNs now) {
  if (tuned_ && tables_ != nullptr) {
    tables_->channels().AddListenTime(channels_[index_], now - dwell_start_);
  }
}

void ChannelHopper::OnTimer() {
  const port::TimeNs now = clock_.Now();
  EndDwell(now);
  index_ = (index_ + 1) % count_;
  ++stats_.hops;
  tuned_ = radio_.SetChannel(channels_[index_]).ok();
  if (!tuned_) ++stats_.set_channel_errors;
  dwell_start_ = now;
  timer_.ArmAt(now + dwell_ns_);
}

}  // namespace airlab::sniff
