#include "platform/sim/phy.h"

#include <algorithm>
#include <cmath>

#include "platform/sim/propagation.h"
#include "platform/sim/random.h"

namespace airlab::sim {

Phy::Phy(const PhyConfig& config, const ErrorRateModel& error_model, port::SplitMix64 rng,
         uint8_t channel, double noise_figure_db)
    : channel_(channel),
      // Rounded up: a sum in whole units reaches it exactly when it reaches the threshold.
      cca_threshold_(
          static_cast<PowerUnits>(std::ceil(DbmToMw(config.cca_threshold_dbm) * kPowerUnitsPerMw))),
      preamble_min_mw_(DbmToMw(config.preamble_min_rssi_dbm)),
      preamble_snr_linear_(std::pow(10.0, config.preamble_snr_db / 10.0)),
      error_model_(error_model),
      rng_(rng),
      noise_dsss_mw_(ThermalNoiseMw(22e6) * std::pow(10.0, noise_figure_db / 10.0)),
      noise_ofdm_mw_(ThermalNoiseMw(20e6) * std::pow(10.0, noise_figure_db / 10.0)),
      noise_dsss_dbm_(RxInfoDbm(MwToDbm(noise_dsss_mw_))),
      noise_ofdm_dbm_(RxInfoDbm(MwToDbm(noise_ofdm_mw_))) {}

void Phy::SetChannel(uint8_t channel) {
  channel_ = channel;
  Reset();
}

void Phy::SetEnabled(bool on) {
  enabled_ = on;
  Reset();
}

void Phy::Reset() {
  ++epoch_;
  present_ = 0;
  total_ = sensed_ = 0;
  if (state_ == State::kRx) state_ = State::kIdle;
  UpdateCca();
}

void Phy::StartTx() {
  // Sending aborts a reception under way; the preambles present are lost under our own
  // signal, so none of them can be locked on afterwards.
  state_ = State::kTx;
  ++tx_starts_;
  UpdateCca();
}

void Phy::EndTx() {
  state_ = State::kIdle;
  if (listener_ != nullptr) listener_->OnTxEnd();
  UpdateCca();
}

bool Phy::TryLock(const AirFrame& frame, const Signal& signal, uint32_t id, TimeNs now) {
  const double noise = NoiseMw(frame.rate);
  if (signal.power_mw < preamble_snr_linear_ * (noise + InterferenceMw(signal.power))) return false;
  state_ = State::kRx;
  locked_id_ = id;
  const auto header_rate = static_cast<port::Rate>(frame.timing.header_rate_500kbps);
  // A margin of 1e-9 keeps rounding (1e-16) from ever calling a chunk clean that the
  // error model would not; infinity (no clean SINR) makes the bound negative.
  if (clean_sinr_ < 0.0 || header_rate != clean_header_rate_ || frame.rate != clean_rate_) {
    clean_header_rate_ = header_rate;
    clean_rate_ = frame.rate;
    clean_sinr_ = std::max(error_model_.CleanSinr(header_rate), error_model_.CleanSinr(frame.rate));
  }
  const double clean_interference_mw = signal.power_mw / (clean_sinr_ * (1.0 + 1e-9)) - noise;
  lock_ = Lock{signal.power_mw,
               signal.power,
               noise,
               now,
               frame.header_start(),
               frame.payload_start(),
               frame.end(),
               header_rate,
               frame.rate,
               1.0,
               1.0,
               false,
               clean_interference_mw > 0.0,
               clean_interference_mw > 0.0 ? ToPowerUnits(clean_interference_mw) : 0};
  return true;
}

void Phy::AdvanceNoisyChunk(TimeNs now) {
  const double sinr = lock_.power_mw / (lock_.noise_mw + InterferenceMw(lock_.power));
  auto chunk = [&](TimeNs from, TimeNs to, port::Rate rate, double& success) {
    from = std::max(from, lock_.chunk_start);
    to = std::min(to, now);
    if (to <= from) return;
    // Bits in the chunk as ns-3 counts them: rate times duration, truncated.
    const uint64_t bits =
        uint64_t{port::RateKbps(rate)} * static_cast<uint64_t>(to - from) / 1'000'000;
    success *= error_model_.ChunkSuccessRate(rate, sinr, bits);
  };
  chunk(lock_.header_start, lock_.payload_start, lock_.header_rate, lock_.header_success);
  chunk(lock_.payload_start, lock_.end, lock_.rate, lock_.payload_success);
  lock_.chunk_start = now;
}

bool Phy::Draw(double success_probability) {
  if (success_probability >= 1.0) return true;
  return Uniform01(rng_) < success_probability;
}

void Phy::DecideHeader(Signal& signal, TimeNs now) {
  AdvanceChunk(now);
  if (Draw(lock_.header_success)) {
    lock_.header_ok = true;
    return;
  }
  signal.outcome = RxOutcome::kHeaderError;
  ++stats_.rx_errors;
  state_ = State::kIdle;
  UpdateCca();
}

RxOutcome Phy::EndReception(const AirFrame& frame, int8_t rssi_dbm) {
  state_ = State::kIdle;
  const bool ok = Draw(lock_.payload_success);
  ++(ok ? stats_.rx_ok : stats_.rx_errors);
  if (listener_ != nullptr) {
    port::RxInfo info;
    info.rssi_dbm = rssi_dbm;
    info.noise_dbm = port::IsDsss(frame.rate) ? noise_dsss_dbm_ : noise_ofdm_dbm_;
    info.channel = frame.channel;
    info.rate = frame.rate;
    info.timestamp = frame.start;
    info.retry = frame.retry;
    info.fcs_ok = ok;
    listener_->OnRxEnd(frame, info, ok);
  }
  return ok ? RxOutcome::kReceived : RxOutcome::kPayloadError;
}

void Phy::NotifyCca(bool busy) {
  cca_busy_ = busy;
  if (listener_ != nullptr) listener_->OnCcaChange(busy);
}

}  // namespace airlab::sim
