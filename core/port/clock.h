#pragma once
// Clock port: monotonic time in integer nanoseconds. The sim's clock moves only when the
// scheduler advances it; on hardware it reads a timer.

#include <cstdint>

namespace airlab::port {

using TimeNs = int64_t;
constexpr TimeNs kMicrosecond = 1'000;
constexpr TimeNs kMillisecond = 1'000'000;
constexpr TimeNs kSecond = 1'000'000'000;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeNs Now() const = 0;
};

}  // namespace airlab::port
