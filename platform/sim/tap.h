#pragma once
// The tap: every frame that went on the air, with what each receiver made of it, reported
// to observers when the frame ends. A pcapng writer, a statistics collector and the
// determinism test are observers.

#include <cstdint>
#include <span>

#include "core/base/bytes.h"
#include "core/port/clock.h"
#include "core/port/radio.h"

namespace airlab::sim {

enum class RxOutcome : uint8_t {
  kReceived,      // locked on, PLCP header and payload decoded: the FCS is good
  kPayloadError,  // locked on and the header decoded, the payload did not (bad FCS)
  kHeaderError,   // locked on, the PLCP header failed; the frame was dropped
  kMissed,        // never locked on: too weak, interfered at its preamble, or the receiver
                  // was busy transmitting or receiving another frame
};

struct TapReception {
  uint32_t node = 0;
  double rssi_dbm = 0.0;
  RxOutcome outcome = RxOutcome::kMissed;
};

struct TapFrame {
  port::TimeNs start = 0;  // first bit of the preamble
  port::TimeNs end = 0;
  uint32_t transmitter = 0;
  uint8_t channel = 0;
  port::Rate rate = port::Rate::k1Mbps;
  bool short_preamble = false;
  double tx_power_dbm = 0.0;
  ByteSpan mpdu;  // header and body without FCS, valid during the call
  bool retry = false;
  // Every enabled node on the channel that the signal reached above the receive
  // sensitivity, in node order; empty when no observer WantsReceptions().
  std::span<const TapReception> receptions;
};

class AirObserver {
 public:
  virtual void OnAirFrame(const TapFrame& frame) = 0;
  // False when the observer never reads TapFrame::receptions: with no observer reading
  // them, the medium does not collect them (one per receiver per frame) and leaves them empty.
  virtual bool WantsReceptions() const { return true; }

 protected:
  ~AirObserver() = default;
};

}  // namespace airlab::sim
