#pragma once
// How long a PPDU occupies the air at 2.4 GHz, field by field, and the MAC timing that
// goes with each PHY. Numbers from reference/air-model.md and IEEE 802.11-2016 clauses 15
// (DSSS), 16 (HR/DSSS) and 18 (ERP-OFDM).

#include <cstddef>
#include <cstdint>

#include "core/port/clock.h"
#include "core/port/radio.h"

namespace airlab::sim {

using port::Rate;
using port::TimeNs;

// The fields of a PPDU as the receiver decodes them: the preamble (synchronisation only,
// no error check, as in ns-3), the PLCP header at header_rate, then the PSDU at the frame's
// rate. OFDM's payload includes the 6 us signal extension of ERP at 2.4 GHz.
struct PpduTiming {
  TimeNs preamble = 0;
  TimeNs header = 0;
  TimeNs payload = 0;
  Rate header_rate = Rate::k1Mbps;
  TimeNs total() const { return preamble + header + payload; }
  TimeNs header_start() const { return preamble; }
  TimeNs payload_start() const { return preamble + header; }
};

// `psdu_bytes` includes the 4-byte FCS. `short_preamble` applies to DSSS 2/5.5/11 Mb/s only.
PpduTiming PpduTimingFor(Rate rate, bool short_preamble, size_t psdu_bytes);
inline TimeNs Airtime(Rate rate, bool short_preamble, size_t psdu_bytes) {
  return PpduTimingFor(rate, short_preamble, psdu_bytes).total();
}

// An ACK: 10 bytes + FCS.
inline constexpr size_t kAckPsduBytes = 14;

// The rate of the ACK to a frame sent at `data_rate`: 1 Mb/s for DSSS (air-model.md), and
// for OFDM the highest mandatory rate (6, 12, 24) not above the data rate (802.11-2016
// 10.6.6.5.2).
Rate AckRateFor(Rate data_rate);

// DCF timing of one PHY (air-model.md's table).
struct MacTiming {
  TimeNs slot = 20 * port::kMicrosecond;
  TimeNs sifs = 10 * port::kMicrosecond;
  uint32_t cw_min = 31;
  uint32_t cw_max = 1023;
  // The lowest rate of the BSS, at which EIFS assumes the missed ACK would have been sent.
  Rate lowest_rate = Rate::k1Mbps;

  TimeNs difs() const { return sifs + 2 * slot; }
  // EIFS - DIFS = SIFS + the ACK's airtime at the lowest rate (802.11-2016 10.3.2.3.7).
  TimeNs eifs_minus_difs() const { return sifs + Airtime(lowest_rate, false, kAckPsduBytes); }

  // 802.11b: slot 20 us, CW 31..1023. The default, and what ESP-NOW at 1 Mb/s uses.
  static MacTiming Dsss() { return {}; }
  // 802.11g without 11b stations: short slot 9 us, CW 15..1023, lowest rate 6 Mb/s.
  static MacTiming ErpOfdm() {
    return {9 * port::kMicrosecond, 10 * port::kMicrosecond, 15, 1023, Rate::k6Mbps};
  }
};

}  // namespace airlab::sim
