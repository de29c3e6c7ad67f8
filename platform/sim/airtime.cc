#include "platform/sim/airtime.h"

#include "core/base/assert.h"

namespace airlab::sim {
namespace {

constexpr TimeNs kUs = port::kMicrosecond;

// ERP-OFDM data bits per 4 us symbol (802.11-2016 Table 17-4).
uint32_t OfdmBitsPerSymbol(Rate rate) {
  switch (rate) {
    case Rate::k6Mbps: return 24;
    case Rate::k9Mbps: return 36;
    case Rate::k12Mbps: return 48;
    case Rate::k18Mbps: return 72;
    case Rate::k24Mbps: return 96;
    case Rate::k36Mbps: return 144;
    case Rate::k48Mbps: return 192;
    case Rate::k54Mbps: return 216;
    default: break;
  }
  AIRLAB_ASSERT(false);
  return 0;
}

}  // namespace

PpduTiming PpduTimingFor(Rate rate, bool short_preamble, size_t psdu_bytes) {
  PpduTiming t;
  const uint64_t bits = uint64_t{psdu_bytes} * 8;
  if (port::IsDsss(rate)) {
    // Long PLCP: 144 us SYNC+SFD, 48 us header at 1 Mb/s. Short (not for 1 Mb/s): 72 us
    // and 24 us at 2 Mb/s (802.11-2016 16.2.2.2-3). PSDU time rounded up to whole us.
    const bool use_short = short_preamble && rate != Rate::k1Mbps;
    t.preamble = (use_short ? 72 : 144) * kUs;
    t.header = (use_short ? 24 : 48) * kUs;
    t.header_rate = use_short ? Rate::k2Mbps : Rate::k1Mbps;
    const uint64_t kbps = port::RateKbps(rate);
    t.payload = static_cast<TimeNs>((bits * 1000 + kbps - 1) / kbps) * kUs;
  } else {
    // 16 us preamble, 4 us SIGNAL at 6 Mb/s, then 4 us symbols carrying 16 service bits,
    // the PSDU and 6 tail bits, plus the 6 us signal extension (802.11-2016 18.3.2.4).
    const uint64_t ndbps = OfdmBitsPerSymbol(rate);
    const uint64_t symbols = (16 + bits + 6 + ndbps - 1) / ndbps;
    t.preamble = 16 * kUs;
    t.header = 4 * kUs;
    t.header_rate = Rate::k6Mbps;
    t.payload = static_cast<TimeNs>(symbols * 4 + 6) * kUs;
  }
  return t;
}

Rate AckRateFor(Rate data_rate) {
  if (port::IsDsss(data_rate)) return Rate::k1Mbps;
  if (port::RateKbps(data_rate) >= 24000) return Rate::k24Mbps;
  if (port::RateKbps(data_rate) >= 12000) return Rate::k12Mbps;
  return Rate::k6Mbps;
}

}  // namespace airlab::sim
