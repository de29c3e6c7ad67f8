#pragma once
// Channel hopping: a sniffing radio visits a list of channels, staying `dwell` on each
// (airodump-ng hops every 250 ms, Kismet 5 times a second), driven by the Timer port. Each
// dwell that ends is reported to the tables as listen time, so per-channel utilization is
// airtime over the time actually spent there.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/base/status.h"
#include "core/port/clock.h"
#include "core/port/radio.h"
#include "core/port/timer.h"
#include "core/sniff/tables.h"

namespace airlab::sniff {

struct HopperConfig {
  std::span<const uint8_t> channels;  // copied by Start; 1 to kMaxChannels entries, each 1-14
  port::TimeNs dwell_ns = 250 * port::kMillisecond;
};

struct HopperStats {
  uint64_t hops = 0;
  uint64_t set_channel_errors = 0;  // Radio::SetChannel refused: that dwell is skipped
};

class ChannelHopper final : public port::TimerListener {
 public:
  static constexpr size_t kMaxChannels = 14;

  // The hopper sets itself as `timer`'s listener. `tables` (may be null) receives listen
  // time. All must outlive the hopper.
  ChannelHopper(port::Radio& radio, port::Timer& timer, const port::Clock& clock,
                Tables* tables = nullptr);

  // Tunes to the first channel now and hops every dwell. kInvalidArgument: no channels,
  // more than kMaxChannels, a channel outside 1-14 or a dwell <= 0; the radio's error when
  // it refuses the first channel (nothing started then).
  Status Start(const HopperConfig& config);
  // Stops hopping and reports the current dwell's listen time; the radio stays where it is.
  void Stop();

  bool running() const { return running_; }
  uint8_t current_channel() const { return channels_[index_]; }
  const HopperStats& stats() const { return stats_; }

 private:
  void OnTimer() override;
  void EndDwell(port::TimeNs now);

  port::Radio& radio_;
  port::Timer& timer_;
  const port::Clock& clock_;
  Tables* tables_;
  std::array<uint8_t, kMaxChannels> channels_{};
  size_t count_ = 0;
  size_t index_ = 0;
  port::TimeNs dwell_ns_ = 0;
  port::TimeNs dwell_start_ = 0;
  bool tuned_ = false;  // the radio is on channels_[index_] since dwell_start_
  bool running_ = false;
  HopperStats stats_;
};

}  // namespace airlab::sniff
