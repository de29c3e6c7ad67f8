#pragma once
// How long a PPDU occupies the air at 2.4 GHz, from its rate and length. One computation
// for the simulator's receive state machine (platform/sim, field by field) and the
// sniffer's channel utilization (core/sniff, totals).
// 802.11-2016 clauses 15 and 16 (DSSS/CCK: 192 us long or 96 us short PLCP, then the PSDU
// at the rate), 18 (ERP-OFDM: 20 us preamble and SIGNAL, 4 us symbols carrying 16 service
// + 8 * length + 6 tail bits, 6 us signal extension at 2.4 GHz) and 19 (HT mixed format:
// legacy preamble, HT-SIG, HT-STF, one HT-LTF per stream, then symbols of 4 us or 3.6 us
// with a short guard interval).

#include <cstdint>

#include "core/port/clock.h"

namespace airlab::wire {

// The fields of a legacy PPDU as the receiver decodes them: the preamble (synchronisation
// only, no error check, as in ns-3), the PLCP header or SIGNAL at header_rate_500kbps, then
// the PSDU at the frame's rate. OFDM's payload includes the 6 us signal extension.
struct PpduTiming {
  port::TimeNs preamble = 0;
  port::TimeNs header = 0;
  port::TimeNs payload = 0;
  uint8_t header_rate_500kbps = 0;
  port::TimeNs total() const { return preamble + header + payload; }
  port::TimeNs header_start() const { return preamble; }
  port::TimeNs payload_start() const { return preamble + header; }
};

// Timing of a PSDU of `psdu_bytes` (FCS included) at a legacy rate in 500 kb/s units, as
// radiotap and port::Rate carry it (2, 4, 11, 22 DSSS/CCK; 12..108 OFDM). `short_preamble`
// applies to DSSS 2/5.5/11 Mb/s only. All zero for a rate that is neither.
PpduTiming LegacyPpduTiming(uint8_t rate_500kbps, bool short_preamble, uint32_t psdu_bytes);

inline port::TimeNs LegacyAirtime(uint8_t rate_500kbps, bool short_preamble, uint32_t psdu_bytes) {
  return LegacyPpduTiming(rate_500kbps, short_preamble, psdu_bytes).total();
}

// Airtime of an HT mixed-format PPDU at MCS 0-31 (streams = mcs / 8 + 1), 20 or 40 MHz,
// BCC coding. 0 for an MCS index above 31.
port::TimeNs HtAirtime(uint8_t mcs, bool forty_mhz, bool short_gi, uint32_t psdu_bytes);

}  // namespace airlab::wire
