#pragma once
// The MAC timing that goes with each PHY, and the PPDU timing of core/wire/airtime.h for
// port::Rate. Numbers from docs/reference/air-model.md and IEEE 802.11-2016.

#include <cstddef>
#include <cstdint>

#include "core/port/clock.h"
#include "core/port/radio.h"
#include "core/wire/airtime.h"

namespace airlab::sim {

using port::Rate;
using port::TimeNs;
using wire::PpduTiming;

// `psdu_bytes` includes the 4-byte FCS. `short_preamble` applies to DSSS 2/5.5/11 Mb/s only.
PpduTiming PpduTimingFor(Rate rate, bool short_preamble, size_t psdu_bytes);
inline TimeNs Airtime(Rate rate, bool short_preamble, size_t psdu_bytes) {
  return PpduTimingFor(rate, short_preamble, psdu_bytes).total();
}

// PpduTimingFor with its last answer kept: a node sends frames of the same few kinds again
// and again.
class PpduTimingMemo {
 public:
  const PpduTiming& Get(Rate rate, bool short_preamble, size_t psdu_bytes) {
    if (psdu_bytes != psdu_bytes_ || rate != rate_ || short_preamble != short_preamble_) {
      timing_ = PpduTimingFor(rate, short_preamble, psdu_bytes);
      rate_ = rate;
      short_preamble_ = short_preamble;
      psdu_bytes_ = psdu_bytes;
    }
    return timing_;
  }

 private:
  PpduTiming timing_;
  Rate rate_ = Rate::k1Mbps;
  bool short_preamble_ = false;
  size_t psdu_bytes_ = SIZE_MAX;  // nothing kept yet
};

// An ACK: 10 bytes + FCS.
inline constexpr size_t kAckPsduBytes = 14;

// The rate of the ACK to a frame sent at `data_rate`: 1 Mb/s for DSSS (air-model.md), and
// for OFDM the highest mandatory rate (6, 12, 24) not above the data rate (802.11-2016
// 10.6.6.5.2).
Rate AckRateFor(Rate data_rate);

// DCF timing of one PHY (docs/reference/air-model.md's table).
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
