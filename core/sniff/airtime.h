#pragma once
// How long a frame occupied the air, from its length and rate, for channel utilization.
// 802.11-2016 clauses 15 and 16 (DSSS/CCK: 192 us long or 96 us short PLCP, then the PSDU
// at the rate), 18 and 19 (ERP-OFDM: 20 us preamble and SIGNAL, 4 us symbols carrying
// 16 service + 8 * length + 6 tail bits, 6 us signal extension at 2.4 GHz) and 19 (HT
// mixed format: legacy preamble, HT-SIG, HT-STF, one HT-LTF per stream, then symbols of
// 4 us or 3.6 us with a short guard interval).
//
// The simulator's platform/sim/airtime.h times legacy PPDUs field by field for its receive
// state machine; this is the sniffer's total only, and covers HT rates the sim has not.

#include <cstdint>

#include "core/port/clock.h"

namespace airlab::sniff {

// Airtime of a PSDU of `psdu_bytes` (FCS included) at a legacy rate in 500 kb/s units
// (2, 4, 11, 22 DSSS/CCK; 12..108 OFDM). 0 for a rate that is neither.
port::TimeNs LegacyAirtime(uint8_t rate_500kbps, bool short_preamble, uint32_t psdu_bytes);

// Airtime of an HT mixed-format PPDU at MCS 0-31 (streams = mcs / 8 + 1), 20 or 40 MHz,
// BCC coding. 0 for an MCS index above 31.
port::TimeNs HtAirtime(uint8_t mcs, bool forty_mhz, bool short_gi, uint32_t psdu_bytes);

}  // namespace airlab::sniff
