#include "host/clocks.h"

#include <chrono>

namespace airlab::host {

port::TimeNs SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace airlab::host
