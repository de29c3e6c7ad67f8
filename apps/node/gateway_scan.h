#pragma once
// Finding the gateway: the node does not know its channel (its router's, which may
// change), so it listens on each channel of a mask in turn for `dwell`, broadcasting one
// kDiscover there, and after a whole round without an answer pauses `scan_pause` and
// starts over. A scan starts on the channel the radio is on (where the gateway was last
// seen), so a brief loss finds it again at once.
//
// Broadcasts are sent once, never retried: nodes that boot together and scan in step
// would collide on every channel, so each sends at a random point of the first half of
// its dwell.
//
// The scan only decides; the node sends (DiscoverDue / DiscoverSent) and listens.

#include <cstdint>

#include "core/port/channel_control.h"
#include "core/port/clock.h"
#include "core/port/rng.h"

namespace airlab::apps {

class GatewayScan {
 public:
  // `channels`: bit n for channel n (1..14). References must outlive the scan.
  GatewayScan(port::ChannelControl& radio, port::Rng& rng, uint16_t channels, port::TimeNs dwell,
              port::TimeNs pause)
      : radio_(radio), rng_(rng), channels_(channels), dwell_(dwell), pause_(pause) {}

  // Starts a round; returns the channel it starts on.
  uint8_t Start(port::TimeNs now);
  // Moves to the next channel (or into the pause) when the dwell is over.
  void Step(port::TimeNs now);
  // A kDiscover is due on the current channel; DiscoverSent once it went (or failed).
  bool DiscoverDue(port::TimeNs now) const {
    return !discover_sent_ && channel_ != 0 && now >= discover_at_;
  }
  void DiscoverSent() { discover_sent_ = true; }
  // When Step or the discover is due next.
  port::TimeNs NextDeadline() const;
  // Rounds started, pauses included (each pause starts a new round).
  uint64_t rounds() const { return rounds_; }

  // The next channel of `channels` after `channel`, wrapping around; 0 for an empty mask.
  static uint8_t NextChannel(uint16_t channels, uint8_t channel);

 private:
  port::ChannelControl& radio_;
  port::Rng& rng_;
  uint16_t channels_;
  port::TimeNs dwell_;
  port::TimeNs pause_;
  uint8_t first_ = 0;    // the channel the round started on
  uint8_t channel_ = 0;  // the channel listened on now (0: none yet)
  bool paused_ = false;  // between two rounds
  bool discover_sent_ = true;
  port::TimeNs discover_at_ = 0;
  port::TimeNs deadline_ = 0;
  uint64_t rounds_ = 0;
};

}  // namespace airlab::apps
