#pragma once
// One node's PHY: transmitter state, the signals present at its antenna, the frame it is
// locked on, and clear-channel assessment. Modelled on ns-3 3.37's PhyEntity with its
// default ThresholdPreambleDetectionModel and no frame capture:
// - A signal that arrives while the PHY is idle may be locked on 4 us later if its RSSI
//   is at least -82 dBm and its SINR at that moment at least 4 dB. Signals that arrive
//   while it transmits or is locked on another frame are only interference.
// - Locked, the PHY tracks the SINR over each chunk of the frame where the set of signals
//   is constant. The preamble is not checked; the PLCP header (at its own rate) is, at the
//   end of the header, and a failure drops the frame there; the payload is checked at the
//   end. Success = product of the chunks' success rates (ErrorRateModel).
// - CCA is busy while transmitting, while locked, and while the energy of the signals
//   present for 4 us (the detection window) reaches the CCA threshold.

#include <bit>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/port/radio.h"
#include "core/port/rng.h"
#include "platform/sim/airtime.h"
#include "platform/sim/error_model.h"
#include "platform/sim/tap.h"

namespace airlab::sim {

struct PhyConfig {
  // Weaker signals do not exist for the receiver, not even as interference (ns-3's
  // RxSensitivity, applied in YansWifiChannel::Receive).
  double rx_sensitivity_dbm = -101.0;
  // ns-3's ThresholdPreambleDetectionModel defaults.
  double preamble_min_rssi_dbm = -82.0;
  double preamble_snr_db = 4.0;
  TimeNs preamble_detection = 4 * port::kMicrosecond;
  // CCA threshold for 802.11 signals the PHY did not lock on. ns-3 3.37 applies its
  // CcaSensitivity (-82 dBm) to them; the -62 dBm energy-detection threshold is for
  // non-802.11 energy, which the sim does not have.
  double cca_threshold_dbm = -82.0;
};

// Received powers in exact fixed point: units of 2^-100 mW. Every double from 2^-48 mW
// (-144 dBm) up converts without loss, and integer sums are exact and independent of the
// order of the terms, so the running sums below, added to at a signal's start and taken
// from at its end, never drift from the sum of the signals present (ns-3's
// InterferenceHelper also sums every signal; it rescans them instead).
using PowerUnits = unsigned __int128;
inline constexpr double kPowerUnitsPerMw = 0x1p100;
// Truncated, as a conversion of mw * 2^100 would be, from the double's fields: libgcc's
// general routine is slow. `mw` >= 0.
inline PowerUnits ToPowerUnits(double mw) {
  const auto bits = std::bit_cast<uint64_t>(mw);
  const int exponent = static_cast<int>(bits >> 52) & 0x7ff;
  if (exponent == 0) return 0;  // zero, or subnormal: far below one unit
  const uint64_t mantissa = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52);
  const int shift = exponent - 1023 - 52 + 100;  // units = mantissa * 2^shift
  if (shift >= 0) return static_cast<PowerUnits>(mantissa) << shift;
  return shift > -64 ? mantissa >> -shift : 0;
}
// Rounded to nearest as a conversion of the 128-bit integer would be (the top 64 bits with
// a sticky bit for the rest round as the whole does), without libgcc's general routine:
// the PHY converts on every change of the signals while it is locked.
inline double ToMw(PowerUnits units) {
  const auto high = static_cast<uint64_t>(units >> 64);
  if (high == 0) return static_cast<double>(static_cast<uint64_t>(units)) / kPowerUnitsPerMw;
  const int shift = 64 - std::countl_zero(high);  // 1..64: the top 64 bits are units >> shift
  const auto low = static_cast<uint64_t>(units);
  const uint64_t dropped = shift == 64 ? low : low & ((uint64_t{1} << shift) - 1);
  const uint64_t top = static_cast<uint64_t>(units >> shift) | (dropped != 0 ? 1 : 0);
  // Times 2^(shift - 100), exact: a power of two well inside double's range.
  return static_cast<double>(top) *
         std::bit_cast<double>(static_cast<uint64_t>(1023 + shift - 100) << 52);
}

// One frame's signal at one receiver, from the frame's start to its end. The Medium keeps
// one per receiver with the frame and hands it to the receiver's PHY at each step, so the
// PHY keeps no list of signals and searches none: what it needs of the others is in its
// running sums and counters. The counters are compared for equality only, over the life of
// one frame, so 32 bits cannot wrap round to a false match.
struct Signal {
  PowerUnits power = 0;
  double power_mw = 0.0;
  uint32_t epoch = 0;             // the PHY's epoch at arrival; 0: it never arrived
  uint32_t arrivals = 0;          // the PHY's arrival count just after this one arrived
  uint32_t tx_starts = 0;         // the PHY's transmissions started before it arrived
  bool arrived_idle = false;      // the PHY was idle at its arrival
  bool overlapped_early = false;  // other signals were present at its arrival
  bool sensed = false;            // present for the detection window: counts for CCA
  RxOutcome outcome = RxOutcome::kMissed;
};

// A frame on the air, shared by its receivers.
struct AirFrame {
  uint32_t transmitter = 0;
  uint8_t channel = 0;
  port::Rate rate = port::Rate::k1Mbps;
  bool short_preamble = false;
  double tx_power_dbm = 0.0;
  PpduTiming timing;
  TimeNs start = 0;
  std::vector<std::byte> mpdu;  // without FCS
  bool retry = false;

  TimeNs header_start() const { return start + timing.header_start(); }
  TimeNs payload_start() const { return start + timing.payload_start(); }
  TimeNs end() const { return start + timing.total(); }
};

// What the PHY tells its MAC (ns-3's WifiPhyListener, reduced to what DCF needs; the MAC
// asks receiving_payload() where ns-3 signals PHY-RXSTART).
class PhyListener {
 public:
  virtual void OnCcaChange(bool busy) = 0;
  // The frame locked on ended; `ok` says whether its payload was decoded.
  virtual void OnRxEnd(const AirFrame& frame, const port::RxInfo& info, bool ok) = 0;
  virtual void OnTxEnd() = 0;

 protected:
  ~PhyListener() = default;
};

struct PhyStats {
  uint64_t rx_ok = 0;          // frames decoded with a good FCS
  uint64_t rx_errors = 0;      // frames locked on and lost (header or payload)
  uint64_t rx_collisions = 0;  // frames lost while another signal overlapped them that
                               // would have been received alone
};

class Phy {
 public:
  Phy(const PhyConfig& config, const ErrorRateModel& error_model, port::SplitMix64 rng,
      uint8_t channel, double noise_figure_db);

  void SetListener(PhyListener* listener) { listener_ = listener; }
  // Both drop the signals present and any reception under way.
  void SetChannel(uint8_t channel);
  void SetEnabled(bool on);
  uint8_t channel() const { return channel_; }
  bool enabled() const { return enabled_; }
  bool transmitting() const { return state_ == State::kTx; }
  // Locked on a frame whose PLCP header was decoded, which ends at rx_end().
  bool receiving_payload() const { return state_ == State::kRx && lock_.header_ok; }
  TimeNs rx_end() const { return lock_.end; }
  const PhyStats& stats() const { return stats_; }
  // The noise floor for frames at `rate` (22 MHz DSSS or 20 MHz OFDM, plus noise figure).
  double NoiseMw(port::Rate rate) const {
    return port::IsDsss(rate) ? noise_dsss_mw_ : noise_ofdm_mw_;
  }

  // The Medium's calls, in the life of a frame. `id` names the frame while it is on the
  // air; `signal` is the frame's signal at this PHY, the same object at every step (its
  // power set before SignalStart). The common steps are inline: the Medium makes them for
  // every receiver of every frame.
  void StartTx();
  void EndTx();
  void SignalStart(Signal& signal, TimeNs now) {
    if (state_ == State::kRx) AdvanceChunk(now);
    signal.epoch = epoch_;
    signal.arrivals = ++arrivals_;
    signal.tx_starts = tx_starts_;
    signal.arrived_idle = state_ == State::kIdle;
    signal.overlapped_early = present_ > 0;
    signal.sensed = false;
    signal.outcome = RxOutcome::kMissed;
    ++present_;
    total_ += signal.power;
  }
  // True when the PHY locked on the frame.
  bool PreambleDetectionEnd(const AirFrame& frame, Signal& signal, uint32_t id, TimeNs now) {
    if (signal.epoch != epoch_) return false;
    signal.sensed = true;
    sensed_ += signal.power;
    const bool locked = state_ == State::kIdle && signal.arrived_idle &&
                        signal.tx_starts == tx_starts_ && signal.power_mw >= preamble_min_mw_ &&
                        TryLock(frame, signal, id, now);
    UpdateCca();
    return locked;
  }
  // Only for the PHYs that locked on the frame; one may have let go of it since.
  void HeaderEnd(Signal& signal, uint32_t id, TimeNs now) {
    if (state_ == State::kRx && locked_id_ == id) DecideHeader(signal, now);
  }
  // The outcome for this receiver, or nothing if the signal never reached it (off, other
  // channel, reset since). `rssi_dbm` as RxInfo carries it (RxInfoDbm).
  std::optional<RxOutcome> SignalEnd(const AirFrame& frame, const Signal& signal, uint32_t id,
                                     int8_t rssi_dbm, TimeNs now) {
    if (signal.epoch != epoch_) return std::nullopt;
    if (state_ == State::kRx) AdvanceChunk(now);
    --present_;
    total_ -= signal.power;
    if (signal.sensed) sensed_ -= signal.power;
    RxOutcome outcome = signal.outcome;
    if (state_ == State::kRx && locked_id_ == id) outcome = EndReception(frame, rssi_dbm);
    // Overlapped: another signal was present when it arrived, or arrived after it.
    const bool overlapped = signal.overlapped_early || arrivals_ != signal.arrivals;
    if (outcome != RxOutcome::kReceived && overlapped &&
        DetectableAlone(signal.power_mw, frame.rate)) {
      ++stats_.rx_collisions;
    }
    UpdateCca();
    return outcome;
  }

 private:
  enum class State : uint8_t { kIdle, kTx, kRx };
  struct Lock {
    double power_mw = 0.0;
    PowerUnits power = 0;
    double noise_mw = 0.0;
    TimeNs chunk_start = 0;  // the current chunk: [chunk_start, next change)
    TimeNs header_start = 0, payload_start = 0, end = 0;
    port::Rate header_rate = port::Rate::k1Mbps, rate = port::Rate::k1Mbps;
    double header_success = 1.0, payload_success = 1.0;
    bool header_ok = false;
    // Up to this much interference the frame's SINR is clean at both its rates
    // (ErrorRateModel::CleanSinr): its chunks succeed for sure and need no error model.
    bool has_clean = false;
    PowerUnits clean_interference = 0;
  };

  // The power of every signal present but one of `power`.
  double InterferenceMw(PowerUnits power) const { return ToMw(total_ - power); }
  bool TryLock(const AirFrame& frame, const Signal& signal, uint32_t id, TimeNs now);
  void DecideHeader(Signal& signal, TimeNs now);
  // The end of the frame locked on: the payload's draw, and the MAC told.
  RxOutcome EndReception(const AirFrame& frame, int8_t rssi_dbm);
  // Closes the chunk of the locked frame at `now`, with the interference present before.
  // Inline up to the clean case, the common one, which the error model would multiply in
  // as exactly 1.
  void AdvanceChunk(TimeNs now) {
    if (now <= lock_.chunk_start) return;
    if (lock_.has_clean && total_ - lock_.power <= lock_.clean_interference) {
      lock_.chunk_start = now;
      return;
    }
    AdvanceNoisyChunk(now);
  }
  void AdvanceNoisyChunk(TimeNs now);
  bool Draw(double success_probability);
  bool DetectableAlone(double power_mw, port::Rate rate) const {
    return power_mw >= preamble_min_mw_ && power_mw >= preamble_snr_linear_ * NoiseMw(rate);
  }
  void Reset();
  void UpdateCca() {
    const bool busy = enabled_ && (state_ != State::kIdle || sensed_ >= cca_threshold_);
    if (busy != cca_busy_) NotifyCca(busy);
  }
  void NotifyCca(bool busy);

  // What every signal's every step reads or writes comes first, in one or two cache lines:
  // the Medium walks all the PHYs a frame reaches, four times per frame.
  State state_ = State::kIdle;
  bool enabled_ = true;
  bool cca_busy_ = false;
  uint8_t channel_;
  uint32_t locked_id_ = 0;  // the frame locked on, while state_ is kRx
  // The signals present: their count, the sum of their powers, and of the sensed ones'.
  uint32_t present_ = 0;
  uint32_t epoch_ = 1;      // advanced by Reset, which forgets the signals present
  uint32_t arrivals_ = 0;   // signals arrived: a signal was overlapped if one came after it
  uint32_t tx_starts_ = 0;  // transmissions started: the preambles present are lost
  PowerUnits total_ = 0, sensed_ = 0;
  PowerUnits cca_threshold_;
  double preamble_min_mw_, preamble_snr_linear_;
  PhyListener* listener_ = nullptr;

  const ErrorRateModel& error_model_;
  port::SplitMix64 rng_;
  double noise_dsss_mw_, noise_ofdm_mw_;
  int8_t noise_dsss_dbm_, noise_ofdm_dbm_;  // as RxInfo carries them
  Lock lock_;
  // The last frame's rates and the clean SINR for both (ErrorRateModel::CleanSinr).
  port::Rate clean_header_rate_ = port::Rate::k1Mbps, clean_rate_ = port::Rate::k1Mbps;
  double clean_sinr_ = -1.0;  // none yet
  PhyStats stats_;
};

}  // namespace airlab::sim
