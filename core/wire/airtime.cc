#include "core/wire/airtime.h"

namespace airlab::wire {
namespace {

constexpr port::TimeNs kUs = port::kMicrosecond;

// Data bits per OFDM symbol of one spatial stream, MCS 0-7 (802.11-2016 Tables 19-27, 19-28).
constexpr uint16_t kHtBitsPerSymbol20[8] = {26, 52, 78, 104, 156, 208, 234, 260};
constexpr uint16_t kHtBitsPerSymbol40[8] = {54, 108, 162, 216, 324, 432, 486, 540};

// ERP-OFDM data bits per 4 us symbol (802.11-2016 Table 17-4); 0 for a non-OFDM rate.
uint32_t OfdmBitsPerSymbol(uint8_t rate_500kbps) {
  switch (rate_500kbps) {
    case 12: return 24;
    case 18: return 36;
    case 24: return 48;
    case 36: return 72;
    case 48: return 96;
    case 72: return 144;
    case 96: return 192;
    case 108: return 216;
    default: return 0;
  }
}

uint64_t CeilDiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

}  // namespace

PpduTiming LegacyPpduTiming(uint8_t rate_500kbps, bool short_preamble, uint32_t psdu_bytes) {
  PpduTiming t;
  const uint64_t bits = uint64_t{psdu_bytes} * 8;
  switch (rate_500kbps) {
    case 2:
    case 4:
    case 11:
    case 22: {
      // Long PLCP: 144 us SYNC+SFD, 48 us header at 1 Mb/s. Short (not for 1 Mb/s): 72 us
      // and 24 us at 2 Mb/s (802.11-2016 16.2.2.2-3). PSDU time rounded up to whole us.
      const bool use_short = short_preamble && rate_500kbps != 2;
      const uint64_t kbps = uint64_t{rate_500kbps} * 500;
      t.preamble = (use_short ? 72 : 144) * kUs;
      t.header = (use_short ? 24 : 48) * kUs;
      t.header_rate_500kbps = use_short ? 4 : 2;
      t.payload = static_cast<port::TimeNs>(CeilDiv(bits * 1000, kbps)) * kUs;
      return t;
    }
    default: break;
  }
  const uint32_t ndbps = OfdmBitsPerSymbol(rate_500kbps);
  if (ndbps == 0) return t;
  // 16 us preamble, 4 us SIGNAL at 6 Mb/s, then the symbols and the signal extension.
  t.preamble = 16 * kUs;
  t.header = 4 * kUs;
  t.header_rate_500kbps = 12;
  t.payload = static_cast<port::TimeNs>(4 * CeilDiv(16 + bits + 6, ndbps) + 6) * kUs;
  return t;
}

port::TimeNs HtAirtime(uint8_t mcs, bool forty_mhz, bool short_gi, uint32_t psdu_bytes) {
  if (mcs > 31) return 0;
  const uint32_t streams = mcs / 8u + 1;
  const uint32_t ndbps = streams * (forty_mhz ? kHtBitsPerSymbol40 : kHtBitsPerSymbol20)[mcs % 8];
  // HT-LTFs: 1, 2, 4, 4 for 1-4 streams (Table 19-13).
  const uint32_t ltfs = streams == 3 ? 4 : streams;
  // L-STF 8 + L-LTF 8 + L-SIG 4 + HT-SIG 8 + HT-STF 4 + 4 per HT-LTF.
  const uint64_t preamble_ns = (32 + 4 * ltfs) * kUs;
  // A second BCC encoder (6 more tail bits) above 300 Mb/s (ndbps / 4 us); 19.3.5.
  const uint64_t encoders = ndbps / 4 > 300 ? 2 : 1;
  const uint64_t symbols = CeilDiv(16 + uint64_t{psdu_bytes} * 8 + 6 * encoders, ndbps);
  const uint64_t symbol_ns = short_gi ? 3600 : 4000;
  // 802.11-2016 19.4.3: with a short GI the data symbols end on a 4 us boundary.
  uint64_t data_ns = symbols * symbol_ns;
  if (short_gi) data_ns = CeilDiv(data_ns, 4000) * 4000;
  return static_cast<port::TimeNs>(preamble_ns + data_ns + 6 * kUs);
}

}  // namespace airlab::wire
