#pragma once
// Clocks of a host: the wall clock, and another clock moved by an offset (the simulated time
// as wall-clock time, for a gateway that stamps its readings in UTC).

#include "core/port/clock.h"

namespace airlab::host {

// The wall clock: ns since the Unix epoch.
class SystemClock final : public port::Clock {
 public:
  port::TimeNs Now() const override;
};

// Another clock moved by a fixed offset: the simulated time as wall-clock time.
class OffsetClock final : public port::Clock {
 public:
  OffsetClock(const port::Clock& base, port::TimeNs offset) : base_(base), offset_(offset) {}
  port::TimeNs Now() const override { return base_.Now() + offset_; }

 private:
  const port::Clock& base_;
  port::TimeNs offset_;
};

}  // namespace airlab::host
