#include "platform/sim/airtime.h"

#include "core/base/assert.h"

namespace airlab::sim {

PpduTiming PpduTimingFor(Rate rate, bool short_preamble, size_t psdu_bytes) {
  // The sim only sends port::Rate values, which are the 500 kb/s units wire expects.
  AIRLAB_ASSERT(port::IsValidRate(rate));
  return wire::LegacyPpduTiming(static_cast<uint8_t>(rate), short_preamble,
                                static_cast<uint32_t>(psdu_bytes));
}

Rate AckRateFor(Rate data_rate) {
  if (port::IsDsss(data_rate)) return Rate::k1Mbps;
  if (port::RateKbps(data_rate) >= 24000) return Rate::k24Mbps;
  if (port::RateKbps(data_rate) >= 12000) return Rate::k12Mbps;
  return Rate::k6Mbps;
}

}  // namespace airlab::sim
