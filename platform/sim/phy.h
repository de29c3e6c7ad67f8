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
  double NoiseMw(port::Rate rate) const { return port::IsDsss(rate) ? noise_dsss_mw_ : noise_ofdm_mw_; }

  // The Medium's calls, in the life of a frame. `id` names the frame while it is on the air.
  void StartTx();
  void EndTx();
  void SignalStart(uint32_t id, double power_mw, TimeNs now);
  void PreambleDetectionEnd(const AirFrame& frame, uint32_t id, TimeNs now);
  void HeaderEnd(uint32_t id, TimeNs now);
  // The outcome for this receiver, or nothing if the signal never reached it (off, other
  // channel, reset since). `rssi_dbm` as RxInfo carries it (RxInfoDbm).
  std::optional<RxOutcome> SignalEnd(const AirFrame& frame, uint32_t id, int8_t rssi_dbm,
                                     TimeNs now);

 private:
  enum class State : uint8_t { kIdle, kTx, kRx };
  struct Signal {
    uint32_t id;
    double power_mw;
    bool lockable;    // arrived while the PHY was idle
    bool sensed;      // present for the detection window: counts for CCA
    bool overlapped;  // another signal was present at some time during this one
    RxOutcome outcome;
  };
  struct Lock {
    uint32_t id = 0;
    double power_mw = 0.0;
    double noise_mw = 0.0;
    TimeNs chunk_start = 0;  // the current chunk: [chunk_start, next change)
    TimeNs header_start = 0, payload_start = 0, end = 0;
    port::Rate header_rate = port::Rate::k1Mbps, rate = port::Rate::k1Mbps;
    double header_success = 1.0, payload_success = 1.0;
    bool header_ok = false;
  };

  Signal* Find(uint32_t id);
  // The power of every signal present but `except_id`.
  double InterferenceMw(uint32_t except_id) const;
  // Closes the chunk of the locked frame at `now`, with the interference present before.
  void AdvanceChunk(TimeNs now);
  bool Draw(double success_probability);
  bool DetectableAlone(double power_mw, port::Rate rate) const;
  void Reset();
  void UpdateCca();

  const ErrorRateModel& error_model_;
  port::SplitMix64 rng_;
  PhyListener* listener_ = nullptr;
  uint8_t channel_;
  bool enabled_ = true;
  double noise_dsss_mw_, noise_ofdm_mw_;
  int8_t noise_dsss_dbm_, noise_ofdm_dbm_;  // as RxInfo carries them
  double preamble_min_mw_, preamble_snr_linear_, cca_threshold_mw_;
  State state_ = State::kIdle;
  Lock lock_;
  bool cca_busy_ = false;
  std::vector<Signal> signals_;
  PhyStats stats_;
};

}  // namespace airlab::sim
