#pragma once
// ThingSpeak refuses a write that comes less than the channel's interval after the last
// accepted one (free accounts: 15 s; paid: 1 s) - with "0" for /update and 429 for bulk
// updates - and the refused data is gone unless the sender kept it. RateLimiter remembers
// each channel's last write on the port::Clock and tells when the next may go, so a sender
// waits instead of losing data.
//
// When to record: when the write's answer arrives, not when it leaves. The server stamps
// the write somewhere in between, so the next write, sent an interval after the answer,
// reaches it at least an interval after its stamp however the delays vary.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/base/status.h"
#include "core/port/clock.h"

namespace airlab::cloud {

inline constexpr port::TimeNs kFreeInterval = 15 * port::kSecond;
inline constexpr port::TimeNs kPaidInterval = 1 * port::kSecond;

class RateLimiter {
 public:
  // Channels tracked at once. A write to one more forgets the least recently written
  // channel that has no interval of its own; forgetting can only cost a refused write
  // (kNotInserted), never a wrong wait.
  static constexpr size_t kCapacity = 8;
  static constexpr port::TimeNs kNever = std::numeric_limits<port::TimeNs>::min();

  explicit RateLimiter(port::TimeNs default_interval = kFreeInterval)
      : default_interval_(default_interval) {}

  // For channels without an interval of their own. A negative interval counts as 0.
  void set_default_interval(port::TimeNs interval) { default_interval_ = interval; }
  port::TimeNs default_interval() const { return default_interval_; }

  // Gives `channel_id` its own interval (a paid channel: kPaidInterval; 0: no limit).
  // kInvalidArgument for channel 0 or a negative interval. kResourceExhausted when
  // kCapacity channels have intervals of their own already.
  Status SetInterval(uint32_t channel_id, port::TimeNs interval);
  port::TimeNs interval(uint32_t channel_id) const;

  // When the next write to the channel may go: the last recorded write plus the interval,
  // kNever if none is known.
  port::TimeNs NextWriteAt(uint32_t channel_id) const;
  bool MayWrite(uint32_t channel_id, port::TimeNs now) const {
    return now >= NextWriteAt(channel_id);
  }

  // Notes a write's answer (or its failure after the request may have reached the server)
  // at `now`. Times before a recorded one are ignored.
  void RecordWrite(uint32_t channel_id, port::TimeNs now);

 private:
  struct Slot {
    uint32_t channel_id = 0;  // 0: free
    bool own_interval = false;
    port::TimeNs interval = 0;
    port::TimeNs last_write = kNever;
  };
  size_t IndexOf(uint32_t channel_id) const;  // kCapacity when not tracked
  const Slot* Find(uint32_t channel_id) const;
  // The channel's slot, taking a free one or the stalest without an own interval; nullptr
  // when every slot has an own interval.
  Slot* Take(uint32_t channel_id);

  std::array<Slot, kCapacity> slots_{};
  port::TimeNs default_interval_;
};

}  // namespace airlab::cloud
